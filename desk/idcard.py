"""ID-card numbers (GB 11643-1999) and phone numbers."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# [0-9], never \d: \d also matches full-width, Arabic-Indic, Devanagari ... digits, and
# int() reads them, so "1１..." would be a second number for the same person.
_SHAPE = re.compile(r"^[1-9][0-9]{16}[0-9X]$")
# Mainland mobiles: 1[3-9] and nine digits. Landlines: optional 0-prefixed area code, 7-8 digits.
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^(0[0-9]{2,3})?[2-9][0-9]{6,7}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-()]")


EARLIEST_BIRTH_YEAR = 1900


class IdNumberError(ValueError):
    """`code` is a catalog key naming the reason; `params` fill in what it names."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class IdInfo:
    id_number: str
    birth_date: dt.date
    sex: str  # "male" | "female"


def check_digit(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def ascii_form(raw: str) -> str:
    """NFKC: full-width digits and letters (and other styled forms of them) become ASCII.
    Digits of other scripts stay as they are, to be refused by the checks that follow."""
    return unicodedata.normalize("NFKC", raw)


def normalize_id(raw: str) -> str:
    """As stored and looked up: ASCII, no spaces anywhere (a card reader or a clerk groups
    the digits), upper-case X."""
    return "".join(ascii_form(raw).split()).replace("x", "X")


def foreign_char(value: str) -> str | None:
    """The first character that is not ASCII, as `U+0661`: a digit of another script looks
    like a digit, but is not one of the number's."""
    return next((f"U+{ord(c):04X}" for c in value if not c.isascii()), None)


def parse_id_number(raw: str, today: dt.date | None = None) -> IdInfo:
    """Validate an 18-character number; raise IdNumberError with the reason."""
    value = normalize_id(raw)
    foreign = foreign_char(value)
    if foreign:
        raise IdNumberError("err.id.digit", char=foreign)
    if len(value) != 18:
        raise IdNumberError("err.id.length")
    if not _SHAPE.match(value):
        raise IdNumberError("err.id.chars")
    birth = _birth_date(value[6:14], today)
    if check_digit(value[:17]) != value[17]:
        raise IdNumberError("err.id.check")
    sex = "male" if int(value[16]) % 2 else "female"
    return IdInfo(value, birth, sex)


def _birth_date(digits: str, today: dt.date | None) -> dt.date:
    """The birth date in a number, or the reason it cannot be one, naming the date:
    a clerk holding the card can then tell a misread digit from a card to refer."""
    try:
        birth = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdNumberError("err.id.birth", date=f"{digits[:4]}-{digits[4:6]}-{digits[6:]}") from None
    if birth.year < EARLIEST_BIRTH_YEAR:
        raise IdNumberError("err.id.birth.early", date=birth.isoformat(), year=EARLIEST_BIRTH_YEAR)
    if today is not None and birth > today:
        raise IdNumberError("err.id.birth.future", date=birth.isoformat(), today=today.isoformat())
    return birth


def normalize_phone(raw: str) -> str:
    """ASCII (full-width digits and brackets become ASCII), without spaces, dashes, brackets."""
    return _PHONE_SEPARATORS.sub("", ascii_form(raw))


def is_valid_phone(raw: str) -> bool:
    value = normalize_phone(raw)
    return bool(_MOBILE.match(value) or _LANDLINE.match(value))


def mask(value: str, visible: int = 4, stars: int = 4) -> str:
    """Only the last `visible` characters stay; a fixed run of stars hides the rest
    (and its length, which would otherwise tell an ID number from a phone)."""
    if not value:
        return ""
    if len(value) <= visible:
        return "*" * stars
    return "*" * stars + value[-visible:]
