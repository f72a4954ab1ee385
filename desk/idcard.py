"""ID-card numbers (GB 11643-1999) and phone numbers."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")
# Mainland mobiles: 1[3-9] and nine digits. Landlines: optional 0-prefixed area code, 7-8 digits.
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0\d{2,3})?[2-9]\d{6,7}$")


class IdNumberError(ValueError):
    """`code` is a catalog key naming the reason."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IdInfo:
    id_number: str
    birth_date: dt.date
    sex: str  # "male" | "female"


def check_digit(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalize_id(raw: str) -> str:
    return raw.strip().replace(" ", "").upper()


def parse_id_number(raw: str, today: dt.date | None = None) -> IdInfo:
    """Validate an 18-character number; raise IdNumberError with the reason."""
    value = normalize_id(raw)
    if len(value) != 18:
        raise IdNumberError("err.id.length")
    if not _SHAPE.match(value):
        raise IdNumberError("err.id.chars")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError("err.id.birth") from None
    if birth.year < 1900 or (today is not None and birth > today):
        raise IdNumberError("err.id.birth")
    if check_digit(value[:17]) != value[17]:
        raise IdNumberError("err.id.check")
    sex = "male" if int(value[16]) % 2 else "female"
    return IdInfo(value, birth, sex)


def normalize_phone(raw: str) -> str:
    return re.sub(r"[\s\-()（）]", "", raw.strip())


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
