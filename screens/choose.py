"""Pick one of a visitor's open matters (for a repeat visit). Returns its id, or None."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from desk.lookup import MatterBrief
from screens.base import DeskModal, DeskScreen
from screens.widgets import brief_line


class ChooseMatterModal(DeskModal[int | None]):
    BINDINGS = [Binding("escape", "cancel", "key.cancel", id="cancel")]

    def __init__(self, briefs: tuple[MatterBrief, ...]) -> None:
        super().__init__()
        self.briefs = briefs

    def compose(self) -> ComposeResult:
        t = self.app.catalog
        with Vertical(classes="dialog wide"):
            yield Label(self.t("choose.title"), classes="question")
            yield OptionList(
                *(Option(brief_line(t, b), id=str(b.matter.id)) for b in self.briefs),
                id="choices",
            )

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


def choose_open_matter(screen: DeskScreen, briefs: tuple[MatterBrief, ...], then: Callable[[int | None], None]) -> None:
    """One open matter is the one; with several the clerk picks (nothing is guessed)."""
    if len(briefs) == 1:
        then(briefs[0].matter.id)
    elif briefs:
        screen.app.push_screen(ChooseMatterModal(briefs), then)
