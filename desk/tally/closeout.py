"""The day close-out (日结): one day's tally frozen as a sealed record, and what has
changed in that day's records since.

What "signed" means here, and no more: there is no private key and no certificate. The
record holds who closed the day, when, the TALLY.md numbers, what each number counted (the
document ids behind every key, from `members()`), and the audit trail's head code as it
stood at the close. Its `seal` is the SHA-256 of all of that as canonical JSON. The
close-out's audit entry records the seal, and the trail is hash-chained (#5), so:

- a stored record edited afterwards no longer matches its seal;
- a record edited with its seal recomputed no longer matches the seal in the trail;
- a trail rewritten to match is what `desk audit verify` finds (the head file, a restore's
  trail set aside), and what the head codes written down elsewhere expose, such as the one
  printed on the 日报 and signed on paper.

Someone who can write every file of the hall and recomputes the whole chain and its head
can forge all of it; only the paper copy is out of their reach. That is the strength of
this "signature", and nothing the desk says claims more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from desk.audit import AuditEntry, digest
from desk.errors import DeskError
from desk.tally.report import Counted

TABLE = "closeouts"
ACTION = "close_day"  # the audit entry of a close-out (its target is the day)
NO_TRAIL = "-"  # the head code of a hall without an audit trail (tests, a bare store)


@dataclass(frozen=True)
class CloseOut:
    """The frozen record. `numbers` is exactly the TALLY.md object as counted at the close;
    it and `members` are never changed once stored (treat them as read-only)."""

    id: int
    day: dt.date
    closed_by: str
    role: str
    closed_at: dt.datetime
    numbers: dict[str, Any]
    members: dict[str, Counted]
    audit_head: str
    seal: str

    def body(self) -> dict[str, Any]:
        """What the seal covers: everything but the store's own bookkeeping and the seal."""
        return {
            "day": self.day.isoformat(), "closed_by": self.closed_by, "role": self.role,
            "closed_at": self.closed_at.isoformat(), "numbers": self.numbers,
            "members": {key: {"table": c.table, "ids": list(c.ids)} for key, c in self.members.items()},
            "audit_head": self.audit_head,
        }

    def to_doc(self) -> dict[str, Any]:
        return self.body() | {"id": self.id, "seal": self.seal}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> CloseOut:
        return cls(
            id=doc.get("id", 0), day=dt.date.fromisoformat(doc["day"]), closed_by=doc["closed_by"],
            role=doc.get("role", ""), closed_at=dt.datetime.fromisoformat(doc["closed_at"]),
            numbers=doc["numbers"],
            members={k: Counted(v["table"], tuple(v["ids"])) for k, v in doc.get("members", {}).items()},
            audit_head=doc.get("audit_head", NO_TRAIL), seal=doc.get("seal", ""),
        )

    @property
    def intact(self) -> bool:
        """Whether the record still says what was sealed."""
        return seal_of(self.body()) == self.seal


def seal_of(body: dict[str, Any]) -> str:
    return digest(body)


def sealed(day: dt.date, closed_by: str, role: str, closed_at: dt.datetime, numbers: dict[str, Any],
           members: dict[str, Counted], audit_head: str) -> CloseOut:
    draft = CloseOut(0, day, closed_by, role, closed_at, numbers, dict(sorted(members.items())), audit_head, "")
    return CloseOut(**{**draft.__dict__, "seal": seal_of(draft.body())})


def check_closable(day: dt.date, today: dt.date, existing: CloseOut | None) -> None:
    """A day is closed once, and not before it has begun: today may be closed (at 17:30),
    a day to come may not."""
    if existing is not None:
        raise DeskError("err.closeout.closed", day=day.isoformat(), by=existing.closed_by,
                        at=f"{existing.closed_at:%Y-%m-%d %H:%M}")
    if day > today:
        raise DeskError("err.closeout.future", day=day.isoformat())


# -- what changed since ------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A record counted in a number: its table and id, and for a person reading the list
    the case number of its matter and the visitor's name (filled in by the service)."""

    table: str
    id: int
    number: str = ""
    name: str = ""


@dataclass(frozen=True)
class Change:
    """One number of a closed day that a recount no longer gives as signed: its value then
    and now, and the records that entered it or left it since.
    A number can change with no record entering or leaving (a visit's head count
    corrected), and a record can swap between numbers whose values stay the same."""

    key: str  # the dotted path of TALLY.md's object: "closed", "by_category.land"
    signed: Any
    now: Any
    entered: tuple[Member, ...] = ()
    left: tuple[Member, ...] = ()


def flat(numbers: dict[str, Any]) -> dict[str, Any]:
    """TALLY.md's object as dotted paths (the keys of `members()`), without the period."""
    found: dict[str, Any] = {}
    for key, value in numbers.items():
        if key == "period":
            continue
        if isinstance(value, dict):
            found |= {f"{key}.{code}": number for code, number in value.items()}
        else:
            found[key] = value
    return found


def compare(closeout: CloseOut, numbers: dict[str, Any], members: dict[str, Counted]) -> list[Change]:
    """The numbers of a recount that differ from the signed ones, or whose records differ,
    in TALLY.md's order (a category that appeared or went away included)."""
    signed, now = flat(closeout.numbers), flat(numbers)
    changes = []
    for key in _keys(signed, now, closeout.members, members):
        before, after = closeout.members.get(key), members.get(key)
        was, has = set(before.ids if before else ()), set(after.ids if after else ())
        if signed.get(key, 0) == now.get(key, 0) and was == has:
            continue
        table = (after or before).table if (after or before) else ""
        # A count the object does not show (resolved at one time: a rate's numerator) is
        # the size of what it counted.
        changes.append(Change(key, signed.get(key, len(was)), now.get(key, len(has)),
                              tuple(Member(table, i) for i in sorted(has - was)),
                              tuple(Member(table, i) for i in sorted(was - has))))
    return changes


def _keys(*mappings: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for mapping in mappings:
        seen |= dict.fromkeys(mapping)
    return list(seen)


def records_changed(changes: list[Change]) -> int:
    """How many distinct records entered or left some number."""
    return len({(m.table, m.id) for c in changes for m in (*c.entered, *c.left)})


# -- the seal against the trail ------------------------------------------------------------


def closed_days(entries: Iterable[AuditEntry]) -> set[dt.date]:
    """The days the trail says were closed."""
    found = set()
    for entry in entries:
        if entry.action == ACTION:
            try:
                found.add(dt.date.fromisoformat(entry.target))
            except ValueError:
                continue  # not a day: not a close-out this desk wrote
    return found


def problems(closeout: CloseOut, entries: Iterable[AuditEntry], head_in_trail: bool) -> list[str]:
    """Catalog keys of what no longer holds: the record against its seal, the seal against
    the close-out's audit entry, the head code against the trail."""
    found = []
    if not closeout.intact:
        found.append("closeout.bad_seal")
    recorded = [e.detail.get("seal") for e in entries if e.action == ACTION and e.target == closeout.day.isoformat()]
    if not recorded:
        found.append("closeout.no_entry")
    elif closeout.seal not in recorded:
        found.append("closeout.seal_differs")
    if closeout.audit_head != NO_TRAIL and not head_in_trail:
        found.append("closeout.head_missing")
    return found
