"""The real app, driven by keyboard through Pilot: what a receptionist does."""

from __future__ import annotations

from desk.matters import MatterFilter
from screens.detail import DetailScreen
from screens.login import LoginScreen
from screens.lookup import LookupScreen
from screens.matters import MattersScreen
from screens.receipt import ReceiptScreen
from screens.register import RegisterScreen
from screens.setup import SetupScreen
from tests.conftest import VALID_ID, form
from tests.pilot import make_app, notices, settle, text_of, type_text, wait_for

SIZE = (100, 34)


async def test_first_start_asks_for_the_first_administrator(desk):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, SetupScreen)
        await type_text(pilot, "admin")
        await pilot.press("enter")
        await type_text(pilot, "short")
        await pilot.press("enter")
        await type_text(pilot, "short")
        await pilot.press("enter")
        assert "至少8个字符" in text_of(app, "#setup-error")
        assert not desk.has_operators()
        app.screen.query_one("#setup-password").value = "longenough"
        app.screen.query_one("#setup-again").value = "longenough"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
        assert app.operator.name == "admin" and app.operator.role.value == "admin"


async def test_login_refuses_a_wrong_password_and_accepts_the_right_one(desk, operator):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, LoginScreen)
        await type_text(pilot, "王芳")
        await pilot.press("enter")
        await type_text(pilot, "wrongpass")
        await pilot.press("enter")
        await settle(pilot)
        assert "操作员或密码不对" in text_of(app, "#login-error")
        assert app.screen.query_one("#login-password").value == ""
        await type_text(pilot, "secret123")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        assert app.operator.name == "王芳"


async def fill_registration(pilot, *, summary: str = "宅基地界址争议") -> None:
    """Keyboard only: tab from field to field as a receptionist would."""
    await type_text(pilot, "[bold]张三[/]")
    await pilot.press("tab")
    await type_text(pilot, VALID_ID)
    await pilot.press("tab")
    await type_text(pilot, "13800138000")
    await pilot.press("tab")
    await type_text(pilot, "城关镇")
    for _ in range(7):  # village, address, persons, three ticks, then the category
        await pilot.press("tab")
    await pilot.press("enter", "down", "enter")  # open the list, pick 土地
    await pilot.press("tab")
    await type_text(pilot, "村委会")
    await pilot.press("tab")
    await type_text(pilot, summary)


async def test_the_walk_in_path_from_login_to_detail(desk, operator):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "王芳")
        await pilot.press("enter")
        await type_text(pilot, "secret123")
        await pilot.press("enter")
        await settle(pilot)
        # Look up: nobody yet; the typed ID number is carried into the form.
        await type_text(pilot, VALID_ID)
        await settle(pilot)
        assert "没有找到" in text_of(app, "#lookup-status")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert app.screen.query_one("#f-id_number").value == VALID_ID
        app.screen.query_one("#f-id_number").value = ""
        await fill_registration(pilot)
        assert "出生日期 1949-12-31，性别 女" in text_of(app, "#id-preview")
        await pilot.press("ctrl+s")
        await pilot.pause()
        # Receipt: number, query code, first responder, deadline; markup shown as typed.
        assert isinstance(app.screen, ReceiptScreen)
        receipt = app.screen.receipt
        body = text_of(app, "#receipt-body")
        for expected in ("2026-00001", receipt.matter.query_code, "王芳", "2026-12-07", "[bold]张三[/]"):
            assert expected in body
        await pilot.press("enter")
        await settle(pilot)
        # Back on the lookup, blank for the next visitor; the same ID now shows a repeat-visit hint.
        assert isinstance(app.screen, LookupScreen)
        assert app.screen.query_one("#query").value == "" and app.screen.hits == []
        await type_text(pilot, VALID_ID)
        await settle(pilot)
        assert app.screen.hits and app.screen.hits[0].repeat
        assert "重复访" in text_of(app, "#hit-info")
        # The list, then the detail with its timeline.
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, MattersScreen)
        assert [r.matter.number for r in app.screen.rows] == ["2026-00001"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert "登记受理，首问责任人确定" in text_of(app, "#detail-timeline")
        assert VALID_ID in text_of(app, "#detail-visitor")
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)


async def test_a_failed_save_shows_every_problem_and_keeps_the_form(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await type_text(pilot, "李四")
        await pilot.press("tab")
        await type_text(pilot, "110105194912310021")  # wrong check digit
        await pilot.press("tab")
        await type_text(pilot, "12345")
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RegisterScreen)
        assert "校验码不对" in text_of(app, "#err-id_number")
        assert "不是有效的" in text_of(app, "#err-phone")
        assert "请选择问题类别" in text_of(app, "#err-category")
        assert "必须填写" in text_of(app, "#err-summary")
        assert "4 处需要修改" in text_of(app, "#form-summary")
        assert screen.query_one("#f-name").value == "李四"
        assert screen.query_one("#f-id_number").value == "110105194912310021"
        assert screen.query_one("#f-phone").value == "12345"
        assert app.focused.id == "f-id_number"  # the first problem has the cursor
        assert desk.matters(MatterFilter(), operator) == []


