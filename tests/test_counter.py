"""The walk-in path on a counter PC's 80x24 console, keyboard only (#5, point 18):
messages under the fields that go when the field is fixed, no toasts over them,
representatives removed again, tick boxes that read without colour, and a complete
key looked up at once."""

from __future__ import annotations

import pytest

import screens.lookup
from desk.matters import MatterFilter
from screens.lookup import is_complete_key
from screens.receipt import ReceiptScreen
from screens.register import RegisterScreen
from tests.conftest import BAD_CHECK_ID, VALID_ID, VALID_ID_MALE, form
from tests.pilot import make_app, notices, settle, text_of, type_text

SIZE = (80, 24)


async def open_form(pilot) -> RegisterScreen:
    await pilot.press("f3")
    await pilot.pause()
    assert isinstance(pilot.app.screen, RegisterScreen)
    return pilot.app.screen


def offered(app, key: str) -> str | None:
    """The action the Footer offers for `key`, if it offers one."""
    active = app.screen.active_bindings.get(key)
    return active.binding.action if active and active.enabled and active.binding.show else None


def shown(app, selector: str) -> bool:
    return app.screen.query_one(selector).display


async def test_a_failed_save_is_said_under_the_fields_not_in_a_toast(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "3 处需要修改" in text_of(app, "#form-summary")
        assert "必须填写" in text_of(app, "#err-name")
        assert notices(app) == []  # a toast would cover the lines that say what to fix
        assert app.focused.id == "f-name"


async def test_an_error_line_goes_as_soon_as_its_field_changes(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot)
        await pilot.press("tab")
        await type_text(pilot, BAD_CHECK_ID)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert shown(app, "#err-name") and shown(app, "#err-id_number") and shown(app, "#err-category")
        assert "4 处需要修改" in text_of(app, "#form-summary")
        assert app.focused.id == "f-name"
        await type_text(pilot, "张三")
        await pilot.pause()
        assert not shown(app, "#err-name")  # fixed: gone at once, not at the next save
        assert shown(app, "#err-id_number") and shown(app, "#err-category")  # the others stay
        assert "3 处需要修改" in text_of(app, "#form-summary")
        await pilot.press("tab", "end", "backspace")  # tabbing in selects the whole number
        await type_text(pilot, "X")  # 11010519491231002X: the right check digit
        await pilot.pause()
        assert not shown(app, "#err-id_number")
        assert "出生日期 1949-12-31" in text_of(app, "#id-preview")  # the live preview is back
        app.screen.query_one("#f-category").value = "land"
        app.screen.query_one("#f-summary").text = "宅基地界址争议"
        await pilot.pause()
        assert not shown(app, "#err-category") and not shown(app, "#err-summary")
        assert not shown(app, "#form-summary")  # nothing left to fix


async def test_a_message_outlives_a_change_that_leaves_the_value_as_it_was(desk, operator):
    """Changed messages can arrive after the save they came before; the value decides."""
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_form(pilot)
        screen.query_one("#f-phone").value = "12345"
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen._field_changed("f-phone")
        assert "不是有效的" in text_of(app, "#err-phone")


async def test_a_refused_representative_key_is_said_under_the_representatives(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_form(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert screen.rep_count == 0
        assert "5人及以上" in text_of(app, "#err-representatives") and notices(app) == []
        assert not shown(app, "#form-summary")  # no problem of the form: nothing counted
        screen.query_one("#f-persons").value = "6"
        await pilot.pause()
        assert not shown(app, "#err-representatives")  # answered by the number of persons


async def group_of_five(pilot) -> RegisterScreen:
    """A group visit keyed in as at the counter: six persons, four more representatives."""
    screen = await open_form(pilot)
    screen.query_one("#f-persons").value = "6"
    await pilot.pause()
    for n, name in enumerate(("李四", "王五", "赵六", "钱七"), start=2):
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert pilot.app.focused.id == f"rep-{n}-name"
        await type_text(pilot, name)
    return screen


async def test_the_representative_row_with_the_cursor_is_removed_and_the_rest_renumbered(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        screen = await group_of_five(pilot)
        assert screen.rep_count == 4
        screen.query_one("#rep-3-name").focus()
        await pilot.pause()
        assert offered(app, "ctrl+d") == "remove_representative"  # in the Footer while in a row
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert screen.rep_count == 3
        assert [r.name for r in screen.read().representatives] == ["李四", "赵六", "钱七"]
        assert app.focused.id == "rep-3-name"  # the row that moved up into its place
        assert "代表3" in str(screen.query(".rep-row").nodes[1].query_one("Label").content)
        screen.query_one("#f-name").focus()
        await pilot.pause()
        await pilot.press("ctrl+d")  # outside the rows it is the field's own key (delete right)
        await pilot.pause()
        assert screen.rep_count == 3
        assert offered(app, "ctrl+d") is None


async def test_a_group_visit_saves_the_representatives_left_after_a_removal(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        screen = await group_of_five(pilot)
        await pilot.press("ctrl+d")  # the last row, 钱七, has the cursor
        await pilot.pause()
        assert app.focused.id == "rep-4-name"
        for _ in range(2):
            await pilot.press("ctrl+d")
            await pilot.pause()
        assert screen.rep_count == 1 and app.focused.id == "rep-2-name"
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert screen.rep_count == 0 and app.focused.id == "f-persons"
        await pilot.press("ctrl+r")
        await pilot.pause()
        await type_text(pilot, "孙八")
        for field, value in (("name", "张三"), ("id_number", VALID_ID)):
            screen.query_one(f"#f-{field}").value = value
        screen.query_one("#f-category").value = "land"
        screen.query_one("#f-summary").text = "集体反映征地补偿"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptScreen)
    [row] = desk.matters(MatterFilter(), operator)
    [visit] = desk.matter_detail(row.matter.id, operator).visits
    assert [p.name for p in visit.representatives] == ["张三", "孙八"] and visit.persons == 6  # the visitor is 1


async def test_tick_boxes_differ_by_glyph_not_only_by_colour(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_form(pilot)
        threat = screen.query_one("#f-threat")
        assert str(threat.render()).startswith("[ ]")
        threat.focus()
        await pilot.press("space")
        assert str(threat.render()).startswith("[X]") and screen.read().threat


async def test_enter_on_a_tick_box_moves_on_and_only_space_ticks_it(desk, operator):
    """A run of Enters, the hall's way from field to field, must not tick 重点人员 unnoticed."""
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_form(pilot)
        screen.query_one("#f-persons").focus()
        for expected in ("f-skip_level", "f-threat", "f-key_person", "f-category"):
            await pilot.press("enter")
            assert app.focused.id == expected
        typed = screen.read()
        assert not (typed.skip_level or typed.threat or typed.key_person)
        screen.query_one("#f-key_person").focus()
        await pilot.press("space")
        assert screen.read().key_person and app.focused.id == "f-key_person"


@pytest.mark.parametrize("text", [VALID_ID, VALID_ID.lower(), "13800138000", "2026-00001", "QWGL8Y"])
def test_complete_keys(text):
    assert is_complete_key(text)


@pytest.mark.parametrize("text", ["", "zs", "张三", "1101051949", "1380013800", "2026-0001", "qwgl8y", "ABCDE"])
def test_partial_text_is_no_complete_key(text):
    assert not is_complete_key(text)


async def test_a_complete_key_is_looked_up_at_once_and_partial_text_waits(desk, operator, monkeypatch):
    """As a card reader or a scanner types it: the whole number in one burst."""
    desk.register(form(), operator)
    desk.register(form(name="李四", id_number=VALID_ID_MALE, phone="13912345678"), operator)
    monkeypatch.setattr(screens.lookup, "DEBOUNCE_SECONDS", 3600)  # a pause that never ends in a test
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "zs")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.hits == []  # partial: still waiting for a pause in typing
        await pilot.press("ctrl+l")
        await type_text(pilot, VALID_ID_MALE)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [h.visitor.name for h in app.screen.hits] == ["李四"]
        assert "找到 1 人" in text_of(app, "#lookup-status")


async def test_english_counts_are_singular_for_one(desk, operator):
    desk.register(form(), operator)
    app = make_app(desk, logged_in="王芳", lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "zs")
        await settle(pilot)
        info = text_of(app, "#hit-info")
        assert "1 visit\n" in info and "1 person\n" in info
        assert "visits" not in info and "persons" not in info
        await pilot.press("f4")
        await settle(pilot)
        assert text_of(app, "#matters-status").startswith("1 matter")


async def test_the_lookup_key_is_not_labelled_like_f3(desk, operator):
    app = make_app(desk, logged_in="王芳", lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        labels = {k: b.binding.description for k, b in app.screen.active_bindings.items() if b.binding.show}
        assert labels["ctrl+n"] != labels["f3"]
        assert "f2" not in labels  # the lookup's own key: working, not offered again
