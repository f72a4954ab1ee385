"""A blank screen at once, for when a visitor can see the monitor; the same key brings
the desk back. Nothing below it changes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from screens.base import DeskScreen


class PrivacyScreen(DeskScreen):
    def compose(self) -> ComposeResult:
        yield Static("", id="privacy")
