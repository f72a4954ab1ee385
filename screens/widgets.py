"""Small reusable pieces: how a warning colour, a masked number, a matter line look."""

from __future__ import annotations

from rich.text import Text

from desk.deadlines import Warning
from desk.i18n import Catalog
from desk.models import Matter

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
