"""Referring a matter to a station, and what a station's moves write: the referral, its
ticket, and the events on the matter's timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desk.errors import DeskError, FieldError, FormErrors
from desk.intake import add_event, open_matter
from desk.models import GROUP_MIN_PERSONS, Matter, Visit, Visitor
from desk.referral.lifecycle import Finish, Move, apply
from desk.referral.queue import next_ticket, of_matter
from desk.referral.records import (
    LegalRoute,
    Outcome,
    Period,
    Priority,
    Referral,
    State,
    Station,
    StationKind,
    elderly,
)
from desk.referral.stations import get_station, on_duty
from desk.store import Reader, Transaction
from desk.text import check_text

# Reasons a clerk ticks; the others are read from the records.
CHOSEN_PRIORITY = (Priority.DISABLED, Priority.PREGNANT, Priority.THREAT)


@dataclass(frozen=True)
class ReferralForm:
    """What the clerk chose: the station, why, the legal route, and priority reasons seen
    at the counter (age, a group and a threat statement are read from the records)."""

    station_id: int | None = None
    reason: str = ""
    legal_route: str = LegalRoute.NONE.value
    priority: tuple[str, ...] = ()


@dataclass(frozen=True)
class Referred:
    """A referral as saved, and whether its station has nobody on duty today (allowed, told on the slip)."""

    referral: Referral
    station: Station
    nobody_on_duty: bool


def check_form(form: ReferralForm) -> tuple[LegalRoute, tuple[Priority, ...]]:
    errors: list[FieldError] = []
    if form.station_id is None:
        errors.append(FieldError("station", "err.required"))
    problem = check_text("reason", form.reason, limit_key="note")
    if problem:
        errors.append(problem)
    route = LegalRoute.NONE
    try:
        route = LegalRoute(form.legal_route or LegalRoute.NONE.value)
    except ValueError:
        errors.append(FieldError("legal_route", "err.referral.route"))
    chosen = []
    for code in form.priority:
        if code not in {p.value for p in CHOSEN_PRIORITY}:
            errors.append(FieldError("priority", "err.referral.priority", {"code": code}))
        else:
            chosen.append(Priority(code))
    if errors:
        raise FormErrors(errors)
    return route, tuple(chosen)


def derived_priority(reader: Reader, matter: Matter, visitor: Visitor | None, day: dt.date) -> set[Priority]:
    """Elderly from the birth date in the ID number; group and threat from the latest visit."""
    found = set()
    if visitor is not None and elderly(visitor.birth_date, day):
        found.add(Priority.ELDERLY)
    visits = sorted(map(Visit.from_doc, reader.find("visits", "matter_id", matter.id)), key=lambda v: (v.at, v.id))
    if visits and visits[-1].persons >= GROUP_MIN_PERSONS:
        found.add(Priority.GROUP)
    if visits and visits[-1].threat:
        found.add(Priority.THREAT)
    return found


def _ordered(reasons: set[Priority]) -> tuple[Priority, ...]:
    return tuple(p for p in Priority if p in reasons)




def usable_station(reader: Reader, station_id: int) -> Station:
    station = get_station(reader, station_id)
    if not station.active:
        raise DeskError("err.referral.station_disabled", name=station.name)
    return station


def refer(txn: Transaction, matter_id: int, form: ReferralForm, by: str, now: dt.datetime,
          kept_priority: tuple[Priority, ...] = (), transferred_from: int | None = None,
          day: dt.date | None = None) -> Referred:
    """A referral with its ticket, and the event on the matter's timeline, in `txn`. A `day`
    after today books the visitor on a leader reception day (领导接访预约): the ticket is
    that day's, and the visitor waits in that day's queue."""
    route, chosen = check_form(form)
    matter = open_matter(txn, matter_id, closed="err.referral.matter_closed")
    station = usable_station(txn, form.station_id)  # type: ignore[arg-type]
    day = day or now.date()
    if day != now.date():
        _bookable(txn, station, day, now.date())
        if any(r.open and r.station_id == station.id and r.day == day for r in of_matter(txn, matter.id)):
            raise FormErrors([FieldError("day", "err.referral.booked", {"day": day.isoformat()})])
    doc = txn.get("visitors", matter.visitor_id)
    visitor = Visitor.from_doc(doc) if doc else None
    priority = _ordered(set(chosen) | set(kept_priority) | derived_priority(txn, matter, visitor, now.date()))
    number, ticket = next_ticket(txn, station, day)
    draft = Referral(
        id=0, matter_id=matter.id, visitor_id=matter.visitor_id, station_id=station.id, station_kind=station.kind,
        ticket=ticket, number=number, day=day, referred_at=now, referred_by=by, reason=form.reason.strip(),
        legal_route=route, priority=priority, periods=(Period(State.WAITING, now, None, by),),
        transferred_from=transferred_from,
    )
    referral = Referral.from_doc(txn.insert("referrals", draft.to_doc()))
    add_event(txn, matter, "referred", by, now, note=referral.reason, referral_id=referral.id, ticket=ticket,
              station=station.name, window=station.window, legal_route=route.value,
              priority=[p.value for p in priority], day=day.isoformat())
    return Referred(referral, station, not on_duty(txn, day, station.id))


def _bookable(reader: Reader, station: Station, day: dt.date, today: dt.date) -> None:
    """Only a leader's reception day is booked ahead, and only a day a leader receives on."""
    if station.kind is not StationKind.LEADER or day < today:
        raise FormErrors([FieldError("day", "err.referral.book_day")])
    if not on_duty(reader, day, station.id):
        raise FormErrors([FieldError("day", "err.referral.no_leader", {"day": day.isoformat()})])


