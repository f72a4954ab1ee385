"""The hall's working-day calendar as a use case over the shared `Context`: show a year,
add or remove holidays and make-up working days, declare a year the hall has entered in
full. Each change: check permission, then one transaction, then the audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from desk.context import Context
from desk.errors import DeskError
from desk.lifecycle.calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    Calendar,
    Change,
    DayKind,
    Entry,
    Outcome,
    Source,
    calendar_for,
    correct,
    library,
    load_calendar,
    load_corrections,
    save_corrections,
)
from desk.models import Operator
from desk.permissions import Action, require


@dataclass(frozen=True)
class YearView:
    """One year as `desk calendar show` prints it."""

    year: int
    known: bool  # counted with its holidays; False: weekends only
    from_library: bool  # the State Council's schedule is in the library
    declared: bool  # the hall declared it complete
    entries: tuple[Entry, ...]
    library_years: tuple[int, int]  # the first and last year the library knows
    library_version: str


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DeskError("err.calendar.year", date=str(year), first=FIRST_YEAR, last=LAST_YEAR)
    return year


class CalendarService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def current(self) -> Calendar:
        """The same object while the hall's corrections do not change (cached per revision)."""
        return load_calendar(self.ctx.store)

    def year(self, year: int) -> YearView:
        calendar = self.current()
        lib = library()
        return YearView(check_year(year), calendar.knows(year), calendar.library_knows(year),
                        calendar.declared_complete(year), tuple(calendar.entries(year)), (lib.first, lib.last),
                        lib.version)

    # -- corrections ---------------------------------------------------------------------

    def add_holidays(self, days: Iterable[dt.date], operator: Operator) -> list[Outcome]:
        return self._correct(Change.HOLIDAY_ADD, days, operator)

    def remove_holidays(self, days: Iterable[dt.date], operator: Operator) -> list[Outcome]:
        return self._correct(Change.HOLIDAY_REMOVE, days, operator)

    def add_workdays(self, days: Iterable[dt.date], operator: Operator) -> list[Outcome]:
        return self._correct(Change.WORKDAY_ADD, days, operator)

    def remove_workdays(self, days: Iterable[dt.date], operator: Operator) -> list[Outcome]:
        return self._correct(Change.WORKDAY_REMOVE, days, operator)

    def _correct(self, change: Change, days: Iterable[dt.date], operator: Operator) -> list[Outcome]:
        """All the days or none; a day that already is as asked is told, not saved again."""
        require(operator, Action.MANAGE_SETTINGS)
        with self.ctx.store.transaction() as txn:
            corrections, outcomes = correct(calendar_for(load_corrections(txn)), change, days)
            changed = [o.day.isoformat() for o in outcomes if o.changed]
            if changed:
                save_corrections(txn, corrections)
        if changed:
            self.ctx.log(operator, f"calendar_{change.value}", ", ".join(changed), days=changed)
        return outcomes

    def complete_year(self, year: int, operator: Operator) -> bool:
        """The hall has entered the State Council's schedule for `year` in full: its
        working-day limits stop being estimates. False when it already was declared."""
        return self._declare(year, True, operator)

    def reopen_year(self, year: int, operator: Operator) -> bool:
        """Undo `complete_year`: the year is counted as not known again."""
        return self._declare(year, False, operator)

    def _declare(self, year: int, complete: bool, operator: Operator) -> bool:
        require(operator, Action.MANAGE_SETTINGS)
        check_year(year)
        with self.ctx.store.transaction() as txn:
            corrections = load_corrections(txn)
            calendar = calendar_for(corrections)
            if complete and calendar.library_knows(year):
                raise DeskError("err.calendar.in_library", year=year)
            if complete and not any(e.kind is DayKind.HOLIDAY and e.source is Source.HALL
                                    for e in calendar.entries(year)):
                raise DeskError("err.calendar.nothing_entered", year=year)
            if (year in corrections.complete) == complete:
                return False
            years = set(corrections.complete) | {year} if complete else set(corrections.complete) - {year}
            save_corrections(txn, corrections.with_complete(years))
        self.ctx.log(operator, "calendar_complete" if complete else "calendar_reopen", str(year))
        return True
