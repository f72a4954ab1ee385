"""The working-day calendar: China's public holidays and make-up working days (调休), as
the State Council announces them each year, corrected and extended by the hall.

The State Council's schedules come from the `chinesecalendar` package, which knows each
year in full (holidays and make-up working days) once the schedule is published, and
refuses the years it has not got. A hall corrects any day (a holiday added or removed, a
make-up Saturday) and, once it has entered a year the package does not know yet, declares
it complete. A working-day limit that runs through a year nobody knows counts only
weekends as days off, and says so (`Due.estimated`).

`Calendar` is a value: built once per revision of the hall's corrections (`load_calendar`
caches it) and then only read, so the thousands of deadlines a list colours cost a
bisection each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any

from desk.errors import DeskError
from desk.store import Reader, Transaction

TABLE = "calendar"  # one document: the hall's corrections (a common table, not a yearly one)
CALENDAR_ID = 1
# Years a correction or a `show` may name: a typo such as 0226 or 2206 is refused, not stored.
FIRST_YEAR, LAST_YEAR = 2000, 2099


class DayUnit(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"


class DayKind(StrEnum):
    """What a day is beyond its weekday: a public holiday (a day off even on a weekday), a
    make-up working day (a working day even on a weekend), or plain (Monday to Friday work)."""

    HOLIDAY = "holiday"
    WORKDAY = "workday"
    PLAIN = "plain"


class Source(StrEnum):
    LIBRARY = "library"  # the State Council's schedule, from chinesecalendar
    HALL = "hall"  # the hall's correction


@dataclass(frozen=True)
class Due:
    day: dt.date
    estimated: bool  # counted over a year the calendar does not know (weekends only)


# -- the State Council's schedules ---------------------------------------------------------


@dataclass(frozen=True)
class _Library:
    first: int
    last: int
    days: dict[dt.date, tuple[DayKind, str]]  # date -> (kind, festival code such as "national_day")
    version: str


@cache
def library() -> _Library:
    """chinesecalendar's data, read once. Its names are English values of its `Holiday`
    enum; the festival code is the member's name, which the catalogs label."""
    import chinese_calendar

    codes = {h.value: h.name for h in chinese_calendar.Holiday}
    days: dict[dt.date, tuple[DayKind, str]] = {}
    for day, name in chinese_calendar.holidays.items():
        days[day] = (DayKind.HOLIDAY, codes.get(name, name))
    for day, name in chinese_calendar.workdays.items():
        days[day] = (DayKind.WORKDAY, codes.get(name, name))
    years = [d.year for d in chinese_calendar.holidays]
    return _Library(min(years), max(years), days, chinese_calendar.__version__)


# -- the hall's corrections ------------------------------------------------------------------


@dataclass(frozen=True)
class Corrections:
    """The hall's own word on single days, over the library's, and the years it has entered
    in full. A day set to PLAIN cancels the library's entry for it (the weekday rule holds)."""

    days: tuple[tuple[dt.date, DayKind], ...] = ()  # sorted by date, one entry a day
    complete: tuple[int, ...] = ()  # sorted
    rev: int = 0

    def to_doc(self) -> dict[str, Any]:
        return {"id": CALENDAR_ID, "rev": self.rev, "days": {d.isoformat(): k.value for d, k in self.days},
                "complete": list(self.complete)}

    @classmethod
    def from_doc(cls, doc: dict[str, Any] | None) -> Corrections:
        if doc is None:
            return cls()
        days = sorted((dt.date.fromisoformat(d), DayKind(k)) for d, k in (doc.get("days") or {}).items())
        return cls(tuple(days), tuple(sorted(doc.get("complete") or ())), doc.get("rev", 0))

    def overrides(self) -> dict[dt.date, DayKind]:
        return dict(self.days)

    def with_days(self, overrides: dict[dt.date, DayKind]) -> Corrections:
        return Corrections(tuple(sorted(overrides.items())), self.complete, self.rev)

    def with_complete(self, years: Iterable[int]) -> Corrections:
        return Corrections(self.days, tuple(sorted(set(years))), self.rev)


def load_corrections(reader: Reader) -> Corrections:
    return Corrections.from_doc(reader.get(TABLE, CALENDAR_ID))


def save_corrections(txn: Transaction, corrections: Corrections) -> Corrections:
    """Revision 0 (never saved) is created under CALENDAR_ID, and refused like a stale
    revision when another desk created it first, as the settings are."""
    return Corrections.from_doc(txn.update(TABLE, corrections.to_doc()))


def load_calendar(reader: Reader) -> Calendar:
    """The calendar with the hall's current corrections; the same object while they do not change."""
    return calendar_for(load_corrections(reader))


