"""Where the registration form says what is wrong: every problem of a failed save under
its field (with the first one focused and in sight), a refused paste under the field it
was meant for, and a refused key (a representative too many) under the representatives.

A message is about one widget, and goes as soon as that widget's value differs from
the one it was about: a fixed field shows no error any more, and the summary line counts
what is left. Errors are never
toasted: a toast would cover the very lines that say what to fix. A mixin of
RegisterScreen, kept apart to keep that module small.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.widgets import Static, TextArea

from desk.errors import FieldError
from desk.i18n import Catalog, labelled
from screens.base import show_message
from screens.representatives import REP_KEY
from screens.widgets import PasteRefused, field_of

SUMMARY = "form-summary"


@dataclass(frozen=True)
class Note:
    target: str  # id of the message line under the field
    widget: str  # id of the widget whose change makes it old news
    text: str
    error: bool = True  # a problem of the last save, counted in the summary line
    value: object = None  # the widget's value it was about


def prefix(t: Catalog, field: str) -> str:
    """A message line sits under its field and need not name it; under a representative's
    row it names which of the three fields it is about."""
    parts = field.split(".")
    return t("field." + parts[2]) + ": " if len(parts) == 3 else ""


def error_target(error: FieldError) -> tuple[str, str]:
    """(id of the Static that shows the message, id of the widget it is about)."""
    parts = error.field.split(".")
    if len(parts) == 3:
        return f"err-rep-{parts[1]}", f"rep-{parts[1]}-{parts[2]}"
    if parts[0] == "representatives":
        return "err-representatives", "f-persons"
    return f"err-{parts[0]}", f"f-{parts[0]}"


class FieldMessages:
    """Keeps `_notes`, the messages now shown under the fields."""

    _notes: list[Note]

    def _clear_errors(self) -> None:
        targets = {n.target for n in self._notes}
        self._notes = []
        self._show_notes(targets)

    def _show_errors(self, errors: list[FieldError]) -> None:
        t = self.app.catalog
        self._clear_errors()
        for error in errors:
            target, widget = error_target(error)
            text = prefix(t, error.field) + t(error.code, **labelled(t, error.params))
            self._notes.append(Note(target, widget, text, value=self._value_of(widget)))
        self._show_notes({n.target for n in self._notes})
        if any(n.target == "err-id_number" for n in self._notes):  # the live preview would only say it twice
            show_message(self.query_one("#id-preview", Static), "")
        _, focus = error_target(errors[0])
        if self.query(f"#{focus}"):
            widget = self.query_one(f"#{focus}")
            widget.focus()
            # the field with its message lines, not only the field: what to fix is in sight
            box = next((n for n in widget.ancestors_with_self if n.has_class("field")), widget)
            self.call_after_refresh(lambda: self.query_one("#form").scroll_to_widget(box, animate=False))

    def _value_of(self, widget_id: str) -> object:
        found = self.query(f"#{widget_id}") if widget_id else ()
        if not found:
            return None
        widget = found.first()
        return widget.text if isinstance(widget, TextArea) else getattr(widget, "value", None)

    def _tell(self, target: str, widget: str, text: str) -> None:
        """A message that is no problem of the form (a refused paste or key)."""
        note = Note(target, widget, text, error=False, value=self._value_of(widget))
        self._notes = [n for n in self._notes if n.error or n.target != target] + [note]
        self._show_notes({target})

    def _forget(self, widget_id: str, *, changed: bool = False) -> None:
        """What was said about `widget_id` is old news once its value is another, or once
        `changed` says so. (A Changed message may arrive after the save it came before.)"""
        value = self._value_of(widget_id)
        gone = [n for n in self._notes if n.widget == widget_id and (changed or n.value != value)]
        if gone:
            self._notes = [n for n in self._notes if n not in gone]
            self._show_notes({n.target for n in gone})

    def _forget_representatives(self) -> None:
        """The rows were numbered afresh: messages about a numbered row would point at another."""
        self._notes = [n for n in self._notes if not n.target.startswith("err-rep-")]
        self._show_notes(set())

    def _show_notes(self, targets: set[str]) -> None:
        for target in targets:
            if self.query(f"#{target}"):
                show_message(self.query_one(f"#{target}", Static), "\n".join(n.text for n in self._notes if n.target == target))
        errors = sum(1 for n in self._notes if n.error)
        show_message(self.query_one(f"#{SUMMARY}", Static), self.app.catalog("register.errors", count=errors) if errors else "")

    def on_paste_refused(self, event: PasteRefused) -> None:
        """Shown where a failed save would show it: under the field, which keeps what it had."""
        target, _ = error_target(event.error)
        t = self.app.catalog
        self._tell(target, event.widget.id or "", prefix(t, event.error.field) + event.describe(t))

    def _field_changed(self, widget_id: str) -> None:
        self._forget(widget_id)
        if field_of(widget_id) == "persons":
            self._forget(REP_KEY, changed=True)  # a refused Ctrl+R is answered by the number of persons
