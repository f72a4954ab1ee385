"""`desk report --from D1 [--to D2] --format json|table|csv [--out FILE]`: the tally of
TALLY.md for any period, printed or written to a new file."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk.documents.render import write_new
from desk.i18n import Catalog
from desk.tally import formats

if TYPE_CHECKING:
    from desk.cli import _Commands

COMMANDS = ("report",)
FORMATS = ("json", "table", "csv")


def add_parsers(sub: Any, common: argparse.ArgumentParser, t: Catalog) -> None:
    report = sub.add_parser("report", parents=[common], help=t("cli.help.report"), description=t("cli.help.report"))
    report.add_argument("--from", dest="start", required=True, metavar=t("cli.metavar.date"),
                        help=t("cli.help.report_from"))
    report.add_argument("--to", dest="end", metavar=t("cli.metavar.date"), help=t("cli.help.report_to"))
    report.add_argument("--format", choices=FORMATS, default="table", help=t("cli.help.report_format"))
    report.add_argument("--out", metavar=t("cli.metavar.file"), help=t("cli.help.report_out"))


def _date(cmd: _Commands, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise cmd.usage_error(cmd.t("err.date.value", value=value)) from None


def run(cmd: _Commands) -> int:
    args = cmd.args
    start = _date(cmd, args.start)
    end = _date(cmd, args.end) if args.end else None
    desk = cmd.open_existing()
    try:
        report = desk.tally.report(start, end, cmd.me)
    finally:
        desk.store.close()
    text = {"json": formats.as_json, "table": lambda r: formats.as_table(cmd.t, r),
            "csv": lambda r: formats.as_csv(cmd.t, r)}[args.format](report)
    if args.out is None:
        print(text, file=cmd.out)
        return 0
    target = Path(args.out)
    bom = "\ufeff" if args.format == "csv" else ""  # Excel and WPS read UTF-8 only with it
    try:
        write_new(target, (bom + text + "\n").encode("utf-8"))
    except FileExistsError:
        raise cmd.usage_error(cmd.t("err.report.exists", path=str(target))) from None
    print(cmd.t("cli.report.written", path=str(target)), file=cmd.out)
    return 0
