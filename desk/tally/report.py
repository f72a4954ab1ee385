"""The tally object of docs/TALLY.md, counted from the records.

The tally first gathers what each number counts (`members`: the visits, matters, events,
referrals, meetings or supervision entries behind it), and the numbers are the sizes of
those sets, so a supervisor can open any number and a close-out can tell what changed.

Counts of things done (visits, acts, meetings, supervision entries) are taken from the
records dated in the period; states and colours are taken as they stood at the end of the
period, from the acts' entries (each keeps the state it found), so that a period counted
again gives the same numbers whatever happened since. Everything is read from the store's
columns, never from whole documents in bulk: a year of a busy hall is 200,000 entries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from desk.deadlines import Rules
from desk.lifecycle.records import ClockKind, Evaluation
from desk.meetings.records import THREE_MEETINGS, MeetingState, SupervisionKind
from desk.models import GROUP_MIN_PERSONS, Event, Track, VisitKind
from desk.referral.records import StationKind
from desk.store import Reader
from desk.tally.at_end import BULK, DAY, colours_at_end, order

TALLIED_STATIONS = tuple(k.value for k in StationKind if k is not StationKind.LEADER)
REPLIES = ("reply", "answer_review", "answer_reexamination")
CLOSINGS = ("close", "closed")  # "closed": a simple matter closed on the spot before lifecycles
NOT_AT_ONCE = ("repeat_visit", "request_review", "request_reexamination")
COUNTED_ACTS = ("accept", *CLOSINGS, *REPLIES, "evaluate")
MATTER_FIELDS = ("registered_at", "track", "category", "acceptance_due")
EVENT_FIELDS = (DAY, "matter_id", "kind", "data.status", "data.stopped_due", "data.inputs.evaluation")
HELD = "held_at[:10]"
MEETING_FIELDS = ("day", "state", "kind", HELD, "cancelled_at[:10]")


# No hall's records go back further: an earlier date is a slip (0001-01-01, or the
# 1900-01-01 a blank spreadsheet date cell shows), refused by reports, close-outs, imports.
EARLIEST = dt.date(1990, 1, 1)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def days(self) -> Iterator[dt.date]:
        day = self.start
        while day <= self.end:
            yield day
            day += dt.timedelta(days=1)

    def holds(self, day: dt.date | str) -> bool:
        return self.start.isoformat() <= str(day) <= self.end.isoformat()

    def iso_days(self) -> set[str]:
        return {d.isoformat() for d in self.days()}

    def own_years(self) -> range:
        return range(self.start.year, self.end.year + 1)

    def years(self, today: dt.date) -> range:
        """The yearly files a matter counted in the period may be in: from the year before
        the period (a matter registered then, open at its end) to this year."""
        return range(self.start.year - 1, max(today.year, self.end.year) + 1)


@dataclass(frozen=True)
class Counted:
    """What one number of the tally counts: documents of one table, by id."""

    table: str
    ids: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.ids)


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _counted(table: str, ids: Iterable[int]) -> Counted:
    return Counted(table, tuple(sorted(set(ids))))


@dataclass
class _Reading:
    """One count's reads, shared by its parts: each table's rows of the period once."""

    reader: Reader
    period: Period
    rules: Rules
    today: dt.date

    def rows(self, table: str, field: str, values: set[str], years: Iterable[int],
             fields: tuple[str, ...] | None = None, **where: Collection[Any]) -> list[dict[str, Any]]:
        return list(self.reader.columns(table, years, where={field: values, **where}, fields=fields))

    def matters(self, ids: set[int]) -> dict[int, dict[str, Any]]:
        """The matters' columns by id (of every matter, for a long period)."""
        where = None if len(ids) > BULK else {"id": ids}
        every = self.reader.columns("matters", self.period.years(self.today), where=where, fields=MATTER_FIELDS)
        found = {r["id"]: r for r in every if r["id"] in ids}
        for matter_id in ids - found.keys():  # registered before the years the period reaches
            doc = self.reader.get("matters", matter_id)
            if doc is not None:
                found[matter_id] = doc
        return found


