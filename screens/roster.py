"""The duty roster (值班表) for administrators: a week of stations by days, each cell who
is on duty there; `e` changes a day at a station. The same rules as `desk roster set`."""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static

from desk.errors import DeskError, FormErrors
from desk.referral import Staffing, Station
from desk.store import StoreError
from screens.base import DeskModal, DeskScreen, plain, show_message
from screens.widgets import DeskSelect


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class RosterScreen(DeskScreen):
    BINDINGS = [
        Binding("escape", "back", "key.back", id="back"),
        Binding("e", "edit", "key.edit_roster", id="edit"),
        Binding("comma", "week(-1)", "key.week_before", id="week_before"),
        Binding("full_stop", "week(1)", "key.week_after", id="week_after"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.monday = monday_of(self.desk.clock.today())
        self.stations: list[Station] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="roster"):
            yield Static(id="roster-title", classes="question")
            yield DataTable(id="roster-table", cursor_type="cell", zebra_stripes=True, cell_padding=1)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#roster-table", DataTable).focus()

    def records_changed(self) -> None:
        self.reload()

    def days(self) -> list[dt.date]:
        return [self.monday + dt.timedelta(days=n) for n in range(7)]

    def reload(self) -> None:
        table = self.query_one("#roster-table", DataTable)
        where = table.cursor_coordinate
        table.clear(columns=True)
        table.add_column(self.t("roster.col.station"), key="station")
        for day in self.days():
            table.add_column(f"{day:%m-%d} {self.t(f'weekday.{day.weekday()}')}", key=day.isoformat())
        self.stations = self.desk.referrals.stations()
        staff = {day: {r.station_id: r.staff for r in self.desk.referrals.roster(day)} for day in self.days()}
        for s in self.stations:
            cells = ["、".join(d.operator for d in staff[day].get(s.id, ())) or "-" for day in self.days()]
            label = f"{s.prefix} {self.app.catalog.label('station_kind', s.kind.value)}"
            table.add_row(plain(label), *map(plain, cells), key=str(s.id))
        self.query_one("#roster-title", Static).update(plain(self.t(
            "roster.title", first=self.monday.isoformat(), last=self.days()[-1].isoformat())))
        if self.stations:
            table.cursor_coordinate = where

    def action_week(self, step: int) -> None:
        self.monday += dt.timedelta(weeks=step)
        self.reload()

    def action_edit(self) -> None:
        table = self.query_one("#roster-table", DataTable)
        row, column = table.cursor_coordinate
        if not self.stations or column == 0:
            self.toast(self.t("roster.choose_day"), "warning")
            return
        station, day = self.stations[row], self.days()[column - 1]
        current = {r.station_id: r.staff for r in self.desk.referrals.roster(day)}.get(station.id, ())
        staffing = current[0].staffing if current else Staffing.ROTATING
        modal = RosterDayModal(station, day, " ".join(d.operator for d in current), staffing)
        self.app.push_screen(modal, self.reload_after)

    def reload_after(self, saved: bool | None) -> None:
        if saved:
            self.reload()

    def action_back(self) -> None:
        self.dismiss()


class RosterDayModal(DeskModal[bool]):
    """Who is on duty at one station on one day: names apart by spaces; empty for nobody."""

    BINDINGS = [
        Binding("ctrl+s", "done", "key.confirm", id="confirm", priority=True),
        Binding("escape", "cancel", "key.cancel", id="cancel"),
    ]

    def __init__(self, station: Station, day: dt.date, names: str, staffing: Staffing) -> None:
        super().__init__()
        self.station, self.day, self.names, self.staffing = station, day, names, staffing

    def compose(self) -> ComposeResult:
        t = self.app.catalog
        with Vertical(classes="dialog wide", id="roster-day"):
            yield Label(plain(t("roster.day_title", station=self.station.name, day=self.day.isoformat())),
                        classes="question")
            yield Label(t("roster.names"))
            yield Input(self.names, id="r-names")
            yield Label(t("roster.staffing"))
            yield DeskSelect([(t.label("staffing", s.value), s.value) for s in Staffing], id="r-staffing",
                             allow_blank=False, value=self.staffing.value, compact=True)
            yield Static(id="r-error", classes="field-error")
            yield Label(t("roster.keys"), classes="hint")

    def action_done(self) -> None:
        names = self.query_one("#r-names", Input).value.split()
        staffing = Staffing(self.query_one("#r-staffing", Select).value)
        try:
            self.desk.referrals.set_roster([self.day], self.station.prefix, names, staffing, self.operator)
        except (DeskError, FormErrors, StoreError) as exc:  # said here: what was typed stays
            show_message(self.query_one("#r-error", Static), self.explain(exc))
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
