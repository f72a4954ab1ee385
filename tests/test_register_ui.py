"""The registration form, driven through Pilot: who a number belongs to, drafts, pasted text."""

from __future__ import annotations

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
