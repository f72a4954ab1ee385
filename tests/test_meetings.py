"""The three meetings' proposals and states, leader ownership, the waiver, and the 1+X
supervision ladder over pinned dates (domain and service; the screens come later)."""

from __future__ import annotations

import datetime as dt

import pytest

from desk.clock import fixed
from desk.errors import DeskError, FormErrors
from desk.lifecycle.my_work import Why
from desk.lifecycle.records import ClockKind, Evaluation
from desk.lifecycle.table import Act, Inputs
from desk.meetings import rules
from desk.meetings.records import THREE_MEETINGS, MeetingKind, MeetingState, Rung, SupervisionKind
from desk.meetings.service import MeetingForm, phone_entry, written_entry
from desk.models import Status
from desk.settings import Settings
from tests.conftest import form

ANSWER = dict(answer="已答复", reference="城信复〔2026〕3号", replier="城关镇人民政府")


@pytest.fixture
def leader(desk, admin):
    return desk.add_operator("赵局长", "leader", "secret123", by=admin)


@pytest.fixture
def supervisor(desk, admin):
    return desk.add_operator("钱主任", "supervisor", "secret123", by=admin)


@pytest.fixture
def hard(desk, operator):
    desk.clock = fixed("2026-11-02T09:00:00")
    return desk.register(form(track="complex"), operator).matter


def meeting(kind: MeetingKind, day: str = "2026-11-04", **changes) -> MeetingForm:
    base = dict(kind=kind, day=day, time="09:30", place="接待中心二楼会议室",
                participants=(("刘干事", "城关镇人民政府"), ("陈支书", "东门社区")))
    return MeetingForm(**{**base, **changes})


def test_each_meeting_is_proposed_when_its_moment_comes(desk, operator, hard):
    assert [(p.kind, p.day) for p in desk.meetings.proposals(hard)] == [(MeetingKind.HUDDLE, dt.date(2026, 11, 5))]
    desk.meetings.plan(hard.id, meeting(MeetingKind.HUDDLE), operator)
    assert desk.meetings.proposals(hard) == []
    desk.clock = fixed("2026-11-06T09:00:00")
    accepted = desk.life.act(hard.id, Act.ACCEPT, Inputs(), operator).matter
    assert [p.kind for p in desk.meetings.proposals(accepted)] == [MeetingKind.AT_ACCEPTANCE]
    replied = desk.life.act(hard.id, Act.REPLY, Inputs(day=dt.date(2026, 11, 6), **ANSWER), operator).matter
    assert [(p.kind, p.day) for p in desk.meetings.proposals(replied)] == [
        (MeetingKind.AT_ACCEPTANCE, dt.date(2026, 11, 9)), (MeetingKind.AT_REPLY, dt.date(2026, 11, 9)),
        (MeetingKind.AFTER_REPLY, dt.date(2026, 11, 21))]


def test_a_simple_or_general_matter_has_no_meetings(desk, operator):
    general = desk.register(form(), operator).matter
    assert desk.meetings.proposals(general) == []
    with pytest.raises(DeskError) as refused:
        desk.meetings.plan(general.id, meeting(MeetingKind.HUDDLE), operator)
    assert refused.value.code == "err.meeting.not_complex"


def test_a_meeting_is_planned_held_overdue_or_cancelled(desk, operator, hard):
    with pytest.raises(FormErrors) as bad:
        desk.meetings.plan(hard.id, meeting(MeetingKind.HUDDLE, day="11月4日", time="9点", place=""), operator)
    assert {e.field for e in bad.value.errors} == {"day", "time", "venue"}
    huddle = desk.meetings.plan(hard.id, meeting(MeetingKind.HUDDLE), operator)
    with pytest.raises(DeskError):
        desk.meetings.plan(hard.id, meeting(MeetingKind.HUDDLE), operator)  # one of each kind
    desk.clock = fixed("2026-11-05T09:00:00")
    agenda = desk.meetings.agenda(dt.date(2026, 11, 5), dt.date(2026, 11, 11), operator, mine=True)
    assert [(r.meeting.id, r.overdue) for r in agenda] == [(huddle.id, True)]
    held = desk.meetings.record(huddle.id, "界址有争议，村里有1998年的协议", "组织现场丈量", "", operator)
    assert held.state is MeetingState.HELD and held.held_at == desk.clock.now()
    assert desk.meetings.agenda(dt.date(2026, 11, 5), dt.date(2026, 11, 11), operator) == []
    with pytest.raises(DeskError):
        desk.meetings.cancel(huddle.id, "重复", operator)
    kinds = [e.kind for e in desk.matter_detail(hard.id, operator).events]
    assert kinds == ["registered", "meeting_planned", "meeting_held"]


