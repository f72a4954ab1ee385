"""The hall overview (大厅概况) for leaders and supervisors: each station's day at a
glance, live: who is on duty, waiting and being served now, the longest wait, served
today, average waiting and serving time, left without service, outcomes by kind."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Static

from desk.errors import DeskError
from desk.referral.service import StationDay
from desk.store import StoreError
from screens.base import DeskScreen, LiveTable, own_key, plain

COLUMNS = ("station", "on_duty", "waiting", "serving", "longest", "done", "average_wait", "average_serve", "left")


def minutes(seconds: int | None) -> str:
    return "-" if seconds is None else f"{seconds // 60}'"


class OverviewScreen(LiveTable, DeskScreen):
    table_id, columns, column_prefix = "overview-table", COLUMNS, "overview.col"

    BINDINGS = [
        Binding("escape", "back", "key.back", id="back", show=False),
        own_key("f7", "overview"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.days: list[StationDay] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="overview"):
            yield Static(plain(self.t("overview.title")), classes="question")
            yield DataTable(id="overview-table", cursor_type="row", zebra_stripes=True, cell_padding=1)
            yield Static(id="overview-outcomes")
        yield Footer(compact=True)

    def reload(self) -> None:
        try:
            self.days = self.desk.referrals.overview(self.operator)
        except (DeskError, StoreError) as exc:
            self.toast(self.explain(exc), "error")
            self.days = []
        table = self.query_one("#overview-table", DataTable)
        row = table.cursor_row
        table.clear()
        for day in self.days:
            table.add_row(*self._cells(day))
        if self.days:
            table.move_cursor(row=min(row, len(self.days) - 1))
        self._show_outcomes()

    def _cells(self, day: StationDay) -> list:
        t = self.app.catalog
        name = f"{day.station.prefix} {t.label('station_kind', day.station.kind.value)}"
        return [plain(name), plain("、".join(day.on_duty) or "-"), day.waiting, day.serving,
                minutes(day.longest_wait if day.waiting else None), day.done,
                minutes(day.average_wait), minutes(day.average_serve), day.left]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_outcomes()

    def _show_outcomes(self) -> None:
        table = self.query_one("#overview-table", DataTable)
        line = self.query_one("#overview-outcomes", Static)
        if not self.days or table.cursor_row >= len(self.days):
            line.update("")
            return
        day = self.days[table.cursor_row]
        t = self.app.catalog
        outcomes = "，".join(f"{t(f'outcome.{code}')} {n}" for code, n in day.outcomes) or t("overview.no_outcomes")
        line.update(plain(t("overview.outcomes", station=day.station.name, outcomes=outcomes)))

    def action_back(self) -> None:
        self.dismiss()
