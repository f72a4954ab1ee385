"""Correcting a visitor's details: its own small form, with a reason, never part of a
registration. The service keeps the old values on the record and audits the change.
Numbers on file are never put into a field (they would show in full): a blank number
field means "unchanged". The 重点人员 flag, which a registration raises and never lowers,
is taken off here, with a reason like any other correction. Returns the corrected
visitor (masked), or None."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Static

from desk.errors import DeskError, FormErrors
from desk.i18n import field_label
from desk.models import Visitor
from desk.privacy import NUMBER_FIELDS
from desk.registration import CORRECTABLE
from desk.store import StoreError
from screens.base import DeskModal, plain, show_message
from screens.widgets import GuardedInput, PasteRefused, TickBox


class CorrectModal(DeskModal[Visitor | None]):
    BINDINGS = [
        Binding("ctrl+s", "done", "key.confirm", id="confirm", priority=True),
        Binding("escape", "cancel", "key.cancel", id="cancel"),
    ]

    def __init__(self, visitor: Visitor) -> None:
        super().__init__()
        self.visitor = visitor  # masked, as the card has it

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="correct"):
            yield Label(plain(self.t("correct.title", name=self.visitor.name)), classes="question")
            for name in CORRECTABLE:
                yield from self._row(name, self._field(name))
            flag = TickBox(self.t("field.key_person"), self.visitor.key_person, id="c-key_person", compact=True)
            yield from self._row("key_person", flag, label="")
            yield from self._row("reason", GuardedInput(id="c-reason", compact=True))
            yield Static(self.t("correct.hint"), classes="hint")
            yield Static("", id="cerr-form", classes="error field-error")

    def _field(self, name: str) -> Input:
        value = getattr(self.visitor, name)
        if name in NUMBER_FIELDS:
            known = self.t("register.known", value=value) if value else ""
            return GuardedInput(id=f"c-{name}", placeholder=known, compact=True)
        return GuardedInput(value, id=f"c-{name}", compact=True)

    def _row(self, name: str, widget: Widget, label: str | None = None) -> ComposeResult:
        text = self.t(f"field.{name}") if label is None else label
        yield Horizontal(Label(text, classes="field-label"), widget, classes="field-row")
        yield Static("", id=f"cerr-{name}", classes="error field-error")

    def _changes(self) -> dict[str, str]:
        changes = {}
        for name in CORRECTABLE:
            value = self.query_one(f"#c-{name}", Input).value
            blank_number = name in NUMBER_FIELDS and not value.strip()
            if not blank_number and value != getattr(self.visitor, name):
                changes[name] = value
        return changes

    def _key_person(self) -> bool | None:
        """The flag as ticked, when it differs from the record; None leaves it as it is."""
        ticked = self.query_one("#c-key_person", Checkbox).value
        return None if ticked == self.visitor.key_person else ticked

    @on(Input.Submitted)
    def _next(self) -> None:
        self.focus_next()

    @on(PasteRefused)
    def _paste_refused(self, event: PasteRefused) -> None:
        target = f"#cerr-{event.error.field}"
        if self.query(target):
            show_message(self.query_one(target, Static), event.describe(self.app.catalog))

    def action_done(self) -> None:
        for static in self.query(".field-error"):
            show_message(static, "")
        reason = self.query_one("#c-reason", Input).value
        try:
            visitor = self.desk.correct_visitor(self.visitor.id, self._changes(), reason, self.operator,
                                                key_person=self._key_person())
        except FormErrors as exc:
            self._show_errors(exc)
            return
        except (DeskError, StoreError) as exc:
            show_message(self.query_one("#cerr-form", Static), self.explain(exc))
            return
        self.dismiss(visitor)

    def _show_errors(self, exc: FormErrors) -> None:
        t = self.app.catalog
        for error in exc.errors:
            target = f"#cerr-{error.field}" if self.query(f"#cerr-{error.field}") else "#cerr-form"
            show_message(self.query_one(target, Static), f"{field_label(t, error.field)}: {t(error.code, **error.params)}")
        first = f"#c-{exc.errors[0].field}"
        if self.query(first):
            self.query_one(first).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
