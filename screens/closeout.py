"""The day close-out (日结) on screen, for supervisors and leaders: the day's numbers as
TALLY.md groups them, `c` closes the day after a yes, `p` prints the 日报. A closed day
shows its signed numbers, who closed it and when, the audit head code, and the changes
since the close-out (each number as signed and now, the records that entered or left it).
The tally screen opens it for its day; the command palette opens it for today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual._context import active_app
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from desk.documents.deliver import How
from desk.documents.service import Written, told
from desk.errors import DeskError
from desk.models import Operator
from desk.permissions import Action
from desk.store import StoreError
from desk.tally import formats
from desk.tally.closeout import Change, CloseOut, records_changed
from screens.base import DeskScreen, plain, tells_store_errors
from screens.confirm import ConfirmModal
from screens.documents import NOTICE_SECONDS

COLUMNS = ("item", "value", "item2", "value2")
ROOM = 14  # a cell's padding on both sides of four columns, the scroll bar, a margin


def _widths(left: list[tuple[Text, Text]], right: list[tuple[Text, Text]], width: int) -> list[int]:
    """Label and value widths of both halves; the longer labels (English) are cut so that
    the values stay in view at 80 columns."""
    sizes = [max((c[i].cell_len for c in half), default=0) for half in (left, right) for i in (0, 1)]
    spare = width - ROOM - sizes[1] - sizes[3]
    while sizes[0] + sizes[2] > spare and max(sizes[0], sizes[2]) > 8:
        sizes[0 if sizes[0] >= sizes[2] else 2] -= 1
    return sizes


def _tail(label: Text, width: int) -> Text:
    """A label too long for its column loses its start, not its end: the three colours of
    `Open matters at the end, by warning: red` stay apart."""
    text = label.plain
    while text and Text(text).cell_len > width:
        text = text[1:]
    return Text(text, style=label.style) if text != label.plain else label


class CloseOutScreen(DeskScreen):
    BINDINGS = [
        Binding("c", "close_day", "key.close_day", id="close_day"),
        Binding("p", "print", "key.print_day", id="print_day"),
        Binding("escape", "back", "key.back", id="back"),
    ]

    @dataclass
    class Loaded(Message):
        numbers: dict[str, Any]
        record: CloseOut | None
        changes: list[Change]

    @dataclass
    class Failed(Message):
        text: str

    def __init__(self, day: dt.date | None = None) -> None:
        super().__init__()
        self.day = day or active_app.get().desk.clock.today()  # type: ignore[attr-defined]
        self.record: CloseOut | None = None
        self.shown: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="closeout"):
            yield Static("", id="closeout-status")
            yield DataTable(id="closeout-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="closeout-changes"):
                yield Static("", id="closeout-changes-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = self.t("closeout.title", day=self.day.isoformat())
        table = self.query_one("#closeout-table", DataTable)
        table.show_header = False
        table.focus()
        if self.app.operator is not None:  # not yet `is_mounted` here: read without asking
            self._load(self.app.operator)

    def records_changed(self) -> None:
        self.reload()

    def reload(self) -> None:
        if self.app.operator is not None and self.is_mounted:
            self._load(self.app.operator)

    @work(thread=True, exclusive=True, group="closeout")
    @tells_store_errors
    def _load(self, operator: Operator) -> None:
        tally = self.desk.tally
        try:
            record = tally.closeout(self.day, operator)
            numbers = record.numbers if record else tally.recount(self.day, None, operator)
            changes = tally.changes_since(self.day, operator) if record else []
        except DeskError as exc:  # a record changed since it was sealed: said, never shown as signed
            self.post_message(self.Failed(self.explain(exc)))
            return
        self.post_message(self.Loaded(numbers, record, changes))

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.query_one("#closeout-status", Static).update(Text(message.text, style="bold red"))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        self.record = message.record
        self.shown = message.numbers  # what a close signs: the numbers the supervisor saw
        self._fill(message.numbers)
        self.query_one("#closeout-status", Static).update(self._status(message.record, message.changes))
        lines = formats.change_lines(self.app.catalog, message.changes)
        self.query_one("#closeout-changes-text", Static).update(
            plain("\n".join([self.t("closeout.changes"), *lines]) if lines else ""))
        self.query_one("#closeout-changes").set_class(bool(lines), "-shown")
        self.refresh_bindings()

    def _fill(self, numbers: dict[str, Any]) -> None:
        cells: list[tuple[Text, Text]] = []
        for group, rows in formats.grouped(self.app.catalog, numbers):
            cells.append((Text(group, style="bold"), Text("")))
            cells += [(Text(label), Text(value, justify="right")) for label, value in rows]
        half = (len(cells) + 1) // 2  # two numbers a row: the whole day on one screen
        table = self.query_one("#closeout-table", DataTable)
        table.clear(columns=True)
        widths = _widths(cells[:half], cells[half:], self.size.width)
        for key, width in zip(COLUMNS, widths, strict=True):
            table.add_column("", key=key, width=width)
        for left, right in zip(cells[:half], [*cells[half:], (Text(""), Text(""))], strict=False):
            table.add_row(_tail(left[0], widths[0]), left[1], _tail(right[0], widths[2]), right[1])

    def _status(self, record: CloseOut | None, changes: list[Change]) -> Text:
        if record is None:
            key = "closeout.open_day" if self.desk.may(self.app.operator, Action.CLOSE_DAY) else "closeout.none_yet"
            return Text(self.t(key, day=self.day.isoformat()))
        told_ = self.t("closeout.trailer", by=record.closed_by, at=f"{record.closed_at:%Y-%m-%d %H:%M}",
                       code=record.audit_head)
        since = (self.t("closeout.since", count=len(changes), records=records_changed(changes)) if changes
                 else self.t("closeout.since_none"))
        return Text(f"{told_}\n{since}", style="bold" if changes else "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_day":
            return self.record is None and self.desk.may(self.app.operator, Action.CLOSE_DAY)
        if action == "print":
            return self.record is not None
        return True

    def action_close_day(self) -> None:
        if self.record is not None:  # closed already: say so, ask nothing
            self.toast(self.t("err.closeout.closed", day=self.day.isoformat(), by=self.record.closed_by,
                              at=f"{self.record.closed_at:%Y-%m-%d %H:%M}"), "warning")
            return
        shown = self.shown

        def answered(yes: bool | None) -> None:
            if yes and shown is not None:
                self._close(self.operator, shown)

        self.app.push_screen(ConfirmModal(self.t("closeout.confirm", day=self.day.isoformat())), answered)

    @work(thread=True, exclusive=True, group="closeout-close")
    @tells_store_errors
    def _close(self, operator: Operator, shown: dict[str, Any]) -> None:
        try:
            self.desk.tally.close_day(self.day, operator, shown)
        except DeskError as exc:
            self.app.call_from_thread(self.toast, self.explain(exc), "error")
            self.app.call_from_thread(self.reload)  # the numbers as they are now, to check again
            return
        self.app.call_from_thread(self._day_closed)

    def _day_closed(self) -> None:
        self.toast(self.t("closeout.done", day=self.day.isoformat()))
        self.reload()

        def answered(yes: bool | None) -> None:
            if yes:
                self.action_print()

        self.app.push_screen(ConfirmModal(self.t("closeout.ask_print")), answered)

    def action_print(self) -> None:
        self._print(self.operator)

    @work(thread=True, exclusive=True, group="closeout-print")
    def _print(self, operator: Operator) -> None:
        try:
            written = self.desk.tally.print_day(self.day, operator, How.PRINT)
        except (DeskError, StoreError) as exc:
            self.app.call_from_thread(self.toast, self.explain(exc), "error")
            return
        self.app.call_from_thread(self._printed, written)

    def _printed(self, written: Written) -> None:
        severity = "information" if written.delivery.done else "warning"
        self.app.notify(told(self.app.catalog, written), severity=severity, timeout=NOTICE_SECONDS, markup=False)

    def action_back(self) -> None:
        self.dismiss()
