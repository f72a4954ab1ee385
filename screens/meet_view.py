"""How a matter's meetings, its owning leader with the "five ones" and its 1+X supervision
read on screen: rows for the detail view (screens/detail.py), and the short lines the
agenda and the supervision list share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text

from desk.i18n import Catalog
from desk.meetings.records import Meeting, MeetingState, Supervision, SupervisionKind
from desk.meetings.rules import NextStep, Proposal
from desk.models import Matter, Track
from screens.widgets import WARNING_STYLE

LATE_STYLE = WARNING_STYLE["red"]


@dataclass(frozen=True)
class MeetingsOf:
    """Everything about one matter's meetings and supervision, read once per reload."""

    matter: Matter
    meetings: list[Meeting]
    proposals: list[Proposal]
    missing: list
    supervisions: list[Supervision]
    next: NextStep | None  # None: the matter is closed, or nobody supervises it
    visitor: str = ""  # their name: the meetings at acceptance, at reply and after reply are with them

    def shown(self) -> bool:
        m = self.matter
        return bool(m.track is Track.COMPLEX or self.meetings or self.proposals or self.supervisions or m.owner_leader)


def late(t: Catalog) -> Text:
    return Text(f" {t('meet.overdue')} ", style=LATE_STYLE)


def short_day(day: dt.date, today: dt.date) -> str:
    return day.strftime("%m-%d") if day.year == today.year else day.isoformat()


def people(meeting: Meeting) -> str:
    return "  ".join(f"{p.name}({p.unit})" if p.unit else p.name for p in meeting.participants)


def meeting_state(t: Catalog, meeting: Meeting, now: dt.datetime) -> Text:
    text = Text(t(f"meeting_state.{meeting.state.value}"))
    if meeting.overdue(now):
        text.append(" ")
        text.append_text(late(t))
    if meeting.sent_back:
        text.append("  " + t("event.send_back"), style="bold")
    return text


def meeting_text(t: Catalog, meeting: Meeting, now: dt.datetime) -> Text:
    line = Text(f"{short_day(meeting.day, now.date())} {meeting.time}  ", overflow="fold")
    line.append(meeting.place)
    line.append("  ")
    line.append_text(meeting_state(t, meeting, now))
    told = [("meet.with", people(meeting))]
    if meeting.state is MeetingState.HELD:
        told += [("field.facts", meeting.facts), ("field.approach", meeting.approach),
                 ("field.visitor_said", meeting.visitor_said)]
    if meeting.state is MeetingState.CANCELLED:
        told.append(("meet.cancel_reason", meeting.cancelled_reason))
    for key, value in told:
        if value:
            line.append("\n" + t("meet.told", what=t(key)), style="dim")
            line.append(value)
    return line


def supervision_text(t: Catalog, entry: Supervision, today: dt.date) -> Text:
    line = Text(short_day(entry.day, today) + "  ", overflow="fold")  # long Chinese folds, not cut short
    if entry.kind is SupervisionKind.WRITTEN:
        line.append(entry.document_number + "  ", style="bold")
    else:
        line.append(f"{t('rung.' + entry.rung.value)} " if entry.rung else "")
        line.append(entry.by + "  ")
    line.append(t("meet.to", name=entry.to))
    for key, value in (("meet.demand", entry.demand), ("meet.answer", entry.answer)):
        if value:
            line.append("  " + t("meet.told", what=t(key)), style="dim")
            line.append(value)
    for key, day in (("detail.due_on", entry.due), ("meet.next_on", entry.next_on)):
        if day:
            line.append("  " + t(key, date=short_day(day, today)))
    return line


def next_text(t: Catalog, step: NextStep, today: dt.date) -> Text:
    """书面督办 / 电话督办 (分管领导) 11-13, red when its day passed or the ladder climbed."""
    what = t(f"supervision_kind.{step.kind.value}")
    if step.rung:
        what += f"({t('rung.' + step.rung.value)})"
    line = Text(f"{what}  {short_day(step.due, today)}")
    if step.escalated or step.due < today:
        line.append(" ")
        line.append_text(late(t))
    if step.escalated:
        line.append("  " + t("meet.escalated"), style="bold")
    return line


def meeting_rows(t: Catalog, of: MeetingsOf, now: dt.datetime) -> list[tuple[str, Text]]:
    m, today = of.matter, now.date()
    rows = [(t(f"meeting_kind.{meeting.kind.value}"), meeting_text(t, meeting, now)) for meeting in of.meetings]
    for proposal in of.proposals:
        rows.append((t("meet.proposed"), Text(t("meet.proposal", day=short_day(proposal.day, today),
                                                  kind=t(f"meeting_kind.{proposal.kind.value}")))))
    if m.meetings_waived:
        rows.append((t("event.waiver"), Text(m.meetings_waived, overflow="fold")))
    elif of.missing and m.is_open:
        rows.append((t("meet.missing"), Text("  ".join(t(f"meeting_kind.{k.value}") for k in of.missing))))
    if m.owner_leader or m.track is Track.COMPLEX:  # a complex matter is owned by a leader
        rows.append((t("field.owner_leader"), Text(m.owner_leader or t("meet.no_owner"), "" if m.owner_leader else "dim")))
    for field in ("team", "plan", "stability"):
        if getattr(m, field):
            rows.append((t(f"field.{field}"), Text(getattr(m, field), overflow="fold")))
    for entry in of.supervisions:
        rows.append((t(f"supervision_kind.{entry.kind.value}"), supervision_text(t, entry, today)))
    if of.next is not None:
        rows.append((t("meet.next"), next_text(t, of.next, today)))
    return rows
