"""Checks on text typed by a person: length limits and characters that do harm."""

from __future__ import annotations

import unicodedata

from desk.errors import FieldError

# Per-field limits, in characters. Generous for a summary; tight for a name.
LIMITS = {
    "name": 40,
    "id_number": 18,
    "phone": 20,
    "township": 40,
    "village": 40,
    "address": 200,
    "place": 100,
    "summary": 2000,
    "demands": 2000,
    "note": 2000,
}
_MULTILINE = {"summary", "demands", "note", "address"}
# Bidirectional overrides and isolates make text display in a different order than it is stored.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def check_text(field: str, value: str, *, limit_key: str | None = None) -> FieldError | None:
    """None when the value is acceptable; otherwise the reason."""
    key = limit_key or field.rsplit(".", 1)[-1]
    limit = LIMITS.get(key, 200)
    if len(value) > limit:
        return FieldError(field, "err.text.too_long", {"limit": limit, "length": len(value)})
    allowed = "\n\t" if key in _MULTILINE else ""
    for char in value:
        if char in _BIDI:
            return FieldError(field, "err.text.bidi")
        if unicodedata.category(char) == "Cc" and char not in allowed:
            return FieldError(field, "err.text.control", {"code": f"U+{ord(char):04X}"})
    return None

