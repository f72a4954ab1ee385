"""The tally as a use case: who may read it, for which period; and the visit ledger's
export (LEDGER.md), which carries full ID numbers and so is a supervisor's or an
administrator's, and audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from desk.context import Context
from desk.errors import DeskError
from desk.models import Operator
from desk.permissions import Action, require
from desk.tally import sheets
from desk.tally.ledger_rows import ledger_rows
from desk.tally.report import Counted, Period, members, tally

LEDGER_FORMATS = {"csv": sheets.ledger_csv, "xlsx": sheets.ledger_xlsx}


class Tally:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def period(self, start: dt.date, end: dt.date | None) -> Period:
        """`start`..`end` (one day when `end` is None), refused backwards or in the future."""
        end = end or start
        if end < start:
            raise DeskError("err.report.range", start=start.isoformat(), end=end.isoformat())
        if start > self.ctx.clock.today():
            raise DeskError("err.report.future", start=start.isoformat())
        return Period(start, end)

    def report(self, start: dt.date, end: dt.date | None, operator: Operator) -> dict[str, Any]:
        """TALLY.md's object for `start`..`end` (one day when `end` is None)."""
        require(operator, Action.REPORT)
        return tally(self.ctx.store, self.period(start, end), self.ctx.rules(), self.ctx.clock.today())

    def members(self, start: dt.date, end: dt.date | None, operator: Operator) -> dict[str, Counted]:
        """What each number of that report counts, by its dotted key (`warnings.red`)."""
        require(operator, Action.REPORT)
        return members(self.ctx.store, self.period(start, end), self.ctx.rules(), self.ctx.clock.today())

    def export(self, start: dt.date, end: dt.date | None, form: str, target: Path, operator: Operator) -> int:
        """Write the ledger of `start`..`end` to the new file `target` as `form` (csv or
        xlsx); how many rows. Refused when `target` exists; audited once written."""
        require(operator, Action.EXPORT)
        if form not in LEDGER_FORMATS:
            raise DeskError("err.export.format", format=form)
        period = self.period(start, end)
        stamp = sheets.Stamp(operator.name, self.ctx.clock.now(), period)
        try:
            count = LEDGER_FORMATS[form](target, ledger_rows(self.ctx.store, period), stamp)
        except FileExistsError:
            raise DeskError("err.report.exists", path=str(target)) from None
        self.ctx.log(operator, "ledger_export", target.name, start=period.start.isoformat(),
                     end=period.end.isoformat(), format=form, rows=count, path=str(target.absolute()))
        return count
