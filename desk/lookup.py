"""Looking a visitor up by ID number, phone, name, pinyin initials, case number or query code."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from desk.deadlines import Deadline, Rules, Warning, evaluation_lapsed, nearest
from desk.idcard import ascii_form, is_valid_phone, normalize_id, normalize_phone
from desk.models import Matter, Visit, Visitor
from desk.store import Reader

# [0-9], never \d (which matches the digits of every script): the text is NFKC'd first,
# so full-width digits are ASCII by then, and other digits find nothing.
_CASE_NUMBER = re.compile(r"^[0-9]{4}-[0-9]*$")
_DIGITS = re.compile(r"^[0-9Xx]+$")
_LETTERS = re.compile(r"^[A-Za-z]+$")
_QUERY_CODE = re.compile(r"^[A-Za-z2-9]{6}$")
_FULL_CASE_NUMBER = re.compile(r"^[0-9]{4}-[0-9]{5}$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
MIN_DIGITS = 4


@dataclass(frozen=True)
class MatterBrief:
    matter: Matter
    warning: Warning | None  # None: closed
    deadline: Deadline | None = None  # the nearest open one, which gives the colour
    lapsed: bool = False  # 超期未评价

    @property
    def current(self) -> bool:
        """A visit today may be about it: open, or re-examined (不再受理: the visit is
        recorded on it, no new matter is opened)."""
        return self.matter.is_open or self.matter.not_accepted_again


def brief(matter: Matter, today: dt.date, rules: Rules) -> MatterBrief:
    """A matter with the colour and days left of its nearest deadline."""
    found = nearest(matter, today, rules)
    colour = found.warning if found else (Warning.GREEN if matter.is_open else None)
    return MatterBrief(matter, colour, found, evaluation_lapsed(matter, today, rules))


@dataclass(frozen=True)
class LookupHit:
    visitor: Visitor
    visits: tuple[Visit, ...]  # newest first
    matters: tuple[MatterBrief, ...]  # newest first

    @property
    def open_matters(self) -> tuple[MatterBrief, ...]:
        """The matters a visit today may be about: the open ones, and the re-examined ones
        even when closed (a new visit about one is a repeat visit, not a new matter)."""
        return tuple(b for b in self.matters if b.current)

    @property
    def repeat(self) -> bool:
        """An open (or re-examined) matter means this visit is most likely about it (重复访)."""
        return bool(self.open_matters)

    @property
    def not_accepted_again(self) -> bool:
        """The person has a re-examined matter: the same matter is not taken up again."""
        return any(b.matter.not_accepted_again for b in self.matters)

    @property
    def last_visit(self) -> dt.datetime | None:
        return self.visits[0].at if self.visits else None


def _exact_ids(reader: Reader, text: str) -> list[int] | None:
    """Visitor ids for a complete key (ID number, mobile, case number, query code),
    found through the store's indexes; None when the text is not a complete key."""
    if len(text) == 18 and _DIGITS.match(text):
        return [d["id"] for d in reader.find("visitors", "id_number", text)]
    if _MOBILE.match(text):
        return [d["id"] for d in reader.find("visitors", "phone", text)]
    if _FULL_CASE_NUMBER.match(text):
        return [d["visitor_id"] for d in reader.find("matters", "number", text)]
    return None


def _search(reader: Reader, text: str, limit: int) -> list[int]:
    """Part of a number, a name or its pinyin initials, through the store's search text:
    never a scan of every visitor. Enough ids to rank; typing narrows it further."""
    enough = limit * 4
    ids: list[int] = []
    if _QUERY_CODE.match(text):
        ids += [d["visitor_id"] for d in reader.find("matters", "query_code", text.upper())]
    if _CASE_NUMBER.match(text):
        matters = (reader.get("matters", i) for i in reader.search("matters", "number", text, enough))
        return ids + [d["visitor_id"] for d in matters if d is not None]
    if _DIGITS.match(text):
        fields, text = (("id_number", "phone") if len(text) >= MIN_DIGITS else ()), text.upper()
    elif _LETTERS.match(text):
        fields, text = ("name_initials", "township_initials"), text.lower()
    else:
        fields = ("name", "township")
    for field in fields:
        ids += reader.search("visitors", field, text, enough - len(ids))
    return ids


def _typed_key(text: str) -> str:
    """The text as the indexes hold it: ASCII, and a number without the spaces that group
    its digits (`430722 19800116 3788`, `139 1234 5678`). Names are searched as typed."""
    plain = ascii_form(text).strip()
    grouped = normalize_id(plain)
    if _DIGITS.match(grouped):
        return grouped
    return plain if plain.isascii() else text.strip()  # case numbers, codes, pinyin: ASCII


def find_visitors(reader: Reader, text: str, limit: int) -> list[Visitor]:
    text = _typed_key(text)
    if not text:
        return []
    ids = _exact_ids(reader, text)
    if ids is None:
        ids = _search(reader, text, limit)
    docs = (reader.get("visitors", i) for i in dict.fromkeys(ids))
    return [Visitor.from_doc(d) for d in docs if d is not None]


def hit_for(reader: Reader, visitor: Visitor, today: dt.date, rules: Rules) -> LookupHit:
    visits = sorted(
        (Visit.from_doc(d) for d in reader.find("visits", "visitor_id", visitor.id)),
        key=lambda v: (v.at, v.id),
        reverse=True,
    )
    matters = sorted(
        (Matter.from_doc(d) for d in reader.find("matters", "visitor_id", visitor.id)),
        key=lambda m: (m.registered_at, m.id),
        reverse=True,
    )
    briefs = tuple(brief(m, today, rules) for m in matters)
    return LookupHit(visitor, tuple(visits), briefs)


def hit_by_id(reader: Reader, visitor_id: int, today: dt.date, rules: Rules) -> LookupHit | None:
    doc = reader.get("visitors", visitor_id)
    return hit_for(reader, Visitor.from_doc(doc), today, rules) if doc else None


def phone_holders(reader: Reader, phone: str) -> list[Visitor]:
    """Everyone on record with exactly this (whole, valid) number. Relatives share phones,
    so this is only ever a hint: a phone number never identifies a visitor."""
    if not is_valid_phone(phone):
        return []
    return [Visitor.from_doc(d) for d in reader.find("visitors", "phone", normalize_phone(phone))]


def lookup(reader: Reader, text: str, today: dt.date, rules: Rules, limit: int = 20) -> list[LookupHit]:
    hits = [hit_for(reader, v, today, rules) for v in find_visitors(reader, text, limit)]
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    hits.sort(key=lambda h: (h.repeat, h.last_visit or epoch), reverse=True)
    return hits[:limit]
