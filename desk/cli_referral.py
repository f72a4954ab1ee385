"""Commands for stations and the duty roster: `desk station list|add|edit|disable|enable`,
`desk roster show [--date D]` and `desk roster set D STATION OPERATOR...`."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, Any

from desk.i18n import Catalog
from desk.referral import Staffing, Station, StationForm, StationKind
from desk.referral.stations import working_days

if TYPE_CHECKING:
    from desk.cli import _Commands

COMMANDS = ("station", "roster")
_STATION_OPTIONS = ("kind", "name", "window", "prefix", "category", "bring")


def add_parsers(sub: Any, common: argparse.ArgumentParser, t: Catalog) -> None:
    station = sub.add_parser("station", parents=[common], help=t("cli.help.station"), description=t("cli.help.station"))
    verbs = station.add_subparsers(dest="station_command", metavar=t("cli.metavar.command"), required=True)
    verbs.add_parser("list", parents=[common], help=t("cli.help.station_list"), description=t("cli.help.station_list"))
    for verb in ("add", "edit", "disable", "enable"):
        p = verbs.add_parser(verb, parents=[common], help=t(f"cli.help.station_{verb}"),
                             description=t(f"cli.help.station_{verb}"))
        if verb != "add":
            p.add_argument("station", metavar=t("cli.metavar.station"), help=t("cli.help.station_name"))
        if verb in ("add", "edit"):
            for option in _STATION_OPTIONS:
                kwargs: dict[str, Any] = {"choices": [k.value for k in StationKind]} if option == "kind" else {}
                key = "name_option" if option == "name" else option
                p.add_argument(f"--{option}", required=verb == "add" and option in ("kind", "name", "window", "prefix"),
                               help=t(f"cli.help.station_{key}"), **kwargs)
    roster = sub.add_parser("roster", parents=[common], help=t("cli.help.roster"), description=t("cli.help.roster"))
    verbs = roster.add_subparsers(dest="roster_command", metavar=t("cli.metavar.command"), required=True)
    show = verbs.add_parser("show", parents=[common], help=t("cli.help.roster_show"), description=t("cli.help.roster_show"))
    show.add_argument("--date", metavar=t("cli.metavar.date"), help=t("cli.help.roster_date"))
    put = verbs.add_parser("set", parents=[common], help=t("cli.help.roster_set"), description=t("cli.help.roster_set"))
    put.add_argument("date", metavar=t("cli.metavar.date"), help=t("cli.help.roster_day"))
    put.add_argument("station", metavar=t("cli.metavar.station"), help=t("cli.help.station_name"))
    put.add_argument("operators", nargs="*", metavar=t("cli.metavar.operator"), help=t("cli.help.roster_operators"))
    put.add_argument("--staffing", choices=[s.value for s in Staffing], default=Staffing.ROTATING.value,
                     help=t("cli.help.roster_staffing"))
    put.add_argument("--through", metavar=t("cli.metavar.date"), help=t("cli.help.roster_through"))


def run(cmd: _Commands) -> int:
    return station(cmd) if cmd.args.command == "station" else roster(cmd)


def _say(cmd: _Commands, text: str) -> None:
    print(text, file=cmd.out)


def station_line(t: Catalog, s: Station) -> str:
    state = t("operator.active" if s.active else "operator.disabled")
    category = t.label("category", s.category) if s.category else "-"
    return "\t".join((s.prefix, s.name, s.window, t.label("station_kind", s.kind.value), category, state))


def station(cmd: _Commands) -> int:
    verb = cmd.args.station_command
    desk = cmd.open_existing() if verb == "list" else cmd.open_desk()
    try:
        ref = desk.referrals
        if verb == "add":
            done = ref.add_station(StationForm(**{o: getattr(cmd.args, o) for o in _STATION_OPTIONS}), cmd.me)
        elif verb == "edit":
            done = ref.edit_station(cmd.args.station, StationForm(**{o: getattr(cmd.args, o) for o in _STATION_OPTIONS}),
                                    cmd.me)
        elif verb in ("disable", "enable"):
            done = ref.set_station_active(cmd.args.station, verb == "enable", cmd.me)
        if verb != "list":
            _say(cmd, cmd.t(f"cli.station.{verb}", name=done.name, prefix=done.prefix))
            return 0
        for s in ref.stations():
            _say(cmd, station_line(cmd.t, s))
    finally:
        desk.store.close()
    return 0


def _date(cmd: _Commands, value: str | None) -> dt.date:
    if value is None:
        return cmd.wiring.clock.today()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise cmd.usage_error(cmd.t("err.date.value", value=value)) from None


def roster(cmd: _Commands) -> int:
    verb = cmd.args.roster_command
    desk = cmd.open_existing() if verb == "show" else cmd.open_desk()
    try:
        ref = desk.referrals
        if verb == "set":
            first = _date(cmd, cmd.args.date)
            last = _date(cmd, cmd.args.through) if cmd.args.through else first
            if last < first:
                raise cmd.usage_error(cmd.t("err.roster.range", first=first.isoformat(), last=last.isoformat()))
            days = working_days(first, last)
            ref.set_roster(days, cmd.args.station, cmd.args.operators, Staffing(cmd.args.staffing), cmd.me)
            staff = ", ".join(f"{n} ({cmd.t.label('staffing', cmd.args.staffing)})" for n in cmd.args.operators)
            # Said in full: the days given now have exactly these people, whoever was there before.
            _say(cmd, cmd.t("cli.roster.set", station=cmd.args.station, count=len(days),
                            staff=staff or cmd.t("cli.roster.nobody")))
            return 0
        day = _date(cmd, cmd.args.date)
        staff = {r.station_id: r.staff for r in ref.roster(day)}
        _say(cmd, cmd.t("cli.roster.day", date=day.isoformat()))
        for s in ref.stations():
            names = ", ".join(f"{d.operator} ({cmd.t.label('staffing', d.staffing.value)})" for d in staff.get(s.id, ()))
            _say(cmd, "\t".join((s.prefix, s.name, names or cmd.t("cli.roster.nobody"))))
    finally:
        desk.store.close()
    return 0
