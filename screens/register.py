"""One-stop registration (一站受理): one screen, one save, keyboard only.

The form is kept as a draft on every pause in typing, so a crash or a closed terminal
loses nothing; a failed save shows every problem beside its field and keeps the form.
An ID number on file shows whose it is, with the choice of a repeat visit or a new
matter for that person (screens/owner.py); a registration never makes a second person.
"""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Checkbox, Footer, Header, Input, Label, Select, Static, TextArea

from desk.errors import DeskError, FormErrors
from desk.idcard import is_valid_phone, normalize_id, normalize_phone
from desk.models import GROUP_MIN_PERSONS, MAX_REPRESENTATIVES, Matter, Track, Visitor
from desk.permissions import Action
from desk.registration import PersonForm, RegistrationForm, id_preview, new_form_id
from desk.store import StoreError
from screens.base import DeskScreen, own_key, plain, show_message
from screens.field_messages import FieldMessages, Note
from screens.owner import ChoosesOwner, OwnerCard, PhoneHint
from screens.representatives import ID_FIELD_LENGTH, Representatives
from screens.widgets import DeskSelect, GuardedInput, GuardedTextArea, TickBox

DRAFT_DELAY = 0.4
_INPUTS = ("name", "id_number", "phone", "township", "village", "address", "persons", "place")
_TICKS = ("skip_level", "threat", "key_person")
_PRIORITY_TICKS = ("disabled", "pregnant")  # only with 分流, for those who may refer
_AREAS = ("summary", "demands")
NO_STATION = "-"  # the 分流 field's "none"


def _row(label: str, field: str, *widgets: Widget, below: tuple[Widget, ...] = ()) -> Vertical:
    """A field: its label, its widget(s), and the line that says what is wrong with it."""
    return Vertical(
        Horizontal(Label(label, classes="field-label"), *widgets, classes="field-row"),
        Static("", id=f"err-{field}", classes="error field-error"),
        *below,
        classes="field",
    )


def _pair(left: Widget, right: Widget) -> Horizontal:
    """Two short fields side by side from 80 columns on, one under the other below that."""
    right.add_class("right")
    return Horizontal(left, right, classes="pair")


