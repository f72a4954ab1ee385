"""The audit trail for supervisors: who did what, when, from which counter."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Static

from desk.audit import AuditEntry
from desk.models import Operator
from screens.base import DeskScreen, own_key, plain, tells_store_errors


class AuditScreen(DeskScreen):
    BINDINGS = [Binding("escape", "back", "key.back", id="back"), own_key("f6", "audit")]

    @dataclass
    class Loaded(Message):
        entries: list[AuditEntry]
        head: str

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[AuditEntry] = []
        self.head = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="audit"):
            yield Input(placeholder=self.t("audit.filter"), id="audit-filter", compact=True)
            yield Static("", id="audit-status", classes="hint")
            yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#audit-table", DataTable)
        for key in ("at", "operator", "action", "target", "counter"):
            table.add_column(self.t(f"audit.col.{key}"), key=key)
        self.query_one("#audit-filter").focus()
        self._load(self.operator)

    @work(thread=True, exclusive=True, group="audit")
    @tells_store_errors
    def _load(self, operator: Operator) -> None:
        self.post_message(self.Loaded(self.desk.audit_entries(operator), self.desk.audit_head_code(operator)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.entries = list(reversed(message.entries))  # newest first
        self.head = message.head
        self._show(self.query_one("#audit-filter", Input).value)

    @on(Input.Changed, "#audit-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._show(event.value)

    def _label(self, entry: AuditEntry) -> str:
        return self.app.catalog.label("audit_action", entry.action)

    def _show(self, text: str) -> None:
        words = text.split()
        table = self.query_one("#audit-table", DataTable)
        table.clear()
        shown = 0
        for entry in self.entries:
            haystack = " ".join((entry.at.isoformat(), entry.operator, entry.action, self._label(entry),
                                 entry.target, entry.counter))
            if all(w in haystack for w in words):
                table.add_row(Text(f"{entry.at:%Y-%m-%d %H:%M:%S}"), plain(entry.operator), plain(self._label(entry)),
                              plain(entry.target), plain(entry.counter))
                shown += 1
        status = self.t("audit.count", count=shown, total=len(self.entries))
        if self.head:
            status += "  " + self.t("audit.head_code", code=self.head)
        self.query_one("#audit-status", Static).update(status)

    def action_back(self) -> None:
        self.dismiss()
