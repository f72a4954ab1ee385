"""Small reusable pieces: how a warning colour, a masked number, a matter line, a person look."""

from __future__ import annotations

from rich.text import Text

from desk.deadlines import Warning
from desk.i18n import Catalog
from desk.lookup import MatterBrief
from desk.models import Correction, Matter, Visit, Visitor

WARNING_STYLE = {Warning.RED: "bold white on red", Warning.YELLOW: "bold black on yellow", Warning.GREEN: "bold white on green"}


def warning_text(t: Catalog, warning: Warning | None) -> Text:
    if warning is None:
        return Text("")
    return Text(f" {t('warning.' + warning.value)} ", style=WARNING_STYLE[warning])


def matter_line(t: Catalog, matter: Matter, warning: Warning | None) -> Text:
    """One line for a matter: number, status, first responder, deadline and its colour."""
    line = Text()
    line.append(matter.number, style="bold")
    line.append(f"  {t('status.' + matter.status.value)}  {t('track.' + matter.track.value)}  ")
    line.append(t("lookup.first_responder", name=""))
    line.append(matter.first_responder)
    if matter.is_open:
        line.append(f"  {t('lookup.due', date=matter.acceptance_due.isoformat())} ")
        line.append_text(warning_text(t, warning))
    line.append("\n    ")
    line.append(t.label("category", matter.category) + ": ")
    line.append(matter.summary[:60])
    return line


def visitor_line(t: Catalog, visitor: Visitor, flags: tuple[str, ...] = ()) -> Text:
    """Name, masked numbers, where from, and flags such as 重点人员, on one line."""
    line = Text()
    line.append(visitor.name, style="bold")
    for value in (visitor.id_number, visitor.phone, f"{visitor.township}{visitor.village}"):
        if value:
            line.append("  " + value)
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
        text.append_text(matter_line(t, brief.matter, brief.warning))
        text.append("\n")
    return text


def visit_lines(t: Catalog, visits: tuple[Visit, ...], numbers: dict[int, str], limit: int) -> Text:
    """The newest visits first, a handful: when, which kind, how many, about which matter."""
    text = Text()
    for visit in visits[:limit]:
        text.append(f"  {visit.at:%Y-%m-%d %H:%M}  {t('visit_kind.' + visit.kind.value)}  "
                    f"{t('lookup.persons', count=visit.persons)}  {numbers.get(visit.matter_id, '')}\n")
    return text


def correction_lines(t: Catalog, corrections: tuple[Correction, ...]) -> Text:
    """What was changed on the person, newest first, with the value it replaced (numbers masked)."""
    text = Text()
    for fix in reversed(corrections):
        text.append(f"  {fix.at:%Y-%m-%d %H:%M}  ")
        text.append(fix.by)
        text.append(f"  {t('field.' + fix.field)}: ")
        text.append(fix.old or t("card.blank"))
        text.append(f" {t('card.changed_to')} ")
        text.append(fix.new or t("card.blank"))
        text.append(f"  ({fix.reason})" if fix.reason else f"  ({t('card.via_register')})", style="italic")
        text.append("\n")
    return text
