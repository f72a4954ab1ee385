"""Helpers for driving the real app with Textual's Pilot."""

from __future__ import annotations

import io
import random

from rich.console import Console
from rich.text import Text
from textual.content import Content

from desk.operators import find_operator
from desk.services import Desk
from screens.app import DeskApp, create_app
from screens.lookup import DEBOUNCE_SECONDS


class Ticks:
    """A monotonic clock the test moves by hand, so the idle lock is tested without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_app(desk: Desk, *, logged_in: str | None = None, lang: str = "zh") -> DeskApp:
    operator = find_operator(desk.store, logged_in) if logged_in else None
    desk.rng = random.Random(42)
    return create_app(desk, lang=lang, operator=operator, cursor_blink=False)


async def settle(pilot) -> None:
    """Let timers fire and workers finish, without guessing at sleeps."""
    await pilot.pause(DEBOUNCE_SECONDS + 0.1)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def wait_for(pilot, condition, timeout: float = 5.0) -> None:
    """Pause until `condition()` holds: timers (draft save, idle lock) fire late on a busy machine."""
    waited = 0.0
    while not condition():
        assert waited < timeout, "condition not met in time"
        await pilot.pause(0.05)
        waited += 0.05


def text_of(app: DeskApp, selector: str) -> str:
    """The plain text a Static shows, whether it holds a string, Text or a Rich table."""
    content = app.screen.query_one(selector).content
    if isinstance(content, str | Content | Text):
        return str(content) if not isinstance(content, Text) else content.plain
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(content)
    return console.export_text()


def notices(app: DeskApp) -> list[str]:
    """The toasts on screen. Textual has no public reader of them; this is the one place
    that reaches into its private list."""
    return [str(n.message) for n in app._notifications]


def screen_lines(app: DeskApp) -> list[str]:
    """The screen as the terminal gets it, one string a line, overlays (an open drop-down)
    included. Textual has no public reader of the composed screen; this is the one place
    that asks its compositor."""
    return [strip.text for strip in app.screen._compositor.render_strips()]
