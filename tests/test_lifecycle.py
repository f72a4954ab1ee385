"""A matter's life on its clocks: the table, every act through the service, deadlines
on the working-day calendar, hand-over, my work."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.deadlines import Rules, Warning, deadlines, warning
from desk.errors import DeskError, FormErrors
from desk.lifecycle.calendar import Calendar, DayUnit
from desk.lifecycle.departments import DepartmentForm
from desk.lifecycle.records import Clock, ClockKind, Evaluation, Stage
from desk.lifecycle.table import STEPS, TABLE, Act, Inputs, Situation, apply, refusal
from desk.models import Matter, Status, Track
from desk.settings import Settings
from tests.conftest import at, form

RULES = Rules(Settings(), Calendar())
ANSWER = dict(answer="已答复", reference="城信复〔2026〕3号", replier="城关镇人民政府")


@pytest.fixture
def leader(desk, admin):
    return desk.add_operator("赵局长", "leader", "secret123", by=admin)


@pytest.fixture
def department(desk, admin):
    return desk.life.save_department(DepartmentForm("城关镇人民政府", "刘干事", "0736-1234567"), admin)


def act(desk, matter, what: Act, who, **inputs):
    return desk.life.act(matter.id, what, Inputs(**inputs), who).matter


# -- the table, pair by pair -------------------------------------------------------------

def _matter(status: Status, track: Track = Track.GENERAL, **changes) -> Matter:
    base = Matter(1, "2026-00001", "Q", 1, "land", "s", track, status, "王芳",
                  dt.datetime(2026, 11, 2, 9), dt.date(2026, 11, 17))
    return base.edit(**changes)


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("what", list(Act))
def test_every_state_and_act_is_in_the_table_or_refused_with_its_reason(status, what):
    situation = Situation("王芳", False, dt.date(2026, 11, 3), RULES)
    problem = refusal(_matter(status), what, situation)
    if (status, what) not in TABLE:
        assert isinstance(problem, DeskError) and problem.code == "err.life.act"
        assert problem.params["act"] == what.value and problem.params["status"] == status.value
    else:
        assert what in {s.act for s in STEPS if status in s.sources}


def test_closed_and_rejected_are_not_open_and_review_states_are():
    assert not Status.CLOSED.is_open and not Status.REJECTED.is_open
    assert Status.REVIEW.is_open and Status.REEXAMINATION.is_open


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list(Act)), max_size=12), st.integers(0, 120))
def test_any_sequence_of_acts_keeps_the_matter_consistent(acts, days):
    """Whatever is tried, a refused act changes nothing and an allowed one lands in its
    table's target; a closed matter runs no hall clock."""
    matter = _matter(Status.REGISTERED, clocks=(Clock(ClockKind.ACCEPTANCE, dt.date(2026, 11, 2), 15),))
    now = dt.datetime(2026, 11, 3, 10)
    full = Inputs(cause="outside_remit", text="说明", department_id=1, department="镇政府",
                  due=dt.date(2026, 12, 31), days=10, day=dt.date(2026, 11, 3), evaluation=Evaluation.SATISFIED,
                  to="李娜", **ANSWER)
    for what in acts:
        now += dt.timedelta(days=days % 7)
        situation = Situation("李娜" if what is Act.TAKE_OVER else "王芳", False, now.date(), RULES)
        inputs = full if what is not Act.REQUEST_REVIEW else Inputs(day=now.date())
        try:
            after = apply(matter, what, inputs, situation, now)
        except (DeskError, FormErrors):
            continue
        target = TABLE[(matter.status, what)].target
        assert after.status is (target or matter.status)
        matter = after
        if matter.status is Status.CLOSED:
            assert all(c.window for c in matter.clocks)


# -- a general matter's whole life ---------------------------------------------------------

