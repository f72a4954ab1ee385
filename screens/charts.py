"""Charts drawn as text: bars are reversed spaces, one column each in every terminal.
(Block glyphs such as U+2581..U+2588, which Sparkline and plotext draw with, are
ambiguous-width: two columns in many Chinese terminals. plotext also measures a label by
its characters, so Chinese labels push its bars out of line.)"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text

BAR = "reverse"


def fit(label: str, width: int) -> str:
    """`label` cut or padded to `width` terminal columns (a Chinese character takes two)."""
    out = ""
    for char in label:
        if cell_len(out + char) > width:
            break
        out += char
    return out + " " * (width - cell_len(out))


def binned(values: Sequence[tuple[str, int]], most: int) -> list[tuple[str, int]]:
    """At most `most` columns: consecutive values summed, each bin named by its first."""
    if len(values) <= most:
        return list(values)
    size = math.ceil(len(values) / most)
    return [(values[i][0], sum(v for _, v in values[i:i + size])) for i in range(0, len(values), size)]


def columns(values: Sequence[tuple[str, int]], width: int, height: int, short: int = 2) -> Text:
    """Vertical bars across `width` columns, `height` rows tall, with the end of each
    label (`short` characters: the day of the month, the hour) under some of them."""
    shown = binned(values, max(1, width))
    each = max(1, min(4, width // max(1, len(shown))))
    top = max((v for _, v in shown), default=0)
    text = Text(no_wrap=True, overflow="crop")
    for row in range(height, 0, -1):
        for _, value in shown:
            filled = value > 0 and math.ceil(value * height / top) >= row
            solid = each - 1 if each > 1 else 1  # a gap between bars, where there is room
            text.append(" " * solid, style=BAR if filled else "")
            text.append(" " * (each - solid))
        text.append("\n")
    line = [" "] * (each * len(shown) + short)
    for i in range(0, len(shown), math.ceil((short + 1) / each)):
        line[i * each:i * each + short] = shown[i][0][-short:]
    labels = "".join(line)
    text.append(labels.rstrip())
    return text


def bars(values: Sequence[tuple[str, int]], label_width: int, bar_width: int) -> Text:
    """One horizontal bar a line: label, bar, number."""
    top = max((v for _, v in values), default=0)
    text = Text(no_wrap=True, overflow="crop")
    for i, (label, value) in enumerate(values):
        length = math.ceil(value * bar_width / top) if top and value else 0
        text.append(fit(label, label_width) + " ")
        text.append(" " * length, style=BAR)
        text.append(f" {value}" + ("\n" if i < len(values) - 1 else ""))
    return text
