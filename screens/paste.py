"""Pasted text reaches the app whole and in the order it was pasted.

Textual's input parser (textual._xterm_parser, 8.x) does not expect an escape byte
inside a bracketed paste: it reads the sequence that follows as keys (showing ESC as
"^") and delivers them at once, while the text before the escape is held back and
delivered as a Paste event only at the end of the paste. `要求\\e[31m红色…` pasted into
the form became the keys `^[31m红色…` followed by the paste `要求`: escape sequences
stored as text, and the text reordered.

PasteParser takes the paste markers out of the stream itself and hands the text
between them over as one Paste event, escape bytes included, in its place among the
keys; the fields then refuse it with a message (screens/widgets.py), and
desk/text.py check_text stays the last line of defence at the save. Without paste
brackets (a terminal that does not support them) a chunk of input carrying a colour
or an operating-system command (a link) cannot have come from a keyboard, so it is a
paste too. Everything else goes to Textual's parser unchanged.

This is the one place that reaches into Textual's private parser and drivers.
"""

from __future__ import annotations

import importlib
import re
import sys
import time
from collections.abc import Iterable, Iterator

from textual import events
from textual._xterm_parser import XTermParser
from textual.message import Message

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"
# No key sends a colour (SGR) or an operating-system command (OSC, e.g. a link).
_NEVER_KEYS = re.compile(r"\x1b\]|\x1b\[[0-9;:]*m")
# A paste marker cut in two by a read is completed by the very next read; a held-back
# lone ESC (the Esc key) is passed on after this long.
HOLD_SECONDS = 0.02


def _cut_marker(text: str, marker: str) -> int:
    """How many characters at the end of `text` may be the start of `marker`."""
    for size in range(min(len(text), len(marker) - 1), 0, -1):
        if text.endswith(marker[:size]):
            return size
    return 0


class PasteParser(XTermParser):
    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._pasted: list[str] | None = None  # inside a bracketed paste
        self._held = ""
        self._held_at = 0.0

    def feed(self, data: str) -> Iterator[Message]:
        if not data:  # the end of input
            held, self._held = self._held, ""
            yield from self._keys(held)
            yield from super().feed(data)
            return
        text, self._held = self._held + data, ""
        while text:
            text = yield from (self._inside(text) if self._pasted is not None else self._outside(text))

    def tick(self) -> Iterable[Message]:
        if self._held and self._pasted is None and time.monotonic() - self._held_at >= HOLD_SECONDS:
            held, self._held = self._held, ""
            yield from self._keys(held)
        yield from super().tick()

    def _outside(self, text: str) -> Iterator[Message]:
        start = text.find(PASTE_START)
        if start < 0:
            keep = _cut_marker(text, PASTE_START)
            self._held, self._held_at = text[len(text) - keep:], time.monotonic()
            yield from self._keys(text[: len(text) - keep])
            return ""
        yield from self._keys(text[:start])
        self._pasted = []
        return text[start + len(PASTE_START):]

    def _inside(self, text: str) -> Iterator[Message]:
        end = text.find(PASTE_END)
        if end < 0:
            keep = _cut_marker(text, PASTE_END)
            self._pasted.append(text[: len(text) - keep])
            self._held = text[len(text) - keep:]
            return ""
        pasted, self._pasted = "".join(self._pasted) + text[:end], None
        yield events.Paste(pasted.replace("\x00", ""))  # NUL dropped, as Textual does
        return text[end + len(PASTE_END):]

    def _keys(self, text: str) -> Iterator[Message]:
        if _NEVER_KEYS.search(text):
            yield events.Paste(text)
        elif text:
            yield from super().feed(text)


def install() -> None:
    """Have Textual's terminal drivers read input with PasteParser (they name the parser
    class in their own modules). Idempotent; only this platform's drivers are touched."""
    names = ("textual.drivers.win32",) if sys.platform == "win32" else (
        "textual.drivers.linux_driver", "textual.drivers.linux_inline_driver")
    for name in names:
        module = importlib.import_module(name)
        if getattr(module, "XTermParser", None) is XTermParser:
            module.XTermParser = PasteParser
