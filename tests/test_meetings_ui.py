"""A complex matter's meetings, ownership and supervision through the screens: the `m`
menu on the detail view offers only what the role and the matter allow, each act is a
small form, closing waits for the meetings (or a waiver), the agenda and the
supervision list show what is due with the overdue in red."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import OptionList

from desk.lifecycle.departments import DepartmentForm
from desk.lifecycle.records import Evaluation
from desk.lifecycle.table import Act, Inputs
from desk.meetings.records import MeetingKind, MeetingState, Rung, SupervisionKind
from desk.meetings.service import MeetingForm, written_entry
from desk.models import Status
from screens.agenda import AgendaScreen
from screens.confirm import ConfirmModal
from screens.detail import DetailScreen
from screens.form import FormModal
from screens.meet import ChoiceModal, MeetAct
from screens.supervision import SupervisionScreen
from tests.conftest import at, form
from tests.pilot import make_app, notices, settle, text_of
from tests.test_life_ui import ANSWER, do, offered

PEOPLE = "刘干事 城关镇人民政府\n陈支书　东门社区"


@pytest.fixture
def leader(desk, admin):
    return desk.add_operator("赵局长", "leader", "secret123", by=admin)


@pytest.fixture
def supervisor(desk, admin):
    return desk.add_operator("钱主任", "supervisor", "secret123", by=admin)


@pytest.fixture
def department(desk, admin):
    return desk.life.save_department(DepartmentForm("城关镇人民政府", "刘干事", "0736-1234567"), admin)


def meet_offered(app) -> list[MeetAct]:
    return app.screen.meet_acts() if isinstance(app.screen, DetailScreen) else []


async def open_meet(pilot, what: MeetAct) -> FormModal | ChoiceModal | ConfirmModal:
    """`m`, then `what` from the menu: its form (or the choice of a meeting)."""
    app = pilot.app
    await pilot.press("m")
    await pilot.pause()
    assert isinstance(app.screen, ChoiceModal), app.screen
    keys = [key for key, _ in app.screen.choices]
    app.screen.query_one(OptionList).highlighted = keys.index(what.value)
    await pilot.press("enter")
    await pilot.pause()
    return app.screen


async def meet(pilot, what: MeetAct, print_it: bool | None = None, **values) -> None:
    """Choose `what`, fill its form, save; answer the offer to print."""
    modal = await open_meet(pilot, what)
    assert isinstance(modal, FormModal), modal
    for name, value in values.items():
        widget = modal.query_one(f"#f-{name}")
        if hasattr(widget, "text") and not hasattr(widget, "value"):
            widget.text = value
        else:
            widget.value = value
    await pilot.press("ctrl+s")
    await pilot.pause()
    if print_it is not None:
        assert isinstance(pilot.app.screen, ConfirmModal), text_of(pilot.app, "#e-general")
        await pilot.press("y" if print_it else "n")
        await settle(pilot)
    assert isinstance(pilot.app.screen, DetailScreen), text_of(pilot.app, "#e-general") if \
        isinstance(pilot.app.screen, FormModal) else pilot.app.screen


async def plan_and_hold(pilot, kind: MeetingKind, day: str) -> None:
    modal = await open_meet(pilot, MeetAct.PLAN)
    assert modal.query_one("#f-kind").value == kind.value  # preselected from the proposal
    assert modal.query_one("#f-day").value == day
    modal.query_one("#f-venue").value = "接待中心二楼会议室"
    modal.query_one("#f-participants").text = PEOPLE
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, DetailScreen), text_of(pilot.app, "#e-general")
    await meet(pilot, MeetAct.RECORD, print_it=False, facts="界址有争议，村里有1998年的协议", approach="组织现场丈量")


async def test_a_complex_matter_from_huddle_to_closing(desk, operator, opener):
    at(desk, "2026-11-02T09:00:00")
    matter = desk.register(form(track="complex"), operator).matter
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(DetailScreen(matter.id))
        await settle(pilot)
        assert "建议于 11-05 开碰头会" in text_of(app, "#detail-meetings")
        assert meet_offered(app) == [MeetAct.PLAN, MeetAct.BOOK] or meet_offered(app) == [MeetAct.PLAN]
        modal = await open_meet(pilot, MeetAct.PLAN)
        modal.query_one("#f-time").value = "9点半"
        modal.query_one("#f-participants").text = "刘干事 城关镇人民政府\n[red]张三"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is modal  # refused: each problem under its field, the typing kept
        assert text_of(app, "#e-time") == app.catalog("err.meeting.time")
        assert text_of(app, "#e-venue") == app.catalog("err.required")
        assert modal.query_one("#f-participants").text.endswith("[red]张三")
        await pilot.press("escape")  # nothing saved
        await pilot.pause()
        assert desk.meetings.of_matter(matter.id) == []
        await plan_and_hold(pilot, MeetingKind.HUDDLE, "2026-11-05")
        shown = text_of(app, "#detail-meetings")
        assert "碰头会" in shown and "已召开" in shown and "刘干事(城关镇人民政府)  陈支书(东门社区)" in shown
        await do(pilot, Act.ACCEPT, print_notice=False)
        await plan_and_hold(pilot, MeetingKind.AT_ACCEPTANCE, "2026-11-05")
        await do(pilot, Act.REPLY, day="2026-11-02", **ANSWER)
        await plan_and_hold(pilot, MeetingKind.AT_REPLY, "2026-11-05")
        await do(pilot, Act.EVALUATE, evaluation="satisfied")
        assert Act.CLOSE not in offered(app)  # after reply is not held yet
        await plan_and_hold(pilot, MeetingKind.AFTER_REPLY, "2026-11-17")
        assert Act.CLOSE in offered(app)
        chooser = await open_meet(pilot, MeetAct.PRINT)  # four meetings: which one
        assert isinstance(chooser, ChoiceModal) and len(chooser.choices) == 4
        await pilot.press("enter")
        await settle(pilot)
        assert [how for how, _ in opener.asked] == ["print"]
        assert any("会议记录" in n for n in notices(app))
        await do(pilot, Act.CLOSE)
        assert app.screen.detail.matter.status is Status.CLOSED
        assert meet_offered(app) == [MeetAct.PRINT]
        timeline = text_of(app, "#detail-timeline")
        assert "安排见面  碰头会  2026-11-05  09:30  接待中心二楼会议室" in timeline
        assert "见面已召开  答复后见面" in timeline


async def test_closing_is_refused_without_meetings_and_allowed_after_a_waiver(desk, operator, supervisor):
    at(desk, "2026-11-02T09:00:00")
    m = desk.register(form(track="complex"), operator).matter
    desk.life.act(m.id, Act.ACCEPT, Inputs(), operator)
    desk.life.act(m.id, Act.REPLY, Inputs(day=dt.date(2026, 11, 2), **ANSWER), operator)
    desk.life.act(m.id, Act.EVALUATE, Inputs(evaluation=Evaluation.SATISFIED), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(DetailScreen(m.id))
        await settle(pilot)
        assert Act.CLOSE not in offered(app)
        assert MeetAct.WAIVE not in meet_offered(app)  # a receptionist does not waive
        assert "碰头会  受理时见面  答复时见面  答复后见面" in text_of(app, "#detail-meetings")
    app = make_app(desk, logged_in="钱主任")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(DetailScreen(m.id))
        await settle(pilot)
        assert MeetAct.PLAN not in meet_offered(app)  # a supervisor does not plan meetings
        modal = await open_meet(pilot, MeetAct.WAIVE)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is modal and text_of(app, "#e-cause") == app.catalog("err.required")
        modal.query_one("#f-cause").text = "来访人已外出务工，电话沟通代替见面"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "免见面说明" in text_of(app, "#detail-meetings")
        assert MeetAct.WAIVE not in meet_offered(app)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(DetailScreen(m.id))
        await settle(pilot)
        assert Act.CLOSE in offered(app)
        await do(pilot, Act.CLOSE)
        assert app.screen.detail.matter.status is Status.CLOSED


async def test_a_supervision_ladder_on_screen(desk, operator, leader, department, opener):
    at(desk, "2026-11-02T09:00:00")
    m = desk.register(form(track="complex"), operator).matter
    desk.life.act(m.id, Act.ACCEPT, Inputs(), operator)
    desk.life.act(m.id, Act.ASSIGN, Inputs(department_id=department.id, due=dt.date(2026, 12, 1)), operator)
    app = make_app(desk, logged_in="赵局长")
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(DetailScreen(m.id))
        await settle(pilot)
        await meet(pilot, MeetAct.OWNER, owner_leader="赵局长", team="信访局 城关镇", plan="先丈量后调解")
        assert "赵局长" in text_of(app, "#detail-meetings")
        modal = await open_meet(pilot, MeetAct.SUPERVISE)
        assert modal.query_one("#f-to").value == "刘干事"  # the department's contact
        await pilot.press("escape")
        await pilot.pause()
        await meet(pilot, MeetAct.SUPERVISE, print_it=True, demand="11月9日前报送丈量结果", due="2026-11-09")
        assert [how for how, _ in opener.asked] == ["print"]
        assert any("督办单" in n for n in notices(app))
        assert "书面督办" in text_of(app, "#detail-meetings")
    at(desk, "2026-11-10T09:00:00")  # the notice's day passed: a phone follow-up by staff
    app = make_app(desk, logged_in="赵局长")
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(DetailScreen(m.id))
        await settle(pilot)
        modal = await open_meet(pilot, MeetAct.SUPERVISE)
        assert modal.query_one("#f-rung").value == Rung.STAFF.value
        await pilot.press("escape")
        await pilot.pause()
        await meet(pilot, MeetAct.SUPERVISE, answer="正在丈量", next_on="2026-11-12")
    at(desk, "2026-11-14T09:00:00")  # that follow-up's day passed too: one rung up, in red
    app = make_app(desk, logged_in="赵局长")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f10")
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, SupervisionScreen) and [r.matter.id for r in listing.rows] == [m.id]
        cells = " ".join(str(c) for c in listing.query_one("#supervision-table").get_row_at(0))
        assert "逾期" in cells and "电话督办(分管领导)" in cells and "城关镇人民政府" in cells
        await pilot.press("enter")
        await settle(pilot)
        assert "已到期未办，升一级" in text_of(app, "#detail-meetings")
        modal = await open_meet(pilot, MeetAct.SUPERVISE)
        assert modal.query_one("#f-rung").value == Rung.DEPUTY_LEADER.value
    kinds = [(s.kind, s.rung) for s in desk.meetings.supervisions(m.id)]
    assert kinds == [(SupervisionKind.WRITTEN, None), (SupervisionKind.PHONE, Rung.STAFF)]


async def test_a_dissatisfied_visitor_gets_a_three_party_follow_up_that_sends_the_matter_back(desk, operator):
    at(desk, "2026-11-02T09:00:00")
    m = desk.register(form(), operator).matter
    desk.life.act(m.id, Act.ACCEPT, Inputs(), operator)
    desk.life.act(m.id, Act.REPLY, Inputs(day=dt.date(2026, 11, 2), **ANSWER), operator)
    desk.life.act(m.id, Act.EVALUATE, Inputs(evaluation=Evaluation.DISSATISFIED), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(DetailScreen(m.id))
        await settle(pilot)
        assert "建议于 11-09 开三方回访" in text_of(app, "#detail-meetings")
        await meet(pilot, MeetAct.PLAN, venue="东门社区", participants="刘干事 城关镇人民政府\n陈支书 东门社区")
        modal = await open_meet(pilot, MeetAct.RECORD)
        assert modal.query("#f-send_back")  # only a three-party follow-up may send it back
        await pilot.press("escape")
        await pilot.pause()
        await meet(pilot, MeetAct.RECORD, print_it=False, facts="三方核实，丈量有误", approach="重新丈量", send_back=True)
        assert app.screen.detail.matter.status is Status.HANDLING
        assert "三方回访后退回重办" in text_of(app, "#detail-timeline")


async def test_the_agenda_shows_the_overdue_first_in_red_and_opens_the_matter(desk, operator, leader, opener):
    at(desk, "2026-11-02T09:00:00")
    first = desk.register(form(track="complex"), operator).matter
    second = desk.register(form(track="complex", name="李四", id_number=""), operator).matter
    place = dict(time="09:30", place="二楼会议室", participants=(("刘干事", "城关镇人民政府"),))
    desk.meetings.plan(first.id, MeetingForm(MeetingKind.HUDDLE, "2026-11-04", **place), operator)
    desk.meetings.plan(second.id, MeetingForm(MeetingKind.HUDDLE, "2026-11-02", **place), operator)
    desk.meetings.supervise(first.id, written_entry(dt.date(2026, 11, 2), "赵局长", "刘干事", "报送", dt.date(2026, 11, 9)),
                            leader)
    at(desk, "2026-11-03T09:00:00")
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        agenda = app.screen
        assert isinstance(agenda, AgendaScreen)
        assert [(r.number, r.overdue) for r in agenda.rows] == [(second.number, True), (first.number, False)]
        assert "逾期 1" in app.title or "逾期 1" in agenda.title
        await pilot.press("p")
        await settle(pilot)
        assert [how for how, _ in opener.asked] == ["print"]
        await pilot.press("m")  # mine: both were planned by 王芳
        await settle(pilot)
        assert len(agenda.rows) == 2
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.matter_id == second.id
        assert "逾期" in text_of(app, "#detail-meetings")
    assert desk.meetings.of_matter(second.id)[0].state is MeetingState.PLANNED