@lru_cache(maxsize=8)
def calendar_for(corrections: Corrections) -> Calendar:
    return Calendar(corrections)


# -- the calendar ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A day of a year that is not plain, or that the hall corrected: for `desk calendar show`."""

    day: dt.date
    kind: DayKind
    source: Source
    festival: str = ""  # the library's festival code, when it names one
    was: DayKind | None = None  # what the library said, when the hall changed it


class Calendar:
    """Whether a day is a working day, and deadlines counted in calendar or working days.
    Read-only once built; the per-year tables and the memo of deadlines fill as they are asked."""

    def __init__(self, corrections: Corrections = Corrections()) -> None:  # noqa: B008 - frozen
        self.corrections = corrections
        self._library = library()
        self._overrides = corrections.overrides()
        self._complete = frozenset(corrections.complete)
        self._years: dict[int, _Year] = {}
        self._due: dict[tuple[dt.date, int, DayUnit], Due] = {}
        self._due_stored: dict[tuple[str, int, str], Due] = {}
        self._spans: dict[tuple[int, int], int] = {}

    # -- single days --------------------------------------------------------------------

    def library_knows(self, year: int) -> bool:
        return self._library.first <= year <= self._library.last

    def knows(self, year: int) -> bool:
        """The library has the State Council's schedule for it, or the hall declared it complete."""
        return self.library_knows(year) or year in self._complete

    def declared_complete(self, year: int) -> bool:
        return year in self._complete

    def unknown_years(self, years: Iterable[int]) -> list[int]:
        return sorted({y for y in years if not self.knows(y)})

    def library_kind(self, day: dt.date) -> DayKind:
        entry = self._library.days.get(day)
        return entry[0] if entry else DayKind.PLAIN

    def kind(self, day: dt.date) -> DayKind:
        """The hall's correction, else the library's, else plain."""
        return self._overrides.get(day) or self.library_kind(day)

    def is_workday(self, day: dt.date) -> bool:
        kind = self.kind(day)
        return kind is DayKind.WORKDAY or (kind is DayKind.PLAIN and day.weekday() < 5)

    def corrected(self, day: dt.date) -> bool:
        return day in self._overrides

    def entries(self, year: int) -> list[Entry]:
        """The year's holidays and make-up working days, and the library entries the hall cancelled."""
        found = []
        day, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        while day <= last:
            library_entry = self._library.days.get(day)
            kind, was = self.kind(day), self.library_kind(day)
            if day in self._overrides:
                found.append(Entry(day, kind, Source.HALL, library_entry[1] if library_entry else "",
                                   was if was is not kind else None))
            elif library_entry:
                found.append(Entry(day, kind, Source.LIBRARY, library_entry[1]))
            day += dt.timedelta(days=1)
        return found

    # -- counting -----------------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        found = self._years.get(year)
        if found is None:
            found = self._years[year] = _Year.of(year, self.is_workday)
        return found

    def add(self, start: dt.date, days: int, unit: DayUnit) -> Due:
        """The day `days` days after `start` (which is not counted); in working days the
        `days`-th working day after it. Zero days is `start` itself (the same-day track)."""
        key = (start, days, unit)
        found = self._due.get(key)
        if found is None:
            found = self._due[key] = self._add(start, days, unit)
        return found

    def add_stored(self, start: str, days: int, unit: str) -> Due:
        """`add` for a clock as a document holds it (ISO start, the unit's value), remembered
        by those values: a list colouring thousands of rows parses none of them twice."""
        key = (start, days, unit)
        found = self._due_stored.get(key)
        if found is None:
            found = self._due_stored[key] = self.add(dt.date.fromisoformat(start), days, DayUnit(unit))
        return found

    def _add(self, start: dt.date, days: int, unit: DayUnit) -> Due:
        if days < 0:
            raise ValueError(f"a limit of {days} days")
        if days == 0 or unit is DayUnit.CALENDAR:
            return Due(start + dt.timedelta(days=days), False)
        year = self._year(start.year)
        at = year.rank[start.toordinal() - year.first] + days - 1  # index of the due day in its year's list
        while at >= len(year.ordinals):
            at -= len(year.ordinals)
            if year.year >= LAST_YEAR + 100:
                raise ValueError(f"{days} working days after {start} is past the calendar's end")
            year = self._year(year.year + 1)
        due = dt.date.fromordinal(year.ordinals[at])
        counted = (start + dt.timedelta(days=1)).year
        return Due(due, any(not self.knows(y) for y in range(counted, due.year + 1)))

    def days_left(self, today: dt.date, due: dt.date, unit: DayUnit) -> int:
        """Calendar days, or working days for a working-day clock: 0 on the due day, and
        negative once it has passed (overdue by its working days, and at least by one, so a
        weekend just after the due day is overdue too)."""
        if unit is DayUnit.CALENDAR:
            return (due - today).days
        early, late = (today, due) if today <= due else (due, today)
        years = self._years
        low = years.get(early.year) or self._year(early.year)
        high = low if late.year == early.year else years.get(late.year) or self._year(late.year)
        # working days in (early, late]
        count = high.rank[late.toordinal() - high.first] - low.rank[early.toordinal() - low.first]
        if high is not low:
            count += self._between(early.year, late.year)
        return count if today <= due else -max(1, count)

    def _between(self, first: int, last: int) -> int:
        """Working days in the years first..last-1."""
        key = (first, last)
        found = self._spans.get(key)
        if found is None:
            found = self._spans[key] = sum(len(self._year(y).ordinals) for y in range(first, last))
        return found

