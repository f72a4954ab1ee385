"""The visit ledger's rows (docs/LEDGER.md), read from the records: one row per visit
of a period, in time order, its cells in `ledger.COLUMNS`' order.

Rows are made one day at a time and handed on as they are made, so that an export of a
year holds a day's visits in memory, not the year's. A row carries the visitor's full ID
number and phone: an export is the one place they leave the desk unmasked (screens show
them through `desk.privacy`), which is why only supervisors and administrators export.

The matter's columns (事项编号, 受理日期, 答复日期, 评价, 办结日期, 责任单位 ...) are the
matter as it stands now, on every row of the matter, not only on its latest row. A row
read alone (filtered or sorted in a spreadsheet, handed on by itself) then tells the
matter's state, and an export of a period that ends before the matter's latest visit
still carries it. `desk import` reads the same dates on several rows of a matter as one
update ("dates on a repeat row update the matter"), so repeating them changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from desk.errors import DeskError
from desk.i18n import catalog
from desk.lifecycle.records import Stage
from desk.models import Matter, Visit, Visitor
from desk.referral.records import Referral, StationKind
from desk.store import Reader
from desk.tally import ledger
from desk.tally.report import TALLIED_STATIONS, Period

Row = tuple[Any, ...]  # cells in ledger.COLUMNS' order: dates as dt.date, 人数 an int, the rest text
CACHED = 4096  # matters and visitors kept at once: a matter's visits come close together

_ZH = catalog("zh")  # the ledger is a Chinese document whatever the desk's language


def ledger_rows(reader: Reader, period: Period) -> Iterator[Row]:
    """Every visit of `period` as a ledger row, day by day, each day in time order."""
    matter = lru_cache(maxsize=CACHED)(lambda mid: Matter.from_doc(_get(reader, "matters", mid)))
    visitor = lru_cache(maxsize=CACHED)(lambda vid: Visitor.from_doc(_get(reader, "visitors", vid)))
    for day in period.days():
        visits = sorted((Visit.from_doc(d) for d in reader.find("visits", "at[:10]", day.isoformat())),
                        key=lambda v: (v.at, v.id))
        referred = _referred(visits, _referrals(reader, day))
        for visit in visits:
            yield _row(visit, matter(visit.matter_id), visitor(visit.visitor_id), referred.get(visit.id, ""))


def _get(reader: Reader, table: str, doc_id: int) -> dict[str, Any]:
    """A visit's matter or visitor; one missing is damage, told, not a row left out."""
    doc = reader.get(table, doc_id)
    if doc is None:
        raise DeskError("err.ledger.missing", table=table, id=doc_id)
    return doc


def _referrals(reader: Reader, day: dt.date) -> list[Referral]:
    """The day's referrals to on-site stations, oldest first: a booking for a leader's day
    is not a referral (as in the tally)."""
    found = (Referral.from_doc(d) for d in reader.find("referrals", "day", day.isoformat()))
    return sorted((r for r in found if r.station_kind.value in TALLIED_STATIONS and r.referred_at.date() == day),
                  key=lambda r: (r.referred_at, r.id))


def _referred(visits: list[Visit], referrals: list[Referral]) -> dict[int, str]:
    """Visit id -> the ledger's word for its first referral. A referral belongs to the last
    visit of its matter that day made at or before it (a referral made at registration has
    the visit's own time), or to the day's first visit of the matter when made before any.
    Counted per visit and per day, as the tally counts referrals, so that a ledger read
    back gives the same referral figures."""
    by_matter: dict[int, list[Visit]] = defaultdict(list)
    for visit in visits:
        by_matter[visit.matter_id].append(visit)
    found: dict[int, str] = {}
    for ref in referrals:
        own = by_matter.get(ref.matter_id)
        if not own:
            continue  # referred on a day the matter had no visit: no row to carry it
        visit = next((v for v in reversed(own) if v.at <= ref.referred_at), own[0])
        found.setdefault(visit.id, ledger.word(ledger.REFERRALS, StationKind(ref.station_kind)))
    return found


def _day(when: dt.datetime | None) -> dt.date | None:
    return when.date() if when else None


def _replied_on(matter: Matter) -> dt.date | None:
    """The written reply's date (答复意见书), not an answer to a review or re-examination."""
    return next((r.day for r in matter.replies if r.stage is Stage.REPLY), None)


def _row(visit: Visit, matter: Matter, visitor: Visitor, referral: str) -> Row:
    fields: dict[str, Any] = {
        "date": visit.at.date(),
        "time": visit.at.strftime(ledger.TIME_FORMAT),
        "matter_number": matter.number,
        "name": visitor.name,
        "id_number": visitor.id_number,
        "phone": visitor.phone,
        "persons": visit.persons,
        "category": _ZH.label("category", matter.category),
        "township": matter.township or visitor.township,
        "summary": matter.summary,
        "skip_level": ledger.YES if visit.skip_level else ledger.NO,
        "track": ledger.word(ledger.TRACKS, matter.track),
        "referral": referral,
        "department": matter.sent.department if matter.sent else "",
        "first_responder": matter.first_responder,
        "accepted_on": _day(matter.accepted_at),
        "replied_on": _replied_on(matter),
        "evaluation": ledger.word(ledger.EVALUATIONS, matter.evaluated.value) if matter.evaluated else "",
        "closed_on": _day(matter.closed_at),
    }
    return tuple(fields[name] for name in ledger.COLUMNS.values())
