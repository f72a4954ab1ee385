"""The records of referral: stations, the duty roster, and referrals with their tickets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from desk.codec import Stored


class StationKind(StrEnum):
    JUDGE = "judge"
    PROSECUTOR = "prosecutor"
    POLICE = "police"
    LEGAL_AID = "legal_aid"
    MEDIATION = "mediation"
    COUNSELLING = "counselling"
    LEADER = "leader"  # 领导接访: a leader receives on the days the roster names; visitors are booked


class Staffing(StrEnum):
    RESIDENT = "resident"  # 常驻: every working day
    ROTATING = "rotating"  # 轮驻: on given dates
    ON_CALL = "on_call"  # 随驻: called in


class LegalRoute(StrEnum):
    """导入法定程序: where a matter that belongs in a legal procedure is sent."""

    NONE = "none"
    LITIGATION = "litigation"
    PROCURATORIAL = "procuratorial"  # procuratorial supervision
    POLICE = "police"  # a police report or case
    LABOUR_ARBITRATION = "labour_arbitration"
    ADMINISTRATIVE_REVIEW = "administrative_review"
    LEGAL_AID = "legal_aid"  # a legal-aid application


class Priority(StrEnum):
    ELDERLY = "elderly"  # 70 or over, from the ID number's birth date
    DISABLED = "disabled"
    PREGNANT = "pregnant"
    THREAT = "threat"  # a threat statement
    GROUP = "group"  # a group visit


class State(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    ON_HOLD = "on_hold"
    LEFT = "left"  # left without service (no-show, or withdrawn before the call)
    DONE = "done"


class Outcome(StrEnum):
    ANSWERED = "answered"  # 解答、释法明理
    MEDIATION_AGREED = "mediation_agreed"
    MEDIATION_FAILED = "mediation_failed"
    LEGAL_ROUTE = "legal_route"  # routed into a legal procedure
    LEGAL_AID_ACCEPTED = "legal_aid_accepted"
    TRANSFERRED = "transferred"  # to another station: a new referral keeping the priority
    HANDED_BACK = "handed_back"  # back to reception, with a reason


ELDERLY_AGE = 70


@dataclass(frozen=True)
class Station(Stored):
    id: int
    kind: StationKind
    name: str
    window: str
    prefix: str  # the ticket's letters: J for J003
    category: str = ""  # a mediation group's category (劳资调处组 takes `labour`)
    bring: str = ""  # what the visitor should bring, shown on the slip
    active: bool = True
    rev: int = 0


@dataclass(frozen=True)
class Duty:
    operator: str
    staffing: Staffing = Staffing.ROTATING


@dataclass(frozen=True)
class RosterDay(Stored):
    """Who staffs one station on one date."""

    id: int
    day: dt.date
    station_id: int
    staff: tuple[Duty, ...] = ()
    rev: int = 0

    def on_duty(self, operator: str) -> bool:
        return any(d.operator == operator for d in self.staff)


@dataclass(frozen=True)
class Period:
    """One stretch of a referral in one state: waiting and serving times are exact."""

    state: State
    start: dt.datetime
    end: dt.datetime | None = None
    by: str = ""  # who began it (the referrer, the officer who called or served)

    def seconds(self, now: dt.datetime) -> int:
        return int(((self.end or now) - self.start).total_seconds())


@dataclass(frozen=True)
class Referral(Stored):
    id: int
    matter_id: int
    visitor_id: int
    station_id: int
    station_kind: StationKind  # as it was at referral: the tally counts by it
    ticket: str  # J003
    number: int  # 3: the station's count of the day
    day: dt.date
    referred_at: dt.datetime
    referred_by: str
    reason: str = ""
    legal_route: LegalRoute = LegalRoute.NONE
    priority: tuple[Priority, ...] = ()
    state: State = State.WAITING
    periods: tuple[Period, ...] = ()  # oldest first; the last is open unless the referral ended
    calls: int = 0  # how often the visitor was called (recalls included)
    officer: str = ""  # who called or served last
    outcome: Outcome | None = None
    note: str = ""
    agreement: str = ""  # what a mediation agreement says
    route_reference: str = ""  # the receiving body's reference number
    handed_back_reason: str = ""
    transferred_from: int | None = None  # the referral this one continues
    transferred_to: int | None = None
    unseen: bool = False  # ended, and the matter's first responder has not opened it since
    rev: int = 0

    @property
    def priority_first(self) -> bool:
        return bool(self.priority)

    @property
    def open(self) -> bool:
        return self.state not in (State.LEFT, State.DONE)

    def time_in(self, state: State, now: dt.datetime) -> int:
        """Seconds spent in `state` so far, over every period of it."""
        return sum(p.seconds(now) for p in self.periods if p.state is state)

    def since(self) -> dt.datetime:
        return self.periods[-1].start if self.periods else self.referred_at


def elderly(birth: dt.date | None, on: dt.date) -> bool:
    if birth is None:
        return False
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return age >= ELDERLY_AGE
