"""The records of the three meetings (三见面) and of 1+X supervision (督办)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from desk.codec import Stored


class MeetingKind(StrEnum):
    """In the order a complex matter meets them."""

    HUDDLE = "huddle"  # 碰头会: before acceptance, with the department and the village cadres
    AT_ACCEPTANCE = "at_acceptance"  # with the visitor, at acceptance
    AT_REPLY = "at_reply"  # with the visitor, when the reply is handed over
    AFTER_REPLY = "after_reply"  # with the visitor, after the reply
    THREE_PARTY = "three_party"  # 三方回访: after a dissatisfied evaluation, with the department,
    # the township and the village or community


# The three meetings (三见面) a complex matter must hold before it closes.
THREE_MEETINGS = (MeetingKind.HUDDLE, MeetingKind.AT_ACCEPTANCE, MeetingKind.AT_REPLY, MeetingKind.AFTER_REPLY)


class MeetingState(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"  # with a reason; the kind still counts as missing


@dataclass(frozen=True)
class Participant:
    name: str
    unit: str = ""  # their department, township, village or community


@dataclass(frozen=True)
class Meeting(Stored):
    id: int
    matter_id: int
    kind: MeetingKind
    day: dt.date  # planned; the agenda finds a day's meetings by it
    time: str  # HH:MM
    place: str
    planned_by: str
    planned_at: dt.datetime
    participants: tuple[Participant, ...] = ()
    state: MeetingState = MeetingState.PLANNED
    facts: str = ""  # what was found
    approach: str = ""  # the approach agreed
    visitor_said: str = ""
    held_at: dt.datetime | None = None
    recorded_by: str = ""
    cancelled_reason: str = ""
    cancelled_at: dt.datetime | None = None
    sent_back: bool = False  # a three-party follow-up that sent the matter back to handling
    rev: int = 0

    def starts(self) -> dt.datetime:
        hour, minute = (int(p) for p in self.time.split(":"))
        return dt.datetime.combine(self.day, dt.time(hour, minute), tzinfo=self.planned_at.tzinfo)

    def overdue(self, now: dt.datetime) -> bool:
        """Planned, its time passed, and not held (nor cancelled)."""
        return self.state is MeetingState.PLANNED and self.starts() < now


class SupervisionKind(StrEnum):
    WRITTEN = "written"  # 书面督办: the one numbered notice
    PHONE = "phone"  # 电话督办: the X follow-ups


class Rung(StrEnum):
    """Who makes a phone follow-up: the ladder climbs from staff to the main leader."""

    STAFF = "staff"
    DEPUTY_LEADER = "deputy_leader"
    MAIN_LEADER = "main_leader"


LADDER = (Rung.STAFF, Rung.DEPUTY_LEADER, Rung.MAIN_LEADER)


@dataclass(frozen=True)
class Supervision(Stored):
    """One entry of a matter's 1+X supervision."""

    id: int
    matter_id: int
    kind: SupervisionKind
    day: dt.date
    by: str  # who supervised (the operator, or the leader named by the rung)
    to: str  # the department's contact
    department_id: int | None
    recorded_by: str
    recorded_at: dt.datetime
    rung: Rung | None = None  # a phone follow-up's rung
    demand: str = ""  # what the written notice demands
    due: dt.date | None = None  # by when (the written notice)
    answer: str = ""  # what the department answered
    next_on: dt.date | None = None  # the next follow-up's date
    document_number: str = ""  # the written notice's
    rev: int = 0
