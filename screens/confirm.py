"""A yes / no question in a modal: y, n or escape. Returns True only for yes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

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


class DraftModal(DeskModal[str | None]):
    """A saved draft offered back: r restores it, d discards it for good, escape leaves
    the form and keeps the draft for later. Returns "restore", "discard" or None."""

    BINDINGS = [
        Binding("r", "answer('restore')", "key.restore", id="restore"),
        Binding("y", "answer('restore')", "key.restore", show=False),
        Binding("d", "answer('discard')", "key.discard", id="discard"),
        Binding("escape", "answer(None)", "key.later", id="later"),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.who = name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.t("register.restore", name=self.who)), classes="question")
            yield Static(self.t("register.restore.hint"), classes="hint")
            with Horizontal(classes="buttons"):
                yield Button(self.t("button.restore"), id="restore", variant="primary", compact=True)
                yield Button(self.t("button.discard"), id="discard", variant="error", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)

    def action_answer(self, answer: str | None) -> None:
        self.dismiss(answer)
