"""Time limits on the working-day calendar, and the red / yellow / green warning (红黄绿预警).

A matter carries its running clocks (a start, a number of days, a unit); the due day is
counted when it is read, so a holiday the hall adds later moves every deadline it touches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from desk.lifecycle.calendar import Calendar, DayUnit, Due
from desk.lifecycle.records import Clock, ClockKind
from desk.models import Matter, Status, Track, legacy_clocks
from desk.settings import Settings


class Warning(StrEnum):  # noqa: A001 - the glossary's name
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


@dataclass(frozen=True)
class Rules:
    """The settings and the working-day calendar, which every deadline needs together."""

    settings: Settings
    calendar: Calendar

    def clock(self, kind: ClockKind, start: dt.date, limit: str) -> Clock:
        days, unit = self.settings.limit(limit)
        return Clock(kind, start, days, unit)

    def due(self, clock: Clock) -> Due:
        return self.calendar.add(clock.start, clock.days, clock.unit)


@dataclass(frozen=True)
class Deadline:
    clock: Clock
    due: Due
    left: int  # days left in the clock's unit; negative when overdue
    warning: Warning


def registration_clock(registered: dt.date, track: Track, rules: Rules) -> Clock:
    """Simple matters are settled the same day; others must be accepted or refused in 15 days."""
    if track is Track.SIMPLE:
        return Clock(ClockKind.SAME_DAY, registered, 0)
    return rules.clock(ClockKind.ACCEPTANCE, registered, "acceptance")


def _colour(left: int, yellow_days: int) -> Warning:
    if left < 0:
        return Warning.RED
    return Warning.YELLOW if left <= yellow_days else Warning.GREEN


def deadlines(clocks: Iterable[Clock], today: dt.date, rules: Rules) -> list[Deadline]:
    """The open deadlines, nearest first. A window that has passed is shut, not overdue:
    it was the visitor's to use."""
    found = []
    for clock in clocks:
        due = rules.due(clock)
        left = rules.calendar.days_left(today, due.day, clock.unit)
        if left < 0 and clock.window:
            continue
        found.append(Deadline(clock, due, left, _colour(left, rules.settings.yellow_days)))
    return sorted(found, key=lambda d: (d.due.day, d.left))


def nearest(matter: Matter, today: dt.date, rules: Rules) -> Deadline | None:
    """The deadline that colours the matter: an overdue one first, else the nearest."""
    if not matter.is_open:
        return None
    found = deadlines(matter.clocks, today, rules)
    return min(found, key=urgency) if found else None


def urgency(deadline: Deadline) -> tuple[int, dt.date]:
    return (0 if deadline.warning is Warning.RED else 1, deadline.due.day)


def warning(matter: Matter, today: dt.date, rules: Rules) -> Warning | None:
    if not matter.is_open:
        return None
    found = nearest(matter, today, rules)
    return found.warning if found else Warning.GREEN


def evaluation_lapsed(matter: Matter, today: dt.date, rules: Rules) -> bool:
    """超期未评价: replied, not evaluated, and the evaluation window has passed."""
    if matter.status is not Status.REPLIED or matter.evaluated is not None:
        return False
    for clock in matter.clocks:
        if clock.kind is ClockKind.EVALUATION:
            return rules.calendar.days_left(today, rules.due(clock).day, clock.unit) < 0
    return False


OPEN_STATUSES = frozenset(s.value for s in Status if s.is_open)  # for `columns(where=...)`
_UNITS = {u.value: u for u in DayUnit}
_WINDOWS = frozenset(k.value for k in ClockKind if Clock(k, dt.date.min, 0).window)


def _raw_clocks(row: dict[str, Any]) -> list[dict[str, Any]]:
    clocks = row["clocks"]
    if clocks is None:  # a schema-1 matter
        clocks = legacy_clocks(row["status"], row["registered_at"], row["acceptance_due"])
    return clocks


def _most_urgent(raw_clocks: list[dict[str, Any]], today: dt.date, rules: Rules
                 ) -> tuple[int, dt.date, dict[str, Any]] | None:
    """(days left, due day, the clock as stored) of the deadline that colours a row: as
    `nearest` chooses, without making a Deadline of every clock (a list colours thousands)."""
    calendar, best, best_key = rules.calendar, None, None
    for raw in raw_clocks:
        unit = raw["unit"]
        due = calendar.add_stored(raw["start"], raw["days"], unit).day
        left = (due - today).days if unit == "calendar" else calendar.days_left(today, due, _UNITS[unit])
        if left < 0 and raw["kind"] in _WINDOWS:
            continue  # a window that has passed is shut, not overdue
        key = (0 if left < 0 else 1, due, left)
        if best_key is None or key < best_key:
            best, best_key = (left, due, raw), key
    return best


def row_urgency(row: dict[str, Any], today: dt.date, rules: Rules) -> tuple[Warning, dt.date, Any]:
    """(colour, due day, a token for `row_nearest`) of a row's nearest deadline: cheap enough
    to sort thousands of rows by, before making a Deadline of the few shown."""
    found = _most_urgent(_raw_clocks(row), today, rules)
    if found is None:
        return Warning.GREEN, dt.date.max, None
    return _colour(found[0], rules.settings.yellow_days), found[1], found


def row_nearest(row: dict[str, Any], today: dt.date, rules: Rules, token: Any = ...) -> Deadline | None:
    """The deadline that colours a matter, from a list's columns of it (COLUMNS)."""
    found = _most_urgent(_raw_clocks(row), today, rules) if token is ... else token
    if found is None:
        return None
    left, _, raw = found
    clock = _clock(raw)
    return Deadline(clock, rules.due(clock), left, _colour(left, rules.settings.yellow_days))


def _clock(raw: dict[str, Any]) -> Clock:
    # By hand, not through the generic codec: a list colours thousands of rows at once.
    return Clock(ClockKind(raw["kind"]), dt.date.fromisoformat(raw["start"]), raw["days"], DayUnit(raw["unit"]))


def row_clocks(row: dict[str, Any]) -> list[Clock]:
    """The clocks from a list's columns of a matter (COLUMNS), without reading it."""
    return [_clock(c) for c in _raw_clocks(row)]


def row_warning(row: dict[str, Any], today: dt.date, rules: Rules) -> Warning | None:
    if row["status"] not in OPEN_STATUSES:
        return None
    found = _most_urgent(_raw_clocks(row), today, rules)
    return _colour(found[0], rules.settings.yellow_days) if found else Warning.GREEN
