"""The list of matters with its filters, and one matter in detail with its timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desk.deadlines import Deadline, Rules, Warning, deadlines, evaluation_lapsed, nearest, warning
from desk.errors import DeskError
from desk.models import Event, Matter, Status, Track, Visit, Visitor
from desk.store import Doc, Reader


@dataclass(frozen=True)
class MatterFilter:
    status: Status | None = None
    track: Track | None = None
    category: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    first_responder: str | None = None  # "mine": the logged-in operator's name

    def accepts(self, doc: Doc) -> bool:
        """Checked on the store's columns of a matter (COLUMNS), so that only the rows shown
        are read at all."""
        day = doc["registered_at"][:10]  # ISO text in the hall's zone: its date part is the local date
        return (
            (self.status is None or doc["status"] == self.status.value)
            and (self.track is None or doc["track"] == self.track.value)
            and (self.category is None or doc["category"] == self.category)
            and (self.date_from is None or day >= self.date_from.isoformat())
            and (self.date_to is None or day <= self.date_to.isoformat())
            and (self.first_responder is None or doc["first_responder"] == self.first_responder)
        )


@dataclass(frozen=True)
class MatterRow:
    matter: Matter
    visitor: Visitor | None
    warning: Warning | None
    news: bool = False  # a station's outcome the first responder has not opened yet
    deadline: Deadline | None = None  # the nearest open one, which gives the colour


@dataclass(frozen=True)
class MatterDetail:
    matter: Matter
    visitor: Visitor | None
    visits: tuple[Visit, ...]  # oldest first
    events: tuple[Event, ...]  # oldest first
    warning: Warning | None
    deadlines: tuple[Deadline, ...] = ()  # the open ones, nearest first
    evaluation_lapsed: bool = False  # 超期未评价


def _visitor(reader: Reader, visitor_id: int) -> Visitor | None:
    doc = reader.get("visitors", visitor_id)
    return Visitor.from_doc(doc) if doc else None


def list_matters(
    reader: Reader, flt: MatterFilter, today: dt.date, rules: Rules, limit: int = 500
) -> list[MatterRow]:
    """Newest first. `limit` keeps a ten-year hall's list quick; filters narrow it."""
    # Last year and this one unless the filter reaches further back: old years stay closed.
    years = range(flt.date_from.year, today.year + 1) if flt.date_from else None
    where = {"status": {flt.status.value}} if flt.status else None  # chosen on the codes, before any row is made
    rows = [r for r in reader.columns("matters", years, where) if flt.accepts(r)]  # columns only, not documents
    rows.sort(key=lambda r: (r["registered_at"], r["id"]), reverse=True)
    docs = (reader.get("matters", r["id"]) for r in rows[:limit])
    matters = [Matter.from_doc(d) for d in docs if d is not None]
    return [_row(reader, m, today, rules) for m in matters]


def _row(reader: Reader, matter: Matter, today: dt.date, rules: Rules) -> MatterRow:
    found = nearest(matter, today, rules)
    colour = None if not matter.is_open else (found.warning if found else Warning.GREEN)
    return MatterRow(matter, _visitor(reader, matter.visitor_id), colour, deadline=found)


def matter_detail(reader: Reader, matter_id: int, today: dt.date, rules: Rules) -> MatterDetail:
    doc = reader.get("matters", matter_id)
    if doc is None:
        raise DeskError("err.matter.missing", id=matter_id)
    matter = Matter.from_doc(doc)
    visits = sorted(map(Visit.from_doc, reader.find("visits", "matter_id", matter_id)), key=lambda v: (v.at, v.id))
    events = sorted(map(Event.from_doc, reader.find("events", "matter_id", matter_id)), key=lambda e: (e.at, e.id))
    running = tuple(deadlines(matter.clocks, today, rules)) if matter.is_open else ()
    return MatterDetail(
        matter, _visitor(reader, matter.visitor_id), tuple(visits), tuple(events), warning(matter, today, rules),
        running, evaluation_lapsed(matter, today, rules),
    )
