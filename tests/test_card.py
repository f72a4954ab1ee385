"""The person's card: what Enter on a lookup result opens, for everyone."""

from __future__ import annotations

from screens.card import CardScreen
from screens.correct import CorrectModal
from screens.lookup import LookupScreen
from screens.receipt import ReceiptScreen
from screens.register import RegisterScreen
from tests.conftest import form
from tests.pilot import make_app, settle, text_of, type_text

SIZE = (100, 34)


async def open_card(pilot, text: str = "zs") -> None:
    await type_text(pilot, text)
    await settle(pilot)
    await pilot.press("enter")  # into the results
    await pilot.press("enter")  # the highlighted person
    await settle(pilot)


async def test_enter_on_a_person_with_open_matters_opens_the_card_not_a_blank_form(desk, operator):
    first = desk.register(form(), operator)
    desk.register(form(summary="另一件事", visitor_id=first.visitor.id), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot)
        assert isinstance(app.screen, CardScreen)
        body = text_of(app, "#card-body")
        for expected in ("张三", "****002X", "****8000", "2026-00001", "2026-00002", "绿", "来访记录 2 次"):
            assert expected in body
        assert "11010519491231002X" not in body and "13800138000" not in body
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)


async def test_repeat_visit_from_the_card(desk, operator):
    first = desk.register(form(), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen) and app.screen.matter.id == first.matter.id
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptScreen) and app.screen.receipt.repeat
    assert len(desk.matter_detail(first.matter.id, operator).visits) == 2


async def test_new_matter_for_the_person_from_the_card(desk, operator):
    first = desk.register(form(), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot)
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RegisterScreen) and screen.matter is None
        assert screen.read().visitor_id == first.visitor.id
        assert screen.query_one("#f-name").value == "张三"


async def test_a_person_without_open_matters_has_no_repeat_key(desk, operator):
    m = desk.register(form(track="simple"), operator).matter
    desk.close_on_spot(m.id, "已答复", operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot)
        assert isinstance(app.screen, CardScreen)
        assert app.screen.check_action("repeat", ()) is False
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, CardScreen)


async def test_correcting_details_from_the_card(desk, operator):
    first = desk.register(form(), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, CorrectModal)
        modal = app.screen
        assert modal.query_one("#c-id_number").value == ""  # a number on file is never put in a field
        assert "****002X" in modal.query_one("#c-id_number").placeholder
        await pilot.press("ctrl+s")  # no reason: refused, nothing changed
        await pilot.pause()
        assert "必须填写" in text_of(app, "#cerr-reason")
        modal.query_one("#c-name").value = "张叁"
        modal.query_one("#c-reason").value = "身份证上是叁"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CardScreen)
        assert "张叁" in text_of(app, "#card-body")
        assert "张三" in text_of(app, "#card-body")  # the old name stays on the record
    assert desk.store.get("visitors", first.visitor.id)["name"] == "张叁"


async def test_a_key_person_flag_is_taken_off_in_the_correction_dialog(desk, operator):
    first = desk.register(form(key_person=True), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot)
        assert "重点人员" in text_of(app, "#card-body")
        await pilot.press("e")
        await pilot.pause()
        modal = app.screen
        flag = modal.query_one("#c-key_person")
        assert flag.value is True  # as on record
        flag.focus()
        await pilot.press("space")
        modal.query_one("#c-reason").value = "登记时误勾选"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CardScreen)
        body = text_of(app, "#card-body")
        assert "重点人员: 是 改为 否" in body and "登记时误勾选" in body
        assert not app.screen.hit.visitor.key_person
    assert desk.store.get("visitors", first.visitor.id)["key_person"] is False


async def test_a_supervisor_sees_the_card_without_the_keys_to_register(desk, operator, admin):
    desk.register(form(), operator)
    desk.add_operator("主管", "supervisor", "password1", by=admin)
    app = make_app(desk, logged_in="主管")
    async with app.run_test(size=SIZE) as pilot:
        await open_card(pilot)
        assert isinstance(app.screen, CardScreen)
        for action in ("repeat", "new", "correct"):
            assert app.screen.check_action(action, ()) is False


async def test_d_on_the_card_opens_the_persons_open_matter(desk, operator):
    from screens.card import CardScreen
    from screens.detail import DetailScreen
    from tests.conftest import form
    from tests.pilot import make_app, settle

    matter = desk.register(form(), operator).matter
    hit = next(h for h in desk.lookup("张三", operator))
    app = make_app(desk, logged_in=operator.name)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(CardScreen(hit))
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.matter_id == matter.id