class RegisterScreen(ChoosesOwner, Representatives, FieldMessages, DeskScreen):
    # Short fields go side by side at 80 columns and more, so the form fits a 80x24 console.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-wide")]
    BINDINGS = [
        Binding("ctrl+s", "save", "key.save", id="save", priority=True),
        # Left out of the Footer for room at 80 columns, in the command palette instead: the
        # group section names Ctrl+R, and the card of a person on file names Ctrl+O.
        Binding("ctrl+r", "add_representative", "key.add_representative", id="add_representative", priority=True,
                show=False),
        Binding("ctrl+d", "remove_representative", "key.remove_representative", id="remove_representative",
                priority=True),
        Binding("ctrl+t", "owner_repeat", "key.owner_repeat", id="owner_repeat", priority=True),
        Binding("ctrl+n", "owner_new", "key.owner_new", id="owner_new", priority=True),
        Binding("ctrl+o", "owner_card", "key.owner_card", id="owner_card", priority=True, show=False),
        Binding("escape", "leave", "key.back", id="back"),
        own_key("f3", "register"),
        own_key("f2", "lookup"),  # still working, not in the Footer: room at 80 columns
        own_key("f4", "matters"),
    ]

    def __init__(
        self, prefill: RegistrationForm | None = None, matter: Matter | None = None, known: Visitor | None = None
    ) -> None:
        super().__init__()
        prefill = prefill or RegistrationForm()
        self.form_id = prefill.form_id or new_form_id()
        self.prefill = replace(prefill, form_id=self.form_id)
        self.matter = matter
        self.known = known  # a visitor from the lookup, numbers masked
        self.rep_count = 0
        self._draft_timer: Timer | None = None
        self._draft_due = False  # typed since the last draft was written
        self._filling = False
        self._finished = False  # saved, or handed over to a repeat visit: no draft of it any more
        self._notes: list[Note] = []  # what the message lines under the fields say
        self._ids: tuple[int | None, int | None] = (self.prefill.visitor_id, self.prefill.matter_id)

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="form"):
            yield Static("", id="form-summary", classes="error field-error")
            if self.matter is not None:
                yield Static(plain(self.t("register.attached", number=self.matter.number, summary=self.matter.summary)),
                             classes="attached")
            yield Label(self.t("register.section.visitor"), classes="section first")
            yield from self._visitor_fields()
            yield Label(self.t("register.section.visit"), classes="section")
            ticks = [TickBox(self.t(f"field.{tick}"), id=f"f-{tick}", compact=True) for tick in _TICKS]
            yield _row(self.t("field.persons"), "persons", GuardedInput(id="f-persons", type="integer", compact=True), *ticks)
            yield Label(self.t("register.reps_title", max=MAX_REPRESENTATIVES, min=GROUP_MIN_PERSONS), classes="section", id="reps-title")
            yield Vertical(id="reps")
            yield Static("", id="err-representatives", classes="error field-error")
            if self.matter is None:
                yield Label(self.t("register.section.matter"), classes="section")
                yield from self._matter_fields()
        yield Footer(compact=True)

    def _input(self, name: str, below: tuple[Widget, ...] = (), **kwargs) -> Vertical:
        return _row(self.t(f"field.{name}"), name, GuardedInput(id=f"f-{name}", compact=True, **kwargs), below=below)

    def _visitor_fields(self) -> ComposeResult:
        id_number = self._input("id_number", max_length=ID_FIELD_LENGTH, below=(Static("", id="id-preview", classes="hint preview"),))
        yield _pair(self._input("name"), id_number)
        yield OwnerCard(id="owner-card", classes="owner")
        yield self._input("phone")
        yield PhoneHint(id="phone-hint", classes="hint owner")
        yield _pair(self._input("township"), self._input("village"))
        yield self._input("address")

    def _matter_fields(self) -> ComposeResult:
        t = self.app.catalog
        categories = [(t.label("category", c), c) for c in self.desk.settings().categories]
        category = DeskSelect(categories, id="f-category", prompt=t("register.choose"), compact=True)
        yield _pair(_row(t("field.category"), "category", category), self._input("place"))
        for name in _AREAS:
            yield _row(t(f"field.{name}"), name, GuardedTextArea(id=f"f-{name}", soft_wrap=True, compact=True, classes="area"))
        tracks = [(t(f"track.{k.value}"), k.value) for k in Track]
        track = DeskSelect(tracks, id="f-track", allow_blank=False, value=Track.GENERAL.value, compact=True)
        yield _row(t("field.track"), "track", track)
        if self.desk.may(self.app.operator, Action.REFER):
            yield _row(t("field.station"), "station", DeskSelect(self._station_choices(), id="f-station",
                                                                 allow_blank=False, value=NO_STATION, compact=True))
            yield _row(t("field.priority"), "priority",
                       *[TickBox(t(f"priority.{p}"), id=f"f-{p}", compact=True) for p in _PRIORITY_TICKS])

    def _station_choices(self) -> list[tuple[str, str]]:
        """None, or a station that takes referrals, with how many wait there now."""
        waiting = self.desk.referrals.waiting_counts()
        choices = [(self.t("register.no_station"), NO_STATION)]
        for s in self.desk.referrals.stations():
            if s.active:
                label = self.t("register.station_choice", name=s.name, window=s.window, count=waiting.get(s.id, 0))
                choices.append((label, str(s.id)))
        self._station_values = {value for _, value in choices}
        return choices

    @property
    def repeat(self) -> bool:
        return self.matter is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remove_representative":
            return self.may_remove_representative()
        return super().check_action(action, parameters)

    def on_mount(self) -> None:
        if self.app.operator is None:
            return  # logged out before the form came up; the login screen replaces it
        draft = self.desk.load_draft(self.operator, self.repeat)
        if self.repeat and draft is not None and draft.matter_id != self.matter.id:
            draft = None  # a repeat visit to another matter: not this form's business
        self.fill(self.prefill)
        self._show_known_numbers()
        self.query_one("#f-name").focus()
        if draft is not None and not draft.is_blank and draft.content() != self.prefill.content():
            from screens.confirm import DraftModal

            who = draft.name or self.t("register.unnamed")
            self.app.push_screen(DraftModal(who), lambda answer: self._restore(answer, draft))

    def _show_known_numbers(self) -> None:
        """Numbers on record are never put in the form (it would show them in full);
        the field says what is kept when it is left blank."""
        if self.known is None:
            return
        for name in ("id_number", "phone"):
            value = getattr(self.known, name)
            if value:
                self.query_one(f"#f-{name}", Input).placeholder = self.t("register.known", value=value)

    def _restore(self, answer: str | None, draft: RegistrationForm) -> None:
        """Restored, discarded for good (and said so), or kept for later: the form closes
        untouched, so no autosave of it can overwrite the draft."""
        if answer == "restore":
            self.fill(draft)
            self.toast(self.t("register.restored"))
        elif answer == "discard":
            self.desk.discard_draft(self.operator, self.repeat)
            self.toast(self.t("register.discarded"))
        else:
            self._finish()
            self.dismiss()

    # -- form <-> widgets -------------------------------------------------------------

    def fill(self, form: RegistrationForm) -> None:
        self._filling = True
        try:
            for name in _INPUTS:
                if self.query(f"#f-{name}"):
                    self.query_one(f"#f-{name}", Input).value = getattr(form, name)
            for name in _TICKS + _PRIORITY_TICKS:
                if self.query(f"#f-{name}"):
                    self.query_one(f"#f-{name}", Checkbox).value = getattr(form, name)
            for name in _AREAS:
                if self.query(f"#f-{name}"):
                    self.query_one(f"#f-{name}", TextArea).text = getattr(form, name)
            if self.query("#f-category") and form.category:
                self.query_one("#f-category", Select).value = form.category
            if self.query("#f-track"):
                self.query_one("#f-track", Select).value = form.track or Track.GENERAL.value
            if self.query("#f-station"):
                station = self.query_one("#f-station", Select)
                station.value = form.station if form.station in self._station_values else NO_STATION
            self.query_one("#reps").remove_children()
            self.rep_count = 0
            for rep in form.representatives:
                self._add_rep_row(rep)
            self._ids = (form.visitor_id, form.matter_id)
            self.form_id = form.form_id or self.form_id  # a restored draft goes on as the same form
        finally:
            self._filling = False
        self._show_group_state()
        self._preview_id()
        self._look_up_phone()

    def read(self) -> RegistrationForm:
        values: dict = {}
        for name in _INPUTS:
            values[name] = self.query_one(f"#f-{name}", Input).value if self.query(f"#f-{name}") else ""
        for name in _TICKS + _PRIORITY_TICKS:
            values[name] = self.query_one(f"#f-{name}", Checkbox).value if self.query(f"#f-{name}") else False
        for name in _AREAS:
            values[name] = self.query_one(f"#f-{name}", TextArea).text if self.query(f"#f-{name}") else ""
        category = self.query_one("#f-category", Select).value if self.query("#f-category") else None
        values["category"] = category if isinstance(category, str) else ""
        track = self.query_one("#f-track", Select).value if self.query("#f-track") else Track.GENERAL.value
        values["track"] = track if isinstance(track, str) else ""
        station = self.query_one("#f-station", Select).value if self.query("#f-station") else NO_STATION
        values["station"] = station if isinstance(station, str) and station != NO_STATION else ""
        # The rows on screen, not rep_count: a draft timer may read while a row is still mounting.
        reps = tuple(PersonForm(**{i.id.rsplit("-", 1)[1]: i.value for i in row.query(Input)}) for row in self.query(".rep-row"))
        visitor_id, matter_id = self._ids
        return RegistrationForm(**values, representatives=reps, visitor_id=visitor_id, matter_id=matter_id,
                                form_id=self.form_id)

    # -- reacting to typing -------------------------------------------------------------

    @on(Input.Submitted)
    def _next_field(self) -> None:
        """Enter moves on, as in the paper-form software the hall is used to."""
        self.focus_next()

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed)
    def _changed(self, event=None) -> None:
        if self._filling or self._finished:
            return
        widget_id = getattr(getattr(event, "control", None), "id", None) or ""
        self._field_changed(widget_id)
        if widget_id == "f-id_number":
            self._preview_id()
        if widget_id == "f-phone":
            self._look_up_phone()
        if widget_id == "f-name":
            self._show_owner()
        if widget_id == "f-persons":
            self._show_group_state()
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self.save_draft)
        self._draft_due = True

    def flush_draft(self) -> None:
        """The desk is closing (a browser tab closed, the host stopping, Ctrl+Q): what the
        timer would have saved a moment later is saved now."""
        if self._draft_due:
            if self._draft_timer is not None:
                self._draft_timer.stop()
            self.save_draft()

    def _preview_id(self) -> None:
        key, params = id_preview(self.query_one("#f-id_number", Input).value, self.desk.clock.today())
        if "sex" in params:
            params["sex"] = self.t(f"sex.{params['sex']}")
        preview = self.query_one("#id-preview", Static)
        show_message(preview, self.t(key, **params) if key else "")
        preview.set_class(key.startswith("err."), "error")
        number = normalize_id(self.query_one("#f-id_number", Input).value) if key == "id.ok" else ""
        self.query_one(OwnerCard).look_up(number)

    def _look_up_phone(self) -> None:
        value = self.query_one("#f-phone", Input).value
        self.query_one(PhoneHint).look_up(normalize_phone(value) if is_valid_phone(value) else "", self._ids[0])

    def save_draft(self) -> None:
        """Runs on every pause in typing; a failure here must never cost the form."""
        self._draft_due = False
        if self.app.operator is None or self._finished:
            return  # the timer outlived a logout, or the save: the form is no draft any more
        form = self.read()
        if self._untouched(form):
            return  # nothing typed yet: a saved draft waiting to be offered back stays as it is
        try:
            self.desk.save_draft(self.operator, form)
        except StoreError as exc:
            self.toast(self.explain(exc), "warning")

    # -- save -----------------------------------------------------------------------------

    def action_save(self) -> None:
        form = self.read()
        self.save_draft()
        self._clear_errors()
        try:
            receipt = self.desk.register(form, self.operator)
        except FormErrors as exc:
            self._show_errors(exc.errors)
            return
        except (DeskError, StoreError) as exc:
            show_message(self.query_one("#form-summary", Static), self.explain(exc))
            self.toast(self.explain(exc), "error")
            return
        self._finish()
        self.desk.discard_draft(self.operator, self.repeat)
        from screens.receipt import ReceiptScreen

        self.app.switch_screen(ReceiptScreen(receipt))

    def _finish(self) -> None:
        """No draft of this form may be written any more, not even by a timer already running."""
        self._finished = True
        if self._draft_timer is not None:
            self._draft_timer.stop()

    # -- leaving ----------------------------------------------------------------------------

    def action_leave(self) -> None:
        form = self.read()
        if self._untouched(form):
            self._discard_own_draft()
            self._finish()
            self.dismiss()
            return
        from screens.confirm import ConfirmModal

        self.save_draft()
        self.app.push_screen(ConfirmModal(self.t("register.leave")), self._left)

    def _untouched(self, form: RegistrationForm) -> bool:
        return form.is_blank or form.content() == self.prefill.content()

    def _discard_own_draft(self) -> None:
        """A blank form left behind takes its own draft with it, never another form's
        draft still waiting to be offered back (Esc pressed before the question shows)."""
        draft = self.desk.load_draft(self.operator, self.repeat)
        if draft is not None and draft.form_id == self.form_id:
            self.desk.discard_draft(self.operator, self.repeat)

    def _left(self, yes: bool | None) -> None:
        if yes:
            self.dismiss()
