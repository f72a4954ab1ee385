"""`desk report --from D1 [--to D2] --format json|table|csv|xlsx [--out FILE]`: the tally of
docs/TALLY.md for any period, printed or written to a new file; and `desk export --from D1
[--to D2] --format csv|xlsx --out FILE --as NAME`: the visit ledger of docs/LEDGER.md,
written out by the supervisor or administrator named, after their password.

A closed day (日结, `desk/cli_closeout.py`) reports its signed numbers; the table and CSV
end with a section saying who closed it and what changed since; JSON, which is exactly
TALLY.md's object, and the spreadsheet tell that on stderr."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk.documents.render import write_new
from desk.i18n import Catalog
from desk.tally import formats, sheets
from desk.tally.closeout import CloseOut, records_changed
from desk.tally.service import LEDGER_FORMATS

if TYPE_CHECKING:
    from desk.cli import _Commands

COMMANDS = ("report", "export")
FORMATS = ("json", "table", "csv", "xlsx")


def _period_options(parser: argparse.ArgumentParser, t: Catalog, what: str) -> None:
    parser.add_argument("--from", dest="start", required=True, metavar=t("cli.metavar.date"),
                        help=t(f"cli.help.{what}_from"))
    parser.add_argument("--to", dest="end", metavar=t("cli.metavar.date"), help=t(f"cli.help.{what}_to"))


def add_parsers(sub: Any, common: argparse.ArgumentParser, t: Catalog) -> None:
    report = sub.add_parser("report", parents=[common], help=t("cli.help.report"), description=t("cli.help.report"))
    _period_options(report, t, "report")
    report.add_argument("--format", choices=FORMATS, default="table", help=t("cli.help.report_format"))
    report.add_argument("--out", metavar=t("cli.metavar.file"), help=t("cli.help.report_out"))
    export = sub.add_parser("export", parents=[common], help=t("cli.help.export"), description=t("cli.help.export"))
    _period_options(export, t, "export")
    export.add_argument("--format", choices=tuple(LEDGER_FORMATS), help=t("cli.help.export_format"))
    export.add_argument("--out", required=True, metavar=t("cli.metavar.file"), help=t("cli.help.export_out"))
    signer_options(export, t)


def signer_options(parser: argparse.ArgumentParser, t: Catalog) -> None:
    """`--as NAME [--password-stdin]` of `desk export` and `desk import`: the ledger carries
    full ID numbers, so it leaves and enters the hall by a named supervisor or administrator."""
    parser.add_argument("--as", dest="signer", metavar=t("cli.metavar.name"), help=t("cli.help.ledger_as"))
    parser.add_argument("--password-stdin", action="store_true", help=t("cli.help.password_stdin"))


def _date(cmd: _Commands, value: str) -> dt.date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):  # 20261124, 2026-W48-1: not what is asked
            raise ValueError(value)
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise cmd.usage_error(cmd.t("err.date.value", value=value)) from None


def _period(cmd: _Commands) -> tuple[dt.date, dt.date | None]:
    args = cmd.args
    return _date(cmd, args.start), _date(cmd, args.end) if args.end else None


def run(cmd: _Commands) -> int:
    return export(cmd) if cmd.args.command == "export" else report(cmd)


def report(cmd: _Commands) -> int:
    args = cmd.args
    if args.format == "xlsx" and args.out is None:  # said before the hall is read
        raise cmd.usage_error(cmd.t("err.report.xlsx_out"))
    start, end = _period(cmd)
    desk = cmd.open_existing()
    try:
        report = desk.tally.report(start, end, cmd.me)
        closed = desk.tally.closeout(start, cmd.me) if end in (None, start) else None
        trailer = _trailer(cmd.t, closed, desk.tally.changes_since(start, cmd.me)) if closed else []
    finally:
        desk.store.close()
    target = Path(args.out) if args.out is not None else None
    if trailer and args.format in ("json", "xlsx"):  # the object and the sheet stay TALLY.md's
        print("\n".join(trailer), file=cmd.err)
    if args.format == "xlsx":
        _refusing_existing(cmd, target, lambda: sheets.report_xlsx(target, cmd.t, report))
    else:
        text = {"json": formats.as_json, "table": lambda r: formats.as_table(cmd.t, r),
                "csv": lambda r: formats.as_csv(cmd.t, r)}[args.format](report)
        if trailer and args.format != "json":
            text += _section(args.format, trailer)
        if target is None:
            print(text, file=cmd.out)
            return 0
        bom = "\ufeff" if args.format == "csv" else ""  # Excel and WPS read UTF-8 only with it
        _refusing_existing(cmd, target, lambda: write_new(target, (bom + text + "\n").encode("utf-8")))
    print(cmd.t("cli.report.written", path=str(target)), file=cmd.out)
    return 0


def _refusing_existing(cmd: _Commands, target: Path, write: Any) -> None:
    try:
        write()
    except FileExistsError:
        raise cmd.usage_error(cmd.t("err.report.exists", path=str(target))) from None


def export(cmd: _Commands) -> int:
    args = cmd.args
    target = Path(args.out)
    form = args.format or target.suffix.lower().lstrip(".")
    if form not in LEDGER_FORMATS:
        raise cmd.usage_error(cmd.t("err.export.format", format=target.name))
    start, end = _period(cmd)
    if not args.signer:  # said before the hall is opened
        raise cmd.usage_error(cmd.t("cli.export.needs_as"))
    desk = cmd.open_desk(cmd.existing_data_dir())  # the password's check counts the attempt
    try:
        rows = desk.tally.export(start, end, form, target, cmd.signer(desk, "cli.export.needs_as"))
    finally:
        desk.store.close()
    print(cmd.t("cli.export.written", rows=rows, path=str(target)), file=cmd.out)
    return 0


def _trailer(t: Catalog, record: CloseOut, changes: list) -> list[str]:
    """Who closed the day and when, and what a recount gives differently now."""
    lines = [t("closeout.trailer", by=record.closed_by, at=f"{record.closed_at:%Y-%m-%d %H:%M}",
               code=record.audit_head)]
    if not changes:
        return lines + [t("closeout.since_none")]
    lines.append(t("closeout.since", count=len(changes), records=records_changed(changes)))
    return lines + formats.change_lines(t, changes)


def _section(fmt: str, lines: list[str]) -> str:
    """After a blank line: one line each for the table, one cell each for the CSV."""
    if fmt == "csv":  # two cells a row like the rows above, the second empty
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows([line, ""] for line in lines)
        return "\r\n" + out.getvalue()
    return "\n\n" + "\n".join(lines)