def members(reader: Reader, period: Period, rules: Rules, today: dt.date) -> dict[str, Counted]:
    """What each number of the tally counts, by the number's dotted key (`by_category.land`)."""
    return _gather(_Reading(reader, period, rules, today))[0]


def tally(reader: Reader, period: Period, rules: Rules, today: dt.date) -> dict[str, Any]:
    """The TALLY.md object for `period` (TALLY.md's keys, in its order)."""
    found, heads = _gather(_Reading(reader, period, rules, today))
    return counts(period, found, heads)


def counted(reader: Reader, period: Period, rules: Rules,
            today: dt.date) -> tuple[dict[str, Any], dict[str, Counted]]:
    """The TALLY.md object and what each of its numbers counts, gathered once: a day's
    close-out stores both, and compares both."""
    found, heads = _gather(_Reading(reader, period, rules, today))
    return counts(period, found, heads), found


def _gather(reading: _Reading) -> tuple[dict[str, Counted], dict[int, int]]:
    """The members of every number, and each visit's head count (persons are summed)."""
    period = reading.period
    visits = reading.rows("visits", DAY, period.iso_days(), period.own_years())
    events = reading.rows("events", DAY, period.iso_days(), period.own_years(), EVENT_FIELDS, kind=COUNTED_ACTS)
    matters = reading.matters({v["matter_id"] for v in visits} | {e["matter_id"] for e in events})
    found: dict[str, Counted] = {}
    found |= _visit_members(visits)
    found |= _matter_members(visits, matters)
    found |= _referral_members(reading)
    found |= _acceptance_members(reading, events, matters)
    found |= _closing_members(reading, events, matters)
    found |= {f"warnings.{c}": _counted("matters", ids) for c, ids in colours_at_end(reading).items()}
    found |= _meeting_members(reading)
    found |= _supervision_members(reading)
    found |= _follow_up_members(events)
    return found, {v["id"]: v["persons"] for v in visits}


def _visit_members(visits: list[dict[str, Any]]) -> dict[str, Counted]:
    groups = [v for v in visits if v["persons"] >= GROUP_MIN_PERSONS]
    every = _counted("visits", (v["id"] for v in visits))
    return {
        "batches": every, "persons": every,
        "first_visits": _counted("visits", (v["id"] for v in visits if v["kind"] == VisitKind.FIRST.value)),
        "repeat_visits": _counted("visits", (v["id"] for v in visits if v["kind"] == VisitKind.REPEAT.value)),
        "group_batches": _counted("visits", (v["id"] for v in groups)),
        "group_persons": _counted("visits", (v["id"] for v in groups)),
        "skip_level_visits": _counted("visits", (v["id"] for v in visits if v["skip_level"])),
    }


def _matter_members(visits: list[dict[str, Any]], matters: dict[int, dict[str, Any]]) -> dict[str, Counted]:
    """New matters are those whose first visit is in the period; every visit counts under
    its matter's category."""
    new = {v["matter_id"] for v in visits if v["kind"] == VisitKind.FIRST.value}
    by_category: dict[str, list[int]] = defaultdict(list)
    for visit in visits:
        by_category[matters[visit["matter_id"]]["category"]].append(visit["id"])
    by_track: dict[str, list[int]] = defaultdict(list)
    for matter_id in new:
        by_track[matters[matter_id]["track"]].append(matter_id)
    found = {"new_matters": _counted("matters", new)}
    found |= {f"by_category.{c}": _counted("visits", ids) for c, ids in sorted(by_category.items())}
    found |= {f"by_track.{t.value}": _counted("matters", by_track.get(t.value, ())) for t in Track}
    return found


def _referral_members(reading: _Reading) -> dict[str, Counted]:
    """Referrals made in the period, by the station's kind as it was: a booking made ahead
    for a leader's day is not a referral to a station."""
    rows = reading.rows("referrals", DAY.replace("at", "referred_at"), reading.period.iso_days(),
                        reading.period.own_years())
    return {f"referrals.{kind}": _counted("referrals", (r["id"] for r in rows if r["station_kind"] == kind))
            for kind in TALLIED_STATIONS}


