"""The periods a supervisor looks at: a day, a week (Monday to Sunday), a month, or a range
of their own, moved back and forth a whole period at a time, and compared with the period
before and the same days a year earlier.

A period that has not ended yet is counted to today, and its comparisons are cut to the
same length: the 1st to the 24th of this month against the 1st to the 24th of the last
month, never against a whole month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from desk.tally.report import Period


class Unit(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Span:
    """A whole period of `unit` (a custom one is its own range)."""

    unit: Unit
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def span(unit: Unit, day: dt.date) -> Span:
    """The day, week or month that holds `day` (a custom unit is that one day)."""
    if unit is Unit.WEEK:
        start = day - dt.timedelta(days=day.weekday())
        return Span(unit, start, start + dt.timedelta(days=6))
    if unit is Unit.MONTH:
        start = day.replace(day=1)
        return Span(unit, start, _month_end(start))
    return Span(unit, day, day)


def _month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def shifted(s: Span, steps: int) -> Span:
    """The period `steps` whole periods later (earlier when negative)."""
    if s.unit is Unit.MONTH:
        index = s.start.year * 12 + s.start.month - 1 + steps
        return span(Unit.MONTH, dt.date(index // 12, index % 12 + 1, 1))
    if s.unit is Unit.CUSTOM:
        move = dt.timedelta(days=s.days * steps)
        return Span(s.unit, s.start + move, s.end + move)
    move = dt.timedelta(days=(7 if s.unit is Unit.WEEK else 1) * steps)
    return Span(s.unit, s.start + move, s.end + move)


def counted(s: Span, today: dt.date) -> Period:
    """What is counted of `s`: up to today when it has not ended yet."""
    return Period(s.start, min(s.end, today))


def _cut(s: Span, days: int) -> Period:
    return Period(s.start, min(s.end, s.start + dt.timedelta(days=days - 1)))


def previous(s: Span, today: dt.date) -> Period:
    """The period before, as long as the part of `s` counted (a month to date against the
    same days of the month before)."""
    shown = counted(s, today)
    return _cut(shifted(s, -1), (shown.end - shown.start).days + 1)


def a_year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February: the 28th a year earlier
        return day.replace(year=day.year - 1, day=28)


def last_year(s: Span, today: dt.date) -> Period:
    """The same days a year earlier."""
    shown = counted(s, today)
    return Period(a_year_earlier(shown.start), a_year_earlier(shown.end))
