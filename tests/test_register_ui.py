"""The registration form, driven through Pilot: who a number belongs to, drafts, pasted text."""

from __future__ import annotations

from screens.receipt import ReceiptScreen
from screens.register import DRAFT_DELAY, RegisterScreen
from tests.conftest import VALID_ID
from tests.pilot import make_app, text_of, type_text

SIZE = (100, 34)


async def test_the_live_preview_says_why_a_birth_date_is_refused(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("tab")
        await type_text(pilot, "440524188001010014")
        await pilot.pause()
        assert "出生日期 1880-01-01 早于允许的最早年份 1900" in text_of(app, "#id-preview")


async def test_a_save_just_before_the_draft_timer_leaves_no_draft_behind(desk, operator):
    """Ctrl+S a moment after the last key: the autosave that was already on its way must
    not bring the saved form back as a draft (which, accepted, made a duplicate matter)."""
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        screen = app.screen
        for field, value in (("name", "张三"), ("id_number", VALID_ID), ("place", "村委会")):
            screen.query_one(f"#f-{field}").value = value
        screen.query_one("#f-category").value = "land"
        screen.query_one("#f-summary").text = "宅基地界址争议"
        await pilot.pause()
        await type_text(pilot, "某")  # the last keystroke starts the draft timer
        await pilot.pause(DRAFT_DELAY * 0.8)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptScreen)
        await pilot.pause(DRAFT_DELAY)  # the timer's moment has passed
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert not app.screen.query(".question")  # no draft offered
    assert desk.load_draft(operator) is None
