"""Operators for administrators: add, disable or enable, change a role, reset a password."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from desk.errors import DeskError, FormErrors
from desk.models import Operator, Role
from desk.store import StoreError
from screens.base import DeskScreen, plain
from screens.confirm import ConfirmModal
from screens.credentials import CredentialsModal
from screens.role import RoleModal


class OperatorsScreen(DeskScreen):
    BINDINGS = [
        Binding("escape", "back", "key.back", id="back"),
        Binding("a", "add", "key.add_operator", id="add"),
        Binding("d", "toggle", "key.toggle_operator", id="toggle"),
        Binding("p", "reset", "key.reset_password", id="reset"),
        Binding("r", "role", "key.change_role", id="role"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self.t("operators.hint"), classes="hint", id="operators-hint")
        yield DataTable(id="operator-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#operator-table", DataTable)
        for key in ("name", "role", "state", "failures"):
            table.add_column(self.t(f"operators.col.{key}"), key=key)
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def records_changed(self) -> None:
        """A change made at another counter or on the command line shows here too."""
        self.reload()

    def reload(self) -> None:
        table = self.query_one("#operator-table", DataTable)
        row = table.cursor_row
        table.clear()
        self.rows = self.desk.operators()
        for op in self.rows:
            state = self.t("operator.active" if op.active else "operator.disabled")
            waiting = self.t("operators.waiting", until=f"{op.locked_until:%H:%M:%S}") if op.locked_until else ""
            table.add_row(plain(op.name), Text(self.t(f"role.{op.role.value}")), Text(state),
                          Text(f"{op.failures} {waiting}".strip()), key=str(op.id))
        if self.rows:
            table.move_cursor(row=min(max(row, 0), len(self.rows) - 1))

    def _current(self) -> Operator | None:
        table = self.query_one("#operator-table", DataTable)
        return self.rows[table.cursor_row] if self.rows else None

    def _done(self, message: str) -> None:
        self.toast(message)
        self.reload()

    def action_add(self) -> None:
        def submit(values: dict[str, str]) -> None:
            added = self.desk.add_operator(values["name"], values["role"], values["password"], by=self.operator)
            self._done(self.t("cli.user.added", name=added.name, role=self.t(f"role.{added.role.value}")))

        self.app.push_screen(CredentialsModal(self.t("operators.add_title"), submit, new_operator=True))

    def _refused(self, target: Operator, **changes) -> bool:
        """Say at once what the change would be refused for, instead of asking first."""
        try:
            self.desk.check_operator_change(target.name, self.operator, **changes)
        except (DeskError, StoreError) as exc:
            self.toast(self.explain(exc), "error")
            return True
        return False

    def action_toggle(self) -> None:
        target = self._current()
        if target is None or self._refused(target, active=not target.active):
            return
        question = self.t("operators.disable_q" if target.active else "operators.enable_q", name=target.name)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.desk.set_active(target.name, not target.active, self.operator)
            except (DeskError, StoreError) as exc:
                self.toast(self.explain(exc), "error")
                return
            self._done(self.t("cli.user.disable" if target.active else "cli.user.enable", name=target.name))

        self.app.push_screen(ConfirmModal(question), answered)

    def action_role(self) -> None:
        target = self._current()
        if target is None or self._refused(target, role=Role.RECEPTIONIST):  # any role but administrator
            return

        def chosen(role: str | None) -> None:
            if role is None or role == target.role.value:
                return
            try:
                self.desk.set_role(target.name, role, self.operator)
            except (DeskError, FormErrors, StoreError) as exc:
                self.toast(self.explain(exc), "error")
                return
            self._done(self.t("cli.user.role", name=target.name, role=self.t(f"role.{role}")))

        self.app.push_screen(RoleModal(self.t("operators.role_title", name=target.name), target.role), chosen)

    def action_reset(self) -> None:
        target = self._current()
        if target is None:
            return

        def submit(values: dict[str, str]) -> None:
            self.desk.reset_password(target.name, values["password"], self.operator)
            self._done(self.t("cli.user.passwd", name=target.name))

        self.app.push_screen(CredentialsModal(self.t("operators.reset_title", name=target.name), submit))

    def action_back(self) -> None:
        self.dismiss()
