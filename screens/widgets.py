"""Small reusable pieces: how a warning colour, a masked number, a matter line, a person look."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, Static, TextArea

from desk.deadlines import Deadline, Warning
from desk.errors import FieldError
from desk.i18n import Catalog
from desk.lifecycle.calendar import DayUnit
from desk.lookup import LookupHit, MatterBrief
from desk.models import Correction, Matter, Visit, Visitor
from desk.text import check_text
from screens.base import translate_bindings

FLAGS = ("key_person",)  # corrected like a detail; the record keeps "yes" / "no"
WARNING_STYLE = {Warning.RED: "bold white on red", Warning.YELLOW: "bold black on yellow", Warning.GREEN: "bold white on green"}


def matter_brief(t: Catalog, matter: Matter, warning: Warning | None, deadline: Deadline | None = None,
                 lapsed: bool = False) -> Text:
    """A matter on one line (cropped, never wrapped), where room is short: number, status,
    nearest deadline with its colour and days left, category and the start of the summary."""
    line = Text(no_wrap=True, overflow="crop")
    line.append(matter.number, style="bold")
    line.append("  ")
    line.append_text(status_text(t, matter, lapsed))
    line.append(" ")
    line.append_text(deadline_text(t, deadline, warning))
    line.append(f"  {t.label('category', matter.category)}: ")
    line.append(matter.summary)
    return line


def warning_text(t: Catalog, warning: Warning | None) -> Text:
    if warning is None:
        return Text("")
    return Text(f" {t('warning.' + warning.value)} ", style=WARNING_STYLE[warning])


def status_text(t: Catalog, matter: Matter, lapsed: bool = False) -> Text:
    """The status, with what must be seen at once beside it: 超期未评价, and 不再受理 (a
    re-examined matter: a new visit about it is recorded, not taken up again)."""
    text = Text(t("status." + matter.status.value))
    if lapsed:
        text.append(" ")
        text.append(f" {t('life.evaluation_lapsed')} ", style="bold black on yellow")
    if matter.not_accepted_again:
        text.append(" ")
        text.append(f" {t('life.not_accepted_again')} ", style="bold reverse red")
    return text


def days_left_text(t: Catalog, deadline: Deadline | None, short: bool = False) -> Text:
    """剩5天 / 超期2个工作日 (or, in a list's narrow column, 5 / -2 with the unit's mark)."""
    if deadline is None:
        return Text("")
    working = deadline.clock.unit is DayUnit.WORKING
    left = deadline.left
    if short:
        key = ("life.short" if left >= 0 else "life.short_overdue") + ("_working" if working else "")
        return Text(t(key, days=abs(left)), style="bold" if left < 0 else "")
    key = ("life.days_left" if left >= 0 else "life.overdue") + ("_working" if working else "")
    return Text(t(key, days=abs(left)), style="bold" if left < 0 else "")


def deadline_text(t: Catalog, deadline: Deadline | None, warning: Warning | None = None,
                  label: bool = True) -> Text:
    """A deadline on one line: which limit (unless `label` is off), its due day, colour, days
    left, and whether it is an estimate. With none running, only the colour (an open matter
    is green, a closed one shows nothing)."""
    if deadline is None:
        return warning_text(t, warning)
    line = Text(f"{t('clock.' + deadline.clock.kind.value)} " if label else "")
    line.append(deadline.due.day.isoformat() + " ")
    line.append_text(warning_text(t, deadline.warning))
    line.append(" ")
    line.append_text(days_left_text(t, deadline))
    if deadline.due.estimated:
        line.append(" " + t("life.estimated"), style="italic")
    return line


def matter_line(t: Catalog, matter: Matter, warning: Warning | None, deadline: Deadline | None = None,
                lapsed: bool = False) -> Text:
    """One line for a matter: number, status, first responder, nearest deadline with its
    colour and days left."""
    line = Text()
    line.append(matter.number, style="bold")
    line.append("  ")
    line.append_text(status_text(t, matter, lapsed))
    line.append(f"  {t('track_short.' + matter.track.value)}  ")
    line.append(t("lookup.first_responder", name=""))
    line.append(matter.first_responder)
    if matter.is_open:
        line.append("  ")
        line.append_text(deadline_text(t, deadline, warning))
    line.append("\n    ")
    line.append(t.label("category", matter.category) + ": ")
    line.append(matter.summary[:60])
    return line


def not_accepted_again_banner(t: Catalog, hit: LookupHit) -> Text:
    """One line, hard to miss: the person's re-examined matters are not taken up again."""
    numbers = "、".join(b.matter.number for b in hit.matters if b.matter.not_accepted_again)
    return Text(t("lookup.not_accepted_again", numbers=numbers) + "\n", style="bold reverse red")


def brief_line(t: Catalog, brief: MatterBrief) -> Text:
    return matter_line(t, brief.matter, brief.warning, brief.deadline, brief.lapsed)


def visitor_line(t: Catalog, visitor: Visitor, flags: tuple[str, ...] = ()) -> Text:
    """Name, masked numbers, where from, and flags such as 重点人员, on one line."""
    line = Text()
    line.append(visitor.name, style="bold")
    for label, value in (("field.id_number", visitor.id_number), ("field.phone", visitor.phone)):
        if value:  # labelled: without an ID number, a masked phone would read as one
            line.append(f"  {t(label)} {value}")
    if visitor.township or visitor.village:
        line.append(f"  {visitor.township}{visitor.village}")
    for flag in flags:
        line.append("  " + t(f"field.{flag}"), style="bold red")
    return line


