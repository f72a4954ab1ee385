"""Who is at the counter: name and password."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widgets import Button, Footer, Header, Input, Label, Static

from desk.errors import DeskError
from desk.store import StoreError
from screens.base import DeskScreen, plain, show_message


class LoginScreen(DeskScreen):
    # Quitting is in the palette everywhere; on the first screen a newcomer needs it in sight.
    BINDINGS = [Binding("ctrl+q", "app.quit", "key.quit", id="quit")]

    def __init__(self, notice: str = "") -> None:
        super().__init__()
        self.notice = notice

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(), Vertical(classes="dialog", id="login-box"):
            yield Label(self.t("login.title"), classes="question")
            yield Label(self.t("field.operator"))
            yield Input(id="login-name")
            yield Label(self.t("field.password"))
            yield Input(id="login-password", password=True)
            yield Static("", id="login-error", classes="error field-error")
            yield Button(self.t("button.login"), id="login-button", variant="primary", compact=True)
            if self.notice:
                yield Static(plain(self.notice), classes="hint", id="login-notice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#login-name").focus()

    @on(Input.Submitted, "#login-name")
    def _next(self) -> None:
        self.query_one("#login-password").focus()

    @on(Input.Submitted, "#login-password")
    @on(Button.Pressed, "#login-button")
    def action_login(self) -> None:
        name = self.query_one("#login-name", Input).value
        password = self.query_one("#login-password", Input).value
        if not name.strip():
            show_message(self.query_one("#login-error", Static), self.t("err.login.name"))
            self.query_one("#login-name").focus()
            return
        show_message(self.query_one("#login-error", Static), "")
        self._check(name, password)

    @work(thread=True, exclusive=True, group="login")
    def _check(self, name: str, password: str) -> None:
        """scrypt is deliberately slow: keep the screen responsive while it runs."""
        try:
            operator = self.desk.authenticate(name, password)
        except (DeskError, StoreError) as exc:  # a full disk is told here, not a crash
            self.app.call_from_thread(self._failed, self.explain(exc))
            return
        self.app.call_from_thread(self.app.enter_desk, operator)

    def _failed(self, message: str) -> None:
        show_message(self.query_one("#login-error", Static), message)
        password = self.query_one("#login-password", Input)
        password.value = ""
        password.focus()
