"""The supervision list (督办一览, F10, for those who supervise): every open matter under
1+X supervision with its department, its last entry and its next step (kind, rung, due
day), red when the day passed or the ladder climbed, the most urgent first. Enter opens
the matter, where `m` records the next entry."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from desk.meetings.records import SupervisionKind
from desk.meetings.service import SupervisionRow
from desk.models import Operator
from screens.base import DeskScreen, LiveTable, own_key, plain, tells_store_errors
from screens.meet_view import late, short_day

COLUMNS = ("state", "next", "due", "number", "department", "last")


class SupervisionScreen(LiveTable, DeskScreen):
    # overdue turns red as time passes, not only when someone saves
    table_id, columns, column_prefix, clock_seconds = "supervision-table", COLUMNS, "supervision_list.col", 60
    BINDINGS = [
        Binding("escape", "back", "key.back", id="back"),
        own_key("f10", "supervision_list"),
    ]

    @dataclass
    class Loaded(Message):
        rows: list[SupervisionRow]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[SupervisionRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="supervision"):
            yield Static("", id="supervision-status", classes="hint")
            yield DataTable(id="supervision-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = self.t("supervision_list.title_plain")  # LiveTable's on_mount adds the columns and reads

    def reload(self) -> None:
        if self.app.operator is not None and self.is_mounted:
            self._load(self.app.operator)

    @work(thread=True, exclusive=True, group="supervision")
    @tells_store_errors
    def _load(self, operator: Operator) -> None:
        self.post_message(self.Loaded(self.desk.meetings.supervision_list(operator)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        t, today = self.app.catalog, self.desk.clock.today()
        self.rows = message.rows
        table = self.query_one("#supervision-table", DataTable)
        row_before = table.cursor_row
        table.clear()
        for row in self.rows:
            step, m = row.next, row.matter
            red = row.overdue or step.escalated
            what = t(f"supervision_kind.{step.kind.value}") + (f"({t('rung.' + step.rung.value)})" if step.rung else "")
            last = max(row.entries, key=lambda e: (e.day, e.id))
            told = last.document_number if last.kind is SupervisionKind.WRITTEN else last.answer
            table.add_row(late(t) if red else Text(""), Text(what, style="bold" if red else ""),
                          Text(short_day(step.due, today)), Text(m.number),
                          plain(m.sent.department if m.sent else ""),
                          plain(f"{short_day(last.day, today)} {t('supervision_kind.' + last.kind.value)} {told}"),
                          key=str(m.id))
        if self.rows:
            table.move_cursor(row=min(max(row_before, 0), len(self.rows) - 1))
        red = sum(1 for r in self.rows if r.overdue or r.next.escalated)
        self.title = t("supervision_list.title", count=len(self.rows), late=red)
        hint = t("supervision_list.hint")
        self.query_one("#supervision-status", Static).update(
            hint if self.rows else t("supervision_list.empty") + "\n" + hint)

    @on(DataTable.RowSelected, "#supervision-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        from screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(int(event.row_key.value)))

    def action_back(self) -> None:
        self.dismiss()
