"""The registration form, driven through Pilot: who a number belongs to, drafts, pasted text."""

from __future__ import annotations

from desk.registration import RegistrationForm
from screens.receipt import ReceiptScreen
from screens.register import DRAFT_DELAY, RegisterScreen
from tests.conftest import VALID_ID, form
from tests.pilot import make_app, settle, text_of, type_text

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
    assert (desk.load_draft(operator) or RegistrationForm()).is_blank  # at most the new, empty form's


async def start_form_with_number(pilot, name: str, number: str) -> None:
    await pilot.press("f3")
    await pilot.pause()
    await type_text(pilot, name)
    await pilot.press("tab")
    await type_text(pilot, number)
    await settle(pilot)


async def test_a_number_on_file_shows_whose_it_is_as_soon_as_it_is_complete(desk, operator):
    """The issue: 11010519491231002x typed into a fresh form renamed 张三 and took the new matter."""
    first = desk.register(form(), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await start_form_with_number(pilot, "李四", "11010519491231002x")
        card = text_of(app, "#owner-card")
        for expected in ("张三", "****002X", "2026-00001", "来访 1 次", "李四"):
            assert expected in card  # whose, the matter, the visits, and the name that differs
        assert "11010519491231002X" not in card
        await pilot.press("ctrl+s")  # saving anyway is refused on the ID field, never attached
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert "已登记在 张三 名下" in text_of(app, "#err-id_number")
    assert desk.store.get("visitors", first.visitor.id)["name"] == "张三"


async def test_new_matter_for_the_person_whose_number_it_is(desk, operator):
    first = desk.register(form(), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await start_form_with_number(pilot, "李四", VALID_ID)
        screen = app.screen
        screen.query_one("#f-category").value = "labour"
        screen.query_one("#f-summary").text = "工资被拖欠"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert screen.query_one("#f-name").value == "张三"  # the name on record, not the one typed
        assert screen.query_one("#f-summary").text == "工资被拖欠"  # the matter as typed
        assert "张三" in text_of(app, "#owner-card")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptScreen)
        receipt = app.screen.receipt
        assert receipt.visitor.id == first.visitor.id and not receipt.repeat
        assert receipt.matter.id != first.matter.id
    assert desk.store.get("visitors", first.visitor.id)["name"] == "张三"


async def test_choosing_the_person_clears_the_refusal_under_the_number(desk, operator):
    """After a refused save, Ctrl+N answers "on file for 张三": the line goes at once."""
    desk.register(form(), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await start_form_with_number(pilot, "张三", VALID_ID)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "已登记在 张三 名下" in text_of(app, "#err-id_number")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not app.screen.query_one("#err-id_number").display
        assert "已登记在" not in text_of(app, "#form-summary")


async def test_repeat_visit_for_the_person_whose_number_it_is(desk, operator):
    first = desk.register(form(), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await start_form_with_number(pilot, "张三", VALID_ID)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen) and app.screen.matter.id == first.matter.id
        id_field = app.screen.query_one("#f-id_number")
        assert id_field.value == "" and "****002X" in id_field.placeholder  # on record: shown masked
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptScreen) and app.screen.receipt.repeat
    assert len(desk.matter_detail(first.matter.id, operator).visits) == 2
    assert desk.load_draft(operator) is None  # nothing of the matter was typed: no draft left behind


async def test_a_phone_on_file_is_a_hint_naming_the_masked_holders_never_a_match(desk, operator):
    desk.register(form(), operator)
    desk.register(form(name="张小三", id_number=""), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await type_text(pilot, "王五")
        await pilot.press("tab", "tab")
        await type_text(pilot, "13800138000")
        await settle(pilot)
        hint = text_of(app, "#phone-hint")
        assert "此电话已登记" in hint and "****002X" in hint and "等2人" in hint
        assert app.screen.read().visitor_id is None
        assert not app.screen.query_one("#owner-card").display


async def test_a_number_typed_in_groups_fits_the_field_and_shows_whose_it_is(desk, operator):
    desk.register(form(name="李四", id_number="430722198001163788"), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await start_form_with_number(pilot, "李四", "4307 2219 8001 1637 88")
        assert app.screen.query_one("#f-id_number").value == "4307 2219 8001 1637 88"
        assert "1980-01-16" in text_of(app, "#id-preview")
        assert "李四" in text_of(app, "#owner-card")
