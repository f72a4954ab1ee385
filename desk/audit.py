"""The audit trail (留痕): who, when, what, from which counter.

Append-only and hash-chained: each entry carries the hash of the one before, and a
separate head records the last sequence number and hash, so `verify` can tell a
removed, an inserted, an altered or a cut-off entry and say which.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from desk.clock import Clock
from desk.store import StoreError

GENESIS = "0" * 64
# The detail key naming the store's save number an entry records: every save the trail
# witnessed must be in the store (storage reads it to notice a lost journal tail).
STORE_SEQ = "store_seq"
STORE_EPOCH = "store_epoch"  # which lineage of the store: a restore starts a new one


class AuditLog(Protocol):
    """Persistence of the trail; `storage/` keeps it in an append-only file."""

    def append(self, entry: dict[str, Any]) -> None: ...

    def lines(self) -> Iterator[str]:
        """Every stored line as text, in order, including ones that do not parse."""
        ...

    def head(self) -> dict[str, Any] | None: ...

    def locked(self) -> AbstractContextManager[None]:
        """Held while one entry is linked and appended, across processes."""
        ...

    def recent_lines(self) -> Iterator[str]:
        """Lines newest first, read without walking the whole trail."""
        ...

    def move_torn_tail_aside(self) -> int:
        """Set aside the bytes of an entry a crash cut off; how many there were."""
        ...

    def open_other(self, folder: str) -> AuditLog:
        """A trail kept in `folder` (beside this one) by a restore."""
        ...


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: dt.datetime
    operator: str
    role: str
    counter: str
    action: str
    target: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    prev: str = GENESIS
    hash: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "at": self.at.isoformat(), "operator": self.operator, "role": self.role,
            "counter": self.counter, "action": self.action, "target": self.target, "detail": self.detail,
            "prev": self.prev,
        }

    def to_doc(self) -> dict[str, Any]:
        return self.body() | {"hash": self.hash}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> AuditEntry:
        return cls(
            seq=doc["seq"], at=dt.datetime.fromisoformat(doc["at"]), operator=doc["operator"], role=doc["role"],
            counter=doc["counter"], action=doc["action"], target=doc.get("target", ""),
            detail=doc.get("detail", {}), prev=doc["prev"], hash=doc["hash"],
        )


def digest(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def chain(last: tuple[int, str] | None, **fields: Any) -> AuditEntry:
    """The next entry after `last` (its sequence number and hash)."""
    seq, prev = last if last else (0, GENESIS)
    draft = AuditEntry(seq=seq + 1, prev=prev, **fields)
    return AuditEntry(**{**draft.__dict__, "hash": digest(draft.body())})


class Auditor:
    """Writes the trail for the services: the clock and the counter are filled in here."""

    def __init__(self, log: AuditLog, clock: Clock, counter: str) -> None:
        self.log, self.clock, self.counter = log, clock, counter
        self._mutex = threading.Lock()  # logins are checked in a worker thread

    def record(self, operator: str, role: str, action: str, target: str = "", detail: dict | None = None,
               *, continue_after: int = 0) -> AuditEntry:
        """Append one entry. `continue_after`: a restore numbers its entry after the trail it
        replaced, so no sequence number is used twice."""
        # Other counters append to the same trail: the link is made from the newest
        # entry on disk, read while holding the trail's inter-process lock.
        with self._mutex, self.log.locked():
            torn = self.log.move_torn_tail_aside()
            if torn:
                self._append(link(self.log), operator, role, "audit_torn_tail", "", {"bytes": torn})
            seq, prev = link(self.log)
            return self._append((max(seq, continue_after), prev), operator, role, action, target, detail or {})

    def _append(self, last: tuple[int, str], operator: str, role: str, action: str, target: str,
                detail: dict) -> AuditEntry:
        entry = chain(last, at=self.clock.now(), operator=operator, role=role,
                      counter=self.counter, action=action, target=target, detail=detail)
        self.log.append(entry.to_doc())
        return entry

    def entries(self) -> list[AuditEntry]:
        return read_entries(self.log.lines())

    def verify(self) -> tuple[int, list[Problem]]:
        return verify(self.log.lines(), self.log.head(), self.log.open_other)

    def head(self) -> tuple[int, str] | None:
        seq, digest_ = link(self.log)
        return (seq, digest_) if seq else None


def link(log: AuditLog) -> tuple[int, str]:
    """(seq, hash) the next entry follows: the newest readable entry, or the head file when
    it is further on (entries after it were cut off: numbering on keeps the gap visible).
    A trail with lines but no readable entry and no head cannot be continued honestly."""
    newest = next((e for e in map(_parse, log.recent_lines()) if e is not None), None)
    head = log.head() or {}
    head_seq, head_hash = head.get("seq"), head.get("hash")
    if isinstance(head_seq, int) and isinstance(head_hash, str) and head_seq > (newest.seq if newest else 0):
        return head_seq, head_hash
    if newest is not None:
        return newest.seq, newest.hash
    if next(log.recent_lines(), None) is not None:
        raise StoreError("err.audit.unlinkable")
    return 0, GENESIS


def head_code(seq: int, hash_: str) -> str:
    """The trail's head as a short code a supervisor can write down and sign: the entry's
    number and the first 12 hex digits of its hash, e.g. `1234-9F3A-2C1B-7D0E`."""
    h = hash_[:12].upper()
    return f"{seq}-{h[:4]}-{h[4:8]}-{h[8:12]}"


def parse_code(code: str) -> tuple[int, str] | None:
    """(seq, lowercase hash prefix) of a head code, or None when it is not one."""
    parts = code.strip().replace(" ", "").split("-")
    if len(parts) != 4 or not parts[0].isdigit():
        return None
    prefix = "".join(parts[1:]).lower()
    if len(prefix) != 12 or any(c not in "0123456789abcdef" for c in prefix):
        return None
    return int(parts[0]), prefix


@dataclass(frozen=True)
class Problem:
    """`line` is 1-based in the file; `code` is a catalog key."""

    line: int
    code: str
    params: dict[str, Any] = field(default_factory=dict)


def _parse(text: str) -> AuditEntry | None:
    try:
        return AuditEntry.from_doc(json.loads(text))
    except (ValueError, KeyError, TypeError):
        return None


def _replaced(entry: AuditEntry | None) -> dict[str, Any] | None:
    """The head of the trail a restore replaced, as its entry recorded it."""
    if entry is None or entry.action != "restore":
        return None
    head = entry.detail.get("replaced_head")
    return head if isinstance(head, dict) and isinstance(head.get("seq"), int) else None


def _check_link(n: int, entry: AuditEntry, previous: AuditEntry | None) -> Problem | None:
    expected_seq = previous.seq + 1 if previous else 1
    replaced = _replaced(entry)
    if replaced is not None:  # numbered after the replaced trail, whose entries are kept aside
        expected_seq = max(expected_seq, replaced["seq"] + 1)
    expected_prev = previous.hash if previous else GENESIS
    if entry.seq > expected_seq:
        return Problem(n, "audit.removed", {"first": expected_seq, "last": entry.seq - 1})
    if entry.seq < expected_seq:
        return Problem(n, "audit.inserted", {"seq": entry.seq})
    if entry.prev != expected_prev:
        return Problem(n, "audit.inserted", {"seq": entry.seq})
    return None


Opener = Callable[[str], AuditLog]


def _check_replaced(n: int, entry: AuditEntry, open_other: Opener | None) -> list[Problem]:
    """A restore moved the trail it replaced aside: it must still be there, whole, and end
    at the head the restore recorded."""
    replaced = _replaced(entry)
    if replaced is None or open_other is None:
        return []
    folder = str(entry.detail.get("aside", ""))
    other = open_other(folder)
    lines = list(other.lines())
    if not lines:
        return [Problem(n, "audit.replaced_missing", {"path": folder, "seq": replaced["seq"]})]
    _, problems = verify(lines, other.head(), open_other)
    last = next((e for e in map(_parse, reversed(lines)) if e is not None), None)
    if problems or last is None or (last.seq, last.hash) != (replaced["seq"], replaced.get("hash")):
        return [Problem(n, "audit.replaced_damaged", {"path": folder, "seq": replaced["seq"]})]
    return []


def verify(lines: Iterable[str], head: dict[str, Any] | None,
           open_other: Opener | None = None) -> tuple[int, list[Problem]]:
    """(entries read, problems). Each break is reported once; the walk then resyncs.
    `open_other` opens the trails restores set aside, so their entries are accounted for."""
    problems: list[Problem] = []
    previous: AuditEntry | None = None
    count = 0
    for n, text in enumerate(lines, start=1):
        entry = _parse(text)
        if entry is None:
            problems.append(Problem(n, "audit.unreadable"))
            continue
        count += 1
        if digest(entry.body()) != entry.hash:
            problems.append(Problem(n, "audit.altered", {"seq": entry.seq}))
        else:
            broken = _check_link(n, entry, previous)
            if broken:
                problems.append(broken)
            problems += _check_replaced(n, entry, open_other)
        previous = entry
    if head is not None:
        last_seq = previous.seq if previous else 0
        if head.get("seq", 0) > last_seq:
            problems.append(Problem(count + 1, "audit.truncated", {"first": last_seq + 1, "last": head["seq"]}))
        elif previous and head.get("seq") == last_seq and head.get("hash") != previous.hash:
            problems.append(Problem(count, "audit.altered", {"seq": last_seq}))
    return count, problems


def contains(lines: Iterable[str], seq: int, prefix: str, open_other: Opener | None = None) -> bool:
    """Whether the trail, or a trail a restore set aside, holds entry `seq` with a hash
    starting `prefix` (and that entry is intact). With `verify`, this proves the trail
    still holds a head written down earlier: a backup's, or a code signed on paper."""
    for entry in map(_parse, lines):
        if entry is None:
            continue
        if entry.seq == seq and entry.hash.startswith(prefix) and digest(entry.body()) == entry.hash:
            return True
        if _replaced(entry) is not None and open_other is not None:
            other = open_other(str(entry.detail.get("aside", "")))
            if contains(other.lines(), seq, prefix, open_other):
                return True
    return False


def read_entries(lines: Iterable[str]) -> list[AuditEntry]:
    return [e for e in map(_parse, lines) if e is not None]
