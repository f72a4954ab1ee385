"""The injected clock: deadlines, tallies and "today" read it, never the wall clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

HALL_TZ = "Asia/Shanghai"


class Clock(Protocol):
    def now(self) -> dt.datetime: ...

    def today(self) -> dt.date: ...


@dataclass(frozen=True)
class SystemClock:
    """The hall's local time, whatever zone the PC itself is set to."""

    tz_name: str = HALL_TZ

    def now(self) -> dt.datetime:
        return dt.datetime.now(ZoneInfo(self.tz_name)).replace(microsecond=0)  # noqa: TID251

    def today(self) -> dt.date:
        return self.now().date()


@dataclass(frozen=True)
class FixedClock:
    """A pinned clock for tests, snapshots and demos."""

    at: dt.datetime

    def now(self) -> dt.datetime:
        return self.at

    def today(self) -> dt.date:
        return self.at.date()


def fixed(iso: str, tz_name: str = HALL_TZ) -> FixedClock:
    return FixedClock(dt.datetime.fromisoformat(iso).replace(tzinfo=ZoneInfo(tz_name)))