async def test_a_group_visit_takes_at_most_five_representatives(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("ctrl+r")
        assert app.screen.rep_count == 0  # one person: no representatives
        app.screen.query_one("#f-persons").value = "30"
        for _ in range(5):
            await pilot.press("ctrl+r")
            await pilot.pause()
        assert app.screen.rep_count == 4  # the visitor plus four: five
        # said under the representatives, not in a toast over the form
        assert "最多推选5名代表" in text_of(app, "#err-representatives")
        assert not notices(app)


async def test_a_draft_survives_closing_the_app(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await type_text(pilot, "王五")
        await pilot.press("tab", "tab")
        await type_text(pilot, "13912345678")
        # a pause in typing saves the draft, phone and all
        await wait_for(pilot, lambda: getattr(desk.load_draft(operator), "phone", "") == "13912345678")
    again = make_app(desk, logged_in="王芳")
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert "未保存的登记草稿（王五）" in text_of(again, ".question")
        await pilot.press("y")
        await pilot.pause()
        assert again.screen.query_one("#f-name").value == "王五"
        assert again.screen.query_one("#f-phone").value == "13912345678"


async def test_repeat_visit_is_attached_from_the_lookup(desk, operator):
    first = desk.register(form(), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "zs")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert "2026-00001" in text_of(app, ".attached")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptScreen) and app.screen.receipt.repeat
    assert len(desk.matter_detail(first.matter.id, operator).visits) == 2


async def test_a_simple_matter_is_closed_on_the_spot_from_the_receipt(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await fill_registration(pilot)
        app.screen.query_one("#f-track").value = "simple"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("ctrl+s")  # an empty note is refused
        assert "请填写办理情况" in text_of(app, "#note-error")
        await type_text(pilot, "当场答复")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "已办结" in text_of(app, "#receipt-body")
    [row] = desk.matters(MatterFilter(), operator)
    assert row.matter.status.value == "closed" and row.matter.resolution == "当场答复"


async def test_english_ui(desk, operator):
    app = make_app(desk, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Log in to desk" in text_of(app, ".question")


async def test_command_palette_lists_the_screens(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("查找来访人", "新登记", "事项列表", "退出登录"):
            assert title in titles


async def test_with_several_open_matters_the_clerk_chooses_which(desk, operator):
    first = desk.register(form(summary="第一件"), operator)
    second = desk.register(form(summary="第二件", visitor_id=first.visitor.id), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "zs")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "多件在办事项" in text_of(app, ".question")
        await pilot.press("down", "enter")  # newest first: the second is the first option
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert app.screen.matter.id == first.matter.id
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert len(desk.matter_detail(first.matter.id, operator).visits) == 2
    assert len(desk.matter_detail(second.matter.id, operator).visits) == 1


async def test_enter_moves_to_the_next_field(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await type_text(pilot, "张三")
        await pilot.press("enter")
        assert app.focused.id == "f-id_number"


async def test_logout_returns_to_the_login_screen(desk, operator):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        app.action_logout()
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and app.operator is None
        await pilot.press("f3")  # nothing behind the login without logging in
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert [c.title for c in app.get_system_commands(app.screen)] == ["按键说明", "退出程序"]


async def test_a_repeat_visit_never_overwrites_a_half_typed_registration(desk, operator):
    first = desk.register(form(), operator)
    desk.save_draft(operator, form(name="半截", id_number=""))
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "zs")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)  # no question about the other draft
        app.screen.query_one("#f-persons").value = "3"
        await wait_for(pilot, lambda: getattr(desk.load_draft(operator, repeat=True), "persons", "") == "3")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.receipt.matter.id == first.matter.id
    assert desk.load_draft(operator).name == "半截"


async def test_a_save_at_another_counter_shows_in_the_open_list_at_the_next_read(desk, operator, data_dir, clock):
    import random

    from desk.services import Desk
    from storage import open_store

    app = make_app(desk, logged_in="王芳")
    app.refresh_seconds = None  # read when the test says, not on a wall-clock timer
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, MattersScreen) and app.screen.rows == []
        other_store = open_store(data_dir, today=clock.today)  # the second counter, same data directory
        try:
            Desk(other_store, clock, rng=random.Random(3)).register(form(), operator)
        finally:
            other_store.close()
        assert app.screen.rows == []
        app.read_other_counters()  # what the app does every REFRESH_SECONDS
        await settle(pilot)
        await wait_for(pilot, lambda: len(app.screen.rows) == 1)
        assert app.screen.rows[0].matter.number == "2026-00001"