def _acceptance_members(reading: _Reading, events: list[dict[str, Any]],
                        matters: dict[int, dict[str, Any]]) -> dict[str, Counted]:
    accepts = [e for e in events if e["kind"] == "accept"]
    on_time = [e["matter_id"] for e in accepts
               if e[DAY] <= (_stopped_due(reading, e, ClockKind.ACCEPTANCE)
                             or str(matters[e["matter_id"]]["acceptance_due"]))]
    return {"accepted": _counted("matters", (e["matter_id"] for e in accepts)),
            "accepted_on_time": _counted("matters", on_time)}


def _stopped_due(reading: _Reading, row: dict[str, Any], kind: ClockKind) -> str | None:
    """The due day of the clock of `kind` the event stopped, as it stood then: from its
    column, or (an entry written before the column existed) from the entry itself."""
    if row["data.stopped_due"] is not None:
        return row["data.stopped_due"].get(kind.value)
    if row["data.status"] is None:
        return None
    event = Event.from_doc(reading.reader.get("events", row["id"]))  # type: ignore[arg-type]
    for raw, due in zip(event.data.get("stopped", ()), event.data.get("due", ()), strict=False):
        if raw.get("kind") == kind.value:
            return due
    return None


def _closing_members(reading: _Reading, events: list[dict[str, Any]],
                     matters: dict[int, dict[str, Any]]) -> dict[str, Counted]:
    closes = [e for e in events if e["kind"] in CLOSINGS]
    timelines = _timelines(reading, {e["matter_id"] for e in closes})
    same_day, on_time, at_once = [], [], []
    for close in closes:
        matter = matters[close["matter_id"]]
        earlier = [e for e in timelines.get(close["matter_id"], ()) if order(e) <= order(close)]
        first_day = str(matter["registered_at"])[:10]
        if close[DAY] == first_day:
            same_day.append(close["matter_id"])
        due = first_day if matter["track"] == Track.SIMPLE.value else _handling_due(reading, earlier)
        if due is not None and close[DAY] <= due:
            on_time.append(close["matter_id"])
        if not any(e["kind"] in NOT_AT_ONCE for e in earlier):
            at_once.append(close["matter_id"])
    return {"closed": _counted("matters", (e["matter_id"] for e in closes)),
            "closed_same_day": _counted("matters", same_day), "closed_on_time": _counted("matters", on_time),
            "resolved_at_once": _counted("matters", at_once)}


