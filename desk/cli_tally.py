"""`desk report --from D1 [--to D2] --format json|table|csv [--out FILE]`: the tally of
TALLY.md for any period, printed or written to a new file. A closed day gives its signed
numbers; the table and CSV end with a section saying who closed it and what changed since,
and JSON, which is exactly TALLY.md's object, tells that on stderr.

`desk closeout DAY --as NAME`: a supervisor or leader closes a day (日结), signing with
their password; `desk closeout show DAY | list [--from D1] [--to D2] | print DAY [--how]
| verify DAY`."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import getpass
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk.documents.deliver import How
from desk.documents.render import write_new
from desk.documents.service import told
from desk.i18n import Catalog
from desk.tally import formats
from desk.tally.closeout import CloseOut, records_changed

if TYPE_CHECKING:
    from desk.cli import _Commands
    from desk.models import Operator
    from desk.services import Desk

COMMANDS = ("report", "closeout")
VERBS = ("show", "list", "print", "verify")
FORMATS = ("json", "table", "csv")


def add_parsers(sub: Any, common: argparse.ArgumentParser, t: Catalog) -> None:
    report = sub.add_parser("report", parents=[common], help=t("cli.help.report"), description=t("cli.help.report"))
    report.add_argument("--from", dest="start", required=True, metavar=t("cli.metavar.date"),
                        help=t("cli.help.report_from"))
    report.add_argument("--to", dest="end", metavar=t("cli.metavar.date"), help=t("cli.help.report_to"))
    report.add_argument("--format", choices=FORMATS, default="table", help=t("cli.help.report_format"))
    report.add_argument("--out", metavar=t("cli.metavar.file"), help=t("cli.help.report_out"))
    close = sub.add_parser("closeout", parents=[common], help=t("cli.help.closeout"),
                           description=t("cli.help.closeout"))
    close.add_argument("what", metavar=t("cli.metavar.date"), help=t("cli.help.closeout_what"))
    close.add_argument("day", nargs="?", metavar=t("cli.metavar.date"), help=t("cli.help.closeout_day"))
    close.add_argument("--as", dest="signer", metavar=t("cli.metavar.name"), help=t("cli.help.closeout_as"))
    close.add_argument("--password-stdin", action="store_true", help=t("cli.help.password_stdin"))
    close.add_argument("--from", dest="start", metavar=t("cli.metavar.date"), help=t("cli.help.report_from"))
    close.add_argument("--to", dest="end", metavar=t("cli.metavar.date"), help=t("cli.help.report_to"))
    close.add_argument("--how", choices=[h.value for h in How], default=How.FILE.value,
                       help=t("cli.help.closeout_how"))


def _date(cmd: _Commands, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise cmd.usage_error(cmd.t("err.date.value", value=value)) from None


def run(cmd: _Commands) -> int:
    return report(cmd) if cmd.args.command == "report" else closeout(cmd)


def report(cmd: _Commands) -> int:
    args = cmd.args
    start = _date(cmd, args.start)
    end = _date(cmd, args.end) if args.end else None
    desk = cmd.open_existing()
    try:
        numbers = desk.tally.report(start, end, cmd.me)
        closed = desk.tally.closeout(start, cmd.me) if end in (None, start) else None
        trailer = _trailer(cmd.t, closed, desk.tally.changes_since(start, cmd.me)) if closed else []
    finally:
        desk.store.close()
    text = {"json": formats.as_json, "table": lambda r: formats.as_table(cmd.t, r),
            "csv": lambda r: formats.as_csv(cmd.t, r)}[args.format](numbers)
    if trailer and args.format == "json":  # the object stays exactly TALLY.md's
        print("\n".join(trailer), file=cmd.err)
    elif trailer:
        text += _section(args.format, trailer)
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


# -- desk closeout ---------------------------------------------------------------------


def closeout(cmd: _Commands) -> int:
    what = cmd.args.what
    if what == "list":
        return _list(cmd)
    if what in VERBS:
        if not cmd.args.day:
            raise cmd.usage_error(cmd.t("cli.closeout.no_day"))
        return {"show": _show, "print": _print, "verify": _verify}[what](cmd, _date(cmd, cmd.args.day))
    return _close(cmd, _date(cmd, what))


def _signer(cmd: _Commands, desk: Desk) -> Operator:
    """The supervisor or leader named with --as, after their password: a close-out is
    signed by a person, never by the command line's administrator."""
    name = cmd.args.signer
    if not name:
        raise cmd.usage_error(cmd.t("cli.closeout.needs_as"))
    if cmd.args.password_stdin:
        password = cmd.stdin.readline().rstrip("\r\n")
    elif cmd.stdin.isatty():
        password = getpass.getpass(cmd.t("cli.closeout.password", name=name))
    else:
        raise cmd.usage_error(cmd.t("cli.password.no_tty"))
    return desk.authenticate(name, password)


def _close(cmd: _Commands, day: dt.date) -> int:
    desk = cmd.open_desk(cmd.existing_data_dir())
    try:
        record = desk.tally.close_day(day, _signer(cmd, desk))
    finally:
        desk.store.close()
    print(cmd.t("cli.closeout.done", day=day.isoformat(), by=record.closed_by,
                at=f"{record.closed_at:%Y-%m-%d %H:%M}", code=record.audit_head, seal=record.seal), file=cmd.out)
    return 0


def _show(cmd: _Commands, day: dt.date) -> int:
    desk = cmd.open_existing()
    try:
        record = desk.tally.closeout(day, cmd.me)
        if record is None:
            raise cmd.usage_error(cmd.t("err.closeout.none", day=day.isoformat()))
        changes = desk.tally.changes_since(day, cmd.me)
    finally:
        desk.store.close()
    print(formats.as_table(cmd.t, record.numbers), file=cmd.out)
    print("\n".join(["", *_trailer(cmd.t, record, changes), f"{cmd.t('closeout.seal')}\t{record.seal}"]),
          file=cmd.out)
    return 0


def _list(cmd: _Commands) -> int:
    start = _date(cmd, cmd.args.start) if cmd.args.start else None
    end = _date(cmd, cmd.args.end) if cmd.args.end else None
    desk = cmd.open_existing()
    try:
        records = desk.tally.closeouts(start, end, cmd.me)
    finally:
        desk.store.close()
    for r in records:
        print("\t".join((r.day.isoformat(), r.closed_by, f"{r.closed_at:%Y-%m-%d %H:%M}", r.audit_head,
                         str(r.numbers["batches"]))), file=cmd.out)
    if not records:
        print(cmd.t("cli.closeout.list_none"), file=cmd.err)
    return 0


def _print(cmd: _Commands, day: dt.date) -> int:
    desk = cmd.open_desk(cmd.existing_data_dir())  # the print is audited
    try:
        written = desk.tally.print_day(day, cmd.me, How(cmd.args.how))
    finally:
        desk.store.close()
    print(told(cmd.t, written), file=cmd.out)
    return 0 if written.delivery.done else 1


def _verify(cmd: _Commands, day: dt.date) -> int:
    desk = cmd.open_existing()
    try:
        problems = desk.tally.verify_closeout(day, cmd.me)
    finally:
        desk.store.close()
    for code in problems:
        print(cmd.t(code), file=cmd.out)
    if not problems:
        print(cmd.t("closeout.intact", day=day.isoformat()), file=cmd.out)
    return 1 if problems else 0
