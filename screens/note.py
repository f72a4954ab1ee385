"""Asks for a short text (a resolution note). Returns the text, or None when cancelled."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static, TextArea

from screens.base import DeskModal, plain


class NoteModal(DeskModal[str | None]):
    BINDINGS = [
        Binding("ctrl+s", "done", "key.confirm", id="confirm", priority=True),
        Binding("escape", "cancel", "key.cancel", id="cancel"),
    ]

    def __init__(self, title: str, hint: str) -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="question")
            yield Label(plain(self.hint), classes="hint")
            yield TextArea(id="note", soft_wrap=True, compact=True)
            yield Static("", id="note-error", classes="error")

    def action_done(self) -> None:
        text = self.query_one("#note", TextArea).text
        if not text.strip():
            self.query_one("#note-error", Static).update(plain(self.t("err.close.note")))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