def test_missing_meetings_and_a_supervisors_waiver(desk, operator, supervisor, hard):
    assert rules.missing(hard, desk.meetings.of_matter(hard.id)) == list(THREE_MEETINGS)
    huddle = desk.meetings.plan(hard.id, meeting(MeetingKind.HUDDLE), operator)
    desk.meetings.record(huddle.id, "情况", "", "", operator)
    assert rules.missing(hard, desk.meetings.of_matter(hard.id)) == list(THREE_MEETINGS)[1:]
    with pytest.raises(DeskError):
        desk.meetings.waive(hard.id, "来访人拒绝见面", operator)  # a receptionist may not
    waived = desk.meetings.waive(hard.id, "来访人拒绝见面", supervisor)
    assert waived.meetings_waived == "来访人拒绝见面"
    event = desk.matter_detail(hard.id, supervisor).events[-1]
    assert event.kind == "waiver" and event.data["missing"] == ["at_acceptance", "at_reply", "after_reply"]


def test_the_owning_leader_changes_only_with_a_reason(desk, operator, leader, supervisor, admin, hard):
    other = desk.add_operator("孙副县长", "leader", "secret123", by=admin)
    with pytest.raises(FormErrors):
        desk.meetings.set_owner(hard.id, "王芳", "", supervisor)  # not a leader
    owned = desk.meetings.set_owner(hard.id, leader.name, "", supervisor, team="信访局、城关镇", plan="现场丈量")
    assert (owned.owner_leader, owned.team, owned.plan) == ("赵局长", "信访局、城关镇", "现场丈量")
    with pytest.raises(FormErrors) as needs:
        desk.meetings.set_owner(hard.id, other.name, "", supervisor)
    assert needs.value.errors[0].code == "err.meeting.owner_reason"
    assert [r.why for r in desk.life.my_work(leader)[1]] == [(Why.OWNER,)]  # 我包的案
    changed = desk.meetings.set_owner(hard.id, other.name, "赵局长调任", leader)
    assert changed.owner_leader == "孙副县长" and desk.life.my_work(leader)[0] == 0
    assert desk.matter_detail(hard.id, leader).events[-1].data["was"] == "赵局长"


def test_the_supervision_ladder_climbs_when_a_follow_up_date_passes(desk, operator, supervisor, hard):
    s = Settings()
    assert rules.next_step([], dt.date(2026, 11, 10), s).kind is SupervisionKind.WRITTEN
    desk.clock = fixed("2026-11-10T09:00:00")
    written = desk.meetings.supervise(hard.id, written_entry(dt.date(2026, 11, 10), "钱主任", "刘干事",
                                                                 "10日内报送处理意见", dt.date(2026, 11, 20)), supervisor)
    assert written.document_number == "〔2026〕1号"
    entries = [written]
    step = rules.next_step(entries, dt.date(2026, 11, 15), s)
    assert (step.kind, step.rung, step.due, step.escalated) == (SupervisionKind.PHONE, Rung.STAFF,
                                                                 dt.date(2026, 11, 20), False)
    desk.clock = fixed("2026-11-21T09:00:00")
    phone = desk.meetings.supervise(hard.id, phone_entry(dt.date(2026, 11, 21), "钱主任", "刘干事", Rung.STAFF,
                                                         "正在调查", dt.date(2026, 11, 25)), supervisor)
    entries.append(phone)
    assert rules.next_step(entries, dt.date(2026, 11, 25), s).rung is Rung.STAFF
    late = rules.next_step(entries, dt.date(2026, 11, 26), s)
    assert (late.rung, late.escalated) == (Rung.DEPUTY_LEADER, True)
    rows = desk.meetings.supervision_list(supervisor)
    assert [(r.matter.id, r.overdue) for r in rows] == [(hard.id, False)]
    desk.clock = fixed("2026-11-26T09:00:00")
    row = desk.meetings.supervision_list(supervisor)[0]
    assert row.overdue and row.next.rung is Rung.DEPUTY_LEADER
    with pytest.raises(FormErrors):
        desk.meetings.supervise(hard.id, phone_entry(dt.date(2026, 11, 26), "钱主任", "", Rung.STAFF), supervisor)
    assert [e.kind for e in desk.matter_detail(hard.id, supervisor).events].count("supervision") == 2


