"""A station's queue (叫号): today's tickets, the next to call first, and every move of
the referral's state table from the keyboard."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Static

from desk.errors import DeskError, FormErrors
from desk.referral import Finish, Move, QueueRow, State, Station
from desk.referral.lifecycle import TABLE
from desk.store import StoreError
from screens.base import DeskScreen, LiveTable, own_key, plain

# key -> the move it makes; finish asks for the outcome first
MOVE_KEYS = {"call": Move.CALL, "recall": Move.RECALL, "serve": Move.SERVE, "hold": Move.HOLD,
             "resume": Move.RESUME, "no_show": Move.NO_SHOW}


def minutes(seconds: int) -> str:
    return f"{seconds // 60}'"


class QueueScreen(LiveTable, DeskScreen):
    table_id, column_prefix = "queue-table", "queue.col"
    columns = ("ticket", "state", "name", "persons", "category", "waited", "flags", "summary")

    BINDINGS = [
        Binding("n", "call_next", "key.call_next", id="call_next"),
        Binding("c", "move('call')", "key.call", id="call", show=False),
        Binding("r", "move('recall')", "key.recall", id="recall"),
        Binding("s", "move('serve')", "key.serve", id="serve"),
        Binding("h", "move('hold')", "key.hold", id="hold"),
        Binding("u", "move('resume')", "key.resume", id="resume"),
        Binding("x", "move('no_show')", "key.no_show", id="no_show"),
        Binding("f", "finish", "key.finish", id="finish"),
        Binding("o", "other_station", "key.other_station", id="other_station"),
        Binding("escape", "back", "key.back", id="back", show=False),
        own_key("f5", "queue"),
    ]

    def __init__(self, station: Station) -> None:
        super().__init__()
        self.station = station
        self.rows: list[QueueRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="queue"):
            yield Static("", id="queue-title", classes="question")
            yield DataTable(id="queue-table", cursor_type="row", zebra_stripes=True, cell_padding=1)
        yield Footer(compact=True)

    # -- reading ------------------------------------------------------------------------

    def reload(self) -> None:
        try:
            self.rows = self.desk.referrals.queue(self.station.id, self.operator)
        except (DeskError, StoreError) as exc:
            self.toast(self.explain(exc), "error")
            self.rows = []
        table = self.query_one("#queue-table", DataTable)
        chosen = self.chosen()
        table.clear()
        for row in self.rows:
            table.add_row(*self._cells(row), key=str(row.referral.id))
        if chosen is not None and str(chosen.referral.id) in {str(r.referral.id) for r in self.rows}:
            table.move_cursor(row=table.get_row_index(str(chosen.referral.id)))
        waiting = sum(r.referral.state is State.WAITING for r in self.rows)
        self.query_one("#queue-title", Static).update(plain(self.t(
            "queue.title", name=self.station.name, window=self.station.window, count=waiting)))
        self.refresh_bindings()

    def _cells(self, row: QueueRow) -> list[Text]:
        ref, t = row.referral, self.app.catalog
        flags = " ".join(t(f"priority_short.{p.value}") for p in ref.priority)
        state_style = "bold" if ref.state is not State.WAITING else ""
        return [Text(ref.ticket, style="bold"), Text(t(f"state.{ref.state.value}"), style=state_style),
                plain(row.name), Text(str(row.persons)), Text(t.label("category_short", row.category)),
                Text(minutes(row.waited)), Text(flags), plain(row.summary)]

    def chosen(self) -> QueueRow | None:
        table = self.query_one("#queue-table", DataTable)
        if not self.rows or table.cursor_row is None or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    # -- moves ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "move":
            row = self.chosen()
            return row is not None and (row.referral.state, MOVE_KEYS[str(parameters[0])]) in TABLE
        if action == "finish":
            row = self.chosen()
            return row is not None and (row.referral.state, Move.FINISH) in TABLE
        if action == "other_station":
            return len(self.desk.referrals.visible_stations(self.operator)) > 1
        return True

    def _done(self, ticket: str, move: Move) -> None:
        self.toast(self.t("queue.done", ticket=ticket, move=self.t(f"move.{move.value}")))
        self.reload()
        if ticket in {r.referral.ticket for r in self.rows}:
            table = self.query_one("#queue-table", DataTable)
            table.move_cursor(row=[r.referral.ticket for r in self.rows].index(ticket))

    def _refused(self, exc: Exception) -> None:
        self.toast(self.explain(exc), "error")
        self.reload()

    def action_call_next(self) -> None:
        try:
            called = self.desk.referrals.call_next(self.station.id, self.operator)
        except (DeskError, StoreError) as exc:
            self._refused(exc)
            return
        self._done(called.ticket, Move.CALL)

    def action_move(self, name: str) -> None:
        row, move = self.chosen(), MOVE_KEYS[name]
        if row is None:
            return
        if move is Move.NO_SHOW:  # one key would end a ticket for good: asked first
            from screens.confirm import ConfirmModal

            question = self.t("queue.confirm_no_show", ticket=row.referral.ticket, persons=row.persons)
            self.app.push_screen(ConfirmModal(question), lambda yes: self._move(row, move) if yes else None)
            return
        self._move(row, move)

    def _move(self, row: QueueRow, move: Move) -> None:
        try:
            moved = self.desk.referrals.move(row.referral.id, move, self.operator)
        except (DeskError, StoreError) as exc:
            self._refused(exc)
            return
        self._done(moved.ticket, move)

    def action_finish(self) -> None:
        from screens.finish import FinishModal

        row = self.chosen()
        if row is not None:
            self.app.push_screen(FinishModal(row.referral, self.station), lambda result: self._finish(row, result))

    def _finish(self, row: QueueRow, result: Finish | None) -> None:
        if result is None:
            return
        try:
            done, onward = self.desk.referrals.finish(row.referral.id, result, self.operator)
        except (DeskError, FormErrors, StoreError) as exc:
            self._refused(exc)
            return
        self._done(done.ticket, Move.FINISH)
        if onward is not None:  # said last, so it is the message left: the visitor needs the new ticket
            self.toast(self.t("queue.transferred", ticket=done.ticket, onward=onward.referral.ticket,
                              name=onward.station.name, window=onward.station.window))

    def action_other_station(self) -> None:
        stations = self.desk.referrals.visible_stations(self.operator)
        ids = [s.id for s in stations]
        self.station = stations[(ids.index(self.station.id) + 1) % len(stations)] if self.station.id in ids \
            else stations[0]
        self.reload()

    def action_back(self) -> None:
        self.dismiss()
