"""The agenda (见面安排, F9): the hall's meetings from today for a week, and every earlier
one not held yet, overdue in red at the top; `m` narrows it to the operator's own
(planned, attended, first-inquiry or owned). Enter opens the matter, `p` prints the
selected meeting's record. Reads again on others' saves, like my work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from desk.documents import How
from desk.meetings.records import MeetingState
from desk.meetings.service import AgendaRow
from desk.models import Operator
from desk.permissions import Action
from screens.base import DeskScreen, LiveTable, own_key, plain, tells_store_errors
from screens.documents import IssuesDocuments
from screens.meet_view import late, people, short_day

COLUMNS = ("when", "state", "kind", "number", "place", "people")
DAYS = 7  # today and the six days after


class AgendaScreen(LiveTable, IssuesDocuments, DeskScreen):
    # overdue turns red as time passes, not only when someone saves
    table_id, columns, column_prefix, clock_seconds = "agenda-table", COLUMNS, "agenda.col", 60
    BINDINGS = [
        Binding("escape", "back", "key.back", id="back"),
        Binding("m", "toggle_mine", "key.mine", id="mine"),
        Binding("p", "print_minutes", "key.print_minutes", id="print_minutes"),
        own_key("f9", "agenda"),
    ]

    @dataclass
    class Loaded(Message):
        rows: list[AgendaRow]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[AgendaRow] = []
        self.mine = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="agenda"):
            yield Static("", id="agenda-status", classes="hint")
            yield DataTable(id="agenda-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = self.t("agenda.title_plain")  # LiveTable's on_mount adds the columns and reads

    def reload(self) -> None:
        if self.app.operator is not None and self.is_mounted:
            self._load(self.mine, self.app.operator)

    @work(thread=True, exclusive=True, group="agenda")
    @tells_store_errors
    def _load(self, mine: bool, operator: Operator) -> None:
        today = self.desk.clock.today()
        rows = self.desk.meetings.agenda(today, today + dt.timedelta(days=DAYS - 1), operator, mine=mine)
        shown = [r for r in rows if r.meeting.state is not MeetingState.CANCELLED]
        self.post_message(self.Loaded(sorted(shown, key=lambda r: not r.overdue)))  # stable: by day within each

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        t, today = self.app.catalog, self.desk.clock.today()
        self.rows = message.rows
        table = self.query_one("#agenda-table", DataTable)
        row_before = table.cursor_row
        table.clear()
        for row in self.rows:
            m = row.meeting
            day = t("agenda.today") if m.day == today else short_day(m.day, today)
            state = late(t) if row.overdue else Text(t(f"meeting_state.{m.state.value}"))
            table.add_row(Text(f"{day} {m.time}", style="bold" if row.overdue else ""), state,
                          Text(t(f"meeting_kind.{m.kind.value}")), Text(row.number), plain(m.place),
                          plain(people(m)), key=str(m.id))
        if self.rows:
            table.move_cursor(row=min(max(row_before, 0), len(self.rows) - 1))
        overdue = sum(1 for r in self.rows if r.overdue)
        self.title = t("agenda.title", count=len(self.rows), late=overdue)
        hint = t("agenda.mine" if self.mine else "agenda.all")
        self.query_one("#agenda-status", Static).update(hint if self.rows else t("agenda.empty") + "\n" + hint)
        self.refresh_bindings()

    def _selected(self) -> AgendaRow | None:
        table = self.query_one("#agenda-table", DataTable)
        if not self.rows or table.cursor_row < 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    @on(DataTable.RowSelected, "#agenda-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        from screens.detail import DetailScreen

        row = next(r for r in self.rows if str(r.meeting.id) == event.row_key.value)
        self.app.push_screen(DetailScreen(row.meeting.matter_id))

    def action_toggle_mine(self) -> None:
        self.mine = not self.mine
        self.reload()

    def action_print_minutes(self) -> None:
        row = self._selected()
        if row is not None:
            self.write_minutes(row.meeting.id, How.PRINT, self.operator)

    def action_back(self) -> None:
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "print_minutes":
            return self.desk.may(self.app.operator, Action.PRINT) and bool(self.rows)
        return True