def test_closing_a_complex_matter_waits_for_its_meetings_or_a_waiver(desk, operator, supervisor, hard):
    desk.clock = fixed("2026-11-03T09:00:00")
    m = desk.life.act(hard.id, Act.ACCEPT, Inputs(), operator).matter
    m = desk.life.act(m.id, Act.REPLY, Inputs(day=dt.date(2026, 11, 3), **ANSWER), operator).matter
    m = desk.life.act(m.id, Act.EVALUATE, Inputs(evaluation=Evaluation.SATISFIED), operator).matter
    assert Act.CLOSE not in desk.life.acts(m, operator)
    with pytest.raises(DeskError) as refused:
        desk.life.act(m.id, Act.CLOSE, Inputs(), operator)
    assert refused.value.code == "err.life.meetings_missing" and refused.value.params["missing"] == 4
    for kind in THREE_MEETINGS[:3]:
        held = desk.meetings.plan(m.id, meeting(kind, day="2026-11-03"), operator)
        desk.meetings.record(held.id, "情况属实", "", "", operator)
    with pytest.raises(DeskError):
        desk.life.act(m.id, Act.CLOSE, Inputs(), operator)
    desk.meetings.waive(m.id, "来访人已迁居外省，无法见面", supervisor)
    assert desk.life.act(m.id, Act.CLOSE, Inputs(), operator).matter.status is Status.CLOSED


def test_a_dissatisfied_evaluation_calls_a_three_party_follow_up_that_sends_it_back(desk, operator):
    desk.clock = fixed("2026-11-03T09:00:00")
    m = desk.register(form(), operator).matter
    m = desk.life.act(m.id, Act.ACCEPT, Inputs(), operator).matter
    m = desk.life.act(m.id, Act.REPLY, Inputs(day=dt.date(2026, 11, 3), **ANSWER), operator).matter
    with pytest.raises(DeskError) as refused:
        desk.meetings.plan(m.id, meeting(MeetingKind.THREE_PARTY), operator)
    assert refused.value.code == "err.meeting.no_three_party"
    m = desk.life.act(m.id, Act.EVALUATE, Inputs(evaluation=Evaluation.DISSATISFIED), operator).matter
    assert [(p.kind, p.day) for p in desk.meetings.proposals(m)] == [(MeetingKind.THREE_PARTY, dt.date(2026, 11, 10))]
    three = desk.meetings.plan(m.id, meeting(MeetingKind.THREE_PARTY, participants=(
        ("刘干事", "县自然资源局"), ("李镇长", "城关镇"), ("陈支书", "东门社区"))), operator)
    with pytest.raises(DeskError):  # one per evaluation
        desk.meetings.plan(m.id, meeting(MeetingKind.THREE_PARTY), operator)
    desk.meetings.record(three.id, "丈量结果有误", "重新丈量后再答复", "要求重新丈量", operator, send_back=True)
    after = desk.matter_detail(m.id, operator)
    assert after.matter.status is Status.HANDLING and after.matter.evaluated is None
    assert [c.kind for c in after.matter.clocks] == [ClockKind.HANDLING]
    assert [e.kind for e in after.events][-2:] == ["meeting_held", "send_back"]
    assert after.events[-1].data["inputs"]["cause"] == "重新丈量后再答复"


