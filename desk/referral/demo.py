"""The demo hall's stations: a week's roster with demo station officers, referrals with
outcomes over the months, and tickets waiting today so a new user sees a live queue.

Everything goes through the same domain functions as the desks (refer, the state table,
finish), from the demo's seeded random source.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from desk.errors import DeskError
from desk.models import Matter, Operator, Role
from desk.referral import referring
from desk.referral.lifecycle import Finish, Move
from desk.referral.queue import of_day
from desk.referral.records import (
    Duty,
    LegalRoute,
    Outcome,
    Referral,
    Staffing,
    State,
    Station,
    StationKind,
)
from desk.referral.stations import list_stations, seed_stations, set_roster
from desk.store import Transaction

# (name, kind of station they staff); `station`, the demo login, sits with the judge.
DEMO_OFFICERS = (("周敏", StationKind.JUDGE), ("吴刚", StationKind.PROSECUTOR), ("郑强", StationKind.POLICE),
                 ("孙丽", StationKind.LEGAL_AID), ("马超", StationKind.MEDIATION), ("胡静", StationKind.COUNSELLING))
DEMO_LOGIN_STATION = ("station", StationKind.JUDGE)

OUTCOMES = {
    StationKind.JUDGE: ((Outcome.ANSWERED, 50), (Outcome.LEGAL_ROUTE, 35), (Outcome.HANDED_BACK, 10),
                        (Outcome.TRANSFERRED, 5)),
    StationKind.PROSECUTOR: ((Outcome.ANSWERED, 60), (Outcome.LEGAL_ROUTE, 40)),
    StationKind.POLICE: ((Outcome.ANSWERED, 55), (Outcome.LEGAL_ROUTE, 45)),
    StationKind.LEGAL_AID: ((Outcome.LEGAL_AID_ACCEPTED, 60), (Outcome.ANSWERED, 40)),
    StationKind.MEDIATION: ((Outcome.MEDIATION_AGREED, 60), (Outcome.MEDIATION_FAILED, 30), (Outcome.TRANSFERRED, 10)),
    StationKind.COUNSELLING: ((Outcome.ANSWERED, 100),),
}
ROUTES = {StationKind.JUDGE: LegalRoute.LITIGATION, StationKind.PROSECUTOR: LegalRoute.PROCURATORIAL,
          StationKind.POLICE: LegalRoute.POLICE, StationKind.MEDIATION: LegalRoute.LABOUR_ARBITRATION}
NOTES = {
    Outcome.ANSWERED: ("已释法明理，来访人表示理解", "解答了相关法律规定和办理途径"),
    Outcome.MEDIATION_AGREED: ("双方当场签订调解协议", "经调解达成分期支付协议"),
    Outcome.MEDIATION_FAILED: ("双方分歧较大，引导申请仲裁",),
    Outcome.LEGAL_ROUTE: ("已告知诉讼程序并指导准备材料", "已引导依法申请"),
    Outcome.LEGAL_AID_ACCEPTED: ("符合法律援助条件，已受理申请",),
    Outcome.TRANSFERRED: ("需进一步法律援助",),
    Outcome.HANDED_BACK: ("不属于本驻点受理范围",),
}
REFER_SHARE = 0.3  # of the matters that stay open after their first visit
# The leader reception room, added when the hall has none: (name, window, ticket prefix).
LEADER_ROOM = ("领导接访室", "二楼领导接访室", "D")
LEADER_NOTES = ("领导当面听取诉求，责成责任单位十日内答复", "领导现场协调，明确了办理时限和责任人",
                "领导耐心释法明理，来访人表示理解")
BOOKING_REASONS = ("要求面见包案领导", "多次来访未解决，要求见领导", "")


def demo_officers() -> list[tuple[str, Role]]:
    return [(name, Role.STATION) for name, _ in DEMO_OFFICERS]


@dataclass
class DemoStations:
    rng: random.Random
    now: dt.datetime
    stations: dict[StationKind, Station] = field(default_factory=dict)
    officers: dict[StationKind, str] = field(default_factory=dict)
    referred: list[int] = field(default_factory=list)  # open matters referred, for the queue of today
    leader_days: dict[dt.date, str] = field(default_factory=dict)  # who receives on which day

    def prepare(self, txn: Transaction, operators: list[Operator]) -> None:
        """Stations (one of each kind, if the hall has none), and a week's roster of the
        demo officers that exist in this hall."""
        seed_stations(txn)
        self.stations = {}
        for station in list_stations(txn):
            if station.active:
                self.stations.setdefault(station.kind, station)
        self._leader_room(txn, operators)
        names = {o.name for o in operators if o.role is Role.STATION and o.active}
        for name, kind in (*DEMO_OFFICERS, DEMO_LOGIN_STATION):
            if name in names:
                self.officers.setdefault(kind, name)
        monday = self.now.date() - dt.timedelta(days=self.now.weekday())
        week = {monday + dt.timedelta(days=n) for n in range(5)} | {self.now.date()}
        for kind, station in self.stations.items():
            if kind is StationKind.LEADER:
                continue
            staff = tuple(Duty(n, Staffing.RESIDENT) for n, k in (*DEMO_OFFICERS, DEMO_LOGIN_STATION)
                          if k is kind and n in names)
            for day in sorted(week):
                set_roster(txn, day, station.id, staff)

    def _leader_room(self, txn: Transaction, operators: list[Operator]) -> None:
        """A leader reception room (if the hall has none and its prefix is free), and its
        days: Tuesday and Thursday this week and next, and today, so a leader who logs in
        finds visitors waiting; the demo leaders take turns."""
        leaders = [o.name for o in operators if o.role is Role.LEADER and o.active]
        if not leaders:
            return
        if StationKind.LEADER not in self.stations:
            name, window, prefix = LEADER_ROOM
            if any(s.prefix == prefix and s.active or s.name == name for s in list_stations(txn)):
                return
            draft = Station(0, StationKind.LEADER, name, window, prefix, bring="身份证、此前的答复意见")
            self.stations[StationKind.LEADER] = Station.from_doc(txn.insert("stations", draft.to_doc()))
        room = self.stations[StationKind.LEADER]
        monday = self.now.date() - dt.timedelta(days=self.now.weekday())
        days = sorted({monday + dt.timedelta(days=n) for n in (1, 3, 8, 10)} | {self.now.date()})
        for day in days:  # Thursdays the other leader; today the first (the `leader` login)
            leader = leaders[-1] if day.weekday() == 3 and day != self.now.date() else leaders[0]
            self.leader_days[day] = leader
            set_roster(txn, day, room.id, (Duty(leader, Staffing.ROTATING),))

    def bookings(self, txn: Transaction, open_matters: list[int], by: str) -> None:
        """领导接访预约: visitors booked on the leader days, the complex matters first. Those
        of a day gone by were received; today's wait in the leader's queue."""
        room = self.stations.get(StationKind.LEADER)
        if room is None or not open_matters:
            return
        matters = [Matter.from_doc(d) for m in open_matters if (d := txn.get("matters", m)) is not None]
        matters.sort(key=lambda m: (m.track.value != "complex", m.id))
        pool = [m for m in matters[:200] if m.id not in self.referred]
        self.rng.shuffle(pool)
        today = self.now.date()
        for day, leader in sorted(self.leader_days.items()):
            for _ in range(self.rng.randint(4, 6) if day == today else self.rng.randint(2, 4)):
                if day == today:
                    at = self.now - dt.timedelta(minutes=self.rng.randrange(10, 120))
                else:
                    at = min(dt.datetime.combine(day, dt.time(9), tzinfo=self.now.tzinfo), self.now) - dt.timedelta(
                        days=self.rng.randint(1, 4), minutes=self.rng.randrange(600))
                matter = next((m for m in pool if m.registered_at < at), None)
                if matter is None:
                    continue
                pool.remove(matter)
                form = referring.ReferralForm(room.id, self.rng.choice(BOOKING_REASONS))
                try:
                    ref = referring.refer(txn, matter.id, form, by, at, day=day).referral
                except DeskError:  # closed meanwhile
                    continue
                self.referred.append(matter.id)
                if day < today:
                    self._receive(txn, ref, leader, day)

    def _receive(self, txn: Transaction, ref: Referral, leader: str, day: dt.date) -> None:
        """A booked visitor received on a leader day gone by."""
        at = dt.datetime.combine(day, dt.time(9), tzinfo=self.now.tzinfo) + dt.timedelta(
            minutes=self.rng.randrange(0, 120))
        for move in (Move.CALL, Move.SERVE):
            ref = referring.save_move(txn, ref, move, leader, at)
            at += dt.timedelta(minutes=self.rng.randrange(1, 5))
        at += dt.timedelta(minutes=self.rng.randrange(15, 45))
        referring.finish(txn, ref, Finish(Outcome.ANSWERED, note=self.rng.choice(LEADER_NOTES)), leader, at)

    def _station_for(self, matter: Matter) -> Station | None:
        kinds = [StationKind.MEDIATION] if matter.category == "labour" and StationKind.MEDIATION in self.stations else []
        kinds = kinds or [k for k in (StationKind.JUDGE, StationKind.JUDGE, StationKind.PROSECUTOR, StationKind.POLICE,
                                      StationKind.LEGAL_AID, StationKind.COUNSELLING) if k in self.stations]
        return self.stations[self.rng.choice(kinds)] if kinds else None

    def after_visit(self, txn: Transaction, matter: Matter, at: dt.datetime, by: str) -> None:
        """Refer some open matters, and play the station's part up to now."""
        if self.rng.random() >= REFER_SHARE:
            return
        station = self._station_for(matter)
        if station is None:
            return
        at = at + dt.timedelta(minutes=self.rng.randrange(3, 15))
        if at > self.now:
            return
        referral = referring.refer(txn, matter.id, referring.ReferralForm(station.id), by, at).referral
        self.referred.append(matter.id)
        self._play(txn, referral, station, at)

    def _play(self, txn: Transaction, ref: Referral, station: Station, at: dt.datetime) -> None:
        officer = self.officers.get(station.kind, "station")
        steps = [(Move.CALL, self.rng.randrange(2, 40)), (Move.SERVE, 1)]
        if self.rng.random() < 0.05:
            steps = [(Move.CALL, self.rng.randrange(2, 40)), (Move.NO_SHOW, 5)]
        for move, minutes in steps:
            at += dt.timedelta(minutes=minutes)
            if at > self.now:
                return
            ref = referring.no_show(txn, ref, officer, at) if move is Move.NO_SHOW else \
                referring.save_move(txn, ref, move, officer, at)
        if ref.state is not State.SERVING:
            return
        at += dt.timedelta(minutes=self.rng.randrange(5, 35))
        if at <= self.now:
            _, onward = referring.finish(txn, ref, self._finish(station), officer, at)
            if onward is not None:
                self._play(txn, onward.referral, onward.station, at)

    def _finish(self, station: Station) -> Finish:
        outcomes, weights = zip(*OUTCOMES[station.kind], strict=True)
        outcome = self.rng.choices(outcomes, weights)[0]
        aid = self.stations.get(StationKind.LEGAL_AID)
        if outcome is Outcome.TRANSFERRED and (aid is None or aid.id == station.id):
            outcome = Outcome.ANSWERED
        return Finish(outcome, note=self.rng.choice(NOTES[outcome]), agreement="分三期支付欠款" if
                      outcome is Outcome.MEDIATION_AGREED else "", legal_route=ROUTES.get(station.kind, LegalRoute.NONE)
                      if outcome is Outcome.LEGAL_ROUTE else LegalRoute.NONE,
                      to_station=aid.id if outcome is Outcome.TRANSFERRED and aid else None,
                      reason=self.rng.choice(NOTES[outcome]) if outcome is Outcome.HANDED_BACK else "")

    def waiting_today(self, txn: Transaction, open_matters: list[int], by: str, count: int = 8) -> None:
        """Tickets waiting now, most at the judge's station (where the `station` login sits)."""
        already = sum(r.state is State.WAITING for r in of_day(txn, self.now.date()))
        candidates = [m for m in open_matters if m not in self.referred] or open_matters
        kinds = [k for k in (StationKind.JUDGE, StationKind.JUDGE, StationKind.JUDGE, StationKind.LEGAL_AID,
                             StationKind.MEDIATION, StationKind.POLICE) if k in self.stations]
        if not kinds or not candidates:
            return
        picks = self.rng.sample(candidates, min(max(count - already, 0), len(candidates)))
        minutes = sorted((self.rng.randrange(1, 50) for _ in picks), reverse=True)
        for matter_id, ago in zip(picks, minutes, strict=True):
            station = self.stations[self.rng.choice(kinds)]
            at = self.now - dt.timedelta(minutes=ago)
            try:
                referring.refer(txn, matter_id, referring.ReferralForm(station.id), by, at)
            except DeskError:  # a matter closed meanwhile
                continue
