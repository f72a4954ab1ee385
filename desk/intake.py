"""Saving a registration: visitor, visit, matter, case number and event as one unit."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from desk.deadlines import Rules, registration_clock
from desk.errors import DeskError, FieldError, FormErrors
from desk.idcard import mask, normalize_id, parse_id_number
from desk.models import Correction, Event, Matter, Person, Status, Visit, VisitKind, Visitor
from desk.pinyin import initials
from desk.registration import Registration, RegistrationForm, new_query_code, representative_rows
from desk.store import Reader, Transaction


@dataclass(frozen=True)
class Receipt:
    """What the visitor takes away, and what the clerk sees after a save."""

    matter: Matter
    visit: Visit
    visitor: Visitor
    repeat: bool
    corrections: tuple[Correction, ...] = ()  # what this registration changed on the visitor
    referred: Any = None  # desk.referral.Referred, when the form referred the visitor (分流)

# What a repeat registration may bring up to date; the name and a known ID number only
# change through an explicit correction.
CONTACT_FIELDS = ("phone", "township", "village", "address")
# How a flag's old and new state are kept in a Correction, whose values are text.
FLAG_VALUES = {True: "yes", False: "no"}


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


def _visitor(txn: Transaction, visitor_id: int) -> Visitor:
    doc = txn.get("visitors", visitor_id)
    if doc is None:
        raise DeskError("err.visitor.missing", id=visitor_id)
    return Visitor.from_doc(doc)


def id_holder(reader: Reader, id_number: str) -> Visitor | None:
    found = reader.find("visitors", "id_number", id_number) if id_number else []
    return Visitor.from_doc(found[0]) if found else None


def _chosen_visitor_id(reg: Registration | RegistrationForm, matter: Matter | None) -> int | None:
    """The person the clerk chose: directly, or through the open matter a repeat visit is about."""
    if matter is None:
        return reg.visitor_id
    if reg.visitor_id is not None and reg.visitor_id != matter.visitor_id:
        raise DeskError("err.matter.other_visitor", number=matter.number)
    return matter.visitor_id


def _identity_errors(reader: Reader, name: str, id_number: str, known: Visitor | None) -> list[FieldError]:
    """A registration never merges two people or renames one: what was typed must fit the
    person chosen, and a number on file is never taken over by a fresh registration."""
    holder = id_holder(reader, id_number)
    if known is None:
        return [FieldError("id_number", "err.id.on_file", {"name": holder.name})] if holder else []
    errors = []
    if name and name != known.name:
        errors.append(FieldError("name", "err.name.differs", {"name": known.name}))
    if id_number and known.id_number and id_number != known.id_number:
        errors.append(FieldError("id_number", "err.id.differs", {"number": mask(known.id_number)}))
    elif holder is not None and holder.id != known.id:
        errors.append(FieldError("id_number", "err.id.other", {"name": holder.name}))
    return errors


def _representative_errors(reader: Reader, people: list[tuple[int, Person]], known: Visitor | None) -> list[FieldError]:
    """Representatives are kept on the visit, never made visitors; but a number on file is
    that person's: it must go with their name, and it is not the visitor's a second time."""
    errors = []
    for n, person in people:
        holder = id_holder(reader, person.id_number)
        if holder is None:
            continue
        if known is not None and holder.id == known.id:
            errors.append(FieldError(f"representatives.{n}.id_number", "err.id.same_as_visitor"))
        elif holder.name != person.name:
            errors.append(FieldError(f"representatives.{n}.id_number", "err.rep.id_on_file", {"name": holder.name}))
    return errors


def identity_errors(reader: Reader, form: RegistrationForm, checked: set[str]) -> list[FieldError]:
    """The same checks for a form that failed validation, so that every problem shows at
    once; fields that already have a problem (in `checked`) are left to it."""
    doc = reader.get("matters", form.matter_id) if form.matter_id is not None else None
    if form.matter_id is not None and doc is None:
        return []  # the save says so
    try:
        visitor_id = _chosen_visitor_id(form, Matter.from_doc(doc) if doc else None)
    except DeskError:
        return []
    doc = reader.get("visitors", visitor_id) if visitor_id is not None else None
    known = Visitor.from_doc(doc) if doc else None
    number = "" if "id_number" in checked else normalize_id(form.id_number)
    people = [(n, Person(rep.name.strip(), normalize_id(rep.id_number), "")) for n, rep in representative_rows(form)
              if f"representatives.{n}.id_number" not in checked]
    errors = _identity_errors(reader, form.name.strip(), number, known) + _representative_errors(reader, people, known)
    return [e for e in errors if e.field not in checked]


def _derived(changes: dict[str, str]) -> dict:
    """Fields that follow from a changed one: pinyin initials, birth date and sex."""
    derived: dict = {}
    if "name" in changes:
        derived["name_initials"] = initials(changes["name"])
    if "township" in changes:
        derived["township_initials"] = initials(changes["township"])
    if "id_number" in changes:
        info = parse_id_number(changes["id_number"]) if changes["id_number"] else None
        derived |= {"birth_date": info.birth_date if info else None, "sex": info.sex if info else ""}
    return derived


def with_changes(known: Visitor, changes: dict[str, str], by: str, now: dt.datetime, via: str,
                 reason: str = "") -> Visitor:
    """The visitor with `changes` applied; each replaced value stays on the record."""
    fixes = tuple(Correction(now, by, f, getattr(known, f), v, reason, via) for f, v in changes.items())
    return known.edit(**changes, **_derived(changes), corrections=known.corrections + fixes)


def _brought_up_to_date(known: Visitor, reg: Registration, by: str, now: dt.datetime) -> Visitor:
    # A blank field means "not asked again", never "erase what we knew"; a blank ID
    # number on record may be filled in; a key-person flag once raised stays.
    typed = {f: getattr(reg, f) for f in CONTACT_FIELDS}
    if not known.id_number:
        typed["id_number"] = reg.id_number
    changes = {f: v for f, v in typed.items() if v and v != getattr(known, f)}
    updated = with_changes(known, changes, by, now, via="register")
    return updated.edit(key_person=known.key_person or reg.key_person)


def save_visitor(txn: Transaction, reg: Registration, by: str, now: dt.datetime,
                 matter: Matter | None = None) -> tuple[Visitor, tuple[Correction, ...]]:
    """A new visitor, or the chosen one brought up to date (written only when something
    changed), with the changes this registration made."""
    visitor_id = _chosen_visitor_id(reg, matter)
    known = _visitor(txn, visitor_id) if visitor_id is not None else None
    errors = _identity_errors(txn, reg.name, reg.id_number, known)
    errors += _representative_errors(txn, reg.representatives_by_row(), known)
    if errors:
        raise FormErrors(errors)
    if known is None:
        draft = Visitor(id=0, created_at=now, **_visitor_fields(reg))
        return Visitor.from_doc(txn.insert("visitors", draft.to_doc())), ()
    updated = _brought_up_to_date(known, reg, by, now)
    if updated == known:
        return known, ()
    return Visitor.from_doc(txn.update("visitors", updated.to_doc())), updated.corrections[len(known.corrections):]


def _with_flag(known: Visitor, field: str, value: bool, by: str, now: dt.datetime, reason: str) -> Visitor:
    """A flag such as 重点人员 set or taken off, the old state kept like any old value."""
    fix = Correction(now, by, field, FLAG_VALUES[getattr(known, field)], FLAG_VALUES[value], reason, "correct")
    return known.edit(**{field: value}, corrections=known.corrections + (fix,))


def correct_visitor(txn: Transaction, visitor_id: int, clean: dict[str, str], reason: str, by: str,
                    now: dt.datetime, key_person: bool | None = None) -> tuple[Visitor, tuple[Correction, ...]]:
    """An explicit correction of a visitor's details, and of the key-person flag when
    `key_person` is given; the old values stay on the record."""
    known = _visitor(txn, visitor_id)
    holder = id_holder(txn, clean.get("id_number", ""))
    if holder is not None and holder.id != known.id:
        raise FormErrors([FieldError("id_number", "err.id.other", {"name": holder.name})])
    changes = {f: v for f, v in clean.items() if v != getattr(known, f)}
    flag = key_person is not None and key_person != known.key_person
    if not changes and not flag:
        raise DeskError("err.correct.nothing")
    corrected = with_changes(known, changes, by, now, "correct", reason)
    if flag:
        corrected = _with_flag(corrected, "key_person", bool(key_person), by, now, reason)
    updated = Visitor.from_doc(txn.update("visitors", corrected.to_doc()))
    return updated, updated.corrections[len(known.corrections):]


def open_matter(reader: Reader, matter_id: int, closed: str = "err.matter.closed") -> Matter:
    """The matter, refused (with `closed`, the caller's words) when it is no longer open."""
    doc = reader.get("matters", matter_id)
    if doc is None:
        raise DeskError("err.matter.missing", id=matter_id)
    matter = Matter.from_doc(doc)
    if not matter.is_open:
        raise DeskError(closed, number=matter.number, status=matter.status.value)
    return matter


def _attached(reader: Reader, matter_id: int, recorded_afterwards: bool = False) -> Matter:
    """The matter a repeat visit is about: an open one, or a re-examined one even when
    closed (不再受理: the visit is recorded on it, no new matter is opened). A visit recorded
    afterwards may be on any closed matter: it happened, and the matter stays closed."""
    doc = reader.get("matters", matter_id)
    if doc is not None and (recorded_afterwards or Matter.from_doc(doc).not_accepted_again):
        return Matter.from_doc(doc)
    return open_matter(reader, matter_id)


def _new_matter(
    txn: Transaction, reg: Registration, visitor: Visitor, operator: str, now: dt.datetime,
    rules: Rules, rng: random.Random,
) -> Matter:
    clock = registration_clock(now.date(), reg.track, rules)
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
        acceptance_due=rules.due(clock).day,  # as the receipt tells it
        clocks=(clock,),
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
    rules: Rules, rng: random.Random, *, recorded_afterwards: bool = False,
) -> Receipt:
    """`recorded_afterwards`: a visit that happened, recorded afterwards (an imported
    ledger, `desk.tally.ledger_import`), never one at the counter. Such a repeat visit may
    be on a matter closed since, as a visit to a closed matter was recorded by the hall
    that kept the ledger; the matter stays closed. The counter passes nothing: there, a
    closed matter takes a repeat visit only when re-examined (不再受理)."""
    _refuse_a_second_save(txn, reg.form_id, now)
    repeat = reg.matter_id is not None
    attached = _attached(txn, reg.matter_id, recorded_afterwards) if reg.matter_id is not None else None
    visitor, fixes = save_visitor(txn, reg, operator, now, attached)
    matter = attached or _new_matter(txn, reg, visitor, operator, now, rules, rng)
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
        import_key=reg.import_key,
    )
    visit = Visit.from_doc(txn.insert("visits", visit.to_doc()))
    if repeat:  # on a re-examined matter, the visit is told it is not taken up again
        add_event(txn, matter, "repeat_visit", operator, now, visit_id=visit.id, persons=reg.persons,
                  not_accepted_again=matter.not_accepted_again)
    else:
        add_event(txn, matter, "registered", operator, now, visit_id=visit.id,
                  first_responder=operator, track=matter.track.value)
    return Receipt(matter, visit, visitor, repeat, fixes)
