"""`desk report --from D1 [--to D2] --format json|table|csv|xlsx [--out FILE]`: the tally of
TALLY.md for any period, printed or written to a new file; and `desk export --from D1
[--to D2] --format csv|xlsx --out FILE`: the visit ledger of LEDGER.md."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk.documents.render import write_new
from desk.i18n import Catalog
from desk.tally import formats, sheets
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


def _date(cmd: _Commands, value: str) -> dt.date:
    try:
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
    finally:
        desk.store.close()
    target = Path(args.out) if args.out is not None else None
    if args.format == "xlsx":
        _refusing_existing(cmd, target, lambda: sheets.report_xlsx(target, cmd.t, report))
    else:
        text = {"json": formats.as_json, "table": lambda r: formats.as_table(cmd.t, r),
                "csv": lambda r: formats.as_csv(cmd.t, r)}[args.format](report)
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
    desk = cmd.open_existing()
    try:
        rows = desk.tally.export(start, end, form, target, cmd.me)
    finally:
        desk.store.close()
    print(cmd.t("cli.export.written", rows=rows, path=str(target)), file=cmd.out)
    return 0
