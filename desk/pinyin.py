"""Pinyin initials, so that `zs` finds 张三. Computed when a record is written, not per keystroke.

Reads pypinyin's character table directly: every reading of a character counts (a
surname like 曾 is zeng or ceng), and a per-character cache keeps a ten-thousand-visit
import quick.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from itertools import islice, product

_MAX_VARIANTS = 8  # heteronyms multiply; a name rarely needs more readings than this


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    from pypinyin.pinyin_dict import pinyin_dict  # loaded late: the table takes a moment

    return pinyin_dict


@lru_cache(maxsize=20000)
def _letters(char: str) -> tuple[str, ...]:
    readings = _table().get(ord(char))
    if readings is None:
        return (char.lower(),) if char.isascii() and char.isalnum() else ()
    firsts = {unicodedata.normalize("NFKD", r)[0].lower() for r in readings.split(",") if r}
    return tuple(sorted(firsts))


@lru_cache(maxsize=20000)
def initials(text: str) -> tuple[str, ...]:
    """All plausible initial strings, e.g. 曾乐 -> ("cl", "cy", "zl", "zy")."""
    choices = [letters for letters in map(_letters, text) if letters]
    if not choices:
        return ()
    return tuple(islice(("".join(combo) for combo in product(*choices)), _MAX_VARIANTS))
