"""Lookup, the card and the registration form show a matter's life: the colour and days left
of its nearest deadline, 超期未评价, and 不再受理 for a re-examined matter, which is still
offered for a repeat visit when it is closed."""

from __future__ import annotations

import datetime as dt

from desk.deadlines import Warning
from desk.lifecycle.records import ClockKind, Evaluation
from desk.lifecycle.table import Act, Inputs
from screens.card import CardScreen
from screens.lookup import LookupScreen
from screens.register import RegisterScreen
from tests.conftest import VALID_ID, fixed, form
from tests.pilot import make_app, settle, text_of, type_text

SIZE = (100, 34)
ANSWER = dict(answer="已答复", reference="城信复〔2026〕3号", replier="城关镇人民政府")


def act(desk, matter, what, who, **inputs):
    return desk.life.act(matter.id, what, Inputs(**inputs), who).matter


def re_examined_and_closed(desk, operator):
    desk.clock = fixed("2026-11-02T09:00:00")
    m = act(desk, desk.register(form(), operator).matter, Act.ACCEPT, operator)
    day = dt.date(2026, 11, 2)
    m = act(desk, m, Act.REPLY, operator, day=day, **ANSWER)
    m = act(desk, m, Act.REQUEST_REVIEW, operator, day=day)
    m = act(desk, m, Act.ANSWER_REVIEW, operator, day=day, **ANSWER)
    m = act(desk, m, Act.REQUEST_REEXAMINATION, operator, day=day)
    m = act(desk, m, Act.ANSWER_REEXAMINATION, operator, day=day, **ANSWER)
    m = act(desk, m, Act.EVALUATE, operator, evaluation=Evaluation.DISSATISFIED)
    return act(desk, m, Act.CLOSE, operator)


def test_a_brief_carries_the_nearest_deadline_and_its_days_left(desk, operator):
    desk.clock = fixed("2026-11-02T09:00:00")
    m = act(desk, desk.register(form(), operator).matter, Act.ACCEPT, operator)
    desk.clock = fixed("2026-12-30T09:00:00")  # 58 of the 60 days gone
    [hit] = desk.lookup(VALID_ID, operator)
    [brief] = hit.matters
    assert brief.matter.id == m.id and brief.deadline.clock.kind is ClockKind.HANDLING
    assert (brief.deadline.left, brief.warning) == (2, Warning.YELLOW)


def test_the_evaluation_window_passed_is_told(desk, operator):
    desk.clock = fixed("2026-11-02T09:00:00")
    m = act(desk, desk.register(form(), operator).matter, Act.ACCEPT, operator)
    act(desk, m, Act.REPLY, operator, day=dt.date(2026, 11, 2), **ANSWER)
    desk.clock = fixed("2026-12-10T09:00:00")
    [hit] = desk.lookup(VALID_ID, operator)
    assert hit.matters[0].lapsed


def test_a_re_examined_matter_is_offered_for_a_repeat_visit_even_when_closed(desk, operator):
    m = re_examined_and_closed(desk, operator)
    [hit] = desk.lookup(VALID_ID, operator)
    assert not m.is_open and hit.not_accepted_again
    assert [b.matter.id for b in hit.open_matters] == [m.id] and hit.repeat


async def test_lookup_and_card_show_not_accepted_again_and_lead_to_a_repeat_visit(desk, operator):
    m = re_examined_and_closed(desk, operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, VALID_ID)
        await settle(pilot)
        info = text_of(app, "#hit-info")
        assert "不再受理" in info and m.number in info and "已办结" in info
        await pilot.press("enter", "enter")  # into the results, then the card
        await settle(pilot)
        assert isinstance(app.screen, CardScreen)
        assert "不再受理" in text_of(app, "#card-body")
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen) and app.screen.matter.id == m.id


async def test_the_registration_form_warns_when_the_number_is_of_a_re_examined_matter(desk, operator):
    re_examined_and_closed(desk, operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await type_text(pilot, "张三")
        await pilot.press("tab")
        await type_text(pilot, VALID_ID)
        await settle(pilot)
        assert "不再受理" in text_of(app, "#owner-card")
        assert app.screen.check_action("owner_repeat", ()) is True


async def test_lookup_lines_give_the_days_left_on_the_nearest_deadline(desk, operator):
    desk.clock = fixed("2026-11-02T09:00:00")
    act(desk, desk.register(form(), operator).matter, Act.ACCEPT, operator)
    desk.clock = fixed("2026-12-30T09:00:00")
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, VALID_ID)
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        info = text_of(app, "#hit-info")
        assert "办理期限 2027-01-01" in info and "剩2天" in info and "黄" in info
