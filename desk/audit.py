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
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from desk.clock import Clock

GENESIS = "0" * 64


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

    def last_line(self) -> str | None:
        """The newest line, read without walking the whole trail."""
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

    def record(self, operator: str, role: str, action: str, target: str = "", detail: dict | None = None) -> AuditEntry:
        # Other counters append to the same trail: the link is made from the newest
        # line on disk, read while holding the trail's inter-process lock.
        with self._mutex, self.log.locked():
            newest = self.log.last_line()
            last = _parse(newest) if newest else None
            entry = chain((last.seq, last.hash) if last else None, at=self.clock.now(), operator=operator,
                          role=role, counter=self.counter, action=action, target=target, detail=detail or {})
            self.log.append(entry.to_doc())
            return entry

    def entries(self) -> list[AuditEntry]:
        return read_entries(self.log.lines())

    def verify(self) -> tuple[int, list[Problem]]:
        return verify(self.log.lines(), self.log.head())


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


def _check_link(n: int, entry: AuditEntry, previous: AuditEntry | None) -> Problem | None:
    expected_seq = previous.seq + 1 if previous else 1
    expected_prev = previous.hash if previous else GENESIS
    if entry.seq > expected_seq:
        return Problem(n, "audit.removed", {"first": expected_seq, "last": entry.seq - 1})
    if entry.seq < expected_seq:
        return Problem(n, "audit.inserted", {"seq": entry.seq})
    if entry.prev != expected_prev:
        return Problem(n, "audit.inserted", {"seq": entry.seq})
    return None


def verify(lines: Iterable[str], head: dict[str, Any] | None) -> tuple[int, list[Problem]]:
    """(entries read, problems). Each break is reported once; the walk then resyncs."""
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
            link = _check_link(n, entry, previous)
            if link:
                problems.append(link)
        previous = entry
    if head is not None:
        last_seq = previous.seq if previous else 0
        if head.get("seq", 0) > last_seq:
            problems.append(Problem(count + 1, "audit.truncated", {"first": last_seq + 1, "last": head["seq"]}))
        elif previous and head.get("seq") == last_seq and head.get("hash") != previous.hash:
            problems.append(Problem(count, "audit.altered", {"seq": last_seq}))
    return count, problems


def read_entries(lines: Iterable[str]) -> list[AuditEntry]:
    return [e for e in map(_parse, lines) if e is not None]
