"""`desk closeout DAY --as NAME`: a supervisor or leader closes a day (日结), signing with
their password (the command line's administrator signs nothing); `desk closeout show DAY
| list [--from D1] [--to D2] | print DAY [--how file|open|print] | verify DAY`."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, Any

from desk.cli_tally import _date, _trailer
from desk.documents.deliver import How
from desk.documents.service import told
from desk.i18n import Catalog
from desk.tally import formats

if TYPE_CHECKING:
    from desk.cli import _Commands

COMMANDS = ("closeout",)
VERBS = ("show", "list", "print", "verify")


def add_parsers(sub: Any, common: argparse.ArgumentParser, t: Catalog) -> None:
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


def run(cmd: _Commands) -> int:
    what = cmd.args.what
    if what == "list":
        return _list(cmd)
    if what in VERBS:
        if not cmd.args.day:
            raise cmd.usage_error(cmd.t("cli.closeout.no_day"))
        return {"show": _show, "print": _print, "verify": _verify}[what](cmd, _date(cmd, cmd.args.day))
    return _close(cmd, _date(cmd, what))


def _close(cmd: _Commands, day: dt.date) -> int:
    desk = cmd.open_desk(cmd.existing_data_dir())
    try:
        record = desk.tally.close_day(day, cmd.signer(desk, "cli.closeout.needs_as"))
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
    if records:
        print(cmd.t("cli.closeout.list_header"), file=cmd.out)
    for r, holds in records:  # a record that does not hold shows no number as signed
        batches = str(r.numbers["batches"]) if holds else cmd.t("cli.closeout.damaged_mark")
        print("\t".join((r.day.isoformat(), r.closed_by, f"{r.closed_at:%Y-%m-%d %H:%M}", r.audit_head,
                         batches)), file=cmd.out)
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
