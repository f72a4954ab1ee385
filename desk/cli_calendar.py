"""Commands for the working-day calendar: `desk calendar show [YEAR]`,
`desk calendar holiday add|remove DATE...`, `desk calendar workday add|remove DATE...`,
and `desk calendar complete|reopen YEAR` for a year the hall has entered itself.

A DATE is 2027-10-01, or a run of days 2027-10-01..2027-10-07 as the State Council's
notice gives them."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from desk.i18n import Catalog
from desk.lifecycle.calendar import DayKind, Entry, Outcome, Source
from desk.lifecycle.calendar_service import YearView, check_year

if TYPE_CHECKING:
    from desk.cli import _Commands

COMMANDS = ("calendar",)
_LONGEST_RUN = 31  # days in one DATE..DATE: longer is a typo, not a holiday


def add_parsers(sub: Any, common: argparse.ArgumentParser, t: Catalog) -> None:
    cal = sub.add_parser("calendar", parents=[common], help=t("cli.help.calendar"), description=t("cli.help.calendar"))
    verbs = cal.add_subparsers(dest="calendar_command", metavar=t("cli.metavar.command"), required=True)
    show = verbs.add_parser("show", parents=[common], help=t("cli.help.calendar_show"),
                            description=t("cli.help.calendar_show"))
    show.add_argument("year", nargs="?", metavar=t("cli.metavar.year"), help=t("cli.help.calendar_year"))
    for what in ("holiday", "workday"):
        noun = verbs.add_parser(what, parents=[common], help=t(f"cli.help.calendar_{what}"),
                                description=t(f"cli.help.calendar_{what}"))
        actions = noun.add_subparsers(dest="calendar_verb", metavar=t("cli.metavar.command"), required=True)
        for verb in ("add", "remove"):
            p = actions.add_parser(verb, parents=[common], help=t(f"cli.help.calendar_{what}_{verb}"),
                                   description=t(f"cli.help.calendar_{what}_{verb}"))
            p.add_argument("dates", nargs="+", metavar=t("cli.metavar.date"), help=t("cli.help.calendar_dates"))
    for verb in ("complete", "reopen"):
        p = verbs.add_parser(verb, parents=[common], help=t(f"cli.help.calendar_{verb}"),
                             description=t(f"cli.help.calendar_{verb}"))
        p.add_argument("year", metavar=t("cli.metavar.year"), help=t("cli.help.calendar_year"))


def run(cmd: _Commands) -> int:
    verb = cmd.args.calendar_command
    if verb == "show":
        return show(cmd)
    if verb in ("complete", "reopen"):
        return declare(cmd)
    return correct(cmd)


def _say(cmd: _Commands, text: str) -> None:
    print(text, file=cmd.out)


def parse_year(cmd: _Commands, value: str | None) -> int:
    if value is None:
        return cmd.wiring.clock.today().year
    if not re.fullmatch(r"[0-9]{4}", value.strip()):
        raise cmd.usage_error(cmd.t("err.calendar.year_value", value=value))
    return check_year(int(value))


def parse_dates(cmd: _Commands, values: list[str]) -> list[dt.date]:
    """Each value a date or a run FIRST..LAST; the first bad one is named, nothing is changed."""
    days: list[dt.date] = []
    for value in values:
        first_text, _, last_text = value.partition("..")
        first = _date(cmd, first_text, value)
        last = _date(cmd, last_text, value) if last_text else first
        if not 0 <= (last - first).days < _LONGEST_RUN:
            raise cmd.usage_error(cmd.t("err.calendar.run", value=value, most=_LONGEST_RUN))
        days += [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return list(dict.fromkeys(days))


def _date(cmd: _Commands, text: str, value: str) -> dt.date:
    # fromisoformat would also take 20271001 and 2027-W40-5: the notice and the help say 2027-10-01
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
        try:
            return dt.date.fromisoformat(text.strip())
        except ValueError:
            pass
    raise cmd.usage_error(cmd.t("err.date.value", value=value))


def correct(cmd: _Commands) -> int:
    what, verb = cmd.args.calendar_command, cmd.args.calendar_verb
    days = parse_dates(cmd, cmd.args.dates)
    desk = cmd.open_desk()
    try:
        service = desk.calendar
        outcomes = getattr(service, f"{verb}_{what}s")(days, cmd.me)
        calendar = service.current()
    finally:
        desk.store.close()
    for outcome in outcomes:
        _say(cmd, _outcome_line(cmd.t, what, verb, outcome))
    for year in calendar.unknown_years(o.day.year for o in outcomes):
        _say(cmd, cmd.t("cli.calendar.still_unknown", year=year))
    return 0


def _outcome_line(t: Catalog, what: str, verb: str, outcome: Outcome) -> str:
    key = f"cli.calendar.{what}_{verb}" + ("" if outcome.changed else "_already")
    return t(key, date=_day(t, outcome.day))


def declare(cmd: _Commands) -> int:
    verb = cmd.args.calendar_command
    year = parse_year(cmd, cmd.args.year)
    desk = cmd.open_desk()
    try:
        service = desk.calendar
        changed = (service.complete_year if verb == "complete" else service.reopen_year)(year, cmd.me)
    finally:
        desk.store.close()
    _say(cmd, cmd.t(f"cli.calendar.{verb}" + ("" if changed else "_already"), year=year))
    return 0


def show(cmd: _Commands) -> int:
    year = parse_year(cmd, cmd.args.year)
    desk = cmd.open_existing()
    try:
        view = desk.calendar.year(year)
    finally:
        desk.store.close()
    for line in year_lines(cmd.t, view):
        _say(cmd, line)
    return 0


def _day(t: Catalog, day: dt.date) -> str:
    return f"{day.isoformat()} {t(f'weekday.{day.weekday()}')}"


def _short(t: Catalog, day: dt.date) -> str:
    return f"{day.month:02d}-{day.day:02d} {t(f'weekday.{day.weekday()}')}"


def year_lines(t: Catalog, view: YearView) -> list[str]:
    """The year as a list: its holidays in runs, its make-up working days, the library's
    entries the hall cancelled, each saying where it comes from; and first, whether the
    year is known at all."""
    first, last = view.library_years
    if view.from_library:
        head = t("cli.calendar.known_library", year=view.year, version=view.library_version, first=first, last=last)
    elif view.known:
        head = t("cli.calendar.known_hall", year=view.year)
    else:
        head = t("cli.calendar.unknown", year=view.year, first=first, last=last)
    lines = [head]
    holidays = [e for e in view.entries if e.kind is DayKind.HOLIDAY]
    workdays = [e for e in view.entries if e.kind is DayKind.WORKDAY]
    cancelled = [e for e in view.entries if e.kind is DayKind.PLAIN]
    lines.append(t("cli.calendar.holidays", count=len(holidays)))
    for run in _runs(holidays):
        lines.append(_run_line(t, run))
    lines.append(t("cli.calendar.workdays", count=len(workdays)))
    for entry in workdays:
        lines.append(_run_line(t, [entry]))
    if cancelled:
        lines.append(t("cli.calendar.cancelled", count=len(cancelled)))
        for entry in cancelled:
            was = t(f"cli.calendar.was_{entry.was.value}") if entry.was else ""
            lines.append(f"  {_short(t, entry.day)}  {was}  {_festival(t, entry)}".rstrip())
    if not view.known:
        lines.append(t("cli.calendar.how_to_enter", year=view.year))
    return lines


def _runs(entries: list[Entry]) -> list[list[Entry]]:
    """Consecutive days with the same festival and source, as the notice groups them."""
    runs: list[list[Entry]] = []
    for entry in entries:
        if runs and (entry.day - runs[-1][-1].day).days == 1 and \
                (entry.festival, entry.source) == (runs[-1][-1].festival, runs[-1][-1].source):
            runs[-1].append(entry)
        else:
            runs.append([entry])
    return runs


def _festival(t: Catalog, entry: Entry) -> str:
    return t.label("festival", entry.festival) if entry.festival else ""


def _run_line(t: Catalog, run: list[Entry]) -> str:
    first, last = run[0], run[-1]
    when = _short(t, first.day) if len(run) == 1 else t("cli.calendar.run", first=_short(t, first.day),
                                                          last=_short(t, last.day), count=len(run))
    source = t("cli.calendar.source_hall" if first.source is Source.HALL else "cli.calendar.source_library")
    return "  " + "  ".join(part for part in (when, _festival(t, first), source) if part)
