"""What the registration form says about people already on file, while it is typed.

The ID number, once complete and valid, is looked up: when it is on file the form
shows whose it is (the person's card, inline), so the receptionist chooses a repeat
visit or a new matter for that person instead of making a second person of them. A
phone number only gives a hint naming who else has it: relatives share phones, so a
phone never identifies anyone. Both read masked data through `desk`, in a worker.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Checkbox, Input, Static

from desk.lookup import LookupHit
from desk.models import Operator, Visitor
from desk.permissions import Action
from desk.registration import RegistrationForm
from screens.base import tells_store_errors
from screens.choose import choose_open_matter
from screens.widgets import matter_brief, not_accepted_again_banner, person_flags, visitor_line

if TYPE_CHECKING:
    from screens.card import CardChoice


class OwnerCard(Static):
    """Under the ID field: the person whose number it is, and the keys to choose with."""

    DEFAULT_CSS = "OwnerCard { height: auto; display: none; }"

    class Found(Message):
        """The owner changed (or there is none any more); the form's keys follow it."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.hit: LookupHit | None = None
        self._asked = ""

    def look_up(self, number: str) -> None:
        """`number`: a complete, valid, normalised ID number, or "" when there is none."""
        if number == self._asked:
            return
        self._asked = number
        if number:
            self._run(number, self.app.operator)
        else:
            self._found("", None)

    @work(thread=True, exclusive=True, group="id-owner")
    @tells_store_errors
    def _run(self, number: str, operator: Operator) -> None:
        hits = self.app.desk.lookup(number, operator, limit=1)
        self.app.call_from_thread(self._found, number, hits[0] if hits else None)

    def _found(self, number: str, hit: LookupHit | None) -> None:
        if number != self._asked:
            return  # typing went on
        self.hit = hit
        self.post_message(self.Found())

    def show(self, typed_name: str, bound_id: int | None, keys: list[str]) -> None:
        """`bound_id`: the visitor the form registers for, if one was chosen."""
        self.display = self.hit is not None
        if self.hit is not None:
            self.update(self._text(self.hit, typed_name.strip(), bound_id, keys))

    def _text(self, hit: LookupHit, typed_name: str, bound_id: int | None, keys: list[str]) -> Group:
        t, v = self.app.catalog, hit.visitor
        bound = v.id == bound_id
        head = not_accepted_again_banner(t, hit) if hit.not_accepted_again else Text()
        head.append(t("owner.bound" if bound else "owner.on_file"), style="bold" if bound else "bold reverse")
        head.append("  ")
        head.append_text(visitor_line(t, v, person_flags(v, hit.visits)))
        if typed_name and typed_name != v.name:
            head.append("\n" + t("owner.name_differs", typed=typed_name, name=v.name), style="bold")
        visits, matters = t("owner.visits", count=len(hit.visits)), t("owner.open", count=len(hit.open_matters))
        head.append("\n" + t("owner.summary", visits=visits, open=matters))
        matters = [matter_brief(t, b.matter, b.warning, b.deadline, b.lapsed) for b in hit.open_matters]
        return Group(head, *matters, Text("  ".join(keys), style="bold"))


class PhoneHint(Static):
    """Under the phone field: who else has this phone on record, masked. Never a match."""

    DEFAULT_CSS = "PhoneHint { height: auto; display: none; }"

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self._asked: tuple[str, int | None] = ("", None)

    def look_up(self, phone: str, bound_id: int | None) -> None:
        """`phone`: a complete, valid number, or "" when there is none; the chosen visitor
        having it is no news."""
        if (phone, bound_id) == self._asked:
            return
        self._asked = (phone, bound_id)
        if phone:
            self._run(phone, bound_id, self.app.operator)
        else:
            self._found(phone, bound_id, [])

    @work(thread=True, exclusive=True, group="phone-holders")
    @tells_store_errors
    def _run(self, phone: str, bound_id: int | None, operator: Operator) -> None:
        holders = self.app.desk.phone_holders(phone, operator)
        self.app.call_from_thread(self._found, phone, bound_id, holders)

    def _found(self, phone: str, bound_id: int | None, holders: list[Visitor]) -> None:
        if (phone, bound_id) != self._asked:
            return
        others = [v for v in holders if v.id != bound_id]
        self.display = bool(others)
        if others:
            self.update(Text(self._hint(others)))

    def _hint(self, others: list[Visitor]) -> str:
        t, first = self.app.catalog, others[0]
        who = f"{first.name}（{first.id_number}）" if first.id_number else first.name
        if len(others) == 1:
            return t("phone.on_file", who=who)
        return t("phone.on_file.many", who=who, count=len(others))