def test_a_general_matter_from_registration_to_closing(desk, operator, leader, department):
    at(desk, "2026-11-02T09:00:00")
    m = desk.register(form(), operator).matter
    assert [c.kind for c in m.clocks] == [ClockKind.ACCEPTANCE]
    at(desk, "2026-11-03T10:00:00")
    done = desk.life.act(m.id, Act.ACCEPT, Inputs(), operator)
    assert done.matter.status is Status.ACCEPTED and done.document == "acceptance"
    assert done.document_number == "〔2026〕1号"
    assert [c.kind for c in done.matter.clocks] == [ClockKind.HANDLING]
    m = act(desk, m, Act.ASSIGN, operator, department_id=department.id, due=dt.date(2026, 12, 1))
    assert m.status is Status.HANDLING and m.sent.department == "城关镇人民政府"
    m = act(desk, m, Act.REQUEST_EXTENSION, operator, days=20, cause="需要现场勘验")
    with pytest.raises(DeskError) as refused:
        act(desk, m, Act.APPROVE_EXTENSION, operator)
    assert refused.value.code == "err.permission"
    m = act(desk, m, Act.APPROVE_EXTENSION, leader)
    handling = next(c for c in m.clocks if c.kind is ClockKind.HANDLING)
    # 20 more days from the end of the 60: 3 Nov + 60 = 2 Jan
    assert (handling.start, handling.days) == (dt.date(2027, 1, 2), 20)
    at(desk, "2026-12-10T10:00:00")
    m = act(desk, m, Act.REPLY, operator, day=dt.date(2026, 12, 9), **ANSWER)
    assert m.status is Status.REPLIED and {c.kind for c in m.clocks} == {ClockKind.EVALUATION,
                                                                          ClockKind.REVIEW_REQUEST}
    with pytest.raises(DeskError) as refused:
        act(desk, m, Act.CLOSE, operator)
    assert refused.value.code == "err.life.close_unevaluated"
    m = act(desk, m, Act.EVALUATE, operator, evaluation=Evaluation.SATISFIED)
    m = act(desk, m, Act.CLOSE, operator)
    assert m.status is Status.CLOSED and m.closed_at is not None
    events = desk.matter_detail(m.id, operator).events
    reply = next(e for e in events if e.kind == "reply")
    # what the tally judges "closed on time" by: the handling clock as the reply stopped it
    assert [c["kind"] for c in reply.data["stopped"]] == ["handling", "department"]
    assert reply.data["due"] == ["2027-01-22", "2026-12-01"]  # 3 Nov + 80 days (60 and 20 extended)
    kinds = [e.kind for e in events]
    assert kinds == ["registered", "accept", "assign", "request_extension", "approve_extension", "reply",
                     "evaluate", "close"]
    actions = [e.action for e in desk.audit_entries(desk.add_operator("审计", "supervisor", "secret123",
                                                                        by=desk.operators()[0]))]
    assert "matter_approve_extension" in actions and "matter_close" in actions


def test_each_notice_kind_is_numbered_per_year(desk, operator, department):
    first = desk.register(form(), operator).matter
    second = desk.register(form(id_number="", name="李四"), operator).matter
    a = desk.life.act(first.id, Act.ACCEPT, Inputs(), operator)
    b = desk.life.act(second.id, Act.REJECT, Inputs(cause="outside_remit"), operator)
    c = desk.life.act(a.matter.id, Act.ASSIGN, Inputs(department_id=department.id, due=dt.date(2026, 12, 5)), operator)
    assert (a.document_number, b.document_number, c.document_number) == ("〔2026〕1号", "〔2026〕1号", "〔2026〕1号")
    assert b.matter.status is Status.REJECTED and not b.matter.is_open
    at(desk, "2027-01-04T09:00:00")
    third = desk.register(form(id_number="", name="王五"), operator).matter
    assert desk.life.act(third.id, Act.ACCEPT, Inputs(), operator).document_number == "〔2027〕1号"


def test_rejecting_for_another_reason_needs_its_words(desk, operator):
    m = desk.register(form(), operator).matter
    with pytest.raises(FormErrors) as caught:
        act(desk, m, Act.REJECT, operator, cause="other")
    assert [e.field for e in caught.value.errors] == ["text"]
    assert desk.matter_detail(m.id, operator).matter.status is Status.REGISTERED  # the store kept what it had


def test_an_extension_is_capped_and_only_once(desk, operator, leader):
    m = act(desk, desk.register(form(), operator).matter, Act.ACCEPT, operator)
    with pytest.raises(FormErrors) as caught:
        act(desk, m, Act.REQUEST_EXTENSION, operator, days=31, cause="复杂")
    assert caught.value.errors[0].code == "err.life.extension_days"
    m = act(desk, m, Act.REQUEST_EXTENSION, operator, days=30, cause="复杂")
    m = act(desk, m, Act.DECLINE_EXTENSION, leader, text="期限内可办结")
    with pytest.raises(DeskError) as refused:
        act(desk, m, Act.REQUEST_EXTENSION, operator, days=10, cause="再申请")
    assert refused.value.code == "err.life.extension_once"