def person_flags(visitor: Visitor, visits: tuple[Visit, ...]) -> tuple[str, ...]:
    """What a receptionist must see at once: a key person, earlier threats, skip-level visits."""
    flags = ("key_person",) if visitor.key_person else ()
    return flags + tuple(f for f in ("threat", "skip_level") if any(getattr(v, f) for v in visits))


def open_matter_lines(t: Catalog, briefs: tuple[MatterBrief, ...]) -> Text:
    text = Text()
    for brief in briefs:
        text.append("  ")
        text.append_text(brief_line(t, brief))
        text.append("\n")
    return text


def visit_lines(t: Catalog, visits: tuple[Visit, ...], numbers: dict[int, str], limit: int) -> Text:
    """The newest visits first, a handful: when, which kind, how many, about which matter."""
    text = Text()
    for visit in visits[:limit]:
        text.append(f"  {visit.at:%Y-%m-%d %H:%M}  {t('visit_kind.' + visit.kind.value)}  "
                    f"{t('lookup.persons', count=visit.persons)}  {numbers.get(visit.matter_id, '')}\n")
    return text


def _corrected_value(t: Catalog, field: str, value: str) -> str:
    if field in FLAGS:
        return t(f"card.flag.{value}")  # kept as yes / no
    return value or t("card.blank")


def correction_lines(t: Catalog, corrections: tuple[Correction, ...]) -> Text:
    """What was changed on the person, newest first, with the value it replaced (numbers masked)."""
    text = Text()
    for fix in reversed(corrections):
        text.append(f"  {fix.at:%Y-%m-%d %H:%M}  ")
        text.append(fix.by)
        text.append(f"  {t('field.' + fix.field)}: ")
        text.append(_corrected_value(t, fix.field, fix.old))
        text.append(f" {t('card.changed_to')} ")
        text.append(_corrected_value(t, fix.field, fix.new))
        text.append(f"  ({fix.reason})" if fix.reason else f"  ({t('card.via_register')})", style="italic")
        text.append("\n")
    return text


def field_of(widget_id: str | None) -> str:
    """The form field a widget holds: `f-summary` -> summary, `rep-2-name` -> representatives.2.name."""
    parts = (widget_id or "").split("-")
    if parts[0] == "rep" and len(parts) == 3:
        return f"representatives.{parts[1]}.{parts[2]}"
    return parts[-1]


def paste_problem(field: str, text: str, multiline: bool) -> FieldError | None:
    """Pasted text is checked like typed text, and refused whole: never cut, never reordered."""
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # terminals paste line breaks as CR
    else:
        text = text.rstrip("\r\n")  # a copied line usually ends with its line break
        if "\n" in text or "\r" in text:
            return FieldError(field, "err.paste.lines")
    return check_text(field, text)


class PasteRefused(Message):
    """A paste was refused and nothing was inserted; `error` names the field and the reason."""

    def __init__(self, widget: Widget, error: FieldError) -> None:
        super().__init__()
        self.widget = widget
        self.error = error

    @property
    def control(self) -> Widget:
        return self.widget

    def describe(self, t: Catalog) -> str:
        return t("paste.refused", reason=t(self.error.code, **self.error.params))


def _refuse_bad_paste(widget: Widget, event: events.Paste, multiline: bool) -> None:
    problem = paste_problem(field_of(widget.id), event.text, multiline)
    if problem is not None:
        event.prevent_default()  # Textual's own handler would insert it
        event.stop()
        widget.post_message(PasteRefused(widget, problem))


class GuardedInput(Input):
    """A one-line field whose pasted text is checked before it goes in."""

    def _on_paste(self, event: events.Paste) -> None:
        _refuse_bad_paste(self, event, multiline=False)


class GuardedTextArea(TextArea):
    """A multi-line field whose pasted text is checked before it goes in."""

    def _on_paste(self, event: events.Paste) -> None:
        _refuse_bad_paste(self, event, multiline=True)


class TickBox(Checkbox, inherit_bindings=False):
    """A checkbox that reads without colour, on any console: [X] ticked, [ ] not.
    (Textual's draws the same block either way and tells them apart by colour only.)
    Space ticks it; Enter moves on, as it does from every field of the form: a run of
    Enters must not tick 重点人员 unnoticed."""

    BINDINGS = [
        Binding("space", "toggle_button", "key.tick", show=False),
        Binding("enter", "next_field", "key.next_field", show=False),
    ]

    def on_mount(self) -> None:
        translate_bindings(self, self.app.catalog)

    def action_next_field(self) -> None:
        self.screen.focus_next()

    def render(self) -> Content:
        mark = Content.styled("X" if self.value else " ", self.get_visual_style("toggle--button"))
        label = self.label.pad(1, 1).stylize_before(self.get_visual_style("toggle--label"))
        return Content.assemble("[", mark, "]", label)


class DeskSelect(Select):
    """A drop-down whose open list names its Esc key in the hall's language, with arrows
    of one column."""

    def on_mount(self) -> None:
        translate_bindings(self.query_one("SelectOverlay"), self.app.catalog, {"dismiss": "key.close_menu"})
        # Textual's arrows (U+25BC, U+25B2) are ambiguous-width: two columns in a Chinese
        # terminal, which pushes the row out of line. These two are one column everywhere.
        self.query_one(".down-arrow", Static).update("\u25be")
        self.query_one(".up-arrow", Static).update("\u25b4")
