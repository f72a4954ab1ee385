"""My work (我的待办): the open matters an operator answers for, most urgent first.

A matter is someone's work because they are its first responder, because they must act
next (a hand-over offered to them, an extension waiting for a leader), because it waits
at a station they are on duty at today, or because they are the leader who owns it (包案). Read from the store's columns, so that
only the rows shown are read whole.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from desk.deadlines import Deadline, Rules, Warning, deadlines, row_clocks, urgency
from desk.models import Matter, Status
from desk.store import Reader


class Why(StrEnum):
    FIRST_RESPONDER = "first_responder"
    TAKE_OVER = "take_over"  # a hand-over offered to them
    APPROVE = "approve"  # an extension waiting for a leader
    STATION = "station"  # waiting at a station they are on duty at today
    OWNER = "owner"  # 我包的案: a complex matter the leader owns


@dataclass(frozen=True)
class WorkFilter:
    """A supervisor's filters over everyone's work; None: any."""

    warning: Warning | None = None
    department_id: int | None = None
    first_responder: str | None = None
    category: str | None = None

    def accepts(self, row: dict[str, Any], warning: Warning) -> bool:
        return ((self.warning is None or warning is self.warning)
                and (self.department_id is None or row["department_id"] == self.department_id)
                and (self.first_responder is None or row["first_responder"] == self.first_responder)
                and (self.category is None or row["category"] == self.category))


@dataclass(frozen=True)
class WorkRow:
    matter: Matter
    deadline: Deadline | None  # the nearest open one
    warning: Warning
    why: tuple[Why, ...]


@dataclass(frozen=True)
class Whose:
    """Whose work is asked for: one operator's (name, may they approve, their stations'
    matters today), or everyone's (`everyone`, for supervisors)."""

    name: str = ""
    approves: bool = False
    at_stations: frozenset[int] = frozenset()  # matter ids waiting at their stations today
    everyone: bool = False


_ORDER = {Warning.RED: 0, Warning.YELLOW: 1, Warning.GREEN: 2}
_FAR = dt.date.max


def _why(row: dict[str, Any], whose: Whose) -> tuple[Why, ...]:
    found = []
    if row["first_responder"] == whose.name:
        found.append(Why.FIRST_RESPONDER)
    if row["hand_over_to"] and row["hand_over_to"] == whose.name:
        found.append(Why.TAKE_OVER)
    if whose.approves and row["extension_pending"]:
        found.append(Why.APPROVE)
    if row["id"] in whose.at_stations:
        found.append(Why.STATION)
    if whose.name and row["owner_leader"] == whose.name:
        found.append(Why.OWNER)
    return tuple(found)


def _nearest(row: dict[str, Any], today: dt.date, rules: Rules) -> Deadline | None:
    found = deadlines(row_clocks(row), today, rules)
    return min(found, key=urgency) if found else None


def work_rows(reader: Reader, whose: Whose, today: dt.date, rules: Rules, flt: WorkFilter,
              limit: int = 500) -> tuple[int, list[WorkRow]]:
    """(how many in all, the first `limit` of them): red first, then yellow, then green,
    each by the nearest due day."""
    picked = []
    for row in reader.columns("matters"):
        if not Status(row["status"]).is_open:
            continue
        why = (Why.FIRST_RESPONDER,) if whose.everyone else _why(row, whose)
        if not why:
            continue
        nearest = _nearest(row, today, rules)
        warning = nearest.warning if nearest else Warning.GREEN
        if flt.accepts(row, warning):
            picked.append((_ORDER[warning], nearest.due.day if nearest else _FAR, row["id"], nearest, warning, why))
    picked.sort(key=lambda p: p[:3])
    rows = []
    for _, _, matter_id, nearest, warning, why in picked[:limit]:
        doc = reader.get("matters", matter_id)
        if doc is not None:
            rows.append(WorkRow(Matter.from_doc(doc), nearest, warning, why))
    return len(picked), rows
