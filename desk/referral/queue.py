"""Tickets and the order of a station's queue.

A ticket is the station's prefix and its count of the day (J003). The count is kept in
the `tickets` table, one document per station and day, and raised in the transaction
that saves the referral: a save that fails neither skips nor reuses a number, and a
number once given is never given again, whatever becomes of its referral.
"""

from __future__ import annotations

import datetime as dt

from desk.referral.records import Referral, State, Station
from desk.store import Reader, Transaction


def _key(station_id: int, day: dt.date) -> str:
    return f"{station_id}:{day.isoformat()}"


def next_ticket(txn: Transaction, station: Station, day: dt.date) -> tuple[int, str]:
    key = _key(station.id, day)
    found = txn.find("tickets", "key", key)
    if found:
        counter = txn.update("tickets", {**found[0], "last": found[0]["last"] + 1})
    else:
        counter = txn.insert("tickets", {"key": key, "station_id": station.id, "day": day.isoformat(), "last": 1})
    number = counter["last"]
    return number, f"{station.prefix}{number:03d}"


def order(ref: Referral) -> tuple:
    """Priority first, then arrival (the moment of referral, then the ticket's number)."""
    return (not ref.priority_first, ref.referred_at, ref.number)


def of_day(reader: Reader, day: dt.date, station_id: int | None = None) -> list[Referral]:
    """The day's referrals (of one station, when given), in queue order."""
    docs = reader.find("referrals", "day", day.isoformat())
    refs = [Referral.from_doc(d) for d in docs if station_id is None or d["station_id"] == station_id]
    return sorted(refs, key=order)


def waiting(reader: Reader, station_id: int, day: dt.date) -> list[Referral]:
    """Who is waiting at a station, the next to call first."""
    return [r for r in of_day(reader, day, station_id) if r.state is State.WAITING]


def of_matter(reader: Reader, matter_id: int) -> list[Referral]:
    """A matter's referrals, oldest first."""
    docs = reader.find("referrals", "matter_id", matter_id)
    return sorted(map(Referral.from_doc, docs), key=lambda r: (r.referred_at, r.id))