@dataclass(frozen=True)
class _Year:
    """One year's working days: their ordinals, and for each day of the year how many of
    them fall on or before it, so counting between two days is one subtraction."""

    year: int
    first: int  # ordinal of 1 January
    ordinals: list[int]
    rank: list[int]

    @classmethod
    def of(cls, year: int, is_workday: Callable[[dt.date], bool]) -> _Year:
        first, last = dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
        ordinals, rank = [], []
        for ordinal in range(first, last + 1):
            if is_workday(dt.date.fromordinal(ordinal)):
                ordinals.append(ordinal)
            rank.append(len(ordinals))
        return cls(year, first, ordinals, rank)


# -- corrections as the hall makes them ------------------------------------------------------


class Change(StrEnum):
    HOLIDAY_ADD = "holiday_add"
    HOLIDAY_REMOVE = "holiday_remove"
    WORKDAY_ADD = "workday_add"
    WORKDAY_REMOVE = "workday_remove"


@dataclass(frozen=True)
class Outcome:
    day: dt.date
    changed: bool  # False: it already was as asked (the catalog says which way)


@dataclass
class _Draft:
    calendar: Calendar
    overrides: dict[dt.date, DayKind] = field(default_factory=dict)

    def kind(self, day: dt.date) -> DayKind:
        return self.overrides.get(day) or self.calendar.library_kind(day)

    def is_workday(self, day: dt.date) -> bool:
        kind = self.kind(day)
        return kind is DayKind.WORKDAY or (kind is DayKind.PLAIN and day.weekday() < 5)

    def set(self, day: dt.date, kind: DayKind) -> None:
        """A correction equal to the library's word is no correction: it is dropped."""
        if kind is self.calendar.library_kind(day):
            self.overrides.pop(day, None)
        else:
            self.overrides[day] = kind


def correct(calendar: Calendar, change: Change, days: Iterable[dt.date]) -> tuple[Corrections, list[Outcome]]:
    """The corrections after `change` on each of `days`, and what became of each day.
    Removing undoes: a day the hall made a holiday goes back to the library's word (or to
    plain, if the library has it a holiday too). Refused whole (DeskError) when one day
    cannot be changed as asked: an ordinary Monday-to-Friday is not a make-up day to remove."""
    draft = _Draft(calendar, calendar.corrections.overrides())
    outcomes = []
    for day in days:
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise DeskError("err.calendar.year", date=day.isoformat(), first=FIRST_YEAR, last=LAST_YEAR)
        kind = draft.kind(day)
        if change is Change.HOLIDAY_ADD:
            changed = kind is not DayKind.HOLIDAY
            target = DayKind.HOLIDAY
        elif change is Change.HOLIDAY_REMOVE:
            changed = kind is DayKind.HOLIDAY
            target = _undone(calendar.library_kind(day), DayKind.HOLIDAY)
        elif change is Change.WORKDAY_ADD:
            changed = not draft.is_workday(day)
            target = DayKind.PLAIN if day.weekday() < 5 else DayKind.WORKDAY
        else:
            changed = draft.is_workday(day)
            if changed and kind is DayKind.PLAIN and day not in draft.overrides:
                raise DeskError("err.calendar.ordinary_workday", date=day.isoformat())
            target = _undone(calendar.library_kind(day), DayKind.WORKDAY)
            if target is DayKind.PLAIN and day.weekday() < 5:
                target = DayKind.HOLIDAY  # a weekday the hall made a working day goes back to a day off
        if changed:
            draft.set(day, target)
        outcomes.append(Outcome(day, changed))
    return calendar.corrections.with_days(draft.overrides), outcomes


def _undone(library_kind: DayKind, removed: DayKind) -> DayKind:
    return DayKind.PLAIN if library_kind is removed else library_kind
