"""A small form for an operator's name, role and password; which fields show depends on
the use: a new operator, an administrator's reset, or changing one's own password.

`submit` does the work; when the service refuses, the reason shows here and the form
stays open with the name and role as typed. Returns True once done, None if cancelled."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Select, Static

from desk.errors import DeskError, FormErrors
from desk.models import Role
from desk.store import StoreError
from screens.base import DeskModal, plain, show_message
from screens.widgets import DeskSelect


class CredentialsModal(DeskModal[bool | None]):
    BINDINGS = [
        Binding("ctrl+s", "done", "key.confirm", id="confirm", priority=True),
        Binding("escape", "cancel", "key.cancel", id="cancel"),
    ]

    def __init__(
        self, title: str, submit: Callable[[dict[str, str]], object], *, new_operator: bool = False,
        ask_old: bool = False,
    ) -> None:
        super().__init__()
        self.title_text, self.submit = title, submit
        self.new_operator, self.ask_old = new_operator, ask_old

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="credentials"):
            yield Label(plain(self.title_text), classes="question")
            if self.new_operator:
                yield Label(self.t("field.operator"))
                yield Input(id="cred-name", compact=True)
                yield Label(self.t("field.role"))
                roles = [(self.t(f"role.{r.value}"), r.value) for r in Role]
                yield DeskSelect(roles, id="cred-role", value=Role.RECEPTIONIST.value, allow_blank=False, compact=True)
            if self.ask_old:
                yield Label(self.t("field.old_password"))
                yield Input(id="cred-old", password=True, compact=True)
            yield Label(self.t("field.password"))
            yield Input(id="cred-password", password=True, compact=True)
            yield Label(self.t("field.password_again"))
            yield Input(id="cred-again", password=True, compact=True)
            yield Static(self.t("credentials.hint"), classes="hint")
            yield Static("", id="cred-error", classes="error field-error")

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        """What was refused is old news once a field is typed in again."""
        show_message(self.query_one("#cred-error", Static), "")

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == "cred-again":
            self.action_done()
        else:
            self.focus_next()

    def _value(self, widget_id: str) -> str:
        return self.query_one(widget_id, Input).value if self.query(widget_id) else ""

    def action_done(self) -> None:
        if self._value("#cred-password") != self._value("#cred-again"):
            self.show_error(self.t("cli.password.mismatch"))
            return
        values = {"name": self._value("#cred-name"), "old": self._value("#cred-old"),
                  "password": self._value("#cred-password")}
        if self.query("#cred-role"):
            values["role"] = str(self.query_one("#cred-role", Select).value)
        try:
            self.submit(values)
        except (DeskError, FormErrors, StoreError) as exc:
            self.show_error(self.explain(exc))
            return
        self.dismiss(True)

    def show_error(self, message: str) -> None:
        """Hidden characters cannot be corrected one by one: the passwords start afresh,
        with the cursor in the first of them."""
        passwords = [self.query_one(i, Input) for i in ("#cred-old", "#cred-password", "#cred-again") if self.query(i)]
        with self.prevent(Input.Changed):
            for field in passwords:
                field.value = ""
        show_message(self.query_one("#cred-error", Static), message)
        passwords[0].focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
