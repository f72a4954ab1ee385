"""The hall's records as frozen dataclasses, serialised to documents only at the edge.

Every document carries `schema` (the layout version) and `rev` (bumped on each write,
so a write based on a stale read is refused).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from desk.codec import Record, Stored
from desk.lifecycle.records import (
    Clock,
    Evaluated,
    Extension,
    ExtensionState,
    HandOver,
    Rejection,
    Reply,
    Requested,
    Sent,
)

GROUP_MIN_PERSONS = 5
MAX_REPRESENTATIVES = 5


class Track(StrEnum):
    SIMPLE = "simple"
    GENERAL = "general"
    COMPLEX = "complex"


class Status(StrEnum):
    REGISTERED = "registered"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    HANDLING = "handling"
    REPLIED = "replied"
    FOLLOWED_UP = "followed_up"
    CLOSED = "closed"
    REVIEW = "review"  # 复查中: a review asked for, not yet answered
    REEXAMINATION = "reexamination"  # 复核中

    @property
    def is_open(self) -> bool:
        return self not in (Status.CLOSED, Status.REJECTED)


class Role(StrEnum):
    RECEPTIONIST = "receptionist"
    STATION = "station"
    LEADER = "leader"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class VisitKind(StrEnum):
    FIRST = "first"
    REPEAT = "repeat"


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _datetime(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class Person:
    """A representative of a group visit (the visitor is the first)."""

    name: str
    id_number: str = ""
    phone: str = ""

    def to_doc(self) -> dict[str, str]:
        return {"name": self.name, "id_number": self.id_number, "phone": self.phone}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Person:
        return cls(doc["name"], doc.get("id_number", ""), doc.get("phone", ""))


@dataclass(frozen=True)
class Correction:
    """One change to a visitor's details, with the value it replaced: a registration
    that brought a contact detail up to date (`via` "register"), or an explicit
    correction with its reason (`via` "correct")."""

    at: dt.datetime
    by: str
    field: str
    old: str
    new: str
    reason: str = ""
    via: str = "correct"

    def to_doc(self) -> dict[str, str]:
        return {"at": self.at.isoformat(), "by": self.by, "field": self.field, "old": self.old,
                "new": self.new, "reason": self.reason, "via": self.via}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Correction:
        return cls(dt.datetime.fromisoformat(doc["at"]), doc["by"], doc["field"], doc["old"], doc["new"],
                   doc.get("reason", ""), doc.get("via", "correct"))


@dataclass(frozen=True)
class Visitor(Record):
    id: int
    name: str
    id_number: str = ""
    phone: str = ""
    township: str = ""
    village: str = ""
    address: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    key_person: bool = False
    name_initials: tuple[str, ...] = ()
    township_initials: tuple[str, ...] = ()
    created_at: dt.datetime | None = None
    corrections: tuple[Correction, ...] = ()  # oldest first; nothing once known is lost
    rev: int = 0

    def to_doc(self) -> dict[str, Any]:
        return self._head() | {
            "name": self.name,
            "id_number": self.id_number,
            "phone": self.phone,
            "township": self.township,
            "village": self.village,
            "address": self.address,
            "birth_date": _iso(self.birth_date),
            "sex": self.sex,
            "key_person": self.key_person,
            "name_initials": list(self.name_initials),
            "township_initials": list(self.township_initials),
            "created_at": _iso(self.created_at),
            "corrections": [c.to_doc() for c in self.corrections],
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Visitor:
        return cls(
            id=doc["id"],
            name=doc["name"],
            id_number=doc.get("id_number", ""),
            phone=doc.get("phone", ""),
            township=doc.get("township", ""),
            village=doc.get("village", ""),
            address=doc.get("address", ""),
            birth_date=_date(doc.get("birth_date")),
            sex=doc.get("sex", ""),
            key_person=doc.get("key_person", False),
            name_initials=tuple(doc.get("name_initials", ())),
            township_initials=tuple(doc.get("township_initials", ())),
            created_at=_datetime(doc.get("created_at")),
            corrections=tuple(Correction.from_doc(c) for c in doc.get("corrections", ())),
            rev=doc.get("rev", 0),
        )


@dataclass(frozen=True)
class Visit(Record):
    id: int
    visitor_id: int
    matter_id: int
    at: dt.datetime
    persons: int
    kind: VisitKind
    operator: str
    skip_level: bool = False
    threat: bool = False
    representatives: tuple[Person, ...] = ()
    form_id: str = ""  # the registration form that made this visit; "" before forms had one
    import_key: str = ""  # the ledger row it was imported from (desk import): a row is imported once
    rev: int = 0

    @property
    def group(self) -> bool:
        return self.persons >= GROUP_MIN_PERSONS

    def to_doc(self) -> dict[str, Any]:
        return self._head() | {
            "visitor_id": self.visitor_id,
            "matter_id": self.matter_id,
            "at": self.at.isoformat(),
            "date": self.at.date().isoformat(),
            "persons": self.persons,
            "kind": self.kind.value,
            "operator": self.operator,
            "skip_level": self.skip_level,
            "threat": self.threat,
            "representatives": [p.to_doc() for p in self.representatives],
            "form_id": self.form_id,
            **({"import_key": self.import_key} if self.import_key else {}),
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Visit:
        return cls(
            id=doc["id"],
            visitor_id=doc["visitor_id"],
            matter_id=doc["matter_id"],
            at=dt.datetime.fromisoformat(doc["at"]),
            persons=doc["persons"],
            kind=VisitKind(doc["kind"]),
            operator=doc["operator"],
            skip_level=doc.get("skip_level", False),
            threat=doc.get("threat", False),
            representatives=tuple(Person.from_doc(p) for p in doc.get("representatives", ())),
            form_id=doc.get("form_id", ""),
            import_key=doc.get("import_key", ""),
            rev=doc.get("rev", 0),
        )


@dataclass(frozen=True)
class Matter(Stored):
    """A matter and its life so far. Schema 2 added the life (clocks, where it was sent,
    extension, replies, evaluation, review, re-examination, hand-over); a schema-1
    document is migrated as it is read."""

    SCHEMA: ClassVar[int] = 2

    id: int
    number: str
    query_code: str
    visitor_id: int
    category: str
    summary: str
    track: Track
    status: Status
    first_responder: str
    registered_at: dt.datetime
    acceptance_due: dt.date
    place: str = ""
    demands: str = ""
    township: str = ""
    closed_at: dt.datetime | None = None
    resolution: str = ""
    clocks: tuple[Clock, ...] = ()  # the running ones
    accepted_at: dt.datetime | None = None
    rejection: Rejection | None = None
    sent: Sent | None = None
    extension: Extension | None = None
    replies: tuple[Reply, ...] = ()  # oldest first
    evaluated: Evaluated | None = None
    review: Requested | None = None
    reexamination: Requested | None = None
    not_accepted_again: bool = False  # re-examined: the same matter is not taken up again
    hand_over: HandOver | None = None
    # 包案 for a complex matter: the owning leader and the other "five ones" (the working
    # team, the plan, the measures to keep things stable; the minutes are its meetings).
    owner_leader: str = ""
    team: str = ""
    plan: str = ""
    stability: str = ""
    meetings_waived: str = ""  # 免见面说明: why it may close without every meeting
    rev: int = 0

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    @property
    def last_reply(self) -> Reply | None:
        return self.replies[-1] if self.replies else None

    def to_doc(self) -> dict[str, Any]:
        """With the few derived fields a list filters on without reading the rest."""
        return super().to_doc() | {
            "hand_over_to": self.hand_over.to if self.hand_over else "",
            "extension_pending": self.extension is not None and self.extension.state is ExtensionState.REQUESTED,
            "department_id": self.sent.department_id if self.sent else None,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Matter:
        if doc.get("schema", 1) < 2:
            doc = migrate_matter_1(doc)
        return super().from_doc(doc)


def legacy_clocks(status: str, registered_at: str, acceptance_due: str) -> list[dict[str, Any]]:
    """The clocks of a schema-1 matter: only registration existed, so a registered matter
    runs its acceptance limit (the same day for the simple track) and any other has none."""
    if status != Status.REGISTERED.value:
        return []
    start = dt.date.fromisoformat(registered_at[:10])
    days = (dt.date.fromisoformat(acceptance_due) - start).days
    kind = "same_day" if days == 0 else "acceptance"
    return [{"kind": kind, "start": start.isoformat(), "days": days, "unit": "calendar"}]


def migrate_matter_1(doc: dict[str, Any]) -> dict[str, Any]:
    return doc | {"schema": 2, "clocks": legacy_clocks(doc["status"], doc["registered_at"], doc["acceptance_due"])}


@dataclass(frozen=True)
class Event(Record):
    """One entry on a matter's timeline: who, when, what."""

    id: int
    matter_id: int
    kind: str
    at: dt.datetime
    operator: str
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    rev: int = 0

    def to_doc(self) -> dict[str, Any]:
        return self._head() | {
            "matter_id": self.matter_id,
            "kind": self.kind,
            "at": self.at.isoformat(),
            "operator": self.operator,
            "note": self.note,
            "data": self.data,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Event:
        return cls(
            id=doc["id"],
            matter_id=doc["matter_id"],
            kind=doc["kind"],
            at=dt.datetime.fromisoformat(doc["at"]),
            operator=doc["operator"],
            note=doc.get("note", ""),
            data=doc.get("data", {}),
            rev=doc.get("rev", 0),
        )


@dataclass(frozen=True)
class Operator(Record):
    id: int
    name: str
    role: Role
    password: dict[str, Any]
    active: bool = True
    created_at: dt.datetime | None = None
    failures: int = 0  # failed logins in a row
    locked_until: dt.datetime | None = None
    rev: int = 0

    def to_doc(self) -> dict[str, Any]:
        return self._head() | {
            "name": self.name,
            "role": self.role.value,
            "password": self.password,
            "active": self.active,
            "created_at": _iso(self.created_at),
            "failures": self.failures,
            "locked_until": _iso(self.locked_until),
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Operator:
        return cls(
            id=doc["id"],
            name=doc["name"],
            role=Role(doc["role"]),
            password=doc["password"],
            active=doc.get("active", True),
            created_at=_datetime(doc.get("created_at")),
            failures=doc.get("failures", 0),
            locked_until=_datetime(doc.get("locked_until")),
            rev=doc.get("rev", 0),
        )