def _timelines(reading: _Reading, matter_ids: set[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if matter_ids:
        years = reading.period.years(reading.today)
        # Only the reply stops the handling clock; the others spoil "at one time".
        where = {"matter_id": matter_ids, "kind": ("reply", *NOT_AT_ONCE)}
        for row in reading.reader.columns("events", years, where=where, fields=EVENT_FIELDS):
            found[row["matter_id"]].append(row)
    return {m: sorted(rows, key=order) for m, rows in found.items()}


def _handling_due(reading: _Reading, earlier: list[dict[str, Any]]) -> str | None:
    """The handling deadline (acceptance + limit + an approved extension) as the last act
    before the close that stopped it (the reply) found it."""
    due = None
    for row in earlier:
        if row["kind"] == "reply":
            due = _stopped_due(reading, row, ClockKind.HANDLING) or due
    return due


def _meeting_members(reading: _Reading) -> dict[str, Counted]:
    """The three meetings: planned in the period (not cancelled by its end), held in it,
    and planned on or before its end but neither held nor cancelled by then."""
    period, end = reading.period, reading.period.end.isoformat()
    days = period.iso_days()

    def rows(field: str, wanted: Collection[Any]) -> list[dict[str, Any]]:
        where = {field: wanted, "kind": [k.value for k in THREE_MEETINGS]}
        return list(reading.reader.columns("meetings", where=where, fields=MEETING_FIELDS))

    def standing(row: dict[str, Any]) -> bool:
        cancelled = _cancelled_on(row)
        return cancelled is None or cancelled > end

    # Not held by the end: never held (planned, or cancelled after it), or held after it.
    waiting = rows("state", [MeetingState.PLANNED.value, MeetingState.CANCELLED.value]) + rows(HELD, _Later(end))
    return {"meetings.due": _counted("meetings", (r["id"] for r in rows("day", days) if standing(r))),
            "meetings.done": _counted("meetings", (r["id"] for r in rows(HELD, days))),
            "meetings.overdue": _counted("meetings", (r["id"] for r in waiting
                                                      if str(r["day"]) <= end and standing(r)))}


def _cancelled_on(row: dict[str, Any]) -> str | None:
    """The day a meeting was cancelled; "" for one cancelled before the day was kept."""
    if row["state"] != MeetingState.CANCELLED.value:
        return None
    return row["cancelled_at[:10]"] or ""


@dataclass(frozen=True)
class _Later:
    """Every day after `day`, as a `where` of the store's columns (which asks `in`)."""

    day: str

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and value > self.day


def _supervision_members(reading: _Reading) -> dict[str, Counted]:
    rows = list(reading.reader.columns("supervisions", where={"day": reading.period.iso_days()}))
    return {f"supervisions.{k.value}": _counted("supervisions", (r["id"] for r in rows if r["kind"] == k.value))
            for k in SupervisionKind}


def _follow_up_members(events: list[dict[str, Any]]) -> dict[str, Counted]:
    evaluations = [e for e in events if e["kind"] == "evaluate"]
    found = {"replied": _counted("matters", (e["matter_id"] for e in events if e["kind"] in REPLIES)),
             "evaluated": _counted("events", (e["id"] for e in evaluations))}
    for value in Evaluation:
        found[value.value] = _counted("events", (e["id"] for e in evaluations
                                                 if e["data.inputs.evaluation"] == value.value))
    return found


def counts(period: Period, found: dict[str, Counted], heads: dict[int, int]) -> dict[str, Any]:
    """The TALLY.md object from the members: each number is the size of its set (persons:
    the head counts of its visits)."""
    result: dict[str, Any] = {"period": {"from": period.start.isoformat(), "to": period.end.isoformat()}}
    for key in ("batches", "persons", "first_visits", "repeat_visits", "group_batches", "group_persons",
                "skip_level_visits", "new_matters"):
        result[key] = sum(heads[v] for v in found[key].ids) if key.endswith("persons") else len(found[key])
    result["by_category"] = _nested(found, "by_category")
    result["by_track"] = _nested(found, "by_track")
    result["referrals"] = _nested(found, "referrals")
    for key in ("accepted", "accepted_on_time", "closed", "closed_same_day", "closed_on_time"):
        result[key] = len(found[key])
    result["warnings"] = _nested(found, "warnings")
    result["meetings"] = _nested(found, "meetings")
    result["supervisions"] = _nested(found, "supervisions")
    for key in ("replied", "evaluated", "satisfied", "basically_satisfied", "dissatisfied"):
        result[key] = len(found[key])
    return result | _rates(result, len(found["resolved_at_once"]))


def _nested(found: dict[str, Counted], group: str) -> dict[str, int]:
    prefix = group + "."
    return {key[len(prefix):]: len(ids) for key, ids in found.items() if key.startswith(prefix)}


def _rates(counts: dict[str, Any], at_once: int) -> dict[str, Any]:
    return {
        "timely_acceptance_rate": rate(counts["accepted_on_time"], counts["accepted"]),
        "on_time_closing_rate": rate(counts["closed_on_time"], counts["closed"]),
        "evaluation_rate": rate(counts["evaluated"], counts["replied"]),
        "satisfaction_rate": rate(counts["satisfied"] + counts["basically_satisfied"], counts["evaluated"]),
        "one_time_resolution_rate": rate(at_once, counts["closed"]),
    }
