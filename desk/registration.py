"""One-stop registration (一站受理): the form as typed, its validation, and the save."""

from __future__ import annotations

import datetime as dt
import random
import re
import secrets
from dataclasses import asdict, dataclass, replace
from typing import Any

from desk.errors import FieldError, FormErrors
from desk.idcard import (
    IdNumberError,
    ascii_form,
    foreign_char,
    is_valid_phone,
    normalize_id,
    normalize_phone,
    parse_id_number,
)
from desk.models import GROUP_MIN_PERSONS, MAX_REPRESENTATIVES, Person, Track
from desk.settings import Settings
from desk.text import check_name, check_text

MAX_PERSONS = 9999


@dataclass(frozen=True)
class PersonForm:
    name: str = ""
    id_number: str = ""
    phone: str = ""


@dataclass(frozen=True)
class RegistrationForm:
    """Exactly what the receptionist typed: strings and ticks, nothing parsed yet.

    `representatives` are those besides the visitor, who is always the first.
    `matter_id` set means the visit is attached to that open matter (a repeat visit).
    `form_id` names one opened form: its draft and its saved visit carry it, so a form
    is saved at most once and its draft never outlives the save.
    """

    name: str = ""
    id_number: str = ""
    phone: str = ""
    township: str = ""
    village: str = ""
    address: str = ""
    persons: str = "1"
    representatives: tuple[PersonForm, ...] = ()
    skip_level: bool = False
    threat: bool = False
    key_person: bool = False
    category: str = ""
    place: str = ""
    summary: str = ""
    demands: str = ""
    track: str = Track.GENERAL.value
    visitor_id: int | None = None
    matter_id: int | None = None
    form_id: str = ""
    station: str = ""  # 分流: a station's id, or "" for none; referred in the same save
    disabled: bool = False  # priority at the station, seen at the counter (age, group, threat are read)
    pregnant: bool = False

    def to_draft(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_draft(cls, draft: dict[str, Any]) -> RegistrationForm:
        known = {k: v for k, v in draft.items() if k in cls.__dataclass_fields__}
        reps = tuple(PersonForm(**p) for p in known.pop("representatives", ()))
        return cls(**known, representatives=reps)

    @property
    def is_blank(self) -> bool:
        return self.content() == RegistrationForm(visitor_id=self.visitor_id, matter_id=self.matter_id)

    def content(self) -> RegistrationForm:
        """What was typed and chosen, without the token that tells one opened form from another."""
        return replace(self, form_id="")


def new_form_id() -> str:
    """A token made when a form is opened; random so that two counters never share one."""
    return secrets.token_hex(12)


@dataclass(frozen=True)
class Registration:
    """A validated form: clean values, ready to save."""

    name: str
    id_number: str
    birth_date: dt.date | None
    sex: str
    phone: str
    township: str
    village: str
    address: str
    persons: int
    representatives: tuple[Person, ...]
    skip_level: bool
    threat: bool
    key_person: bool
    category: str
    place: str
    summary: str
    demands: str
    track: Track
    visitor_id: int | None = None
    matter_id: int | None = None
    form_id: str = ""
    rep_rows: tuple[int, ...] = ()  # the form row of each representative after the visitor
    station_id: int | None = None  # referred to this station in the same save
    priority: tuple[str, ...] = ()  # seen at the counter: disabled, pregnant
    import_key: str = ""  # a ledger row's (desk import), kept on the visit

    def representatives_by_row(self) -> list[tuple[int, Person]]:
        """The representatives besides the visitor, each with its row on the form."""
        return list(zip(self.rep_rows, self.representatives[1:], strict=True))


def _check_id(field_name: str, raw: str, today: dt.date, errors: list[FieldError]):
    if not raw.strip():
        return None
    try:
        return parse_id_number(raw, today)
    except IdNumberError as exc:
        errors.append(FieldError(field_name, exc.code, exc.params))
        return None


def _check_phone(field_name: str, raw: str, errors: list[FieldError]) -> str:
    phone = normalize_phone(raw)
    foreign = foreign_char(phone)
    if foreign:  # a digit of another script: say which, the clerk sees only a digit
        errors.append(FieldError(field_name, "err.phone.digit", {"char": foreign}))
    elif raw.strip() and not is_valid_phone(raw):
        errors.append(FieldError(field_name, "err.phone"))
    return phone


def _check_persons(raw: str, errors: list[FieldError]) -> int:
    # int() would also take "٣", "1_0" and "+7"; full-width digits are the same digits
    typed = ascii_form(raw).strip() or "1"
    if not typed.isascii() or not typed.isdigit():
        errors.append(FieldError("persons", "err.persons.number"))
        return 1
    persons = int(typed)
    if not 1 <= persons <= MAX_PERSONS:
        errors.append(FieldError("persons", "err.persons.range", {"max": MAX_PERSONS}))
    return persons


def representative_rows(form: RegistrationForm) -> list[tuple[int, PersonForm]]:
    """The representatives typed, each with the number of its row on the form (the visitor
    is 1). A blank row is left out but keeps its place, so a message names the right row."""
    return [(n, p) for n, p in enumerate(form.representatives, start=2) if any((p.name, p.id_number, p.phone))]


def _check_representatives(form: RegistrationForm, persons: int, today: dt.date, errors: list[FieldError]):
    extra = representative_rows(form)
    if extra and persons < GROUP_MIN_PERSONS:
        errors.append(FieldError("representatives", "err.reps.not_group", {"min": GROUP_MIN_PERSONS}))
    if len(extra) + 1 > MAX_REPRESENTATIVES:
        errors.append(FieldError("representatives", "err.reps.too_many", {"max": MAX_REPRESENTATIVES}))
    people = []
    for n, rep in extra:
        prefix = f"representatives.{n}"
        if not rep.name.strip():
            errors.append(FieldError(f"{prefix}.name", "err.required"))
        info = _check_id(f"{prefix}.id_number", rep.id_number, today, errors)
        phone = _check_phone(f"{prefix}.phone", rep.phone, errors)
        _check_texts(errors, (f"{prefix}.name", rep.name))
        people.append((n, Person(rep.name.strip(), info.id_number if info else "", phone)))
    return people


def _check_one_number_each(visitor_number: str, people: list[tuple[int, Person]], errors: list[FieldError]) -> None:
    """No two people in one form share an ID number: the later one is refused, naming the
    earlier. (Who holds a number on file is checked at the save, which can read.)"""
    seen = {visitor_number: 1} if visitor_number else {}
    for n, person in people:
        earlier = seen.setdefault(person.id_number, n) if person.id_number else n
        if earlier == 1:
            errors.append(FieldError(f"representatives.{n}.id_number", "err.id.same_as_visitor"))
        elif earlier != n:
            errors.append(FieldError(f"representatives.{n}.id_number", "err.id.same_as_rep", {"n": earlier}))


def _check_texts(errors: list[FieldError], *pairs: tuple[str, str]) -> None:
    """A name is checked as a whole name (spacing, look-alike forms) once the spaces around
    it, which the save trims, are gone; other text as typed."""
    for name, value in pairs:
        is_name = name.rsplit(".", 1)[-1] == "name"
        problem = check_name(name, value.strip(" ")) if is_name else check_text(name, value)
        if problem:
            errors.append(problem)


def _check_matter(form: RegistrationForm, settings: Settings, errors: list[FieldError]) -> Track:
    if form.matter_id is not None:  # attached to an existing matter: its fields are not retyped
        return Track.GENERAL
    if form.category not in settings.categories:
        errors.append(FieldError("category", "err.category"))
    if not form.summary.strip():
        errors.append(FieldError("summary", "err.required"))
    try:
        return Track(form.track)
    except ValueError:
        errors.append(FieldError("track", "err.track"))
        return Track.GENERAL


def validate(form: RegistrationForm, settings: Settings, today: dt.date) -> Registration:
    """Return the clean registration, or raise FormErrors naming every problem at once."""
    errors: list[FieldError] = []
    if not form.name.strip():
        errors.append(FieldError("name", "err.required"))
    _check_texts(
        errors,
        *[(f, getattr(form, f)) for f in ("name", "township", "village", "address", "place", "summary", "demands")],
    )
    info = _check_id("id_number", form.id_number, today, errors)
    phone = _check_phone("phone", form.phone, errors)
    persons = _check_persons(form.persons, errors)
    people = _check_representatives(form, persons, today, errors)
    _check_one_number_each(info.id_number if info else "", people, errors)
    track = _check_matter(form, settings, errors)
    station_id = _check_station(form.station, errors)
    if errors:
        raise FormErrors(errors)
    visitor = Person(form.name.strip(), info.id_number if info else "", phone)
    group = persons >= GROUP_MIN_PERSONS
    return Registration(
        name=visitor.name,
        id_number=visitor.id_number,
        birth_date=info.birth_date if info else None,
        sex=info.sex if info else "",
        phone=phone,
        township=form.township.strip(),
        village=form.village.strip(),
        address=form.address.strip(),
        persons=persons,
        representatives=tuple([visitor, *(p for _, p in people)]) if group else (),
        skip_level=form.skip_level,
        threat=form.threat,
        key_person=form.key_person,
        category=form.category,
        place=form.place.strip(),
        summary=form.summary.strip(),
        demands=form.demands.strip(),
        track=track,
        visitor_id=form.visitor_id,
        matter_id=form.matter_id,
        form_id=form.form_id,
        rep_rows=tuple(n for n, _ in people) if group else (),
        station_id=station_id,
        priority=tuple(p for p in ("disabled", "pregnant") if getattr(form, p)) if station_id else (),
    )


def _check_station(raw: str, errors: list[FieldError]) -> int | None:
    """Which station exists and takes referrals is read at the save."""
    if not raw.strip():
        return None
    if not re.fullmatch(r"[0-9]+", raw.strip()):
        errors.append(FieldError("station", "err.station.unknown", {"name": raw.strip()}))
        return None
    return int(raw.strip())


_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a counter


def new_query_code(rng: random.Random) -> str:
    return "".join(rng.choice(_CODE_ALPHABET) for _ in range(6))


def id_preview(raw: str, today: dt.date) -> tuple[str, dict[str, Any]]:
    """What the form shows under the ID field as the clerk types: a catalog key and params."""
    value = normalize_id(raw)
    if not value:
        return "", {}
    foreign = foreign_char(value)
    if foreign:  # said at once: typing on will not make it a number
        return "err.id.digit", {"char": foreign}
    if len(value) < 18:
        return "id.typing", {"count": len(value)}
    try:
        info = parse_id_number(value, today)
    except IdNumberError as exc:
        return exc.code, dict(exc.params)
    return "id.ok", {"birth": info.birth_date.isoformat(), "sex": info.sex}


CORRECTABLE = ("name", "id_number", "phone", "township", "village", "address")


def check_correction(changes: dict[str, str], reason: str, today: dt.date) -> dict[str, str]:
    """Clean values for an explicit correction of a visitor's details, or FormErrors naming
    every problem. A reason is required: the record keeps it beside the old value."""
    errors: list[FieldError] = []
    clean: dict[str, str] = {}
    for field, raw in changes.items():
        if field not in CORRECTABLE:
            errors.append(FieldError(field, "err.correct.field"))
            continue
        _check_texts(errors, (field, raw))
        clean[field] = _clean_detail(field, raw, today, errors)
    _check_texts(errors, ("reason", reason))
    if not reason.strip():
        errors.append(FieldError("reason", "err.required"))
    if errors:
        raise FormErrors(errors)
    return clean


def _clean_detail(field: str, raw: str, today: dt.date, errors: list[FieldError]) -> str:
    if field == "id_number":
        info = _check_id(field, raw, today, errors)
        return info.id_number if info else ""
    if field == "phone":
        return _check_phone(field, raw, errors)
    if field == "name" and not raw.strip():
        errors.append(FieldError(field, "err.required"))
    return raw.strip()
