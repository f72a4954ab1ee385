"""A small form in a modal: named fields, one save. `submit` gets what was typed and does
the work; a refusal is said under its field (or at the foot when it has none), what was
typed stays, and Esc leaves without saving anything. Used by the meetings' and the
supervision's forms (screens/meet.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea

from desk.errors import DeskError, FieldError, FormErrors
from desk.store import StoreError
from screens.base import DeskModal, plain, show_message
from screens.widgets import DeskSelect, GuardedInput, GuardedTextArea, PasteRefused, TickBox


@dataclass(frozen=True)
class Field:
    name: str  # the service's field name: its errors land under it
    label: str
    kind: str = "input"  # input, area (several lines), select, tick
    value: Any = ""
    options: tuple[tuple[Any, str], ...] = ()
    max_length: int = 0


def read_date(values: dict[str, Any], name: str, problems: list[FieldError], required: bool = True) -> dt.date | None:
    """A date as typed (2026-11-05 or 2026/11/05); a problem under its field otherwise."""
    raw = str(values.get(name) or "").strip().replace("/", "-")
    if not raw:
        if required:
            problems.append(FieldError(name, "err.required"))
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        problems.append(FieldError(name, "err.life.date"))
        return None


class FormModal(DeskModal[Any]):
    BINDINGS = [
        Binding("ctrl+s", "done", "key.confirm", id="confirm", priority=True),
        Binding("escape", "cancel", "key.cancel", id="cancel"),
    ]

    def __init__(self, title: str, fields: list[Field], submit: Callable[[dict[str, Any]], Any],
                 note: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.submit = submit
        self.note = note

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide", id="meet-form"):
            yield Label(plain(self.title_text), classes="question")
            if self.note:
                yield Static(plain(self.note), classes="hint")
            for field in self.fields:
                if field.kind != "tick":
                    yield Label(plain(field.label), classes="act-label")
                yield self._widget(field)
                yield Static(id=f"e-{field.name}", classes="field-error")
            yield Static(id="e-general", classes="field-error")
            yield Label(self.t("act_form.keys"), classes="hint")

    def _widget(self, field: Field) -> Widget:
        wid = f"f-{field.name}"
        if field.kind == "area":
            return GuardedTextArea(str(field.value), id=wid, soft_wrap=True, compact=True, classes="form-area")
        if field.kind == "select":
            chosen = {"value": field.value} if field.value != "" else {}
            return DeskSelect(field.options, id=wid, prompt=self.t("act_form.choose"), compact=True, **chosen)
        if field.kind == "tick":
            return TickBox(field.label, bool(field.value), id=wid, compact=True)
        return GuardedInput(str(field.value), id=wid, compact=True, max_length=field.max_length)

    def on_mount(self) -> None:
        first = self.query("#meet-form Input, #meet-form Select, #meet-form TextArea")
        if first:
            first.first().focus()

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for field in self.fields:
            widget = self.query_one(f"#f-{field.name}")
            if isinstance(widget, TextArea):
                found[field.name] = widget.text
            elif isinstance(widget, Select):
                found[field.name] = None if widget.value in (Select.BLANK, Select.NULL) else widget.value
            elif isinstance(widget, Input | Checkbox):
                found[field.name] = widget.value
        return found

    def action_done(self) -> None:
        self._clear()
        try:
            result = self.submit(self.values())
        except FormErrors as exc:
            self._show(exc.errors)
            return
        except (DeskError, StoreError) as exc:
            show_message(self.query_one("#e-general", Static), self.explain(exc))
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(PasteRefused)
    def _paste_refused(self, event: PasteRefused) -> None:
        name = (event.widget.id or "").removeprefix("f-")
        target = self.query(f"#e-{name}")
        show_message(target.first(Static) if target else self.query_one("#e-general", Static),
                     event.describe(self.app.catalog))

    def _clear(self) -> None:
        for static in self.query(".field-error").results(Static):
            show_message(static, "")

    def _show(self, errors: list[FieldError]) -> None:
        """Each under its field: `participants.2.name` under the participants, with its line."""
        t, names = self.app.catalog, {f.name for f in self.fields}
        under: dict[str, list[str]] = {}
        for error in errors:
            base, _, rest = error.field.partition(".")
            text = t(error.code, **error.params)
            if rest:
                text = t("meet.line", n=rest.split(".")[0]) + text
            name = base if base in names else "general"
            if name == "general":
                text = f"{t('field.' + base)}: {text}"
            under.setdefault(name, []).append(text)
        for name, texts in under.items():
            show_message(self.query_one(f"#e-{name}", Static), "\n".join(texts))
        shown = [f.name for f in self.fields if f.name in under]
        if shown:
            self.query_one(f"#f-{shown[0]}").focus()