# What a repeat visit takes over from a fresh form: the person and the visit, not the matter,
# and not the ID number, which is the one on record: the repeat form shows it masked.
_CARRIED = ("phone", "township", "village", "address", "persons", "skip_level", "threat",
            "key_person", "representatives")
OWNER_KEYS = {"owner_repeat": "owner.key.repeat", "owner_new": "owner.key.new", "owner_card": "owner.key.card"}


class ChoosesOwner:
    """The registration form's choices for the person whose number was typed: a repeat visit
    to an open matter (Ctrl+T), a new matter for them (Ctrl+N), or their card (Ctrl+O)."""

    @property
    def owner(self) -> LookupHit | None:
        """The person on file with the typed ID number, when a fresh form may choose them."""
        return None if self.repeat else self.query_one(OwnerCard).hit

    def on_owner_card_found(self) -> None:
        self._show_owner()

    def _show_owner(self) -> None:
        keys = [self.t(k) for a, k in OWNER_KEYS.items() if self.check_action(a, ())]
        self.query_one(OwnerCard).show(self.query_one("#f-name", Input).value, self._ids[0], keys)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in OWNER_KEYS:
            return True
        hit = self.owner
        if hit is None or not self.desk.may(self.app.operator, Action.REGISTER):
            return False
        if action == "owner_repeat":
            return hit.repeat
        return action != "owner_new" or hit.visitor.id != self._ids[0]

    def action_owner_new(self) -> None:
        if self.owner is not None:
            self._register_for(self.owner)

    def _register_for(self, hit: LookupHit) -> None:
        """A new matter for this person: their name as on record, the rest as typed."""
        v = self.known = hit.visitor
        self._ids = (v.id, None)
        self.query_one("#f-name", Input).value = v.name
        for name in ("township", "village", "address"):
            field = self.query_one(f"#f-{name}", Input)
            field.value = field.value or getattr(v, name)
        self.query_one("#f-key_person", Checkbox).value |= v.key_person
        self._forget("f-id_number", changed=True)  # "on file for ..." is answered: this is that person
        self._show_known_numbers()
        self._show_owner()
        self._look_up_phone()

    def action_owner_repeat(self) -> None:
        hit = self.owner
        if hit is not None:
            choose_open_matter(self, hit.open_matters, lambda chosen: self._repeat_for(hit, chosen))

    def _repeat_for(self, hit: LookupHit, matter_id: int | None) -> None:
        """This visit goes to the person's open matter: the short repeat-visit form takes over
        what was typed about the person and the visit. A matter typed meanwhile stays a draft."""
        from screens.register import RegisterScreen

        if matter_id is None:
            return
        matter = next(b.matter for b in hit.open_matters if b.matter.id == matter_id)
        typed = self.read()
        carried = replace(RegistrationForm(), **{f: getattr(typed, f) for f in _CARRIED})
        form = replace(carried, name=hit.visitor.name, visitor_id=hit.visitor.id, matter_id=matter.id)
        if any((typed.category, typed.place, typed.summary, typed.demands)):
            self.save_draft()
        else:
            self.desk.discard_draft(self.operator, self.repeat)
        self._finish()
        self.app.switch_screen(RegisterScreen(form, matter, known=hit.visitor))

    def action_owner_card(self) -> None:
        from screens.card import CardScreen

        if self.owner is not None:
            self.app.push_screen(CardScreen(self.owner), self._card_chosen)

    def _card_chosen(self, choice: CardChoice | None) -> None:
        if choice is None:
            return
        if choice.matter is None:
            self._register_for(choice.hit)
        else:
            self._repeat_for(choice.hit, choice.matter.id)
