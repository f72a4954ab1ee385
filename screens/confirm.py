"""A yes / no question in a modal: y, n or escape. Returns True only for yes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from screens.base import DeskModal, plain


class ConfirmModal(DeskModal[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "key.yes", id="yes"),
        Binding("n", "answer(False)", "key.no", id="no"),
        Binding("escape", "answer(False)", "key.cancel", id="cancel"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.question), classes="question")
            with Horizontal(classes="buttons"):
                yield Button(self.t("button.yes"), id="yes", variant="primary", compact=True)
                yield Button(self.t("button.no"), id="no", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
