"""Saving a registration: visitor, visit, matter, case number and event as one unit."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from desk.deadlines import acceptance_due
from desk.errors import DeskError
from desk.models import Event, Matter, Status, Track, Visit, VisitKind, Visitor
from desk.pinyin import initials
from desk.registration import Registration, new_query_code
from desk.settings import Settings
from desk.store import Reader, Transaction


@dataclass(frozen=True)
class Receipt:
    """What the visitor takes away, and what the clerk sees after a save."""

    matter: Matter
    visit: Visit
    visitor: Visitor
    repeat: bool


def next_case_number(txn: Transaction, year: int) -> str:
    """YYYY-NNNNN, per year. The counter is written in the same transaction as the matter,
    so a failed save neither skips nor reuses a number."""
    found = txn.find("counters", "year", year)
    if found:
        counter = txn.update("counters", {**found[0], "last": found[0]["last"] + 1})
    else:
        counter = txn.insert("counters", {"year": year, "last": 1})
    return f"{year}-{counter['last']:05d}"


def visit_of_form(reader: Reader, form_id: str, day: dt.date) -> Visit | None:
    """The visit a form made, if it was saved. Looked for on `day` and the days either
    side, through the index of visits by date: a form is saved within moments of its
    last draft, but that moment may fall either side of midnight."""
    if not form_id:
        return None
    for offset in (0, -1, 1):
        date = (day + dt.timedelta(days=offset)).isoformat()
        for doc in reader.find("visits", "at[:10]", date):
            if doc.get("form_id") == form_id:
                return Visit.from_doc(doc)
    return None


def _refuse_a_second_save(txn: Transaction, form_id: str, now: dt.datetime) -> None:
    """A retry after an uncertain failure (or a second Ctrl+S) must not make a second matter."""
    visit = visit_of_form(txn, form_id, now.date())
    if visit is not None:
        matter = txn.get("matters", visit.matter_id)
        raise DeskError("err.form.saved", number=matter["number"] if matter else "")


def _unique_query_code(txn: Transaction, rng: random.Random) -> str:
    while True:
        code = new_query_code(rng)
        if not txn.find("matters", "query_code", code):
            return code


def _visitor_fields(reg: Registration) -> dict:
    return {
        "name": reg.name,
        "id_number": reg.id_number,
        "phone": reg.phone,
        "township": reg.township,
        "village": reg.village,
        "address": reg.address,
        "birth_date": reg.birth_date,
        "sex": reg.sex,
        "key_person": reg.key_person,
        "name_initials": initials(reg.name),
        "township_initials": initials(reg.township),
    }


def _existing_visitor(txn: Transaction, reg: Registration) -> Visitor | None:
    if reg.visitor_id is not None:
        doc = txn.get("visitors", reg.visitor_id)
        if doc is None:
            raise DeskError("err.visitor.missing", id=reg.visitor_id)
        return Visitor.from_doc(doc)
    if reg.id_number:
        found = txn.find("visitors", "id_number", reg.id_number)
        if found:
            return Visitor.from_doc(found[0])
    return None


def save_visitor(txn: Transaction, reg: Registration, now: dt.datetime) -> Visitor:
    """New visitor, or the known one brought up to date (only written when something changed)."""
    known = _existing_visitor(txn, reg)
    fields = _visitor_fields(reg)
    if known is None:
        draft = Visitor(id=0, created_at=now, **fields)
        return Visitor.from_doc(txn.insert("visitors", draft.to_doc()))
    # A blank field on a repeat visit means "not asked again", never "erase what we knew";
    # a key-person flag once raised stays until cleared on purpose.
    kept = {k: v for k, v in fields.items() if v not in ("", None, (), False)}
    updated = known.edit(**kept)
    if updated == known:
        return known
    return Visitor.from_doc(txn.update("visitors", updated.to_doc()))


def _open_matter(txn: Transaction, matter_id: int) -> Matter:
    doc = txn.get("matters", matter_id)
    if doc is None:
        raise DeskError("err.matter.missing", id=matter_id)
    matter = Matter.from_doc(doc)
    if not matter.is_open:
        raise DeskError("err.matter.closed", number=matter.number)
    return matter


def _new_matter(
    txn: Transaction, reg: Registration, visitor: Visitor, operator: str, now: dt.datetime,
    settings: Settings, rng: random.Random,
) -> Matter:
    draft = Matter(
        id=0,
        number=next_case_number(txn, now.year),
        query_code=_unique_query_code(txn, rng),
        visitor_id=visitor.id,
        category=reg.category,
        summary=reg.summary,
        track=reg.track,
        status=Status.REGISTERED,
        first_responder=operator,
        registered_at=now,
        acceptance_due=acceptance_due(now.date(), reg.track, settings),
        place=reg.place,
        demands=reg.demands,
        township=reg.township,
    )
    return Matter.from_doc(txn.insert("matters", draft.to_doc()))


def add_event(txn: Transaction, matter: Matter, kind: str, operator: str, now: dt.datetime,
              note: str = "", **data) -> Event:
    event = Event(id=0, matter_id=matter.id, kind=kind, at=now, operator=operator, note=note, data=data)
    return Event.from_doc(txn.insert("events", event.to_doc()))


def register(
    txn: Transaction, reg: Registration, operator: str, now: dt.datetime,
    settings: Settings, rng: random.Random,
) -> Receipt:
    _refuse_a_second_save(txn, reg.form_id, now)
    visitor = save_visitor(txn, reg, now)
    repeat = reg.matter_id is not None
    if repeat:
        matter = _open_matter(txn, reg.matter_id)
    else:
        matter = _new_matter(txn, reg, visitor, operator, now, settings, rng)
    visit = Visit(
        id=0,
        visitor_id=visitor.id,
        matter_id=matter.id,
        at=now,
        persons=reg.persons,
        kind=VisitKind.REPEAT if repeat else VisitKind.FIRST,
        operator=operator,
        skip_level=reg.skip_level,
        threat=reg.threat,
        representatives=reg.representatives,
        form_id=reg.form_id,
    )
    visit = Visit.from_doc(txn.insert("visits", visit.to_doc()))
    if repeat:
        add_event(txn, matter, "repeat_visit", operator, now, visit_id=visit.id, persons=reg.persons)
    else:
        add_event(txn, matter, "registered", operator, now, visit_id=visit.id,
                  first_responder=operator, track=matter.track.value)
    return Receipt(matter, visit, visitor, repeat)


def close_on_spot(txn: Transaction, matter_id: int, note: str, operator: str, now: dt.datetime) -> Matter:
    """当日事当日清: a simple matter answered at the counter is closed with what was done."""
    matter = _open_matter(txn, matter_id)
    if matter.track is not Track.SIMPLE:
        raise DeskError("err.close.not_simple", number=matter.number)
    if not note.strip():
        raise DeskError("err.close.note")
    closed = matter.edit(status=Status.CLOSED, closed_at=now, resolution=note.strip())
    closed = Matter.from_doc(txn.update("matters", closed.to_doc()))
    add_event(txn, closed, "closed", operator, now, note=note.strip())
    return closed
