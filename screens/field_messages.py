"""Where the registration form says what is wrong: every problem of a failed save under
its field (with the first one focused), and a refused paste under the field it was
meant for. A mixin of RegisterScreen, kept apart to keep that module small."""

from __future__ import annotations

from textual.widgets import Static

from desk.errors import FieldError
from desk.i18n import field_label
from screens.base import show_message
from screens.widgets import PasteRefused, field_of


class FieldMessages:
    """Expects `_paste_notes: set[str]`, the message lines now saying a paste was refused."""

    def _clear_errors(self) -> None:
        self._paste_notes.clear()
        for static in self.query(".field-error"):
            show_message(static, "")
        show_message(self.query_one("#form-summary", Static), "")

    @staticmethod
    def _error_target(error: FieldError) -> tuple[str, str]:
        """(id of the Static that shows the message, id of the widget to focus)."""
        parts = error.field.split(".")
        if len(parts) == 3:
            return f"err-rep-{parts[1]}", f"rep-{parts[1]}-{parts[2]}"
        if parts[0] == "representatives":
            return "err-representatives", "f-persons"
        return f"err-{parts[0]}", f"f-{parts[0]}"

    def _show_errors(self, errors: list[FieldError]) -> None:
        t = self.app.catalog
        messages: dict[str, list[str]] = {}
        for error in errors:
            target, _ = self._error_target(error)
            messages.setdefault(target, []).append(f"{field_label(t, error.field)}: {t(error.code, **error.params)}")
        for target, lines in messages.items():
            if self.query(f"#{target}"):
                show_message(self.query_one(f"#{target}", Static), "\n".join(lines))
        if "err-id_number" in messages:  # the live preview would only say it twice
            show_message(self.query_one("#id-preview", Static), "")
        summary = t("register.errors", count=len(errors))
        show_message(self.query_one("#form-summary", Static), summary)
        self.toast(summary, "error")
        _, focus = self._error_target(errors[0])
        if self.query(f"#{focus}"):
            self.query_one(f"#{focus}").focus()

    def on_paste_refused(self, event: PasteRefused) -> None:
        """Shown where a failed save would show it: under the field, which keeps what it had."""
        target, _ = self._error_target(event.error)
        if self.query(f"#{target}"):
            label = field_label(self.app.catalog, event.error.field)
            show_message(self.query_one(f"#{target}", Static), f"{label}: {event.describe(self.app.catalog)}")
            self._paste_notes.add(target)

    def _forget_paste_note(self, widget_id: str) -> None:
        """Once the field changes, "not pasted" is no longer news and would read as current."""
        target, _ = self._error_target(FieldError(field_of(widget_id), ""))
        if target in self._paste_notes:
            self._paste_notes.discard(target)
            show_message(self.query_one(f"#{target}", Static), "")