def get_referral(reader: Reader, referral_id: int) -> Referral:
    doc = reader.get("referrals", referral_id)
    if doc is None:
        raise DeskError("err.referral.unknown", id=referral_id)
    return Referral.from_doc(doc)


def save_move(txn: Transaction, ref: Referral, move: Move, by: str, now: dt.datetime) -> Referral:
    """A move that records nothing but itself. `ref` is as the desk read it: when another
    desk changed it meanwhile, its revision is refused (ConflictError)."""
    return Referral.from_doc(txn.update("referrals", apply(ref, move, by, now).to_doc()))


def finish(txn: Transaction, ref: Referral, result: Finish, by: str, now: dt.datetime) -> tuple[Referral, Referred | None]:
    """The outcome on the referral and on the matter's timeline; a transfer is a new referral
    at the other station that keeps the priority."""
    if result.outcome is Outcome.TRANSFERRED and result.to_station == ref.station_id:
        raise FormErrors([FieldError("to_station", "err.referral.same_station")])
    done = apply(ref, Move.FINISH, by, now, result)
    onward = None
    if result.outcome is Outcome.TRANSFERRED:
        form = ReferralForm(result.to_station, result.note or result.reason, ref.legal_route.value)
        onward = refer(txn, ref.matter_id, form, by, now, kept_priority=ref.priority, transferred_from=ref.id)
        done = done.edit(transferred_to=onward.referral.id)
    saved = Referral.from_doc(txn.update("referrals", done.to_doc()))
    matter = Matter.from_doc(txn.get("matters", ref.matter_id))  # type: ignore[arg-type]
    station = get_station(txn, ref.station_id)
    add_event(txn, matter, "referral_outcome", by, now, note=saved.note, referral_id=saved.id, ticket=saved.ticket,
              station=station.name, outcome=saved.outcome.value if saved.outcome else "",
              agreement=saved.agreement, legal_route=saved.legal_route.value, route_reference=saved.route_reference,
              reason=saved.handed_back_reason, transferred_to=onward.referral.ticket if onward else "")
    return saved, onward


def no_show(txn: Transaction, ref: Referral, by: str, now: dt.datetime) -> Referral:
    """Left without service: also on the matter's timeline, where the first responder looks."""
    saved = save_move(txn, ref, Move.NO_SHOW, by, now)
    matter = Matter.from_doc(txn.get("matters", ref.matter_id))  # type: ignore[arg-type]
    add_event(txn, matter, "referral_left", by, now, referral_id=saved.id, ticket=saved.ticket,
              station=get_station(txn, ref.station_id).name)
    return saved

