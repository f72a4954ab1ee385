"""The person's card: who they are (numbers masked), their open matters with deadline
colours, their visits and flags, and what was corrected on the record.

Enter on any lookup result opens it, so the habit is the same for everyone; from here
the receptionist chooses a repeat visit to an open matter or a new matter, instead of
opening a blank form by habit and making a duplicate. Returns a CardChoice, or None.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from desk.lookup import LookupHit
from desk.models import Matter, Visitor
from desk.permissions import Action
from screens.base import DeskScreen, own_key
from screens.choose import choose_open_matter
from screens.widgets import (
    correction_lines,
    not_accepted_again_banner,
    open_matter_lines,
    person_flags,
    visit_lines,
    visitor_line,
)

VISITS_SHOWN = 5


@dataclass(frozen=True)
class CardChoice:
    """What the receptionist chose for this person: `matter` for a repeat visit to it,
    None for a new matter. `hit` is the person as last read (after any correction)."""

    hit: LookupHit
    matter: Matter | None


def card_text(t, hit: LookupHit) -> Text:
    v = hit.visitor
    text = not_accepted_again_banner(t, hit) if hit.not_accepted_again else Text()
    text.append_text(visitor_line(t, v, person_flags(v, hit.visits)))
    text.append("\n")
    if v.birth_date:
        text.append(f"{t('detail.born')} {v.birth_date.isoformat()} {t('sex.' + v.sex)}  ")
    if v.address:
        text.append(f"{t('field.address')} ")
        text.append(v.address)
    text.append("\n\n")
    text.append(t("card.open", count=len(hit.open_matters)) + "\n", style="bold underline")
    text.append_text(open_matter_lines(t, hit.open_matters))
    text.append("\n" + t("lookup.visits", count=len(hit.visits)) + "\n", style="bold underline")
    numbers = {b.matter.id: b.matter.number for b in hit.matters}
    text.append_text(visit_lines(t, hit.visits, numbers, VISITS_SHOWN))
    if v.corrections:
        text.append("\n" + t("card.corrections") + "\n", style="bold underline")
        text.append_text(correction_lines(t, v.corrections))
    return text


class CardScreen(DeskScreen):
    BINDINGS = [
        Binding("r", "repeat", "key.card_repeat", id="card_repeat"),
        Binding("n", "new", "key.card_new", id="card_new"),
        Binding("e", "correct", "key.card_correct", id="card_correct"),
        Binding("d", "detail", "key.detail", id="card_detail", show=False),  # in the palette: room at 80 columns
        Binding("escape", "back", "key.back", id="back"),
        # Still working, in the command palette, not in the Footer: room at 80 columns.
        own_key("f3", "register"),
        own_key("f4", "matters"),
    ]

    def __init__(self, hit: LookupHit) -> None:
        super().__init__()
        self.hit = hit

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="card"):
            yield Static("", id="card-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#card-body", Static).update(card_text(self.app.catalog, self.hit))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        may = self.desk.may(self.app.operator, Action.REGISTER)
        if action == "repeat":
            return may and self.hit.repeat
        if action == "detail":
            return bool(self.hit.open_matters)
        if action in ("new", "correct"):
            return may
        return True

    def action_repeat(self) -> None:
        choose_open_matter(self, self.hit.open_matters, self._repeat)

    def _repeat(self, matter_id: int | None) -> None:
        if matter_id is not None:
            matter = next(b.matter for b in self.hit.open_matters if b.matter.id == matter_id)
            self.dismiss(CardChoice(self.hit, matter))

    def action_detail(self) -> None:
        """One of the person's open matters in full (chosen when there are several)."""
        from screens.detail import DetailScreen

        choose_open_matter(self, self.hit.open_matters,
                           lambda matter_id: self.app.push_screen(DetailScreen(matter_id)) if matter_id else None)

    def action_new(self) -> None:
        self.dismiss(CardChoice(self.hit, None))

    def action_correct(self) -> None:
        from screens.correct import CorrectModal

        self.app.push_screen(CorrectModal(self.hit.visitor), self._corrected)

    def _corrected(self, visitor: Visitor | None) -> None:
        if visitor is None:
            return
        self.hit = self.desk.visitor_hit(visitor.id, self.operator) or self.hit
        self.on_mount()
        self.toast(self.t("card.corrected", name=visitor.name))

    def action_back(self) -> None:
        self.dismiss(None)
