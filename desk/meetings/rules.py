"""When each of the three meetings is due, what is missing before a complex matter closes,
and the next rung of the supervision ladder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from desk.meetings.records import (
    LADDER,
    Meeting,
    MeetingKind,
    MeetingState,
    Rung,
    Supervision,
    SupervisionKind,
)
from desk.models import Matter, Track
from desk.settings import Settings


@dataclass(frozen=True)
class Proposal:
    """A meeting whose moment has come and that nobody has planned yet."""

    kind: MeetingKind
    day: dt.date  # suggested: the moment plus the hall's lead time


def moment(matter: Matter, kind: MeetingKind) -> dt.date | None:
    """The day a kind's moment came: registration (the huddle), acceptance, the first reply."""
    if kind is MeetingKind.HUDDLE:
        return matter.registered_at.date()
    if kind is MeetingKind.AT_ACCEPTANCE:
        return matter.accepted_at.date() if matter.accepted_at else None
    first = next((r for r in matter.replies), None)
    return first.day if first else None


def lead_days(settings: Settings, kind: MeetingKind) -> int:
    return getattr(settings, f"{kind.value}_lead_days")


def proposals(matter: Matter, meetings: Iterable[Meeting], settings: Settings) -> list[Proposal]:
    """For a complex matter: each kind whose moment has come and that has no meeting
    planned or held (a cancelled one is proposed again)."""
    if matter.track is not Track.COMPLEX:
        return []
    taken = {m.kind for m in meetings if m.state is not MeetingState.CANCELLED}
    found = []
    for kind in MeetingKind:
        came = moment(matter, kind)
        if came is not None and kind not in taken:
            found.append(Proposal(kind, came + dt.timedelta(days=lead_days(settings, kind))))
    return found


def missing(matter: Matter, meetings: Iterable[Meeting]) -> list[MeetingKind]:
    """The kinds not held yet: a complex matter closes only when this is empty, or with a waiver."""
    if matter.track is not Track.COMPLEX:
        return []
    held = {m.kind for m in meetings if m.state is MeetingState.HELD}
    return [k for k in MeetingKind if k not in held]


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
