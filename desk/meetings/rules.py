"""When each of the three meetings is due, what is missing before a complex matter closes,
and the next rung of the supervision ladder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from desk.lifecycle.records import Evaluation
from desk.meetings.records import (
    LADDER,
    THREE_MEETINGS,
    Meeting,
    MeetingKind,
    MeetingState,
    Rung,
    Supervision,
    SupervisionKind,
)
from desk.models import Matter, Track
from desk.settings import Settings
from desk.store import Reader


@dataclass(frozen=True)
class Proposal:
    """A meeting whose moment has come and that nobody has planned yet."""

    kind: MeetingKind
    day: dt.date  # suggested: the moment plus the hall's lead time


def meetings_of(reader: Reader, matter_id: int) -> list[Meeting]:
    return sorted(map(Meeting.from_doc, reader.find("meetings", "matter_id", matter_id)), key=lambda m: (m.day, m.id))


def moment(matter: Matter, kind: MeetingKind) -> dt.date | None:
    """The day a kind's moment came: registration (the huddle), acceptance, the first reply,
    a dissatisfied evaluation (the three-party follow-up)."""
    if kind is MeetingKind.THREE_PARTY:
        evaluated = matter.evaluated
        return evaluated.day if evaluated and evaluated.value is Evaluation.DISSATISFIED else None
    if kind is MeetingKind.HUDDLE:
        return matter.registered_at.date()
    if kind is MeetingKind.AT_ACCEPTANCE:
        return matter.accepted_at.date() if matter.accepted_at else None
    first = next((r for r in matter.replies), None)
    return first.day if first else None


def lead_days(settings: Settings, kind: MeetingKind) -> int:
    return getattr(settings, f"{kind.value}_lead_days")


def proposals(matter: Matter, meetings: Iterable[Meeting], settings: Settings) -> list[Proposal]:
    """Each kind whose moment has come and that has no meeting planned or held (a cancelled
    one is proposed again): the three meetings for a complex matter, the three-party
    follow-up for any matter evaluated as dissatisfied (once per evaluation)."""
    owed = matter.track is Track.COMPLEX and not matter.meetings_waived  # a waiver answers for them
    kinds = [MeetingKind.THREE_PARTY] + (list(THREE_MEETINGS) if owed else [])
    taken = {m.kind for m in meetings if m.state is not MeetingState.CANCELLED
             and (m.kind is not MeetingKind.THREE_PARTY or _since_evaluation(m, matter))}
    found = []
    for kind in sorted(kinds, key=list(MeetingKind).index):
        came = moment(matter, kind)
        if came is not None and kind not in taken:
            found.append(Proposal(kind, came + dt.timedelta(days=lead_days(settings, kind))))
    return found


def missing(matter: Matter, meetings: Iterable[Meeting]) -> list[MeetingKind]:
    """The kinds not held yet: a complex matter closes only when this is empty, or with a waiver."""
    if matter.track is not Track.COMPLEX:
        return []
    held = {m.kind for m in meetings if m.state is MeetingState.HELD}
    return [k for k in THREE_MEETINGS if k not in held]


def _since_evaluation(meeting: Meeting, matter: Matter) -> bool:
    """A three-party follow-up planned after the latest evaluation answers it; one that sent
    the matter back answered an earlier one, even on the same day."""
    return (matter.evaluated is not None and not meeting.sent_back
            and meeting.planned_at.date() >= matter.evaluated.day)


@dataclass(frozen=True)
class NextStep:
    """What supervision should do next for a matter, and by when."""

    kind: SupervisionKind
    rung: Rung | None
    due: dt.date
    escalated: bool  # the last follow-up date passed unanswered: one rung up


def next_step(entries: list[Supervision], today: dt.date, settings: Settings) -> NextStep:
    """The written notice first; then phone follow-ups on the dates set, one rung higher
    each time a follow-up date has passed (staff, deputy leader, main leader)."""
    written = [e for e in entries if e.kind is SupervisionKind.WRITTEN]
    if not written:
        return NextStep(SupervisionKind.WRITTEN, None, today, False)
    last = max(entries, key=lambda e: (e.day, e.id))
    due = last.next_on or (last.due if last.kind is SupervisionKind.WRITTEN else None) or (
        last.day + dt.timedelta(days=settings.supervision_follow_up_days))
    rung = last.rung if last.kind is SupervisionKind.PHONE else None
    passed = today > due
    if rung is None:
        return NextStep(SupervisionKind.PHONE, Rung.STAFF, due, False)
    if passed and rung is not LADDER[-1]:
        return NextStep(SupervisionKind.PHONE, LADDER[LADDER.index(rung) + 1], due, True)
    return NextStep(SupervisionKind.PHONE, rung, due, False)