def test_review_then_reexamination_then_not_accepted_again(desk, operator):
    at(desk, "2026-11-02T09:00:00")
    m = act(desk, desk.register(form(), operator).matter, Act.ACCEPT, operator)
    m = act(desk, m, Act.REPLY, operator, day=dt.date(2026, 11, 2), **ANSWER)
    with pytest.raises(DeskError) as refused:
        act(desk, m, Act.REQUEST_REEXAMINATION, operator, day=dt.date(2026, 11, 2))
    assert refused.value.code == "err.life.reexamination_needs_review"
    at(desk, "2026-11-20T09:00:00")
    m = act(desk, m, Act.REQUEST_REVIEW, operator, day=dt.date(2026, 11, 20))
    assert m.status is Status.REVIEW and [c.kind for c in m.clocks] == [ClockKind.REVIEW_ANSWER]
    m = act(desk, m, Act.ANSWER_REVIEW, operator, day=dt.date(2026, 11, 20), **ANSWER)
    m = act(desk, m, Act.REQUEST_REEXAMINATION, operator, day=dt.date(2026, 11, 20))
    m = act(desk, m, Act.ANSWER_REEXAMINATION, operator, day=dt.date(2026, 11, 20), **ANSWER)
    assert m.not_accepted_again and [r.stage for r in m.replies] == [Stage.REPLY, Stage.REVIEW, Stage.REEXAMINATION]
    with pytest.raises(DeskError):
        act(desk, m, Act.REQUEST_REEXAMINATION, operator, day=dt.date(2026, 11, 20))
    m = act(desk, m, Act.EVALUATE, operator, evaluation=Evaluation.DISSATISFIED)
    m = act(desk, m, Act.CLOSE, operator)
    # the visitor comes back about it: a repeat visit on the closed matter, no new matter
    receipt = desk.register(form(visitor_id=m.visitor_id, matter_id=m.id, category="", summary="", demands=""),
                            operator)
    assert receipt.repeat and receipt.matter.id == m.id
    events = desk.matter_detail(m.id, operator).events
    assert events[-1].kind == "repeat_visit" and events[-1].data["not_accepted_again"] is True


def test_a_review_window_shuts_after_thirty_days(desk, operator):
    at(desk, "2026-11-02T09:00:00")
    m = act(desk, desk.register(form(), operator).matter, Act.ACCEPT, operator)
    m = act(desk, m, Act.REPLY, operator, day=dt.date(2026, 11, 2), **ANSWER)
    at(desk, "2026-12-05T09:00:00")
    with pytest.raises(DeskError) as refused:
        act(desk, m, Act.REQUEST_REVIEW, operator, day=dt.date(2026, 12, 5))
    assert refused.value.code == "err.life.window_shut"
    # the evaluation window passed too: 超期未评价, and it may be closed
    detail = desk.matter_detail(m.id, operator)
    assert detail.evaluation_lapsed and detail.warning is Warning.GREEN
    assert act(desk, m, Act.CLOSE, operator).status is Status.CLOSED


def test_hand_over_takes_effect_only_when_the_receiver_accepts(desk, operator, admin):
    other = desk.add_operator("李娜", "receptionist", "secret123", by=admin)
    m = desk.register(form(), operator).matter
    with pytest.raises(FormErrors):
        act(desk, m, Act.HAND_OVER, operator, to="不存在", cause="调岗")
    m = act(desk, m, Act.HAND_OVER, operator, to="李娜", cause="调岗")
    assert m.first_responder == "王芳" and m.hand_over.to == "李娜"
    assert [r.matter.id for r in desk.life.my_work(other)[1]] == [m.id]
    with pytest.raises(DeskError) as refused:
        act(desk, m, Act.TAKE_OVER, operator)
    assert refused.value.code == "err.life.not_offered"
    m = act(desk, m, Act.TAKE_OVER, other)
    assert m.first_responder == "李娜" and m.hand_over is None
    assert desk.life.my_work(operator)[0] == 0


# -- deadlines on the calendar ----------------------------------------------------------

def test_working_day_limits_skip_national_day_and_count_its_make_up_days():
    rules = Rules(Settings(handling_unit=DayUnit.WORKING), Calendar())
    clock = rules.clock(ClockKind.HANDLING, dt.date(2026, 9, 30), "handling")
    due = rules.due(clock)
    # 60 working days from 30 Sept, 1-7 Oct off and Saturday 10 Oct worked: October 18
    # (8, 9, 10, then three full weeks), November 21, December 1-29 the other 21
    assert due.day == dt.date(2026, 12, 29) and not due.estimated


