"""The counter locked after idle time: only the same operator's password opens it.

It is a screen pushed over whatever was open, so a half-typed registration below it
is untouched by the lock and the unlock.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widgets import Footer, Header, Input, Label, Static

from desk.errors import DeskError
from desk.store import StoreError
from screens.base import DeskScreen, show_message


class LockScreen(DeskScreen):
    BINDINGS = [Binding("ctrl+o", "switch", "key.switch_operator", id="switch")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(), Vertical(classes="dialog", id="lock-box"):
            yield Label(self.t("lock.title", name=self.operator.name), classes="question")
            yield Static(self.t("lock.hint", name=self.operator.name), classes="hint")
            yield Input(id="lock-password", password=True)
            yield Static("", id="lock-error", classes="error field-error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#lock-password").focus()

    @on(Input.Submitted, "#lock-password")
    def _submitted(self, event: Input.Submitted) -> None:
        self._check(self.operator.name, event.value)

    @work(thread=True, exclusive=True, group="unlock")
    def _check(self, name: str, password: str) -> None:
        try:
            self.desk.authenticate(name, password, action="unlock")
        except (DeskError, StoreError) as exc:  # a full disk is told here, not a crash
            self.app.call_from_thread(self._failed, self.explain(exc))
            return
        self.app.call_from_thread(self.app.unlock)

    def _failed(self, message: str) -> None:
        show_message(self.query_one("#lock-error", Static), message)
        self.query_one("#lock-password", Input).value = ""

    def action_switch(self) -> None:
        """Another operator takes the counter; the first one's draft waits for them."""
        self.app.action_logout()
