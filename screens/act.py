"""The matter-actions menu (办理) and the one form every act of a matter's life is done
through. The menu offers what `desk.life.acts` allows this operator now, in the table's
order; the form asks for what the table's step `needs`, plus a note, and does the act:
a refusal is said in the form, under its field where it has one, and what was typed stays."""

from __future__ import annotations

import datetime as dt
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from desk.documents import How
from desk.errors import DeskError, FieldError, FormErrors
from desk.lifecycle.records import ClockKind, Evaluation
from desk.lifecycle.service import Done
from desk.lifecycle.table import TABLE, Act, Inputs
from desk.models import Matter, Status
from desk.permissions import Action, allowed
from desk.store import StoreError
from screens.base import DeskMixin, DeskModal, plain, show_message
from screens.widgets import DeskSelect, GuardedInput

# The order fields are asked in; each act asks for those of its step's needs, and a note.
# A reason follows what it is the reason for (the days of an extension, whom a hand-over goes to).
ORDER = ("department_id", "due", "days", "day", "evaluation", "to", "cause", "answer", "reference", "replier", "text")
DATES = ("due", "day")
SELECTED = ("department_id", "evaluation", "to")


class ActsMenu(DeskModal[Act | None]):
    """What can be done to the matter now: Enter chooses, Esc leaves it as it is."""

    BINDINGS = [
        Binding("escape", "cancel", "key.cancel", id="cancel"),
    ]

    def __init__(self, number: str, acts: list[Act]) -> None:
        super().__init__()
        self.number = number
        self.acts = acts

    def compose(self) -> ComposeResult:
        t = self.app.catalog
        with VerticalScroll(classes="dialog", id="acts-menu"):
            yield Label(plain(t("acts.title", number=self.number)), classes="question")
            yield OptionList(*(Option(t(f"act.{a.value}"), id=a.value) for a in self.acts), id="acts")
            yield Label(t("acts.keys"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#acts", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(Act(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ActModal(DeskModal[Done | None]):
    """One act on one matter; returns what was done, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "done", "key.confirm", id="confirm", priority=True),
        Binding("escape", "cancel", "key.cancel", id="cancel"),
    ]

    def __init__(self, matter: Matter, act: Act, handling_due: dt.date | None = None) -> None:
        super().__init__()
        self.matter = matter
        self.act = act
        self.handling_due = handling_due
        needs = TABLE[(matter.status, act)].needs
        self.fields = [f for f in ORDER if f in needs or f == "text"]
        self.required = set(needs) | ({"text"} if self._note_required() else set())

    def _note_required(self) -> bool:
        return self.act is Act.CLOSE and self.matter.status is Status.REGISTERED

    def compose(self) -> ComposeResult:
        t = self.app.catalog
        with VerticalScroll(classes="dialog wide", id="act-form"):
            yield Label(plain(t("act_form.title", act=t(f"act.{self.act.value}"), number=self.matter.number)),
                        classes="question")
            ext = self.matter.extension
            if self.act in (Act.APPROVE_EXTENSION, Act.DECLINE_EXTENSION) and ext is not None:
                # the leader decides on what was asked: how many days, why, by whom
                yield Label(plain(t("act_form.extension_asked", days=ext.days, reason=ext.reason,
                                    by=ext.requested_by)), classes="act-label")
            for field in self.fields:
                yield Label(self._label(field), classes="act-label")
                yield self._widget(field)
                yield Static(id=f"e-{field}", classes="field-error")
            yield Static(id="e-general", classes="field-error")
            yield Label(t("act_form.keys"), classes="hint")

    def on_mount(self) -> None:
        if "department_id" in self.fields and not self._departments():
            show_message(self.query_one("#e-department_id", Static), self.t("act_form.no_departments"))
        first = self.query("#act-form Input, #act-form Select")
        if first:
            first.first().focus()

    def _label(self, field: str) -> str:
        t = self.app.catalog
        key = f"act_form.{self.act.value}.{field}"
        own = t.has(key)  # an act's own words say whether it may be left out
        label = t(key) if own else t(f"field.{field}")
        if field in DATES:
            label += t("act_form.date_format")
        elif field == "days":
            label += t("act_form.days_max", max=self.desk.settings().extension_max_days)
        if field not in self.required and not own:
            label += t("act_form.optional")
        return label

    def _widget(self, field: str) -> Widget:
        t = self.app.catalog
        if field == "cause" and self.act is Act.REJECT:
            reasons = [(plain(t.label("reject_reason", r)), r) for r in self.desk.settings().reject_reasons]
            return DeskSelect(reasons, id="f-cause", prompt=t("act_form.choose"), compact=True)
        if field == "department_id":
            return DeskSelect(self._departments(), id="f-department_id", prompt=t("act_form.choose"), compact=True)
        if field == "evaluation":
            return DeskSelect([(t(f"evaluation.{e.value}"), e.value) for e in Evaluation], id="f-evaluation",
                              prompt=t("act_form.choose"), compact=True)
        if field == "to":
            return DeskSelect(self._receivers(), id="f-to", prompt=t("act_form.choose"), compact=True)
        if field == "days":
            return GuardedInput(id="f-days", compact=True, type="integer", max_length=3)
        return GuardedInput(self._default(field), id=f"f-{field}", compact=True, max_length=10 if field in DATES else 0)

    def _departments(self) -> list[tuple[Any, str]]:
        found = self.desk.life.departments(active_only=True)
        return [(plain("  ".join(p for p in (d.name, d.contact, d.phone) if p)), str(d.id)) for d in found]

    def _receivers(self) -> list[tuple[Any, str]]:
        return [(plain(o.name), o.name) for o in self.desk.operators()
                if allowed(o, Action.REGISTER) and o.name != self.matter.first_responder]

    def _default(self, field: str) -> str:
        today = self.desk.clock.today()
        if field == "day":
            return today.isoformat()
        if field == "due":
            return (self.handling_due or today).isoformat()
        return ""

    # -- doing it -------------------------------------------------------------------------

    def _value(self, field: str) -> Any:
        widget = self.query_one(f"#f-{field}")
        value = widget.value if isinstance(widget, Select | Input) else None
        return None if value is Select.NULL or value is Select.BLANK else value

    def inputs(self) -> Inputs:
        """What was typed, as the act's inputs; a date or number that cannot be read is
        refused here, under its field."""
        given: dict[str, Any] = {}
        problems = []
        for field in self.fields:
            raw = self._value(field)
            if raw is None:
                continue
            if field in DATES:
                try:
                    given[field] = dt.date.fromisoformat(raw.strip().replace("/", "-")) if raw.strip() else None
                except ValueError:
                    problems.append(FieldError(field, "err.life.date"))
            elif field == "days":
                if raw.strip():
                    if raw.strip().isdigit():
                        given[field] = int(raw.strip())
                    else:
                        problems.append(FieldError(field, "err.life.number"))
            elif field == "department_id":
                given[field] = int(raw)
            elif field == "evaluation":
                given[field] = Evaluation(raw)
            else:
                given[field] = raw
        if problems:
            raise FormErrors(problems)
        return Inputs(**given)

    def action_done(self) -> None:
        self._clear()
        try:
            done = self.desk.life.act(self.matter.id, self.act, self.inputs(), self.operator)
        except FormErrors as exc:
            self._show(exc.errors)
            return
        except (DeskError, StoreError) as exc:
            show_message(self.query_one("#e-general", Static), self.explain(exc))
            return
        self.dismiss(done)

    def _clear(self) -> None:
        for static in self.query(".field-error").results(Static):
            show_message(static, "")

    def _show(self, errors: list[FieldError]) -> None:
        t = self.app.catalog
        general = []
        for error in errors:
            text = t(error.code, **error.params)
            if error.field in self.fields:
                show_message(self.query_one(f"#e-{error.field}", Static), text)
            else:
                general.append(f"{t('field.' + error.field)}: {text}")
        show_message(self.query_one("#e-general", Static), "\n".join(general))
        shown = [e.field for e in errors if e.field in self.fields]
        if shown:
            self.query_one(f"#f-{shown[0]}").focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class ActsOnMatter(DeskMixin):
    """For a screen that shows one matter: `a` opens the menu of what can be done to it
    now, the form does it, and a notice the act produced is offered for printing."""

    def ask_act(self, matter: Matter, acts: list[Act], handling_due: dt.date | None = None) -> None:
        if not acts:
            self.toast(self.t("acts.none"), "warning")
            return

        def chosen(act: Act | None) -> None:
            if act is not None:
                self.app.push_screen(ActModal(matter, act, handling_due), self._acted)

        self.app.push_screen(ActsMenu(matter.number, acts), chosen)

    def _acted(self, done: Done | None) -> None:
        if done is None:
            return
        t = self.app.catalog
        m = done.matter
        told = t("acts.done", act=t(f"act.{done.event.kind}"), number=m.number, status=t(f"status.{m.status.value}"))
        if done.document_number:
            told += "\n" + t("acts.numbered", document=t.label("document", done.document), number=done.document_number)
        self.toast(told)
        self.acted(done)
        if done.document_number:
            from screens.confirm import ConfirmModal

            question = t("acts.print_notice", document=t.label("document", done.document),
                         number=done.document_number)
            self.app.push_screen(ConfirmModal(question), lambda yes: self._print_notice(done, yes))

    def _print_notice(self, done: Done, yes: bool | None) -> None:
        if yes:
            self.issue_notice(done.event.id, How.PRINT)  # type: ignore[attr-defined]

    def acted(self, done: Done) -> None:
        """After an act is saved: show the matter as it is now."""


def handling_due(deadlines) -> dt.date | None:
    """The day the handling clock runs out: what a department's deadline defaults to."""
    return next((d.due.day for d in deadlines if d.clock.kind is ClockKind.HANDLING), None)
