"""Pick an operator's role from the five. Returns the role's code, or None if cancelled."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from desk.models import Role
from screens.base import DeskModal, plain


class RoleModal(DeskModal[str | None]):
    BINDINGS = [Binding("escape", "cancel", "key.cancel", id="cancel")]

    def __init__(self, title: str, current: Role) -> None:
        super().__init__()
        self.title_text, self.current = title, current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="question")
            yield OptionList(*(Option(self.t(f"role.{r.value}"), id=r.value) for r in Role), id="roles")

    def on_mount(self) -> None:
        roles = self.query_one("#roles", OptionList)
        roles.highlighted = list(Role).index(self.current)
        roles.focus()

    @on(OptionList.OptionSelected, "#roles")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
