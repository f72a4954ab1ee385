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
# Numbers are typed or read in groups ("430722 19800116 3788"); their spaces are dropped
# before the number is read, so they do not count towards its length.
_GROUPED = {"id_number", "phone"}
# Fields that name someone or something: two entries must not look alike yet differ, so the
# only space allowed is a plain one, and only the usual form of a character (NFKC) is taken.
# The middle dot of ethnic-minority names is a letter here.
_NAME_LIKE = {"name", "category", "counter"}
# Bidirectional overrides and isolates make text display in a different order than it is stored.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
# Format characters (zero-width space and joiners, soft hyphen, byte order mark) and line or
# paragraph separators show as nothing: `clerk\u200b` looks exactly like `clerk`.
_INVISIBLE_CATEGORIES = {"Cf", "Zl", "Zp"}
# Letters that render as blank space (Hangul fillers, the empty Braille pattern).
_BLANK_FILLERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
# Marks (category Mn) that draw nothing: variation selectors, the combining grapheme joiner,
# the Khmer inherent vowels, the Mongolian free variation selectors. `张\ufe00三` looks
# exactly like `张三`.
_SILENT_MARKS = {chr(c) for c in (*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), 0x034F, 0x17B4, 0x17B5,
                                  *range(0x180B, 0x1810))}


def check_text(field: str, value: str, *, limit_key: str | None = None) -> FieldError | None:
    """None when the value is acceptable; otherwise the reason."""
    key = limit_key or field.rsplit(".", 1)[-1]
    limit = LIMITS.get(key, 200)
    length = len("".join(value.split())) if key in _GROUPED else len(value)
    if length > limit:
        return FieldError(field, "err.text.too_long", {"limit": limit, "length": length})
    for char in value:
        code = _char_problem(char, key)
        if code:
            return FieldError(field, code, {"char": code_point(char)})
        if key in _NAME_LIKE and unicodedata.normalize("NFKC", char) != char:
            return FieldError(field, "err.text.compat", {"char": shown(char),
                                                         "normal": shown(unicodedata.normalize("NFKC", char))})
    if key in _NAME_LIKE and unicodedata.normalize("NFKC", value) != value:
        return _composed(field, value)
    return None


def check_name(field: str, value: str) -> FieldError | None:
    """`check_text`, and the spacing of a whole name: `李  娜` and `李娜 ` look like `李 娜`
    and `李娜`. Not for a piece of a name (a paste), which may end in a space."""
    problem = check_text(field, value)
    if problem is None and value != value.strip(" "):
        return FieldError(field, "err.text.edge_space")
    if problem is None and "  " in value:
        return FieldError(field, "err.text.spaces")
    return problem


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def shown(text: str) -> str:
    """Characters by their code points and as they look: `U+9686 隆`."""
    return " ".join(map(code_point, text)) + " " + text


def _composed(field: str, value: str) -> FieldError:
    """A value whose characters are each in their usual form but which NFKC still changes:
    two characters that are usually one (`e` and U+0301 are `é`)."""
    pairs = (value[i:i + 2] for i in range(len(value) - 1))
    piece = next((p for p in pairs if unicodedata.normalize("NFKC", p) != p), value)
    return FieldError(field, "err.text.compat", {"char": shown(piece), "normal": shown(unicodedata.normalize("NFKC", piece))})


def _char_problem(char: str, key: str) -> str | None:
    """The catalog key saying why `char` may not stand in a field of this kind, or None."""
    category = unicodedata.category(char)
    if char in _BIDI:
        return "err.text.bidi"
    if category == "Cc":
        return None if key in _MULTILINE and char in "\n\t" else "err.text.control"
    if category in _INVISIBLE_CATEGORIES or char in _BLANK_FILLERS or char in _SILENT_MARKS:
        return "err.text.invisible"
    if category == "Cs":  # half of a character: bytes that were not UTF-8, read leniently
        return "err.text.encoding"
    if category in ("Co", "Cn"):  # private use or unassigned: no agreed glyph
        return "err.text.unknown_char"
    if key in _NAME_LIKE and char != " " and (char.isspace() or category == "Zs"):
        return "err.text.space"
    return None
