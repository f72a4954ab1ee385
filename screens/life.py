"""How a matter's life reads on screen: its open deadlines, where it was sent, the
extension, the replies, evaluation, review and re-examination, a pending hand-over, and
what each act on its timeline was given. Shared by the detail view and my work."""

from __future__ import annotations

from rich.text import Text

from desk.i18n import Catalog
from desk.lifecycle.records import Department
from desk.matters import MatterDetail
from desk.models import Event
from screens.widgets import WARNING_STYLE, deadline_text

BANNER_STYLE = WARNING_STYLE["red"]
# What an act was given, in the order the timeline tells it; the note is told apart.
TOLD = ("cause", "department", "due", "days", "day", "evaluation", "to", "reference", "replier", "answer")


def life_banner(t: Catalog, detail: MatterDetail) -> Text:
    """What nobody may miss: the evaluation window passed, or not accepted again."""
    banner = Text()
    if detail.matter.not_accepted_again:
        banner.append(f" {t('life.not_accepted_again')} ", style=BANNER_STYLE)
        banner.append("  ")
    if detail.evaluation_lapsed:
        banner.append(f" {t('life.evaluation_lapsed')} ", style=BANNER_STYLE)
    return banner


def _line(*parts: str) -> Text:
    return Text("  ".join(p for p in parts if p))


def life_rows(t: Catalog, detail: MatterDetail, departments: list[Department]) -> list[tuple[str, Text]]:
    m = detail.matter
    rows = [(t(f"clock.{d.clock.kind.value}"), deadline_text(t, d, label=False)) for d in detail.deadlines]
    if m.rejection is not None:
        rows.append((t("detail.rejection"), _line(t.label("reject_reason", m.rejection.reason), m.rejection.text)))
    if m.sent is not None:
        s = m.sent
        known = next((d for d in departments if d.id == s.department_id), None)
        rows.append((t(f"routing.{s.routing.value}"), _line(s.department, known.contact if known else "",
                                                             known.phone if known else "",
                                                             t("detail.due_on", date=s.due.isoformat()))))
    if m.extension is not None:
        e = m.extension
        rows.append((t("detail.extension"), _line(t("life.days", days=e.days),
                                                  t(f"extension_state.{e.state.value}"), e.reason, e.note)))
    for reply in m.replies:
        rows.append((t(f"stage.{reply.stage.value}"),
                     _line(reply.day.isoformat(), reply.reference, reply.replier, reply.summary)))
    if m.evaluated is not None:
        v = m.evaluated
        rows.append((t("field.evaluation"), _line(t(f"evaluation.{v.value.value}"), v.day.isoformat(), v.by, v.note)))
    for key, asked in (("detail.review", m.review), ("detail.reexamination", m.reexamination)):
        if asked is not None:
            rows.append((t(key), _line(asked.day.isoformat(), asked.note)))
    if m.hand_over is not None:
        h = m.hand_over
        rows.append((t("act.hand_over"), _line(t("detail.hand_over_to", name=h.to), h.reason, h.by)))
    return rows


def _told(t: Catalog, kind: str, name: str, value: object) -> str:
    if name == "cause" and kind == "reject":
        return t.label("reject_reason", str(value))
    if name == "evaluation":
        return t.label("evaluation", str(value))
    if name == "days":
        return t("life.days", days=value)
    if name == "due":
        return t("detail.due_on", date=value)
    if name == "to":
        return t("detail.hand_over_to", name=value)
    return str(value)


def event_about(t: Catalog, event: Event) -> Text:
    """What an act was given (a department, a reply's reference, the days) and the notice
    it produced with its number."""
    given = event.data.get("inputs") or {}
    line = Text()
    for name in TOLD:
        if given.get(name) not in (None, ""):
            line.append(_told(t, event.kind, name, given[name]) + "  ")
    number = event.data.get("document_number")
    if number:
        line.append(t.label("document", event.data.get("document", "")) + number + "  ", style="bold")
    return line
