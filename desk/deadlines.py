"""Time limits and the red / yellow / green warning (红黄绿预警)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from desk.models import Matter, Status, Track
from desk.settings import Settings


class Warning(StrEnum):  # noqa: A001 - the glossary's name
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


def acceptance_due(registered: dt.date, track: Track, settings: Settings) -> dt.date:
    """Simple matters are settled the same day; others must be accepted or refused in 15 days."""
    if track is Track.SIMPLE:
        return registered
    return registered + dt.timedelta(days=settings.acceptance_days)


def next_deadline(matter: Matter) -> dt.date | None:
    """The nearest open deadline. Only acceptance exists until the later steps are built."""
    if matter.status is Status.REGISTERED:
        return matter.acceptance_due
    return None


def warning(matter: Matter, today: dt.date, settings: Settings) -> Warning | None:
    if not matter.is_open:
        return None
    due = next_deadline(matter)
    if due is None:
        return Warning.GREEN
    left = (due - today).days
    if left < 0:
        return Warning.RED
    if left <= settings.yellow_days:
        return Warning.YELLOW
    return Warning.GREEN
