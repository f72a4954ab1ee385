"""Referral's use cases over the shared `Context`: stations and the roster, referring,
and a station's queue. Each method: check permission, then one transaction, then the
domain function, then the audit entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desk.context import Context
from desk.errors import DeskError
from desk.models import Matter, Operator, Visit, Visitor
from desk.permissions import Action, allowed, require
from desk.referral import queue as queues
from desk.referral import referring, stations
from desk.referral.lifecycle import Finish, Move, transition
from desk.referral.records import Duty, Referral, RosterDay, Staffing, State, Station, StationKind
from desk.referral.referring import ReferralForm, Referred
from desk.referral.stations import StationForm
from desk.store import ConflictError


def masked_name(name: str) -> str:
    """The surname and a star for each other character: 张** (a queue is seen over a shoulder)."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


@dataclass(frozen=True)
class Call:
    """One call as the hall display shows it: never a name."""

    ticket: str
    window: str
    station: str
    at: dt.datetime


@dataclass(frozen=True)
class Board:
    """What the hall display shows: the latest calls, newest first, and how many wait at
    each active station (name, window, count)."""

    calls: tuple[Call, ...]
    waiting: tuple[tuple[str, str, int], ...]


@dataclass(frozen=True)
class StationDay:
    """One station's day as the hall overview shows it. Times are in seconds; an average is
    None while nothing has been waited for or served."""

    station: Station
    on_duty: tuple[str, ...]
    waiting: int
    serving: int  # called, being served or on hold
    longest_wait: int  # of those waiting now
    done: int
    left: int  # left without service (no-show or withdrew)
    average_wait: int | None
    average_serve: int | None
    outcomes: tuple[tuple[str, int], ...]  # outcome code, count; most first


def _average(values: list[int]) -> int | None:
    return sum(values) // len(values) if values else None


def station_day(station: Station, staff: tuple[str, ...], refs: list[Referral], now: dt.datetime) -> StationDay:
    waiting = [r for r in refs if r.state is State.WAITING]
    done = [r for r in refs if r.state is State.DONE]
    outcomes: dict[str, int] = {}
    for ref in done:
        if ref.outcome is not None:
            outcomes[ref.outcome.value] = outcomes.get(ref.outcome.value, 0) + 1
    return StationDay(
        station, staff, len(waiting), sum(r.state in (State.CALLED, State.SERVING, State.ON_HOLD) for r in refs),
        max((r.time_in(State.WAITING, now) for r in waiting), default=0), len(done),
        sum(r.state is State.LEFT for r in refs),
        _average([r.time_in(State.WAITING, now) for r in refs if r.calls]),
        _average([r.time_in(State.SERVING, now) for r in done]),
        tuple(sorted(outcomes.items(), key=lambda kv: -kv[1])))


@dataclass(frozen=True)
class QueueRow:
    """One ticket as a station's queue shows it."""

    referral: Referral
    name: str  # masked
    persons: int
    category: str
    summary: str  # its first line
    number: str  # the case number
    first_responder: str
    waited: int  # seconds waiting so far (exact: the waiting periods)