def test_a_deadline_in_an_unknown_year_is_estimated_over_weekends():
    rules = Rules(Settings(handling_unit=DayUnit.WORKING), Calendar())
    due = rules.due(rules.clock(ClockKind.HANDLING, dt.date(2027, 1, 4), "handling"))
    assert due.estimated and due.day == dt.date(2027, 3, 29)


def test_colours_follow_the_nearest_deadline_and_a_passed_window_is_not_overdue():
    clocks = (Clock(ClockKind.HANDLING, dt.date(2026, 9, 1), 60), Clock(ClockKind.EVALUATION, dt.date(2026, 9, 1), 30))
    found = deadlines(clocks, dt.date(2026, 10, 29), RULES)
    assert [(d.clock.kind, d.warning) for d in found] == [(ClockKind.HANDLING, Warning.YELLOW)]
    late = _matter(Status.HANDLING, clocks=clocks[:1])
    assert warning(late, dt.date(2026, 11, 1), RULES) is Warning.RED
    assert warning(late, dt.date(2026, 10, 1), RULES) is Warning.GREEN


def test_a_matter_saved_before_lifecycles_keeps_its_acceptance_deadline(desk, operator):
    m = desk.register(form(), operator).matter
    with desk.store.transaction() as txn:
        doc = txn.get("matters", m.id)
        old = {k: v for k, v in doc.items() if k in ("id", "rev", "number", "query_code", "visitor_id", "category",
                                                       "summary", "track", "status", "first_responder",
                                                       "registered_at", "acceptance_due")}
        txn.update("matters", {**old, "schema": 1})
    migrated = desk.matter_detail(m.id, operator).matter
    assert [(c.kind, c.days) for c in migrated.clocks] == [(ClockKind.ACCEPTANCE, 15)]
    assert [r.matter.id for r in desk.life.my_work(operator)[1]] == [m.id]  # from the columns too


# -- notices ------------------------------------------------------------------------------

def test_every_notice_is_printed_with_its_number_and_what_was_decided(desk, operator, leader, department, opener):
    from tests.test_documents import text_of

    at(desk, "2026-11-02T09:00:00")
    m = desk.register(form(), operator).matter
    accepted = desk.life.act(m.id, Act.ACCEPT, Inputs(), operator)
    sent = desk.life.act(m.id, Act.ASSIGN, Inputs(department_id=department.id, due=dt.date(2026, 11, 30)), operator)
    act(desk, m, Act.REQUEST_EXTENSION, operator, days=15, cause="需要现场勘验")
    extended = desk.life.act(m.id, Act.APPROVE_EXTENSION, Inputs(), leader)
    other = desk.register(form(id_number="", name="李四"), operator).matter
    refused = desk.life.act(other.id, Act.REJECT, Inputs(cause="other", text="已由法院立案"), operator)
    texts = {}
    for done in (accepted, sent, extended, refused):
        printed = desk.documents.print_notice(done.event.id, operator)
        assert printed.kind == done.document and printed.delivery.done
        texts[done.document] = text_of(printed.path)
    assert "〔2026〕1号" in texts["acceptance"] and "2027年1月1日" in texts["acceptance"]  # 60 days from 2 Nov
    assert "城关镇人民政府" in texts["assignment"] and "2026年11月30日" in texts["assignment"]
    assert "刘干事" in texts["assignment"]
    assert "延长15日" in texts["extension"] and "2027年1月16日" in texts["extension"]
    assert "已由法院立案" in texts["non_acceptance"] and "其他" in texts["non_acceptance"]
    # printed again: the same number, and an entry on the timeline each time
    again = desk.documents.print_notice(accepted.event.id, operator)
    assert "〔2026〕1号" in text_of(again.path)
    docs = [e for e in desk.matter_detail(m.id, operator).events if e.kind == "document"]
    assert [e.data["document"] for e in docs] == ["acceptance", "assignment", "extension", "acceptance"]


def test_an_entry_without_a_notice_prints_nothing(desk, operator):
    m = desk.register(form(), operator).matter
    event = desk.matter_detail(m.id, operator).events[0]
    with pytest.raises(DeskError) as refused:
        desk.documents.print_notice(event.id, operator)
    assert refused.value.code == "err.document.no_notice"


def test_a_simple_matter_offers_closing_before_its_note_is_written(desk, operator):
    """The note a closing on the spot needs is the form's to ask for: the menu still offers it."""
    m = desk.register(form(track="simple"), operator).matter
    assert Act.CLOSE in desk.life.acts(m, operator)
    with pytest.raises(FormErrors):
        act(desk, m, Act.CLOSE, operator)


