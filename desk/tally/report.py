"""The tally object of ../shared/TALLY.md, counted from the records.

Counts of things done (visits, acts, meetings, supervision entries) are taken from the
records dated in the period; states and colours are taken as they stood at the end of the
period, from each matter's timeline (every act's entry keeps the status and the clocks it
left), so that a period counted again gives the same numbers whatever happened since.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from desk.deadlines import Rules, Warning, deadlines, row_clocks, urgency
from desk.lifecycle.records import ClockKind
from desk.meetings.records import THREE_MEETINGS, Meeting, MeetingState, Supervision
from desk.models import Event, Matter, Status, Track, Visit, VisitKind, legacy_clocks
from desk.referral.records import Referral, StationKind
from desk.store import Reader

TALLIED_STATIONS = tuple(k.value for k in StationKind if k is not StationKind.LEADER)
REPLIES = ("reply", "answer_review", "answer_reexamination")
CLOSINGS = ("close", "closed")  # "closed": a simple matter closed on the spot before lifecycles


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def days(self) -> Iterator[dt.date]:
        day = self.start
        while day <= self.end:
            yield day
            day += dt.timedelta(days=1)

    def holds(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def years(self, today: dt.date) -> range:
        """The yearly files a matter counted in the period may be in: from the year before
        the period (a matter registered then, open at its end) to this year."""
        return range(self.start.year - 1, max(today.year, self.end.year) + 1)


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _visits(reader: Reader, period: Period) -> list[Visit]:
    return [Visit.from_doc(d) for day in period.days() for d in reader.find("visits", "at[:10]", day.isoformat())]


def _events(reader: Reader, days: Iterable[dt.date]) -> list[Event]:
    return [Event.from_doc(d) for day in days for d in reader.find("events", "at[:10]", day.isoformat())]


def _matter(reader: Reader, matter_id: int, cache: dict[int, Matter]) -> Matter:
    if matter_id not in cache:
        cache[matter_id] = Matter.from_doc(reader.get("matters", matter_id))  # type: ignore[arg-type]
    return cache[matter_id]


def _stopped_due(event: Event, kind: ClockKind) -> dt.date | None:
    """The due day of the clock of `kind` that `event` stopped, as it stood then."""
    for raw, due in zip(event.data.get("stopped", ()), event.data.get("due", ()), strict=False):
        if raw.get("kind") == kind.value:
            return dt.date.fromisoformat(due)
    return None


def tally(reader: Reader, period: Period, rules: Rules, today: dt.date) -> dict[str, Any]:
    """The TALLY.md object for `period` (TALLY.md's keys, in its order)."""
    cache: dict[int, Matter] = {}
    visits = _visits(reader, period)
    events = _events(reader, period.days())
    result: dict[str, Any] = {"period": {"from": period.start.isoformat(), "to": period.end.isoformat()}}
    result |= _visit_counts(visits)
    result |= _matter_counts(reader, visits, cache)
    result["referrals"] = _referrals(reader, period)
    result |= _acceptance(events, reader, cache)
    result |= _closing(reader, events, cache)
    result["warnings"] = _warnings(reader, period, rules, today)
    result["meetings"] = _meetings(reader, period)
    result["supervisions"] = _supervisions(reader, period)
    result |= _follow_up(events)
    result |= _rates(result, reader, events, cache)
    return result


def _visit_counts(visits: list[Visit]) -> dict[str, int]:
    groups = [v for v in visits if v.group]
    return {
        "batches": len(visits),
        "persons": sum(v.persons for v in visits),
        "first_visits": sum(v.kind is VisitKind.FIRST for v in visits),
        "repeat_visits": sum(v.kind is VisitKind.REPEAT for v in visits),
        "group_batches": len(groups),
        "group_persons": sum(v.persons for v in groups),
        "skip_level_visits": sum(v.skip_level for v in visits),
    }


def _matter_counts(reader: Reader, visits: list[Visit], cache: dict[int, Matter]) -> dict[str, Any]:
    """New matters are those whose first visit is in the period; every visit counts under
    its matter's category."""
    new = {v.matter_id for v in visits if v.kind is VisitKind.FIRST}
    by_category = Counter(_matter(reader, v.matter_id, cache).category for v in visits)
    by_track = Counter(_matter(reader, m, cache).track.value for m in new)
    return {"new_matters": len(new), "by_category": dict(sorted(by_category.items())),
            "by_track": {t.value: by_track.get(t.value, 0) for t in Track}}


def _referrals(reader: Reader, period: Period) -> dict[str, int]:
    """Referrals made in the period, by the station's kind as it was: a booking made ahead
    for a leader's day is not a referral to a station."""
    counted = Counter()
    for day in period.days():
        for doc in reader.find("referrals", "day", day.isoformat()):
            ref = Referral.from_doc(doc)
            if period.holds(ref.referred_at.date()) and ref.station_kind.value in TALLIED_STATIONS:
                counted[ref.station_kind.value] += 1
    return {kind: counted.get(kind, 0) for kind in TALLIED_STATIONS}


def _acceptance(events: list[Event], reader: Reader, cache: dict[int, Matter]) -> dict[str, int]:
    accepts = [e for e in events if e.kind == "accept"]
    on_time = 0
    for event in accepts:
        due = _stopped_due(event, ClockKind.ACCEPTANCE) or _matter(reader, event.matter_id, cache).acceptance_due
        on_time += event.at.date() <= due
    return {"accepted": len(accepts), "accepted_on_time": on_time}


def _closing(reader: Reader, events: list[Event], cache: dict[int, Matter]) -> dict[str, int]:
    closes = [e for e in events if e.kind in CLOSINGS]
    same_day = on_time = 0
    for event in closes:
        matter = _matter(reader, event.matter_id, cache)
        first = matter.registered_at.date()
        same_day += event.at.date() == first
        if matter.track is Track.SIMPLE:
            on_time += event.at.date() == first
        else:
            due = _handling_due(reader, matter, event)
            on_time += due is not None and event.at.date() <= due
    return {"closed": len(closes), "closed_same_day": same_day, "closed_on_time": on_time}


def _handling_due(reader: Reader, matter: Matter, close: Event) -> dt.date | None:
    """The handling deadline (acceptance + limit + an approved extension) the latest reply
    before the close stopped."""
    timeline = sorted((Event.from_doc(d) for d in reader.find("events", "matter_id", matter.id)),
                      key=lambda e: (e.at, e.id))
    due = None
    for event in timeline:
        if (event.at, event.id) > (close.at, close.id):
            break
        due = _stopped_due(event, ClockKind.HANDLING) or due
    return due


def _warnings(reader: Reader, period: Period, rules: Rules, today: dt.date) -> dict[str, int]:
    """Open matters at the end of the period, by the colour of their nearest deadline then."""
    end = period.end
    since = _events(reader, (end + dt.timedelta(days=n) for n in range(1, (today - end).days + 1)))
    before: dict[int, dict[str, Any] | None] = {}  # the state the first act after the end found
    for event in sorted(since, key=lambda e: (e.at, e.id)):
        if event.matter_id not in before and ("status" in event.data or event.kind == "closed"):
            before[event.matter_id] = event.data.get("was")
    counted = Counter()
    for row in reader.columns("matters", period.years(today)):
        if row["registered_at"][:10] > end.isoformat():
            continue
        if row["id"] in before:
            was = before[row["id"]]
            status, clocks = (was["status"], was["clocks"]) if was else _as_of(reader, row, end)
            row = {**row, "status": status, "clocks": clocks}
        if not Status(row["status"]).is_open:
            continue
        found = deadlines(row_clocks(row), end, rules)
        counted[min(found, key=urgency).warning.value if found else Warning.GREEN.value] += 1
    return {w.value: counted.get(w.value, 0) for w in (Warning.RED, Warning.YELLOW, Warning.GREEN)}


def _as_of(reader: Reader, row: dict[str, Any], end: dt.date) -> tuple[str, list[dict[str, Any]]]:
    """A matter's status and clocks at the end of `end`, from its timeline: the last act's
    entry on or before that day, else as registered."""
    matter = Matter.from_doc(reader.get("matters", row["id"]))  # type: ignore[arg-type]
    status, clocks = Status.REGISTERED.value, legacy_clocks("registered", row["registered_at"], row["acceptance_due"])
    timeline = sorted((Event.from_doc(d) for d in reader.find("events", "matter_id", matter.id)),
                      key=lambda e: (e.at, e.id))
    for event in timeline:
        if event.at.date() > end:
            break
        if "status" in event.data:
            status, clocks = event.data["status"], event.data.get("clocks", [])
        elif event.kind == "closed":
            status, clocks = Status.CLOSED.value, []
    return status, clocks


def _meetings(reader: Reader, period: Period) -> dict[str, int]:
    """The three meetings: planned in the period (not cancelled), held in it, and planned on
    or before its end but not held (nor cancelled) by then."""
    due = done = overdue = 0
    end = period.end
    for doc in reader.scan("meetings"):
        meeting = Meeting.from_doc(doc)
        if meeting.kind not in THREE_MEETINGS:
            continue
        held = meeting.held_at.date() if meeting.held_at else None
        cancelled = meeting.cancelled_at.date() if meeting.cancelled_at else None
        due += period.holds(meeting.day) and meeting.state is not MeetingState.CANCELLED
        done += held is not None and period.holds(held)
        overdue += (meeting.day <= end and (held is None or held > end)
                    and (cancelled is None or cancelled > end))
    return {"due": due, "done": done, "overdue": overdue}


def _supervisions(reader: Reader, period: Period) -> dict[str, int]:
    counted = Counter(Supervision.from_doc(d).kind.value for d in reader.scan("supervisions")
                      if period.holds(dt.date.fromisoformat(d["day"])))
    return {"written": counted.get("written", 0), "phone": counted.get("phone", 0)}


def _follow_up(events: list[Event]) -> dict[str, int]:
    replied = {e.matter_id for e in events if e.kind in REPLIES}
    values = Counter(e.data.get("inputs", {}).get("evaluation") for e in events if e.kind == "evaluate")
    return {"replied": len(replied), "evaluated": sum(values.values()), "satisfied": values.get("satisfied", 0),
            "basically_satisfied": values.get("basically_satisfied", 0), "dissatisfied": values.get("dissatisfied", 0)}


def _rates(counts: dict[str, Any], reader: Reader, events: list[Event], cache: dict[int, Matter]) -> dict[str, Any]:
    closes = [e for e in events if e.kind in CLOSINGS]
    at_once = sum(_resolved_at_once(reader, e) for e in closes)
    return {
        "timely_acceptance_rate": rate(counts["accepted_on_time"], counts["accepted"]),
        "on_time_closing_rate": rate(counts["closed_on_time"], counts["closed"]),
        "evaluation_rate": rate(counts["evaluated"], counts["replied"]),
        "satisfaction_rate": rate(counts["satisfied"] + counts["basically_satisfied"], counts["evaluated"]),
        "one_time_resolution_rate": rate(at_once, len(closes)),
    }


def _resolved_at_once(reader: Reader, close: Event) -> bool:
    """Closed with no repeat visit, no review and no re-examination before the close."""
    for doc in reader.find("events", "matter_id", close.matter_id):
        event = Event.from_doc(doc)
        if (event.at, event.id) <= (close.at, close.id) and event.kind in (
                "repeat_visit", "request_review", "request_reexamination"):
            return False
    return True


# -- STAND-IN until the [members] commit lands on main: a partial members() so the
# close-out can be built and tested; main's version replaces this block on merge.


@dataclass(frozen=True)
class Counted:
    table: str
    ids: tuple[int, ...]


def members(reader: Reader, period: Period, rules: Rules, today: dt.date) -> dict[str, Counted]:
    visits = _visits(reader, period)
    events = _events(reader, period.days())
    cache: dict[int, Matter] = {}

    def v(keep) -> Counted:
        return Counted("visits", tuple(sorted(x.id for x in visits if keep(x))))

    found = {"batches": v(lambda x: True), "persons": v(lambda x: True),
             "first_visits": v(lambda x: x.kind is VisitKind.FIRST),
             "repeat_visits": v(lambda x: x.kind is VisitKind.REPEAT),
             "group_batches": v(lambda x: x.group), "group_persons": v(lambda x: x.group),
             "skip_level_visits": v(lambda x: x.skip_level),
             "new_matters": Counted("matters", tuple(sorted({x.matter_id for x in visits
                                                              if x.kind is VisitKind.FIRST})))}
    for category in {_matter(reader, x.matter_id, cache).category for x in visits}:
        found[f"by_category.{category}"] = v(lambda x, c=category: _matter(reader, x.matter_id, cache).category == c)
    found["closed"] = Counted("matters", tuple(sorted(e.matter_id for e in events if e.kind in CLOSINGS)))
    found["accepted"] = Counted("matters", tuple(sorted(e.matter_id for e in events if e.kind == "accept")))
    entries = [d for d in reader.scan("supervisions") if period.holds(dt.date.fromisoformat(d["day"]))]
    for kind in ("written", "phone"):
        found[f"supervisions.{kind}"] = Counted("supervisions", tuple(sorted(d["id"] for d in entries
                                                                             if d["kind"] == kind)))
    return found
