"""Pinyin initials, so that `zs` finds 张三. Computed when a record is written, not per keystroke."""

from __future__ import annotations

from itertools import islice, product

_MAX_VARIANTS = 8  # heteronyms multiply; a name rarely needs more readings than this


def initials(text: str) -> tuple[str, ...]:
    """All plausible initial strings, e.g. 曾乐 -> ("zl", "cl", "zy", "cy")."""
    if not text:
        return ()
    from pypinyin import Style, pinyin  # imported late: its dictionary takes a moment to load

    letters = pinyin(text, style=Style.FIRST_LETTER, heteronym=True, errors=lambda s: [c for c in s if c.isalnum()])
    choices = [sorted({c[:1].lower() for c in chars if c}) or [""] for chars in letters]
    return tuple(islice(("".join(combo) for combo in product(*choices)), _MAX_VARIANTS))
