"""The tally as a use case: who may read it, for which period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from desk.context import Context
from desk.errors import DeskError
from desk.models import Operator
from desk.permissions import Action, require
from desk.tally.glance import Charts, Member, charts, members_of
from desk.tally.report import Counted, Period, members, tally


class Tally:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def report(self, start: dt.date, end: dt.date | None, operator: Operator) -> dict[str, Any]:
        """TALLY.md's object for `start`..`end` (one day when `end` is None)."""
        return tally(self.ctx.store, self._period(start, end, operator), self.ctx.rules(), self.ctx.clock.today())

    def members(self, start: dt.date, end: dt.date | None, operator: Operator) -> dict[str, Counted]:
        """What each number of that report counts, by its dotted key (`warnings.red`)."""
        return members(self.ctx.store, self._period(start, end, operator), self.ctx.rules(), self.ctx.clock.today())

    def _period(self, start: dt.date, end: dt.date | None, operator: Operator) -> Period:
        require(operator, Action.REPORT)
        end = end or start
        if end < start:
            raise DeskError("err.report.range", start=start.isoformat(), end=end.isoformat())
        if start > self.ctx.clock.today():
            raise DeskError("err.report.future", start=start.isoformat())
        return Period(start, end)

    def charts(self, start: dt.date, end: dt.date, operator: Operator) -> Charts:
        """Visits across the period and the stations' median waiting and serving times."""
        return charts(self.ctx.store, self._period(start, end, operator), self.ctx.clock.now())

    def member_rows(self, counted: Counted, operator: Operator) -> list[Member]:
        """What a number counts (one of `members()`), as rows about the matters: names as
        typed, never an ID number."""
        require(operator, Action.REPORT)
        return members_of(self.ctx.store, counted.table, counted.ids)
