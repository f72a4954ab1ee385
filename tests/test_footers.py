"""At 80 columns every key the Footer offers is readable, on each main screen, in both
languages; minor keys still work and are in the command palette."""

from __future__ import annotations

import pytest

from desk.registration import RegistrationForm
from tests.conftest import VALID_ID
from tests.pilot import make_app, screen_lines, settle, type_text


def cut_keys(app) -> list[str]:
    """Descriptions of keys the Footer offers that do not show whole on its line."""
    footer = screen_lines(app)[-1]
    offered = [b.binding for b in app.screen.active_bindings.values() if b.binding.show and b.enabled]
    return [b.description for b in offered if b.description not in footer]


@pytest.fixture
def visitor(desk, operator):
    return desk.register(RegistrationForm(name="张三", id_number=VALID_ID, phone="13800138000", township="城关镇",
                                          category="land", summary="宅基地", track="simple"), operator)


async def _open(app, pilot, where: str) -> None:
    if where in ("card", "lookup"):
        await type_text(pilot, "张三")
        await settle(pilot)
        if where == "card":
            await pilot.press("enter", "enter")
    elif where == "register":
        await pilot.press("f3")
        await pilot.pause()
        app.screen.query_one("#f-persons").value = "6"
        await pilot.press("ctrl+r")
        await pilot.pause()
        app.screen.query_one("#f-id_number").value = VALID_ID  # the person on file: ^t ^n ^o
    elif where == "matters":
        await pilot.press("f4")
    elif where == "detail":
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("where", ["lookup", "card", "register", "matters", "detail"])
async def test_every_offered_key_shows_whole_at_80_columns(desk, operator, visitor, lang, where):
    app = make_app(desk, logged_in="王芳", lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot, where)
        assert type(app.screen).__name__.lower().startswith(where)
        assert not cut_keys(app), screen_lines(app)[-1]


async def test_keys_left_out_of_the_footer_are_in_the_command_palette(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        app.screen.query_one("#f-persons").value = "6"
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "加代表" in commands
        await commands["加代表"].callback()
        await pilot.pause()
        assert app.screen.rep_count == 1
