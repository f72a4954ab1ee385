"""First start on an empty data directory: create the first administrator."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widgets import Button, Footer, Header, Input, Label, Static

from desk.errors import FormErrors
from desk.i18n import field_label
from desk.models import Role
from desk.store import StoreError
from screens.base import DeskScreen, plain, show_message


class SetupScreen(DeskScreen):
    BINDINGS = [
        Binding("ctrl+s", "create", "key.create_admin", id="create", priority=True),
        Binding("ctrl+q", "app.quit", "key.quit", id="quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(), Vertical(classes="dialog", id="setup-box"):
            yield Label(self.t("setup.title"), classes="question")
            yield Label(self.t("setup.hint"), classes="hint")
            folder = getattr(self.desk.store, "data_dir", None)
            if folder is not None:
                yield Label(plain(self.t("setup.folder", path=folder)), classes="hint", id="setup-folder")
            yield Label(self.t("field.operator"))
            yield Input(id="setup-name")
            yield Label(self.t("field.password"))
            yield Input(id="setup-password", password=True)
            yield Label(self.t("field.password_again"))
            yield Input(id="setup-again", password=True)
            yield Static("", id="setup-error", classes="error field-error")
            yield Button(self.t("button.create_admin"), id="setup-button", variant="primary", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#setup-name").focus()

    @on(Input.Changed)
    def _changed(self) -> None:
        """What was refused is old news once a field is typed in again."""
        show_message(self.query_one("#setup-error", Static), "")

    @on(Input.Submitted, "#setup-name")
    @on(Input.Submitted, "#setup-password")
    def _next(self) -> None:
        self.focus_next()

    @on(Input.Submitted, "#setup-again")
    @on(Button.Pressed, "#setup-button")
    def action_create(self) -> None:
        name = self.query_one("#setup-name", Input).value
        password = self.query_one("#setup-password", Input).value
        error = self.query_one("#setup-error", Static)
        if password != self.query_one("#setup-again", Input).value:
            show_message(error, self.t("cli.password.mismatch"))
            self._retype_password()
            return
        try:
            operator = self.desk.add_operator(name, Role.ADMIN.value, password)
        except FormErrors as exc:
            show_message(error, "\n".join(f"{field_label(self.app.catalog, e.field)}: {self.t(e.code, **e.params)}" for e in exc.errors))
            if exc.for_field("password"):
                self._retype_password()
            else:
                self.query_one("#setup-name").focus()
            return
        except StoreError as exc:
            show_message(error, self.explain(exc))
            return
        self.toast(self.t("setup.done", name=operator.name))
        self.app.enter_desk(operator)

    def _retype_password(self) -> None:
        """Hidden characters cannot be corrected one by one: start both fields afresh."""
        with self.prevent(Input.Changed):
            for widget_id in ("#setup-password", "#setup-again"):
                self.query_one(widget_id, Input).value = ""
        self.query_one("#setup-password").focus()
