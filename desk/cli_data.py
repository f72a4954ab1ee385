"""Commands that look after the data: `check`, `backup`, `restore`, `repair` and `audit`.

Each says exactly what it found or did: "intact" only after every file and the whole
audit trail were read and checked; a refusal names the file and what is wrong.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk.audit import STORE_EPOCH, STORE_SEQ, Auditor, contains, head_code, parse_code
from desk.i18n import Catalog, translated_detail
from desk.lifecycle.calendar import load_calendar
from desk.store import StoreError

if TYPE_CHECKING:
    from desk.cli import _Commands

COMMANDS = ("check", "backup", "restore", "repair", "audit")


def add_parsers(sub: Any, common: argparse.ArgumentParser, t: Catalog) -> None:
    def command(name: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=t(f"cli.help.{name}"), description=t(f"cli.help.{name}"))

    audit_sub = command("audit").add_subparsers(dest="audit_command", metavar=t("cli.metavar.command"), required=True)
    verify = audit_sub.add_parser("verify", parents=[common], help=t("cli.help.audit_verify"),
                                  description=t("cli.help.audit_verify"))
    verify.add_argument("--against", metavar=t("cli.metavar.anchor"), help=t("cli.help.audit_against"))
    audit_sub.add_parser("head", parents=[common], help=t("cli.help.audit_head"), description=t("cli.help.audit_head"))
    command("check").add_argument("folder", nargs="?", type=Path, metavar=t("cli.metavar.dir"),
                                  help=t("cli.help.check_folder"))
    command("backup").add_argument("--to", type=Path, metavar=t("cli.metavar.dir"), help=t("cli.help.backup_to"))
    command("restore").add_argument("source", type=Path, metavar=t("cli.metavar.dir"), help=t("cli.help.restore_source"))
    command("repair")


def run(cmd: _Commands) -> int:
    name = cmd.args.command
    if name == "audit":
        return audit_head(cmd) if cmd.args.audit_command == "head" else audit_verify(cmd)
    return {"check": check, "backup": backup, "restore": restore, "repair": repair}[name](cmd)


def _say(cmd: _Commands, key: str, **params: Any) -> None:
    print(cmd.t(key, **params), file=cmd.out)


def _auditor(cmd: _Commands, folder: Path) -> Auditor:
    return Auditor(cmd.wiring.open_audit(folder), cmd.wiring.clock, "")


def _verify_trail(cmd: _Commands, folder: Path) -> tuple[int, int]:
    """(entries, problems) of the trail in `folder`, each problem printed."""
    count, problems = _auditor(cmd, folder).verify()
    for problem in problems:
        _say(cmd, "cli.audit.problem", line=problem.line, message=cmd.t(problem.code, **problem.params))
    return count, len(problems)


# -- check -----------------------------------------------------------------------------


def check(cmd: _Commands) -> int:
    """Reads files only, so it runs while desks are open, and on a backup folder too."""
    folder = Path(cmd.args.folder or cmd.data_dir())
    count, findings = cmd.maintenance().check(folder)
    for f in findings:
        label = cmd.t("cli.check.error" if f.fatal else "cli.check.note")
        _say(cmd, "cli.check.finding", label=label, path=f.path, message=finding_text(cmd.t, f))
    if not folder.is_dir():  # named above; there is no trail to read
        return 1
    _, trail_problems = _verify_trail(cmd, folder)
    closeout_problems = _check_closeouts(cmd) if cmd.args.folder is None else 0
    fatal = sum(f.fatal for f in findings) + trail_problems + closeout_problems
    if cmd.args.folder is None or (folder / "backups").is_dir():
        _report_backups(cmd, folder)
    if cmd.args.folder is None:
        _report_calendar(cmd, folder)
    if fatal:
        _say(cmd, "cli.check.bad", count=count, problems=fatal)
        if any(f.fatal for f in findings):
            _say(cmd, "cli.check.what_now")
        return 1
    _say(cmd, "cli.check.ok", count=count)
    return 0


def finding_text(t: Catalog, finding: Any) -> str:
    """What is wrong, in the catalog's words: for a damaged file only what is wrong with it
    (the file is named beside it, and this is already the check the message would advise)."""
    params = translated_detail(t, dict(finding.params))
    if finding.code == "err.store.corrupt":
        return params["detail"]
    return t(finding.code, **params)


def _report_backups(cmd: _Commands, data_dir: Path) -> None:
    newest = cmd.maintenance().newest_good_backup(data_dir)
    if newest is None:
        _say(cmd, "cli.check.no_backup")
        return
    _say(cmd, "cli.check.backup", path=str(newest.folder), day=newest.day,
         days=newest.age(cmd.wiring.clock.today()), code=newest.audit_code or "-")


def _check_closeouts(cmd: _Commands) -> int:
    """Each day's close-out (日结) against its seal and the trail: a changed signed record is
    damage. Not asked of a backup folder (its trail is checked as a trail)."""
    from desk.cli import UsageError  # desk.cli imports this module

    try:
        desk = cmd.open_existing()
    except (StoreError, UsageError):
        return 0  # told above as damage
    try:
        found = desk.tally.verify_closeouts(cmd.me)
    except StoreError:
        return 0
    finally:
        desk.store.close()
    problems = 0
    for day, codes in sorted(found.items()):
        for code in codes:
            _say(cmd, "cli.check.closeout", label=cmd.t("cli.check.error"), day=day.isoformat(), message=cmd.t(code))
            problems += 1
    return problems


def _report_calendar(cmd: _Commands, folder: Path) -> None:
    """A warning, not damage: this year or next is not in the working-day calendar, so a
    working-day limit running into it counts weekends only until the hall enters it."""
    try:
        store = cmd.wiring.open_store(folder, today=cmd.wiring.clock.today, readonly=True)
    except StoreError:
        return  # told above as damage
    try:
        calendar = load_calendar(store)
    except StoreError:
        return
    finally:
        store.close()
    this_year = cmd.wiring.clock.today().year
    for year in calendar.unknown_years((this_year, this_year + 1)):
        _say(cmd, "cli.check.calendar", label=cmd.t("cli.check.note"), year=year)


# -- backup, restore, repair -------------------------------------------------------------


def backup(cmd: _Commands) -> int:
    desk = cmd.open_desk(cmd.existing_data_dir())  # a mistyped --data is not backed up as a new empty hall
    try:
        root = cmd.args.to or Path(desk.store.data_dir) / "backups"  # type: ignore[attr-defined]
        made = cmd.maintenance().backup(desk.store, root, f"desk-{cmd.stamp()}")
        record = cmd.maintenance().read_record(made)
        desk.note_maintenance(cmd.me, "backup", str(made), audit_code=record.audit_code if record else "")
    finally:
        desk.store.close()
    _say(cmd, "cli.backup.done", path=str(made), code=(record.audit_code if record else "") or "-")
    return cmd.told_audit_failures(desk)


def restore(cmd: _Commands) -> int:
    data_dir = cmd.data_dir()
    log = cmd.wiring.open_audit(data_dir)
    auditor = Auditor(log, cmd.wiring.clock, cmd.counter())
    me = cmd.me

    def note(aside: str, replaced: tuple[int, str] | None) -> None:
        detail: dict[str, Any] = {"aside": aside, "source": str(cmd.args.source)}
        if replaced is not None:
            detail["replaced_head"] = {"seq": replaced[0], "hash": replaced[1]}
        auditor.record(me.name, me.role.value, "restore", str(cmd.args.source), detail,
                       continue_after=replaced[0] if replaced else 0)

    aside = cmd.maintenance().restore(data_dir, cmd.args.source, cmd.stamp(), log, note)
    _say(cmd, "cli.restore.done", source=str(cmd.args.source), aside=str(aside))
    return 0


def repair(cmd: _Commands) -> int:
    """Explicit, audited, and says what could not be saved: the audit entries of the lost
    saves tell which registrations to enter again. An intact journal is left alone."""
    data_dir = cmd.existing_data_dir()
    report = cmd.maintenance().repair(data_dir, cmd.stamp(), cmd.wiring.clock.today)
    if not report.needed:
        _say(cmd, "cli.repair.nothing")
        return 0
    lost = _lost_entries(cmd, data_dir, report.epoch, set(report.lost))
    desk = cmd.open_desk()
    try:
        desk.note_maintenance(cmd.me, "repair", str(data_dir), copied=report.moved, kept=report.kept,
                              lost=_ranges(report.lost), lost_actions=[f"{e.action} {e.target}" for e in lost])
    finally:
        desk.store.close()
    if report.moved:
        _say(cmd, "cli.repair.done", moved=", ".join(report.moved), kept=report.kept)
    else:
        _say(cmd, "cli.repair.kept", kept=report.kept)
    if report.lost:
        _say(cmd, "cli.repair.lost", saves=_ranges(report.lost))
    for entry in lost:
        _say(cmd, "cli.repair.lost_entry", at=f"{entry.at:%Y-%m-%d %H:%M}", operator=entry.operator,
             action=cmd.t.label("audit_action", entry.action), target=entry.target)
    return cmd.told_audit_failures(desk)


def _lost_entries(cmd: _Commands, data_dir: Path, epoch: str, lost: set[int]) -> list:
    return [e for e in _auditor(cmd, data_dir).entries()
            if e.detail.get(STORE_SEQ) in lost and e.detail.get(STORE_EPOCH) == epoch]


def _ranges(numbers: list[int]) -> str:
    """[3, 4, 5, 9] -> "3-5, 9"."""
    spans: list[list[int]] = []
    for n in sorted(numbers):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


# -- audit ---------------------------------------------------------------------------------


def audit_head(cmd: _Commands) -> int:
    head = _auditor(cmd, cmd.existing_data_dir()).head()
    _say(cmd, "cli.audit.head", code=head_code(*head) if head else "-")
    return 0


def audit_verify(cmd: _Commands) -> int:
    """Reads only the trail, so it runs while the desk is open on the same data. With
    `--against`, also proves the trail still holds a head written down earlier."""
    folder = cmd.existing_data_dir()
    count, problems = _verify_trail(cmd, folder)
    behind = cmd.maintenance().trail_behind(folder)  # a trail deleted or cut back whole checks on its own
    if behind:
        _say(cmd, "cli.audit.behind", message=cmd.t("check.trail_behind", found=behind[0], expected=behind[1]))
        problems += 1
    if cmd.args.against and not _holds(cmd, folder, cmd.args.against):
        problems += 1
    if problems:
        _say(cmd, "cli.audit.bad", count=count, problems=problems)
        return 1
    _say(cmd, "cli.audit.ok", count=count)
    return 0


def _holds(cmd: _Commands, folder: Path, against: str) -> bool:
    anchor = _anchor(cmd, against)
    log = cmd.wiring.open_audit(folder)
    if contains(log.lines(), anchor[0], anchor[1], log.open_other):
        _say(cmd, "cli.audit.holds", code=head_code(*anchor) if len(anchor[1]) >= 12 else against)
        return True
    # A code copied by hand may be mistyped: say that first, before calling it a rewrite.
    _say(cmd, "cli.audit.lacks" if Path(against).is_dir() else "cli.audit.lacks_code", code=against)
    return False


def _anchor(cmd: _Commands, against: str) -> tuple[int, str]:
    """(seq, hash or hash prefix) from a backup folder or a head code written down."""
    folder = Path(against)
    if folder.is_dir():
        head = _auditor(cmd, folder).head()
        if head is None:
            raise cmd.usage_error(cmd.t("cli.audit.no_anchor", path=against))
        return head
    code = parse_code(against)
    if code is None:
        looks_like_a_path = any(sep in against for sep in ("/", "\\")) or folder.exists()
        key = "cli.audit.no_backup_folder" if looks_like_a_path else "cli.audit.bad_code"
        raise cmd.usage_error(cmd.t(key, code=against))
    return code
