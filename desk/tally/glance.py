"""What the tally screen draws besides the numbers: visits across the period, how long
visitors waited and were served at each kind of station, and the matters behind a number.
Counted here, in the domain, so that the screen only draws."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass

from desk.models import Matter, Visitor
from desk.referral.records import Referral, State
from desk.store import Reader
from desk.tally.report import TALLIED_STATIONS, Period

MEMBER_LIMIT = 2000  # a year's visits would make a list nobody reads; the count says how many


@dataclass(frozen=True)
class StationTimes:
    """One kind of station over the period; times in seconds, None when nobody was called
    (waiting) or finished (serving)."""

    kind: str
    referred: int
    median_wait: int | None
    median_serve: int | None


@dataclass(frozen=True)
class Charts:
    by_hour: bool  # a single day is drawn by the hour, a longer period by the day
    visits: tuple[tuple[str, int], ...]  # (hour "08" or day "2026-11-22", visits), in order
    stations: tuple[StationTimes, ...]  # every tallied kind, in TALLY.md's order


@dataclass(frozen=True)
class Member:
    """One record a number counts, as a row about its matter."""

    table: str
    record_id: int
    when: str  # "2026-11-22 09:00", or the day alone; "" for a matter counted as itself
    matter: Matter
    visitor: str  # the name, as typed


def visits_across(reader: Reader, period: Period) -> tuple[bool, tuple[tuple[str, int], ...]]:
    """Visits by the hour for one day (the hall's hours: every hour with a visit, and 8 to
    17 always), otherwise by the day, every day of the period."""
    if period.start == period.end:
        hours = Counter(int(d["at"][11:13]) for d in reader.find("visits", "at[:10]", period.start.isoformat()))
        shown = sorted(set(range(8, 18)) | set(hours))
        return True, tuple((f"{h:02d}", hours.get(h, 0)) for h in shown)
    return False, tuple((day.isoformat(), len(reader.find("visits", "at[:10]", day.isoformat())))
                        for day in period.days())


def _median(values: list[int]) -> int | None:
    return int(statistics.median(values)) if values else None


def station_times(reader: Reader, period: Period, now: dt.datetime) -> tuple[StationTimes, ...]:
    """Median waiting (of those called) and serving (of those finished) per kind of station,
    over the referrals made in the period; exact, from each ticket's periods."""
    refs = [Referral.from_doc(d) for day in period.days() for d in reader.find("referrals", "day", day.isoformat())]
    found = []
    for kind in TALLIED_STATIONS:
        mine = [r for r in refs if r.station_kind.value == kind]
        found.append(StationTimes(
            kind, len(mine),
            _median([r.time_in(State.WAITING, now) for r in mine if r.calls]),
            _median([r.time_in(State.SERVING, now) for r in mine if r.state is State.DONE])))
    return tuple(found)


def charts(reader: Reader, period: Period, now: dt.datetime) -> Charts:
    by_hour, visits = visits_across(reader, period)
    return Charts(by_hour, visits, station_times(reader, period, now))


def _when(table: str, doc: dict) -> str:
    """When the record was made: a matter counted as itself, when it was registered."""
    raw = str(doc.get("at") or doc.get("referred_at") or doc.get("registered_at") or doc.get("day") or "")
    return raw[:16].replace("T", " ")


def members_of(reader: Reader, table: str, ids: tuple[int, ...], limit: int = MEMBER_LIMIT) -> list[Member]:
    """The records `ids` of `table` as rows about their matters, oldest first (at most
    `limit`). Every counted record but a matter names its matter by `matter_id`."""
    matters: dict[int, Matter] = {}
    names: dict[int, str] = {}
    rows = []
    for record_id in ids[:limit]:
        doc = reader.get(table, record_id)
        if doc is None:
            continue
        matter_id = record_id if table == "matters" else doc["matter_id"]
        if matter_id not in matters:
            matters[matter_id] = Matter.from_doc(reader.get("matters", matter_id))  # type: ignore[arg-type]
        matter = matters[matter_id]
        if matter.visitor_id not in names:
            visitor = reader.get("visitors", matter.visitor_id)
            names[matter.visitor_id] = Visitor.from_doc(visitor).name if visitor else ""
        rows.append(Member(table, record_id, _when(table, doc), matter, names[matter.visitor_id]))
    return sorted(rows, key=lambda m: (m.when, m.matter.number, m.record_id))