class Referrals:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @property
    def _store(self):
        return self.ctx.store

    def _now(self) -> dt.datetime:
        return self.ctx.clock.now()

    # -- stations ----------------------------------------------------------------------

    def stations(self) -> list[Station]:
        return stations.list_stations(self._store)

    def ensure_stations(self) -> None:
        """A hall made before stations existed gets one of each kind at its first such write."""
        if not stations.list_stations(self._store):
            with self._store.transaction() as txn:
                stations.seed_stations(txn)

    def add_station(self, form: StationForm, operator: Operator) -> Station:
        require(operator, Action.MANAGE_STATIONS)
        self.ensure_stations()
        with self._store.transaction() as txn:
            draft = stations.new_station(form, stations.list_stations(txn), self.ctx.settings().categories)
            added = Station.from_doc(txn.insert("stations", draft.to_doc()))
        self.ctx.log(operator, "station_add", added.name, station=added.id, prefix=added.prefix)
        return added

    def edit_station(self, name: str, form: StationForm, operator: Operator) -> Station:
        require(operator, Action.MANAGE_STATIONS)
        with self._store.transaction() as txn:
            current = stations.station_called(txn, name)
            changed = stations.checked_station(current, form, stations.list_stations(txn),
                                               self.ctx.settings().categories)
            if changed == current:
                raise DeskError("err.station.nothing")
            saved = Station.from_doc(txn.update("stations", changed.to_doc()))
        self.ctx.log(operator, "station_edit", saved.name, station=saved.id, **form.typed())
        return saved

    def set_station_active(self, name: str, active: bool, operator: Operator) -> Station:
        """A disabled station takes no referrals; its past ones stay as they are."""
        require(operator, Action.MANAGE_STATIONS)
        with self._store.transaction() as txn:
            current = stations.station_called(txn, name)
            if active and any(o.prefix == current.prefix and o.active for o in stations.list_stations(txn)):
                raise DeskError("err.station.prefix_in_use", prefix=current.prefix)
            saved = Station.from_doc(txn.update("stations", current.edit(active=active).to_doc()))
        self.ctx.log(operator, "station_enable" if active else "station_disable", saved.name, station=saved.id)
        return saved

    # -- the roster --------------------------------------------------------------------

    def roster(self, day: dt.date) -> list[RosterDay]:
        return stations.roster_of(self._store, day)

    def set_roster(self, days: list[dt.date], station_name: str, names: list[str], staffing: Staffing,
                   operator: Operator) -> list[RosterDay]:
        """Who staffs a station on each of `days` (nobody when `names` is empty)."""
        require(operator, Action.MANAGE_STATIONS)
        self.ensure_stations()
        with self._store.transaction() as txn:
            station = stations.station_called(txn, station_name)
            stations.check_staff(txn, names, station.kind)
            staff = tuple(Duty(n.strip(), staffing) for n in names)
            saved = [stations.set_roster(txn, day, station.id, staff) for day in days]
        self.ctx.log(operator, "roster_set", station.name, station=station.id, days=[d.isoformat() for d in days],
                     staff=names, staffing=staffing.value)
        return saved

    def my_stations(self, operator: Operator) -> list[Station]:
        """The stations `operator` is on duty at today."""
        ids = stations.stations_on_duty(self._store, self.ctx.clock.today(), operator.name)
        return [s for s in self.stations() if s.id in ids]

    def visible_stations(self, operator: Operator) -> list[Station]:
        """Queues an operator may open: every one for leaders and supervisors, their own today for officers."""
        if allowed(operator, Action.VIEW_QUEUES):
            return self.stations()
        return self.my_stations(operator)

    # -- referring ---------------------------------------------------------------------

    def refer(self, matter_id: int, form: ReferralForm, operator: Operator) -> Referred:
        """Refused for a closed matter or a disabled station; a station with nobody on duty
        today is allowed, and the result says so."""
        require(operator, Action.REFER)
        self.ensure_stations()
        with self._store.transaction() as txn:
            referred = referring.refer(txn, matter_id, form, operator.name, self._now())
        self._log_referral(operator, "referral_add", referred)
        return referred

    def book(self, matter_id: int, station_id: int, day: dt.date, operator: Operator, reason: str = "") -> Referred:
        """领导接访预约: the visitor is booked on a leader's reception day and waits in that
        day's queue there, called like at any station."""
        require(operator, Action.REFER)
        with self._store.transaction() as txn:
            referred = referring.refer(txn, matter_id, ReferralForm(station_id, reason), operator.name, self._now(),
                                       day=day)
        self._log_referral(operator, "booking", referred)
        return referred

    def leader_days(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, Station, tuple[str, ...]]]:
        """The leader reception days from `start` to `end`: the day, where, which leaders."""
        leader_rooms = {s.id: s for s in self.stations() if s.kind is StationKind.LEADER and s.active}
        found = []
        day = start
        while day <= end:
            for roster in stations.roster_of(self._store, day):
                if roster.station_id in leader_rooms and roster.staff:
                    found.append((day, leader_rooms[roster.station_id], tuple(d.operator for d in roster.staff)))
            day += dt.timedelta(days=1)
        return found

    def _log_referral(self, operator: Operator, action: str, referred: Referred) -> None:
        ref = referred.referral
        self.ctx.log(operator, action, ref.ticket, referral=ref.id, station=ref.station_id, matter=ref.matter_id,
                     nobody_on_duty=referred.nobody_on_duty)

    def referrals_of(self, matter_id: int) -> list[Referral]:
        return queues.of_matter(self._store, matter_id)

    # -- a station's queue -------------------------------------------------------------

    def _may_see(self, station_id: int, operator: Operator) -> None:
        if not allowed(operator, Action.VIEW_QUEUES) and station_id not in self._duty(operator):
            raise DeskError("err.referral.not_on_duty", station=self._station_name(station_id))

    def _duty(self, operator: Operator, reader=None) -> list[int]:
        if not allowed(operator, Action.SERVE):
            return []
        return stations.stations_on_duty(reader or self._store, self.ctx.clock.today(), operator.name)

    def _station_name(self, station_id: int) -> str:
        return stations.get_station(self._store, station_id).name

    def queue(self, station_id: int, operator: Operator) -> list[QueueRow]:
        """Today's open tickets at a station: those being dealt with, then the waiting in calling order."""
        self._may_see(station_id, operator)
        today, now = self.ctx.clock.today(), self._now()
        refs = [r for r in queues.of_day(self._store, today, station_id) if r.open]
        refs.sort(key=lambda r: (r.state is State.WAITING, queues.order(r)))
        return [self._row(r, now) for r in refs]

    def _row(self, ref: Referral, now: dt.datetime) -> QueueRow:
        matter = Matter.from_doc(self._store.get("matters", ref.matter_id))  # type: ignore[arg-type]
        doc = self._store.get("visitors", ref.visitor_id)
        visitor = Visitor.from_doc(doc) if doc else None
        visits = self._store.find("visits", "matter_id", matter.id)
        persons = Visit.from_doc(max(visits, key=lambda d: (d["at"], d["id"]))).persons if visits else 1
        summary = matter.summary.splitlines()[0] if matter.summary else ""
        return QueueRow(ref, masked_name(visitor.name if visitor else ""), persons, matter.category, summary,
                        matter.number, matter.first_responder, ref.time_in(State.WAITING, now))

    def with_news(self, matter_ids: list[int]) -> set[int]:
        """Of these matters, those with a referral that ended since their first responder
        last opened them (for "my matters")."""
        return {m for m in matter_ids if any(r.unseen for r in queues.of_matter(self._store, m))}

    def mark_seen(self, matter_id: int) -> None:
        """The first responder opened the matter: its referrals' outcomes are no longer news."""
        if not any(r.unseen for r in queues.of_matter(self._store, matter_id)):
            return  # nothing to write: opening a matter is not a save
        with self._store.transaction() as txn:
            for ref in queues.of_matter(txn, matter_id):
                if ref.unseen:
                    txn.update("referrals", ref.edit(unseen=False).to_doc())

    def overview(self, operator: Operator) -> list[StationDay]:
        """Every active station's day, for leaders and supervisors."""
        require(operator, Action.VIEW_QUEUES)
        today, now = self.ctx.clock.today(), self._now()
        refs = queues.of_day(self._store, today)
        return [station_day(s, tuple(d.operator for d in stations.on_duty(self._store, today, s.id)),
                            [r for r in refs if r.station_id == s.id], now)
                for s in self.stations() if s.active]

    def board(self, latest: int = 6) -> Board:
        """Read by a display without a login: tickets, stations and windows only."""
        by_id = {s.id: s for s in self.stations()}
        calls = []
        for ref in queues.of_day(self._store, self.ctx.clock.today()):
            starts = [p.start for p in ref.periods if p.state is State.CALLED]
            station = by_id.get(ref.station_id)
            if starts and station is not None:
                calls.append(Call(ref.ticket, station.window, station.name, max(starts)))
        calls.sort(key=lambda c: (c.at, c.ticket), reverse=True)  # the same second: the later ticket
        counts = self.waiting_counts()
        waiting = tuple((s.name, s.window, counts.get(s.id, 0)) for s in by_id.values() if s.active)
        return Board(tuple(calls[:latest]), waiting)

    def waiting_counts(self) -> dict[int, int]:
        """How many wait at each station today: no names, for choosing where to refer."""
        counts: dict[int, int] = {}
        for ref in queues.of_day(self._store, self.ctx.clock.today()):
            if ref.state is State.WAITING:
                counts[ref.station_id] = counts.get(ref.station_id, 0) + 1
        return counts

    def _check_move(self, ref: Referral, move: Move, operator: Operator, reader) -> None:
        step = transition(ref, move)
        require(operator, step.permission)
        if step.at_station and ref.station_id not in self._duty(operator, reader):
            raise DeskError("err.referral.not_on_duty", station=stations.get_station(reader, ref.station_id).name)
        # A ticket a colleague has called is theirs: a row highlighted by mistake must not be
        # finished or sent away by the officer at the next window.
        if ref.state in (State.CALLED, State.SERVING, State.ON_HOLD) and ref.officer and ref.officer != operator.name:
            raise DeskError("err.referral.others", ticket=ref.ticket, officer=ref.officer)

    def call_next(self, station_id: int, operator: Operator) -> Referral:
        """The first of the queue as this desk read it. When another desk called that ticket
        first, the revision check refuses this save, and the desk takes the next ticket."""
        require(operator, Action.SERVE)
        while True:
            self._store.refresh()
            waiting = queues.waiting(self._store, station_id, self.ctx.clock.today())
            if not waiting:
                raise DeskError("err.referral.queue_empty", station=self._station_name(station_id))
            try:
                return self._save_move(waiting[0].id, Move.CALL, operator, as_read=waiting[0])
            except ConflictError:
                continue  # another desk changed it since it was read: read again, take the next

    def move(self, referral_id: int, move: Move, operator: Operator) -> Referral:
        """Call a chosen ticket, recall, serve, hold, resume, no-show or withdraw it. The ticket
        is read inside the save, so a move another desk made first is refused by the table."""
        if move is Move.FINISH:
            raise DeskError("err.referral.finish_outcome")
        return self._save_move(referral_id, move, operator)

    def _save_move(self, referral_id: int, move: Move, operator: Operator, as_read: Referral | None = None) -> Referral:
        """`as_read`: the ticket as this desk read it, saved only if nobody changed it since."""
        now = self._now()
        with self._store.transaction() as txn:
            ref = as_read or referring.get_referral(txn, referral_id)
            self._check_move(ref, move, operator, txn)
            if move is Move.NO_SHOW:
                saved = referring.no_show(txn, ref, operator.name, now)
            else:
                saved = referring.save_move(txn, ref, move, operator.name, now)
        self.ctx.log(operator, f"referral_{move.value}", saved.ticket, referral=saved.id, station=saved.station_id,
                     matter=saved.matter_id, state=saved.state.value)
        return saved

    def finish(self, referral_id: int, result: Finish, operator: Operator) -> tuple[Referral, Referred | None]:
        """The outcome lands on the referral and on the matter's timeline; a transfer makes
        the next referral in the same save."""
        with self._store.transaction() as txn:
            ref = referring.get_referral(txn, referral_id)
            self._check_move(ref, Move.FINISH, operator, txn)
            done, onward = referring.finish(txn, ref, result, operator.name, self._now())
        self.ctx.log(operator, "referral_finish", done.ticket, referral=done.id, station=done.station_id,
                     matter=done.matter_id, outcome=done.outcome.value if done.outcome else "")
        if onward is not None:
            self._log_referral(operator, "referral_transfer", onward)
        return done, onward
