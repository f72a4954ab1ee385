"""`desk import FILE --as NAME [--skip-bad]`: a hall's visit ledger moved in (docs/LEDGER.md)
by the supervisor or administrator named, after their password.
Every problem is printed with its row and column; the summary says what was done."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk.cli_tally import signer_options
from desk.i18n import Catalog, labelled
from desk.tally.ledger_check import Problem
from desk.tally.ledger_import import Imported

if TYPE_CHECKING:
    from desk.cli import _Commands

COMMANDS = ("import",)


def add_parsers(sub: Any, common: argparse.ArgumentParser, t: Catalog) -> None:
    imp = sub.add_parser("import", parents=[common], help=t("cli.help.import"), description=t("cli.help.import"))
    imp.add_argument("file", metavar=t("cli.metavar.file"), help=t("cli.help.import_file"))
    imp.add_argument("--skip-bad", action="store_true", help=t("cli.help.import_skip_bad"))
    signer_options(imp, t)


LISTED = 20  # unknown columns named one by one; past that, how many

def problem_line(t: Catalog, problem: Problem) -> str:
    reason = t(problem.code, **labelled(t, problem.params))  # a refused act's state in words, not codes
    if problem.column:
        return t("cli.import.problem", row=problem.row, column=problem.column, reason=reason)
    return t("cli.import.problem_row", row=problem.row, reason=reason)


def problem_lines(t: Catalog, problems: list[Problem]) -> list[str]:
    """One line a problem; but the rows a matter's bad row took down with it, one line for
    the matter: a period's export may have many rows of each matter (the rejects file still
    gives every row its reason)."""
    taken_down: dict[tuple, list[int]] = {}
    for p in problems:
        if p.code == "err.ledger.matter_rejected":
            taken_down.setdefault((p.params["number"], p.params["row"]), []).append(p.row)
    lines = []
    for p in problems:
        if p.code != "err.ledger.matter_rejected":
            lines.append(problem_line(t, p))
        elif (rows := taken_down.pop((p.params["number"], p.params["row"]), None)) is not None:
            reason = t(p.code, **p.params)
            lines.append(t("cli.import.problem_rows", rows="、".join(map(str, rows)), reason=reason)
                         if len(rows) > 1 else problem_line(t, p))
    return lines


def summary(t: Catalog, path: Path, done: Imported) -> list[str]:
    checked = done.checked
    lines = [t("cli.import.read", file=path.name, rows=checked.rows_read)]
    if checked.unknown_columns:
        names = "、".join(checked.unknown_columns[:LISTED])
        if len(checked.unknown_columns) > LISTED:
            names = t("cli.import.and_more", names=names, count=len(checked.unknown_columns))
        lines.append(t("cli.import.unknown_columns", names=names))
    if not done.written:
        return lines
    lines.append(t("cli.import.added", visits=done.visits, matters=done.matters))
    if checked.already:
        lines.append(t("cli.import.already", count=checked.already))
    if done.rejects_file is not None:
        lines.append(t("cli.import.rejected", count=len(checked.rejected), path=str(done.rejects_file)))
    if checked.new_categories:
        lines.append(t("cli.import.categories", names="、".join(checked.new_categories)))
    if checked.unknown_responders:
        lines.append(t("cli.import.responders", names="、".join(checked.unknown_responders)))
    if done.closed_days:
        shown = [d.isoformat() for d in done.closed_days[:10]]
        lines.append(t("cli.import.closed_days", days="、".join(shown), count=len(done.closed_days)))
    return lines


def run(cmd: _Commands) -> int:
    """Exit 0 when the file is in (with --skip-bad, its bad rows in the rejects file); 1 when
    a problem stopped it and nothing was imported."""
    path = Path(cmd.args.file)
    if not path.is_file():
        raise cmd.usage_error(cmd.t("err.file", path=str(path), detail="-"))
    if not cmd.args.signer:  # said before the hall is opened
        raise cmd.usage_error(cmd.t("cli.import.needs_as"))
    desk = cmd.open_desk(cmd.existing_data_dir())
    try:
        done = desk.ledger_import.run(path, cmd.signer(desk, "cli.import.needs_as"), skip_bad=cmd.args.skip_bad)
    finally:
        desk.store.close()
    for line in problem_lines(cmd.t, done.checked.problems):
        print(line, file=cmd.out)
    for line in summary(cmd.t, path, done):
        print(line, file=cmd.out)
    if not done.written:
        print(cmd.t("cli.error", message=cmd.t("cli.import.refused", count=len(done.checked.rejected))), file=cmd.err)
        return 1
    cmd.told_audit_failures(desk)
    if not done.visits and done.checked.rejected:  # --skip-bad, and every new row was bad
        print(cmd.t("cli.error", message=cmd.t("cli.import.none_good", count=len(done.checked.rejected))),
              file=cmd.err)
        return 1
    return 0
