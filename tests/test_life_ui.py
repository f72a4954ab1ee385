"""A matter's life through the screens: the actions menu offers only what the table and
the role allow, one form does every act, a notice is offered for printing, my work
lists what is whose, departments are kept by the administrator."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import OptionList

from desk.lifecycle.departments import DepartmentForm
from desk.lifecycle.table import Act, Inputs
from desk.models import Status
from screens.act import ActModal, ActsMenu
from screens.confirm import ConfirmModal
from screens.detail import DetailScreen
from screens.my_work import MyWorkScreen
from tests.conftest import VALID_ID, at, form
from tests.pilot import make_app, notices, settle, text_of

ANSWER = {"answer": "已答复", "reference": "城信复〔2026〕3号", "replier": "城关镇人民政府"}


@pytest.fixture
def leader(desk, admin):
    return desk.add_operator("赵局长", "leader", "secret123", by=admin)


@pytest.fixture
def department(desk, admin):
    return desk.life.save_department(DepartmentForm("城关镇人民政府", "刘干事", "0736-1234567"), admin)


def offered(app) -> list[Act]:
    return list(app.screen.acts) if isinstance(app.screen, DetailScreen) else []


async def open_form(pilot, what: Act) -> ActModal:
    app = pilot.app
    await pilot.press("a")
    await pilot.pause()
    assert isinstance(app.screen, ActsMenu)
    app.screen.query_one(OptionList).highlighted = app.screen.acts.index(what)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ActModal) and app.screen.act is what
    return app.screen


async def do(pilot, what: Act, print_notice: bool | None = None, **values) -> None:
    """Choose `what` from the menu, fill the form, save; answer the offer to print."""
    modal = await open_form(pilot, what)
    for field, value in values.items():
        modal.query_one(f"#f-{field}").value = value
    await pilot.press("ctrl+s")
    await pilot.pause()
    if print_notice is not None:
        assert isinstance(pilot.app.screen, ConfirmModal), notices(pilot.app)
        await pilot.press("y" if print_notice else "n")
        await settle(pilot)
    assert isinstance(pilot.app.screen, DetailScreen), text_of(pilot.app, "#e-general") if \
        isinstance(pilot.app.screen, ActModal) else pilot.app.screen


async def register_on_screen(pilot) -> int:
    """F3, the form filled, saved; `d` from the receipt opens the matter."""
    await pilot.press("f3")
    await pilot.pause()
    screen = pilot.app.screen
    for field, value in (("name", "张三"), ("id_number", VALID_ID), ("phone", "13800138000"), ("place", "村委会")):
        screen.query_one(f"#f-{field}").value = value
    screen.query_one("#f-category").value = "land"
    screen.query_one("#f-summary").text = "宅基地界址争议"
    await pilot.press("ctrl+s")
    await settle(pilot)
    await pilot.press("d")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DetailScreen)
    return pilot.app.screen.matter_id


async def test_a_general_matter_lives_its_whole_life_on_screen(desk, operator, leader, department, opener):
    at(desk, "2026-11-02T09:00:00")
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=(100, 30)) as pilot:
        matter_id = await register_on_screen(pilot)
        assert offered(app) == [Act.ACCEPT, Act.REJECT, Act.HAND_OVER]
        assert "受理期限" in text_of(app, "#detail-life")
        await do(pilot, Act.ACCEPT, print_notice=True)
        assert any("受理告知书 〔2026〕1号" in n for n in notices(app))
        assert [how for how, _ in opener.asked] == ["print"]
        assert "办理期限" in text_of(app, "#detail-life")
        modal = await open_form(pilot, Act.ASSIGN)
        assert modal.query_one("#f-due").value == "2027-01-01"  # the handling deadline: 60 days
        await pilot.press("escape")
        await pilot.pause()
        await do(pilot, Act.ASSIGN, print_notice=False, department_id=str(department.id), due="2026-12-01")
        life = text_of(app, "#detail-life")
        assert "城关镇人民政府  刘干事  0736-1234567  期限 2026-12-01" in life
        await pilot.press("n")  # declined at the time, printed later: the latest notice, its number kept
        await settle(pilot)
        assert [how for how, _ in opener.asked] == ["print", "print"]
        assert any("交办单" in n for n in notices(app))
        await do(pilot, Act.REQUEST_EXTENSION, days="20", cause="需要现场勘验")
        assert Act.APPROVE_EXTENSION not in offered(app)  # a receptionist does not approve
        assert "待领导批准" in text_of(app, "#detail-life")
    # the leader finds it in their work and approves it
    app = make_app(desk, logged_in="赵局长")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f8")
        await settle(pilot)
        work = app.screen
        assert isinstance(work, MyWorkScreen) and [r.matter.id for r in work.rows] == [matter_id]
        assert "待批延期" in " ".join(str(c) for c in work.query_one("#work-table").get_row_at(0))
        await pilot.press("enter")
        await settle(pilot)
        assert Act.APPROVE_EXTENSION in offered(app)
        await do(pilot, Act.APPROVE_EXTENSION, print_notice=False)
        assert "已批准" in text_of(app, "#detail-life")
    at(desk, "2026-12-10T10:00:00")
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(DetailScreen(matter_id))
        await settle(pilot)
        await do(pilot, Act.REPLY, day="2026-12-09", **ANSWER)
        assert Act.CLOSE not in offered(app)  # not evaluated, and the window is open
        await do(pilot, Act.EVALUATE, evaluation="satisfied")
        await do(pilot, Act.CLOSE)
        assert app.screen.detail.matter.status is Status.CLOSED
        assert offered(app) == [Act.REQUEST_REVIEW]  # the visitor may still ask for review
        timeline = text_of(app, "#detail-timeline")
        for words in ("交办责任单位  城关镇人民政府  期限 2026-12-01  交办单〔2026〕1号", "申请延期  需要现场勘验  20天",
                      "批准延期", "延期告知书〔2026〕1号", "城信复〔2026〕3号  城关镇人民政府", "回访评价  满意", "办结"):
            assert words in timeline, words


async def test_form_errors_are_said_under_their_field_and_what_was_typed_stays(desk, operator, leader):
    m = desk.register(form(), operator).matter
    desk.life.act(m.id, Act.ACCEPT, Inputs(), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(DetailScreen(m.id))
        await settle(pilot)
        modal = await open_form(pilot, Act.REQUEST_EXTENSION)
        modal.query_one("#f-days").value = "45"
        modal.query_one("#f-cause").value = "需要鉴定"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is modal
        assert "延期天数须在1到30天之间" in text_of(app, "#e-days")
        assert modal.query_one("#f-cause").value == "需要鉴定"
        modal.query_one("#f-days").value = "三十"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "请写天数" in text_of(app, "#e-days")
        await pilot.press("escape")  # cancelled: nothing saved
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert desk.matter_detail(m.id, operator).matter.extension is None
        modal = await open_form(pilot, Act.REPLY)
        modal.query_one("#f-day").value = "2026-13-01"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "2026-12-01" in text_of(app, "#e-day")  # a date that cannot be read is said first
        modal.query_one("#f-day").value = "2026-11-22"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert text_of(app, "#e-answer") == app.catalog("err.required")


async def test_an_act_the_table_or_the_role_refuses_is_never_offered(desk, operator, admin):
    supervisor = desk.add_operator("孙主管", "supervisor", "secret123", by=admin)
    simple = desk.register(form(track="simple"), operator).matter
    general = desk.register(form(id_number="", name="李四"), operator).matter
    assert desk.life.acts(general, supervisor) == [Act.HAND_OVER]  # moves it, never works it
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(DetailScreen(general.id))
        await settle(pilot)
        assert Act.CLOSE not in offered(app)  # a general matter does not close on registration
        app.pop_screen()
        app.push_screen(DetailScreen(simple.id))
        await settle(pilot)
        assert Act.CLOSE in offered(app)
        await do(pilot, Act.CLOSE, text="当场解答")
        assert offered(app) == []
        assert not app.screen.check_action("acts", ())  # the key is gone from the Footer


async def test_review_then_reexamination_then_the_visitor_is_refused_a_new_matter(desk, operator):
    at(desk, "2026-11-02T09:00:00")
    m = desk.register(form(), operator).matter
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(DetailScreen(m.id))
        await settle(pilot)
        await do(pilot, Act.ACCEPT, print_notice=False)
        await do(pilot, Act.REPLY, day="2026-11-02", **ANSWER)
        assert Act.REQUEST_REEXAMINATION not in offered(app)
        await do(pilot, Act.REQUEST_REVIEW, day="2026-11-02")
        assert app.screen.detail.matter.status is Status.REVIEW
        await do(pilot, Act.ANSWER_REVIEW, day="2026-11-02", **ANSWER)
        await do(pilot, Act.REQUEST_REEXAMINATION, day="2026-11-02")
        await do(pilot, Act.ANSWER_REEXAMINATION, day="2026-11-02", **ANSWER)
        assert "已复核，不再受理" in text_of(app, "#detail-banner")
        assert Act.REQUEST_REVIEW not in offered(app) and Act.REQUEST_REEXAMINATION not in offered(app)
    # the visitor comes back about it: recorded as a repeat visit on that matter, no new one
    before = len(list(desk.store.scan("matters")))
    receipt = desk.register(form(visitor_id=m.visitor_id, matter_id=m.id, category="", summary="", demands=""),
                            operator)
    assert receipt.repeat and receipt.matter.id == m.id and len(list(desk.store.scan("matters"))) == before
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(DetailScreen(m.id))
        await settle(pilot)
        assert "已复核，不再受理" in text_of(app, "#detail-banner")
        assert "重复来访" in text_of(app, "#detail-timeline")


async def test_my_work_counts_in_its_title_and_follows_new_records(desk, operator):
    at(desk, "2026-11-02T09:00:00")
    desk.register(form(), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f8")
        await settle(pilot)
        assert app.screen.title == "我的待办 1（红0 黄0）"
        desk.register(form(id_number="", name="李四"), operator)
        app.screen.records_changed()
        await settle(pilot)
        assert app.screen.title == "我的待办 2（红0 黄0）"
        assert not app.screen.query("#w-everyone")  # a receptionist sees only their own


async def test_a_supervisor_filters_everyones_work_by_colour(desk, operator, admin):
    desk.add_operator("孙主管", "supervisor", "secret123", by=admin)
    at(desk, "2026-11-02T09:00:00")
    desk.register(form(), operator)
    at(desk, "2026-11-20T09:00:00")  # 15 days passed: red
    desk.register(form(id_number="", name="李四"), operator)
    app = make_app(desk, logged_in="孙主管")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f8")
        await settle(pilot)
        assert app.screen.count == 0
        app.screen.query_one("#w-everyone").value = True
        await settle(pilot)
        assert app.screen.title == "我的待办 2（红1 黄0）"
        app.screen.query_one("#w-warning").value = "red"
        await settle(pilot)
        assert [r.matter.summary for r in app.screen.rows] == ["宅基地界址争议"] and app.screen.count == 1


async def test_departments_are_added_edited_and_disabled_by_the_administrator(desk, admin):
    app = make_app(desk, logged_in="管理员")
    async with app.run_test(size=(80, 24)) as pilot:
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["责任单位"].callback()
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#d-name").value = "城关镇人民政府"
        app.screen.query_one("#d-phone").value = "电话"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "电话只能包含数字" in text_of(app, "#d-error-phone")
        app.screen.query_one("#d-phone").value = "0736-1234567"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [d.name for d in desk.life.departments()] == ["城关镇人民政府"]
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#d-contact").value = "刘干事"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        (found,) = desk.life.departments()
        assert found.contact == "刘干事" and not found.active
        assert desk.life.departments(active_only=True) == []


def test_the_days_left_of_a_deadline_read_in_its_unit():
    from desk.deadlines import Deadline, Warning
    from desk.i18n import catalog
    from desk.lifecycle.calendar import DayUnit, Due
    from desk.lifecycle.records import Clock, ClockKind
    from screens.widgets import days_left_text

    t = catalog("zh")
    late = Deadline(Clock(ClockKind.HANDLING, dt.date(2026, 1, 1), 60, DayUnit.WORKING), Due(dt.date(2026, 3, 1), False),
                    -2, Warning.RED)
    assert days_left_text(t, late).plain == "超期2个工作日" and days_left_text(t, late, short=True).plain == "超2工作日"


def test_every_reason_a_matter_is_someones_work_has_words():
    from desk.i18n import catalog
    from desk.lifecycle.my_work import Why

    for lang in ("zh", "en"):
        assert all(catalog(lang).has(f"why.{w.value}") for w in Why)


@pytest.mark.parametrize("lang, in_footer", [("zh", True), ("en", False)])
async def test_f8_is_offered_where_there_is_room_and_always_in_the_palette(desk, operator, lang, in_footer):
    from tests.pilot import screen_lines

    app = make_app(desk, logged_in="王芳", lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert ("f8 " + app.catalog("key.my_work") in screen_lines(app)[-1]) is in_footer
        assert app.catalog("cmd.my_work") in {c.title for c in app.get_system_commands(app.screen)}
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, MyWorkScreen)