def test_an_extension_is_asked_for_within_the_handling_limit(desk, operator):
    at(desk, "2026-09-01T09:00:00")
    m = act(desk, desk.register(form(), operator).matter, Act.ACCEPT, operator)  # due 31 Oct
    at(desk, "2026-11-01T09:00:00")
    with pytest.raises(DeskError) as late:
        act(desk, m, Act.REQUEST_EXTENSION, operator, days=10, cause="复杂")
    assert late.value.code == "err.life.extension_late"
    assert Act.REQUEST_EXTENSION not in desk.life.acts(m, operator)



# -- what an attack found ------------------------------------------------------------------

def test_an_extension_counts_in_its_own_unit_from_the_end_of_the_handling_limit(desk, operator, leader):
    desk.set_unit("handling_unit", "working", desk.operators()[0])
    rules = desk.rules()
    assert rules.settings.handling_unit is DayUnit.WORKING
    at(desk, "2026-11-02T09:00:00")
    m = act(desk, desk.register(form(), operator).matter, Act.ACCEPT, operator)
    before = rules.due(next(c for c in m.clocks if c.kind is ClockKind.HANDLING)).day
    m = act(desk, m, Act.REQUEST_EXTENSION, operator, days=30, cause="复杂")
    m = act(desk, m, Act.APPROVE_EXTENSION, leader)
    after = rules.due(next(c for c in m.clocks if c.kind is ClockKind.HANDLING)).day
    assert after == before + dt.timedelta(days=30)  # 延长30日 means thirty calendar days


def test_dates_before_the_previous_step_and_unknown_reasons_are_refused(desk, operator):
    at(desk, "2026-11-10T09:00:00")
    m = act(desk, desk.register(form(), operator).matter, Act.ACCEPT, operator)
    with pytest.raises(FormErrors) as early:
        act(desk, m, Act.REPLY, operator, day=dt.date(2026, 11, 9), **ANSWER)
    assert early.value.errors[0].code == "err.life.before"
    other = desk.register(form(id_number="", name="李四"), operator).matter
    with pytest.raises(FormErrors) as unknown:
        act(desk, other, Act.REJECT, operator, cause="zzz")
    assert unknown.value.errors[0].code == "err.life.reason_unknown"


def test_a_shut_window_is_told_in_words(desk, operator):
    from desk.i18n import catalog, describe

    at(desk, "2026-11-02T09:00:00")
    m = act(desk, desk.register(form(), operator).matter, Act.ACCEPT, operator)
    m = act(desk, m, Act.REPLY, operator, day=dt.date(2026, 11, 2), **ANSWER)
    at(desk, "2026-12-20T09:00:00")
    with pytest.raises(DeskError) as shut:
        act(desk, m, Act.REQUEST_REVIEW, operator, day=dt.date(2026, 12, 20))
    assert describe(catalog("zh"), shut.value) == "申请复查期限已过，不能再申请"


def test_a_reply_withdraws_a_pending_extension_and_closing_ends_a_hand_over(desk, operator, leader, admin):
    desk.add_operator("李娜", "receptionist", "secret123", by=admin)
    m = act(desk, desk.register(form(), operator).matter, Act.ACCEPT, operator)
    m = act(desk, m, Act.REQUEST_EXTENSION, operator, days=10, cause="复杂")
    m = act(desk, m, Act.REPLY, operator, day=desk.clock.today(), **ANSWER)
    assert m.extension.state.value == "withdrawn" and desk.life.my_work(leader)[0] == 0
    simple = desk.register(form(id_number="", name="李四", track="simple"), operator).matter
    act(desk, simple, Act.HAND_OVER, operator, to="李娜", cause="调岗")
    closed = desk.close_on_spot(simple.id, "当场答复", operator)
    assert closed.hand_over is None


def test_a_notice_is_printed_from_its_act_only(desk, operator, department):
    accepted = desk.life.act(desk.register(form(), operator).matter.id, Act.ACCEPT, Inputs(), operator)
    printed = desk.documents.print_notice(accepted.event.id, operator)
    print_entry = [e for e in desk.matter_detail(accepted.matter.id, operator).events if e.kind == "document"][-1]
    assert print_entry.data["document_number"] == "〔2026〕1号"
    with pytest.raises(DeskError):
        desk.documents.print_notice(print_entry.id, operator)  # a print of it says too little
    assert printed.kind == "acceptance"
