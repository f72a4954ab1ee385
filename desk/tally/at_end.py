"""How matters stood at the end of a period: which were open, in which state, with which
clocks, and so the colour of each (TALLY.md: "every state is taken as it stood at the end
of the period").

A matter is as it is now unless an act came after the end; then it is as the first act
after the end found it (each act's entry keeps the state and clocks it found, `was`), and
those entries are read from the store's columns, a year of them without a document each.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from desk.deadlines import Rules, Warning, row_warning
from desk.models import Event, Status, legacy_clocks
from desk.store import Reader

if TYPE_CHECKING:
    from desk.tally.report import Period

DAY = "at[:10]"
OPEN = frozenset(s.value for s in Status if s.is_open)
COLOURS = (Warning.RED.value, Warning.YELLOW.value, Warning.GREEN.value)
AFTER_FIELDS = (DAY, "matter_id", "kind", "data.was.status", "data.was.clocks")
WARNING_FIELDS = ("registered_at", "status", "clocks", "acceptance_due")
# Past this many matters a list reads the matters' columns once instead of each document.
BULK = 1500


class Reading(Protocol):
    reader: Reader
    period: Period
    rules: Rules
    today: dt.date

    def rows(self, table: str, field: str, values: set[str], years: Iterable[int],
             fields: tuple[str, ...] | None = None, **where: Collection[Any]) -> list[dict[str, Any]]: ...


def order(row: Mapping[str, Any]) -> tuple[str, int]:
    """A matter's entries in the order they were made: by day, then by id (ids grow with
    time within a year, and a later year's ids are larger)."""
    return row[DAY], row["id"]


def colours_at_end(reading: Reading) -> dict[str, list[int]]:
    """Open matters at the end of the period, by the colour of their nearest deadline then
    (red, yellow, green: every colour present)."""
    end, rules = reading.period.end, reading.rules
    counted: dict[str, list[int]] = defaultdict(list)
    # Matters read from the columns share one list per distinct set of clocks: each is
    # coloured once (kept beside its colour, so its id is not reused meanwhile).
    colours: dict[int, tuple[Any, str]] = {}
    for matter_id, row in _open_at_end(reading):
        clocks = row["clocks"]
        if clocks is None:  # a schema-1 matter: its clocks come from its own dates
            counted[row_warning(row, end, rules).value].append(matter_id)  # type: ignore[union-attr]
            continue
        known = colours.get(id(clocks))
        if known is None or known[0] is not clocks:
            known = colours[id(clocks)] = (clocks, row_warning(row, end, rules).value)  # type: ignore[union-attr]
        counted[known[1]].append(matter_id)
    return {c: counted.get(c, []) for c in COLOURS}


def _open_at_end(reading: Reading) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(id, columns) of every matter open at the end of the period, as it stood
    then: as it is now unless an act came after the end, else as the first act after the
    end found it (its `was`), else (an entry from before acts kept it) from its timeline."""
    end = reading.period.end.isoformat()
    if reading.period.end < reading.today and not _any_registered_by(reading, end):
        return  # a past period before the hall's first matter (last year's, compared): nothing to rebuild
        return
    after = _first_acts_after(reading)
    found = _candidates(reading, after.keys())
    for n, matter_id in enumerate(found["id"]):
        row = _Row(found, n)
        if str(row["registered_at"])[:10] > end:
            continue
        first = after.get(matter_id)
        if first is None:
            status, clocks = row["status"], row["clocks"]
        elif first["data.was.status"] is None:
            status, clocks = _as_of(reading, {"id": matter_id, **row})
        elif first["data.was.status"] in OPEN:
            status, clocks = first["data.was.status"], first["data.was.clocks"]
        else:
            continue
        if status in OPEN:
            yield matter_id, row if first is None else {**row, "status": status, "clocks": clocks}


class _Row(Mapping[str, Any]):
    """Row `n` of `lists` columns, read where it lies (a year's matters need no dict each)."""

    __slots__ = ("found", "n")

    def __init__(self, found: dict[str, list[Any]], n: int) -> None:
        self.found, self.n = found, n

    def __getitem__(self, field: str) -> Any:
        return self.found[field][self.n]

    def __iter__(self) -> Iterator[str]:
        return iter(self.found)

    def __len__(self) -> int:
        return len(self.found)


def _candidates(reading: Reading, changed: Collection[int]) -> dict[str, list[Any]]:
    """The matters open now, and those that changed since the period's end (one may have
    been open then): the columns of all when they are many, else those documents."""
    years = reading.period.years(reading.today)
    if len(changed) > BULK:
        return reading.reader.lists("matters", years, fields=WARNING_FIELDS)
    found = reading.reader.lists("matters", years, where={"status": OPEN}, fields=WARNING_FIELDS)
    missing = set(changed) - set(found["id"])  # closed since: read where they lie, by id
    more = reading.reader.lists("matters", years, where={"id": missing}, fields=WARNING_FIELDS) if missing else {}
    for field, values in more.items():
        found[field].extend(values)
    for matter_id in missing - set(more.get("id", ())):  # registered before the years read
        doc = reading.reader.get("matters", matter_id)
        if doc is not None:
            found["id"].append(matter_id)
            for field in WARNING_FIELDS:
                found[field].append(doc.get(field))
    return found


def _any_registered_by(reading: Reading, end: str) -> bool:
    years = range(reading.period.years(reading.today).start, reading.period.end.year + 1)
    registered = reading.reader.lists("matters", years, fields=("registered_at",))["registered_at"]
    return any(str(day)[:10] <= end for day in registered)


def _first_acts_after(reading: Reading) -> dict[int, dict[str, Any]]:
    """Each matter's first act after the period's end, by matter."""
    end, today = reading.period.end, reading.today
    if end >= today:
        return {}
    later = {(end + dt.timedelta(days=n)).isoformat() for n in range(1, (today - end).days + 1)}
    years = range(end.year, today.year + 1)
    first: dict[int, tuple[str, int, int, int]] = {}  # matter -> (day, id, where) of its first act
    acts = [reading.reader.lists("events", years, where={DAY: later, **act}, fields=AFTER_FIELDS)
            for act in ({"data.status": Present()}, {"kind": ("closed",)})]  # "closed": before acts kept a state
    for part, found in enumerate(acts):
        for n, (matter_id, day, event_id) in enumerate(zip(found["matter_id"], found[DAY], found["id"], strict=True)):
            known = first.get(matter_id)
            if known is None or (day, event_id) < known[:2]:
                first[matter_id] = (day, event_id, part, n)
    return {m: {f: acts[part][f][n] for f in ("id", *AFTER_FIELDS)} for m, (_, _, part, n) in first.items()}


def _as_of(reading: Reading, row: dict[str, Any]) -> tuple[str, list[Any]]:
    """A matter's status and clocks at the end of the period, from its timeline: the last
    act's entry on or before that day, else as registered."""
    end = reading.period.end.isoformat()
    status, clocks = Status.REGISTERED.value, legacy_clocks("registered", row["registered_at"], row["acceptance_due"])
    for event in sorted((Event.from_doc(d) for d in reading.reader.find("events", "matter_id", row["id"])),
                        key=lambda e: (e.at, e.id)):
        if event.at.date().isoformat() > end:
            break
        if "status" in event.data:
            status, clocks = event.data["status"], event.data.get("clocks", [])
        elif event.kind == "closed":
            status, clocks = Status.CLOSED.value, []
    return status, clocks


class Present:
    """Every value but None, as a `where` of the store's columns."""

    def __contains__(self, value: object) -> bool:
        return value is not None
