"""The walk-in path on a counter PC's 80x24 console, keyboard only (#5, point 18):
messages under the fields that go when the field is fixed, no toasts over them,
representatives removed again, tick boxes that read without colour, and a complete
key looked up at once."""

from __future__ import annotations

from screens.register import RegisterScreen
from tests.pilot import make_app

SIZE = (80, 24)


async def open_form(pilot) -> RegisterScreen:
    await pilot.press("f3")
    await pilot.pause()
    assert isinstance(pilot.app.screen, RegisterScreen)
    return pilot.app.screen


def shown(app, selector: str) -> bool:
    return app.screen.query_one(selector).display


async def test_tick_boxes_differ_by_glyph_not_only_by_colour(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_form(pilot)
        threat = screen.query_one("#f-threat")
        assert str(threat.render()).startswith("[ ]")
        threat.focus()
        await pilot.press("space")
        assert str(threat.render()).startswith("[X]") and screen.read().threat
