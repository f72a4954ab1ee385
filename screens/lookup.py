"""The home screen: one field finds a visitor by ID number, phone, name, pinyin initials
or case number, and shows earlier visits and open matters as you type."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Static

from desk.lookup import LookupHit
from desk.models import Operator
from desk.permissions import Action
from desk.registration import RegistrationForm
from screens.base import DeskScreen, own_key, plain, tells_store_errors
from screens.choose import choose_open_matter
from screens.widgets import brief_line, not_accepted_again_banner

DEBOUNCE_SECONDS = 0.25
LIMIT = 50
_ID_LIKE = re.compile(r"^[\dXx]{6,18}$")
_PHONE_LIKE = re.compile(r"^1\d{10}$")
# A complete key is looked up at once, without waiting for a pause in typing: card
# readers and barcode scanners type a whole number in one burst. An ID number, a mobile,
# a full case number, a query code as printed on the receipt (upper case, no 0/O/1/I).
_COMPLETE_KEY = re.compile(r"^(\d{17}[\dXx]|1[3-9]\d{9}|\d{4}-\d{5}|[A-HJ-NP-Z2-9]{6})$")


def is_complete_key(text: str) -> bool:
    return bool(_COMPLETE_KEY.match(text.strip()))


class LookupScreen(DeskScreen):
    BINDINGS = [
        Binding("ctrl+n", "new", "key.new_for", id="new"),
        Binding("ctrl+r", "repeat", "key.repeat", id="repeat"),
        Binding("ctrl+l", "clear", "key.clear", id="clear", show=False),
        own_key("f2", "lookup"),
    ]

    @dataclass
    class Results(Message):
        text: str
        hits: list[LookupHit]

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[LookupHit] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="lookup"):
            yield Input(placeholder=self.t("lookup.placeholder"), id="query")
            yield Static(self.t("lookup.hint"), id="lookup-status", classes="hint")
            yield DataTable(id="hits", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="hit-detail"):
                yield Static("", id="hit-info")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#hits", DataTable)
        for key in ("name", "id_number", "phone", "township", "visits", "open"):
            table.add_column(self.t(f"lookup.col.{key}"), key=key)
        self.query_one("#query").focus()

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        if is_complete_key(event.value):
            self._search(event.value)
        else:
            self._timer = self.set_timer(DEBOUNCE_SECONDS, lambda: self._search(event.value))

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        if self.hits:
            self.query_one("#hits").focus()

    def _search(self, text: str) -> None:
        if self.app.operator is not None:  # a timer may fire just after logging out
            self._run_search(text, self.app.operator)

    @work(thread=True, exclusive=True, group="lookup")
    @tells_store_errors
    def _run_search(self, text: str, operator: Operator) -> None:
        self.post_message(self.Results(text, self.desk.lookup(text, operator, LIMIT)))

    @on(Results)
    def _show(self, message: Results) -> None:
        if message.text != self.query_one("#query", Input).value:
            return  # typing went on; a newer search is on its way
        self.hits = message.hits
        table = self.query_one("#hits", DataTable)
        table.clear()
        for n, hit in enumerate(self.hits):
            v = hit.visitor
            opened = self._open_cell(hit)
            table.add_row(plain(v.name), plain(v.id_number), plain(v.phone), plain(v.township),
                          Text(str(len(hit.visits))), opened, key=str(n))
        self.query_one("#lookup-status", Static).update(self._status(message.text))
        self._describe(self.hits[0] if self.hits else None)

    def _open_cell(self, hit: LookupHit) -> Text:
        """How many open matters, and 不再受理 when one was re-examined: seen in the list already."""
        cell = Text()
        count = sum(b.matter.is_open for b in hit.matters)
        if count:
            cell.append(self.t("lookup.open_count", count=count), style="bold red")
        if hit.not_accepted_again:
            cell.append(" " if count else "")
            cell.append(self.t("life.not_accepted_again_short"), style="bold reverse red")
        return cell

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new", "repeat"):
            return self.desk.may(self.app.operator, Action.REGISTER)
        return True

    def _status(self, text: str) -> str:
        if not text.strip():
            return self.t("lookup.hint")
        if not self.hits:  # the way on to a new registration only for those who may register
            return self.t("lookup.none" if self.desk.may(self.app.operator, Action.REGISTER) else "lookup.none_only")
        if len(self.hits) >= LIMIT:
            return self.t("lookup.more", count=len(self.hits))
        return self.t("lookup.count", count=len(self.hits))

    def on_screen_resume(self) -> None:
        """Back from a registration: what was saved shows at once. With nothing typed (a
        receipt was finished) the cursor waits in the query field for the next visitor."""
        query = self.query_one("#query", Input)
        self._search(query.value)
        if not query.value:
            query.focus()

    def forget(self) -> None:
        """Nothing of the last visitor stays for the next one to read: query, results, details."""
        if self._timer is not None:
            self._timer.stop()
        with self.prevent(Input.Changed):
            self.query_one("#query", Input).value = ""
        self.hits = []
        self.query_one("#hits", DataTable).clear()
        self._describe(None)
        self.query_one("#lookup-status", Static).update(self._status(""))

    def records_changed(self) -> None:
        """Another counter saved: a visitor standing here may have just been registered there."""
        if self.query_one("#query", Input).value.strip():
            self._search(self.query_one("#query", Input).value)

    @on(DataTable.RowHighlighted, "#hits")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe(self._current())

    @on(DataTable.RowSelected, "#hits")
    def _selected(self) -> None:
        """Enter opens the person's card for everyone: the choice between a repeat visit and
        a new matter is made there, not by the habit of pressing Enter."""
        from screens.card import CardScreen

        hit = self._current()
        if hit is not None:
            self.app.push_screen(CardScreen(hit), self._card_chosen)

    def _card_chosen(self, choice) -> None:
        if choice is None:
            return
        if choice.matter is None:
            self._register_for(choice.hit)
        else:
            self._attach_visit(choice.hit, choice.matter.id)

    def _current(self) -> LookupHit | None:
        table = self.query_one("#hits", DataTable)
        if not self.hits or table.cursor_row < 0 or table.cursor_row >= len(self.hits):
            return None
        return self.hits[table.cursor_row]

    def _describe(self, hit: LookupHit | None) -> None:
        self.query_one("#hit-info", Static).update(self._hit_text(hit) if hit else "")

    def _hit_text(self, hit: LookupHit) -> Text:
        t = self.app.catalog
        text = Text()
        if hit.not_accepted_again:
            text.append_text(not_accepted_again_banner(t, hit))
        if hit.repeat:
            text.append(t("lookup.repeat_hint") + "\n", style="bold reverse red")
        v = hit.visitor
        text.append(v.name, style="bold")
        text.append(f"  {v.township}{v.village}")
        if v.key_person:
            text.append("  " + t("flag.key_person"), style="bold red")
        text.append("\n")
        for brief in hit.open_matters:
            text.append_text(brief_line(t, brief))
            text.append("\n")
        text.append(t("lookup.visits", count=len(hit.visits)) + "\n", style="underline")
        for visit in hit.visits[:5]:
            text.append(f"  {visit.at:%Y-%m-%d %H:%M}  {t('visit_kind.' + visit.kind.value)}  "
                        f"{t('lookup.persons', count=visit.persons)}\n")
        return text

    @staticmethod
    def _prefill_for(hit: LookupHit) -> RegistrationForm:
        """The lookup only ever has masked numbers: the known ones stay as they are."""
        v = hit.visitor
        return RegistrationForm(name=v.name, township=v.township, village=v.village, address=v.address,
                                key_person=v.key_person, visitor_id=v.id)

    def _prefill(self) -> RegistrationForm:
        """From the highlighted visitor, or from what was typed in the lookup field."""
        hit = self._current()
        if hit is not None:
            return self._prefill_for(hit)
        typed = self.query_one("#query", Input).value.strip()
        if _ID_LIKE.match(typed) and len(typed) == 18:
            return RegistrationForm(id_number=typed.upper())
        if _PHONE_LIKE.match(typed):
            return RegistrationForm(phone=typed)
        if typed and not typed.isascii():
            return RegistrationForm(name=typed)
        return RegistrationForm()

    def action_new(self) -> None:
        """Ctrl+N: a shortcut past the card, for the highlighted person or for nobody yet."""
        from screens.register import RegisterScreen

        hit = self._current()
        if hit is not None:
            self._register_for(hit)
        else:
            self.app.push_screen(RegisterScreen(self._prefill()))

    def _register_for(self, hit: LookupHit) -> None:
        from screens.register import RegisterScreen

        self.app.push_screen(RegisterScreen(self._prefill_for(hit), known=hit.visitor))

    def action_repeat(self) -> None:
        """Attach today's visit to the visitor's open matter instead of opening a new one."""
        hit = self._current()
        if hit is None:  # nobody chosen: not "this person has nothing open"
            self.toast(self.t("lookup.nobody_chosen"), "warning")
            return
        if not hit.repeat:
            self.toast(self.t("lookup.no_open"), "warning")
            return
        choose_open_matter(self, hit.open_matters, lambda chosen: self._attach_visit(hit, chosen))

    def _attach_visit(self, hit: LookupHit, matter_id: int | None) -> None:
        from screens.register import RegisterScreen

        if matter_id is None:
            return
        matter = next(b.matter for b in hit.open_matters if b.matter.id == matter_id)
        form = replace(self._prefill_for(hit), matter_id=matter.id)
        self.app.push_screen(RegisterScreen(form, matter, known=hit.visitor))

    def action_clear(self) -> None:
        query = self.query_one("#query", Input)
        query.value = ""
        query.focus()