def test_a_visitor_booked_on_a_leaders_day_waits_in_that_days_queue(desk, operator, leader, admin):
    from desk.referral.records import Staffing, State
    from desk.referral.stations import StationForm

    desk.clock = fixed("2026-11-24T09:00:00")
    room = desk.referrals.add_station(StationForm(kind="leader", name="领导接访室", window="二楼", prefix="D"), admin)
    with pytest.raises(FormErrors):  # only a leader receives there
        desk.referrals.set_roster([dt.date(2026, 11, 26)], "领导接访室", [operator.name], Staffing.ROTATING, admin)
    desk.referrals.set_roster([dt.date(2026, 11, 26)], "领导接访室", [leader.name], Staffing.ROTATING, admin)
    assert [(d, names) for d, _, names in desk.referrals.leader_days(dt.date(2026, 11, 24), dt.date(2026, 11, 30))] == [
        (dt.date(2026, 11, 26), ("赵局长",))]
    m = desk.register(form(track="complex"), operator).matter
    with pytest.raises(FormErrors) as nobody:
        desk.referrals.book(m.id, room.id, dt.date(2026, 11, 27), operator)
    assert nobody.value.errors[0].code == "err.referral.no_leader"
    judge = next(s for s in desk.referrals.stations() if s.kind.value == "judge")
    with pytest.raises(FormErrors):  # an ordinary station is not booked ahead
        desk.referrals.book(m.id, judge.id, dt.date(2026, 11, 26), operator)
    booked = desk.referrals.book(m.id, room.id, dt.date(2026, 11, 26), operator, "要求见领导")
    assert (booked.referral.ticket, booked.referral.day) == ("D001", dt.date(2026, 11, 26))
    assert desk.referrals.queue(room.id, leader) == []  # not today
    desk.clock = fixed("2026-11-26T08:30:00")
    called = desk.referrals.call_next(room.id, leader)
    assert called.id == booked.referral.id and called.state is State.CALLED


def test_a_meetings_record_and_the_supervision_notice_print_as_docx(desk, operator, supervisor, hard):
    from tests.test_documents import text_of

    huddle = desk.meetings.plan(hard.id, meeting(MeetingKind.HUDDLE), operator)
    desk.meetings.record(huddle.id, "界址有争议", "组织现场丈量", "同意丈量", operator)
    minutes = text_of(desk.documents.print_minutes(huddle.id, operator).path)
    assert "碰头会" in minutes and "陈支书（东门社区）" in minutes and "组织现场丈量" in minutes
    written = desk.meetings.supervise(hard.id, written_entry(dt.date(2026, 11, 2), "钱主任", "刘干事",
                                                                 "办理进度滞后", dt.date(2026, 11, 12)), supervisor)
    notice = text_of(desk.documents.print_supervision(written.id, supervisor).path)
    assert "〔2026〕1号" in notice and "办理进度滞后" in notice and "2026年11月12日" in notice


def test_supervision_dates_are_checked_and_a_rejected_matters_meeting_can_be_cancelled(desk, operator, supervisor, hard):
    with pytest.raises(FormErrors) as far:
        desk.meetings.supervise(hard.id, phone_entry(dt.date(2026, 11, 2), "钱主任", "刘干事", Rung.STAFF, "",
                                                     dt.date(9999, 12, 31)), supervisor)
    assert [e.field for e in far.value.errors] == ["next_on"]
    with pytest.raises(FormErrors):
        desk.meetings.supervise(hard.id, written_entry(dt.date(2026, 11, 2), "钱主任", "刘干事", "快办",
                                                       dt.date(2000, 1, 1)), supervisor)
    huddle = desk.meetings.plan(hard.id, meeting(MeetingKind.HUDDLE), operator)
    desk.life.act(hard.id, Act.REJECT, Inputs(cause="outside_remit"), operator)
    assert desk.meetings.cancel(huddle.id, "不予受理", operator).state is MeetingState.CANCELLED
