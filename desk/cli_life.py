"""Commands for a matter's life that the hall keeps as data: `desk department
list|add|edit|disable|enable` (the responsible departments, 责任单位) and `desk reason
list|add|remove` (the reasons for not accepting a matter, 不予受理的理由)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from desk.i18n import Catalog
from desk.lifecycle.departments import DepartmentForm, department_called
from desk.lifecycle.records import Department

if TYPE_CHECKING:
    from desk.cli import _Commands

COMMANDS = ("department", "reason")
_DEPARTMENT_OPTIONS = ("name", "contact", "phone")


def add_parsers(sub: Any, common: argparse.ArgumentParser, t: Catalog) -> None:
    department = sub.add_parser("department", parents=[common], help=t("cli.help.department"),
                                description=t("cli.help.department"))
    verbs = department.add_subparsers(dest="department_command", metavar=t("cli.metavar.command"), required=True)
    verbs.add_parser("list", parents=[common], help=t("cli.help.department_list"),
                     description=t("cli.help.department_list"))
    for verb in ("add", "edit", "disable", "enable"):
        p = verbs.add_parser(verb, parents=[common], help=t(f"cli.help.department_{verb}"),
                             description=t(f"cli.help.department_{verb}"))
        if verb == "add":
            p.add_argument("name", metavar=t("cli.metavar.department_name"), help=t("cli.help.department_name_new"))
        else:
            p.add_argument("department", metavar=t("cli.metavar.department"), help=t("cli.help.department_called"))
        if verb == "edit":
            p.add_argument("--name", help=t("cli.help.department_rename"))
        if verb in ("add", "edit"):
            p.add_argument("--contact", help=t("cli.help.department_contact"))
            p.add_argument("--phone", help=t("cli.help.department_phone"))
    reason = sub.add_parser("reason", parents=[common], help=t("cli.help.reason"), description=t("cli.help.reason"))
    verbs = reason.add_subparsers(dest="reason_command", metavar=t("cli.metavar.command"), required=True)
    verbs.add_parser("list", parents=[common], help=t("cli.help.reason_list"), description=t("cli.help.reason_list"))
    for verb in ("add", "remove"):
        p = verbs.add_parser(verb, parents=[common], help=t(f"cli.help.reason_{verb}"),
                             description=t(f"cli.help.reason_{verb}"))
        p.add_argument("text", metavar=t("cli.metavar.reason"), help=t("cli.help.reason_text"))


def run(cmd: _Commands) -> int:
    return department(cmd) if cmd.args.command == "department" else reason(cmd)


def _say(cmd: _Commands, text: str) -> None:
    print(text, file=cmd.out)


def department_line(t: Catalog, d: Department) -> str:
    state = t("operator.active" if d.active else "operator.disabled")
    return "\t".join((str(d.id), d.name, d.contact or "-", d.phone or "-", state))


def _form(cmd: _Commands) -> DepartmentForm:
    return DepartmentForm(**{o: getattr(cmd.args, o, None) for o in _DEPARTMENT_OPTIONS})


def department(cmd: _Commands) -> int:
    verb = cmd.args.department_command
    desk = cmd.open_existing() if verb == "list" else cmd.open_desk()
    try:
        life = desk.life
        if verb == "add":
            done = life.save_department(_form(cmd), cmd.me)
        elif verb == "edit":
            called = department_called(desk.store, cmd.args.department)
            done = life.save_department(_form(cmd), cmd.me, called.id)
        elif verb in ("disable", "enable"):
            called = department_called(desk.store, cmd.args.department)
            done = life.set_department_active(called.id, verb == "enable", cmd.me)
        if verb != "list":
            _say(cmd, cmd.t(f"cli.department.{verb}", name=done.name, number=done.id))
            return 0
        for d in life.departments():
            _say(cmd, department_line(cmd.t, d))
    finally:
        desk.store.close()
    return 0


def reason(cmd: _Commands) -> int:
    """The reasons offered when a matter is not accepted: built-in ones by their catalog
    label, the hall's own by their text. Matters refused for a removed one keep it."""
    verb = cmd.args.reason_command
    desk = cmd.open_existing() if verb == "list" else cmd.open_desk()
    try:
        if verb != "list":
            code = desk.change_reject_reasons(cmd.me, **{verb: cmd.args.text})
            _say(cmd, cmd.t(f"cli.reason.{verb}", name=cmd.t.label("reject_reason", code)))
        for code in desk.settings().reject_reasons:
            _say(cmd, f"{code}\t{cmd.t.label('reject_reason', code)}")
    finally:
        desk.store.close()
    return 0
