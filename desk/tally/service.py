"""The tally as a use case: who may read it, for which period; the visit ledger's
export (LEDGER.md), which carries full ID numbers and so is a supervisor's or an
administrator's, and audited; and the day close-out (日结): who may close a day, the
frozen record, what changed since, its 日报."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from desk.audit import contains, digest, head_code, parse_code, read_entries
from desk.context import Context
from desk.documents.deliver import How
from desk.documents.service import Documents, Written
from desk.errors import DeskError
from desk.models import Operator
from desk.permissions import Action, require
from desk.store import Reader
from desk.tally import closeout as co
from desk.tally import glance, sheets
from desk.tally.closeout import Change, CloseOut, Member
from desk.tally.ledger_rows import ledger_rows
from desk.tally.report import EARLIEST, Counted, Period, counted, members, tally

LEDGER_FORMATS = {"csv": sheets.ledger_csv, "xlsx": sheets.ledger_xlsx}


class Tally:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._witnessed: set[tuple[dt.date, str]] = set()  # close-outs whose trail entry was read

    def period(self, start: dt.date, end: dt.date | None) -> Period:
        """`start`..`end` (one day when `end` is None), refused backwards or in the future."""
        end = end or start
        if end < start:
            raise DeskError("err.report.range", start=start.isoformat(), end=end.isoformat())
        today = self.ctx.clock.today()
        if start > today:
            raise DeskError("err.report.future", start=start.isoformat())
        if end > today:  # days not yet lived: colours and overdue meetings would be guesses
            raise DeskError("err.report.future_end", end=end.isoformat(), today=today.isoformat())
        if start < EARLIEST:
            raise DeskError("err.report.too_early", start=start.isoformat(), earliest=EARLIEST.isoformat())
        return Period(start, end)

    def report(self, start: dt.date, end: dt.date | None, operator: Operator) -> dict[str, Any]:
        """TALLY.md's object for `start`..`end` (one day when `end` is None). A closed day
        gives its signed numbers, the same every time; `recount` gives them as the records
        stand now, and `changes_since` what differs."""
        record = self._closed(self.period(start, end), operator)
        return _signed(record) if record is not None else self.recount(start, end, operator)

    def recount(self, start: dt.date, end: dt.date | None, operator: Operator) -> dict[str, Any]:
        """TALLY.md's object counted from the records as they stand, closed day or not."""
        require(operator, Action.REPORT)
        return tally(self.ctx.store, self.period(start, end), self.ctx.rules(), self.ctx.clock.today())

    def members(self, start: dt.date, end: dt.date | None, operator: Operator) -> dict[str, Counted]:
        """What each number of `report` counts, by its dotted key (`warnings.red`): of a
        closed day, what its signed numbers counted, so a number and its list agree."""
        period = self.period(start, end)
        if (record := self._closed(period, operator)) is not None:
            return dict(record.members)
        require(operator, Action.REPORT)
        return members(self.ctx.store, period, self.ctx.rules(), self.ctx.clock.today())

    def _closed(self, period: Period, operator: Operator) -> CloseOut | None:
        """A one-day period's close-out, whose signed numbers stand for the day."""
        return self.closeout(period.start, operator) if period.start == period.end else None

    def export(self, start: dt.date, end: dt.date | None, form: str, target: Path, operator: Operator) -> int:
        """Write the ledger of `start`..`end` to the new file `target` as `form` (csv or
        xlsx); how many rows. Refused when `target` exists; audited once written."""
        require(operator, Action.EXPORT)
        if form not in LEDGER_FORMATS:
            raise DeskError("err.export.format", format=form)
        # A ledger "to the end of the year" holds the visits so far: its period says so.
        period = self.period(start, min(end, self.ctx.clock.today()) if end else None)
        stamp = sheets.Stamp(operator.name, self.ctx.clock.now(), period)
        try:
            count = LEDGER_FORMATS[form](target, ledger_rows(self.ctx.store, period), stamp)
        except FileExistsError:
            raise DeskError("err.report.exists", path=str(target)) from None
        self.ctx.log(operator, "ledger_export", target.name, start=period.start.isoformat(),
                     end=period.end.isoformat(), format=form, rows=count, path=str(target.absolute()))
        return count

    def charts(self, start: dt.date, end: dt.date, operator: Operator) -> glance.Charts:
        """Visits across the period and the stations' median waiting and serving times."""
        require(operator, Action.REPORT)
        return glance.charts(self.ctx.store, self.period(start, end), self.ctx.clock.now())

    def member_rows(self, counted: Counted, operator: Operator) -> list[glance.Member]:
        """What a number counts (one of `members()`), as rows about the matters: names as
        typed, never an ID number."""
        require(operator, Action.REPORT)
        return glance.members_of(self.ctx.store, counted.table, counted.ids)

    # -- the day close-out (日结) --------------------------------------------------------

    def close_day(self, day: dt.date, operator: Operator, shown: dict[str, Any] | None = None) -> CloseOut:
        """Freeze `day`'s tally as a sealed record (see `desk.tally.closeout` for what the
        seal is worth). Counted inside the transaction that stores it, so the numbers and
        their members are those of one moment; the audit entry records the seal. `shown`:
        the numbers the signer was shown; refused when the count differs (a save came since)."""
        require(operator, Action.CLOSE_DAY)
        now, today = self.ctx.clock.now(), self.ctx.clock.today()
        if day < EARLIEST:  # signed for good: a slip (0001-01-01) would stay in the list for ever
            raise DeskError("err.report.too_early", start=day.isoformat(), earliest=EARLIEST.isoformat())
        head = self.ctx.audit.head() if self.ctx.audit else None
        code = head_code(*head) if head else co.NO_TRAIL
        period, rules = Period(day, day), self.ctx.rules()
        with self.ctx.store.transaction() as txn:
            co.check_closable(day, today, _stored(txn, day))
            numbers, found = counted(txn, period, rules, today)
            if shown is not None and numbers != shown:  # a save came between reading and signing
                raise DeskError("err.closeout.moved", day=day.isoformat())
            record = co.sealed(day, operator.name, operator.role.value, now, numbers, found, code)
            doc = record.to_doc()
            del doc["id"]
            record = replace(record, id=txn.insert(co.TABLE, doc)["id"])
        self.ctx.log(operator, co.ACTION, day.isoformat(), seal=record.seal, audit_head=code,
                     batches=record.numbers["batches"])
        return record

    def closeout(self, day: dt.date, operator: Operator) -> CloseOut | None:
        """The day's close-out, or None when the day is not closed. A record that no longer
        matches its seal is refused, never read out as signed."""
        require(operator, Action.REPORT)
        record = _stored(self.ctx.store, day)
        if record is not None and not (record.intact and self._in_trail(record)):
            raise DeskError("err.closeout.damaged", day=day.isoformat())
        return record

    def _in_trail(self, record: CloseOut) -> bool:
        """Whether the close-out's own audit entry, intact, names this seal: a record changed
        and sealed again by hand has none (only `desk check` would otherwise tell). Read
        once per close-out and desk: the trail is long, a closed day is reported often."""
        if self.ctx.audit is None or (record.day, record.seal) in self._witnessed:
            return True
        day = record.day.isoformat()
        lines = (line for line in self.ctx.audit.log.lines() if record.seal in line and day in line)
        entries = [e for e in read_entries(lines) if digest(e.body()) == e.hash]
        if co.problems(record, entries, head_in_trail=True):  # the rule `verify` applies, on its entry
            return False
        self._witnessed.add((record.day, record.seal))
        return True

    def closeouts(self, start: dt.date | None, end: dt.date | None,
                  operator: Operator) -> list[tuple[CloseOut, bool]]:
        """Closed days from `start` to `end` (either open-ended), oldest first, each with
        whether it holds as signed (its seal, and its audit entry naming that seal)."""
        require(operator, Action.REPORT)
        found = (CloseOut.from_doc(d) for d in self.ctx.store.scan(co.TABLE))
        chosen = sorted((r for r in found if (start is None or r.day >= start) and (end is None or r.day <= end)),
                        key=lambda r: r.day)
        return [(r, r.intact and self._in_trail(r)) for r in chosen]

    def changes_since(self, day: dt.date, operator: Operator) -> list[Change]:
        """The numbers of a closed day a recount gives differently, with the records that
        entered or left each (case number and visitor's name). [] for a day not closed."""
        record = self.closeout(day, operator)
        if record is None:
            return []
        period, today, rules = Period(day, day), self.ctx.clock.today(), self.ctx.rules()
        changes = co.compare(record, *counted(self.ctx.store, period, rules, today))
        return [replace(c, entered=self._named(c.entered), left=self._named(c.left)) for c in changes]

    def _named(self, found: tuple[Member, ...]) -> tuple[Member, ...]:
        """The case number and the visitor's name of each record's matter (a record removed
        since the close-out keeps only its id)."""
        named: dict[tuple[str, int], dict[str, str]] = {}
        for table in {m.table for m in found}:
            ids = tuple(m.id for m in found if m.table == table)
            for row in glance.members_of(self.ctx.store, table, ids, limit=len(ids)):
                named[(table, row.record_id)] = {"number": row.matter.number, "name": row.visitor}
        return tuple(replace(m, **named.get((m.table, m.id), {})) for m in found)

    def print_day(self, day: dt.date, operator: Operator, how: How = How.PRINT) -> Written:
        """The 日报 of a closed day: its signed numbers, and its changes since as they are now."""
        require(operator, Action.REPORT)
        record = self.closeout(day, operator)
        if record is None:
            raise DeskError("err.closeout.none", day=day.isoformat())
        return Documents(self.ctx).print_daily_report(record, self.changes_since(day, operator), operator, how)

    def verify_closeout(self, day: dt.date, operator: Operator) -> list[str]:
        """Catalog keys of what no longer holds of a close-out's seal ([]: it holds)."""
        found = self.verify_closeouts(operator)
        if day not in found:
            raise DeskError("err.closeout.none", day=day.isoformat())
        return found[day]

    def verify_closeouts(self, operator: Operator) -> dict[dt.date, list[str]]:
        """Every close-out's problems ([] where its seal holds), and every day the trail says
        was closed whose record is gone; the trail read once: what `desk check` asks."""
        require(operator, Action.REPORT)
        records = [CloseOut.from_doc(d) for d in self.ctx.store.scan(co.TABLE)]
        if self.ctx.audit is None:
            return {r.day: [] if r.intact else ["closeout.bad_seal"] for r in records}
        log = self.ctx.audit.log
        lines = list(log.lines())
        entries = read_entries(lines)
        intact = {(e.seq, e.hash[:12]) for e in entries if digest(e.body()) == e.hash}

        def held(code: str) -> bool:  # a head before a restore is in the trail it set aside
            parsed = parse_code(code)
            return parsed is not None and (parsed in intact or contains(lines, *parsed, log.open_other))

        found = {r.day: co.problems(r, entries, held(r.audit_head)) for r in records}
        for day in co.closed_days(entries) - set(found):  # the trail tells of a close-out no longer stored
            found[day] = ["closeout.record_missing"]
        return found


def _signed(record: CloseOut) -> dict[str, Any]:
    """A copy of the signed numbers: whoever changes the copy does not change the record."""
    return json.loads(json.dumps(record.numbers))


def _stored(reader: Reader, day: dt.date) -> CloseOut | None:
    docs = reader.find(co.TABLE, "day", day.isoformat())
    return CloseOut.from_doc(docs[0]) if docs else None

