"""Referral: stations, tickets, the queue's order, every move of the state table (allowed
and refused), outcomes on the matter's timeline, and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest

from desk.errors import DeskError, FormErrors
from desk.matters import MatterFilter
from desk.models import Role
from desk.referral import (
    TABLE,
    Finish,
    LegalRoute,
    Move,
    Outcome,
    Priority,
    ReferralForm,
    Staffing,
    State,
    StationForm,
    StationKind,
)
from desk.referral.records import Referral, elderly
from tests.conftest import VALID_ID, VALID_ID_MALE, at, form


@pytest.fixture
def ref(desk):
    return desk.referrals


@pytest.fixture
def officer(desk, admin):
    return desk.add_operator("法官甲", "station", "password1", by=admin)


@pytest.fixture
def stations(ref):
    return {s.kind: s for s in ref.stations()}


@pytest.fixture
def judge(stations):
    return stations[StationKind.JUDGE]


@pytest.fixture
def on_duty(ref, admin, officer, judge, clock):
    ref.set_roster([clock.today()], judge.prefix, [officer.name], Staffing.RESIDENT, admin)
    return officer


def young(desk, operator, **changes):
    """A matter of a visitor under 70, so no priority unless asked for."""
    return desk.register(form(**{"id_number": VALID_ID_MALE, **changes}), operator).matter


def test_a_new_hall_starts_with_one_station_of_each_kind(ref, admin):
    kinds = [s.kind for s in ref.stations()]
    # a leader reception room is the hall's to add, when leaders receive
    assert sorted(kinds) == sorted(k for k in StationKind if k is not StationKind.LEADER) and len(kinds) == 6
    assert len({s.prefix for s in ref.stations()}) == 6


def test_tickets_count_from_one_per_station_and_day_and_are_never_reused(desk, ref, operator, stations):
    judge, mediation = stations[StationKind.JUDGE], stations[StationKind.MEDIATION]
    matter = young(desk, operator)
    tickets = [ref.refer(matter.id, ReferralForm(judge.id), operator).referral.ticket for _ in range(2)]
    assert tickets == ["J001", "J002"]
    assert ref.refer(matter.id, ReferralForm(mediation.id), operator).referral.ticket == "M001"
    withdrawn = ref.refer(matter.id, ReferralForm(judge.id), operator).referral
    ref.move(withdrawn.id, Move.WITHDRAW, operator)
    assert ref.refer(matter.id, ReferralForm(judge.id), operator).referral.ticket == "J004"
    at(desk, "2026-11-23T08:30:00")
    assert ref.refer(matter.id, ReferralForm(judge.id), operator).referral.ticket == "J001"


def test_a_refused_referral_uses_no_number(desk, ref, operator, judge):
    matter = young(desk, operator)
    with pytest.raises(FormErrors):
        ref.refer(matter.id, ReferralForm(judge.id, legal_route="nowhere"), operator)
    assert ref.refer(matter.id, ReferralForm(judge.id), operator).referral.ticket == "J001"


def test_elderly_is_read_from_the_birth_date_at_seventy():
    born = dt.date(1956, 11, 22)
    assert elderly(born, dt.date(2026, 11, 22)) and not elderly(born, dt.date(2026, 11, 21))
    assert not elderly(None, dt.date(2026, 11, 22))


def test_priority_is_read_from_the_records_and_chosen_at_the_counter(desk, ref, operator, judge):
    old = desk.register(form(), operator).matter  # VALID_ID: born 1949
    assert ref.refer(old.id, ReferralForm(judge.id), operator).referral.priority == (Priority.ELDERLY,)
    group = young(desk, operator, persons="6", threat=True, name="李四", id_number="")
    assert ref.refer(group.id, ReferralForm(judge.id), operator).referral.priority == (Priority.THREAT, Priority.GROUP)
    plain = young(desk, operator, name="王五", id_number="")
    chosen = ref.refer(plain.id, ReferralForm(judge.id, priority=("pregnant",)), operator).referral
    assert chosen.priority == (Priority.PREGNANT,)
    with pytest.raises(FormErrors) as refused:
        ref.refer(plain.id, ReferralForm(judge.id, priority=("elderly",)), operator)  # read, never ticked
    assert refused.value.errors[0].code == "err.referral.priority"


def test_call_next_takes_priority_first_then_arrival(desk, ref, operator, on_duty, judge):
    plain = young(desk, operator)
    old = desk.register(form(), operator).matter
    first = ref.refer(plain.id, ReferralForm(judge.id), operator).referral
    at(desk, "2026-11-22T10:05:00")
    second = ref.refer(plain.id, ReferralForm(judge.id), operator).referral
    at(desk, "2026-11-22T10:10:00")
    elder = ref.refer(old.id, ReferralForm(judge.id), operator).referral
    order = [r.referral.ticket for r in ref.queue(judge.id, on_duty)]
    assert order == [elder.ticket, first.ticket, second.ticket]
    called = [ref.call_next(judge.id, on_duty).ticket for _ in range(3)]
    assert called == ["J003", "J001", "J002"]
    with pytest.raises(DeskError) as empty:
        ref.call_next(judge.id, on_duty)
    assert empty.value.code == "err.referral.queue_empty"


def _in_state(desk, ref, operator, officer, judge, state: State) -> Referral:
    """A fresh referral brought to `state` by the table's own moves."""
    path = {
        State.WAITING: [], State.CALLED: [Move.CALL], State.SERVING: [Move.CALL, Move.SERVE],
        State.ON_HOLD: [Move.CALL, Move.SERVE, Move.HOLD], State.LEFT: [Move.CALL, Move.NO_SHOW],
        State.DONE: [Move.CALL, Move.SERVE],
    }[state]
    referral = ref.refer(young(desk, operator).id, ReferralForm(judge.id), operator).referral
    for move in path:
        referral = ref.move(referral.id, move, officer)
    if state is State.DONE:
        referral, _ = ref.finish(referral.id, Finish(Outcome.ANSWERED), officer)
    assert referral.state is state
    return referral


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("move", [m for m in Move if m is not Move.FINISH])
def test_every_move_from_every_state_is_allowed_exactly_when_the_table_says(desk, ref, operator, on_duty, judge,
                                                                             state, move):
    referral = _in_state(desk, ref, operator, on_duty, judge, state)
    who = operator if move is Move.WITHDRAW else on_duty
    if (state, move) in TABLE:
        moved = ref.move(referral.id, move, who)
        assert moved.state is TABLE[state, move].target
        assert moved.periods[-1].state is moved.state and moved.periods[-2].end is not None
    else:
        with pytest.raises(DeskError) as refused:
            ref.move(referral.id, move, who)
        assert refused.value.code == "err.referral.move"
        assert refused.value.params == {"ticket": referral.ticket, "move": move.value, "state": state.value}


@pytest.mark.parametrize("state", list(State))
def test_finish_only_from_serving(desk, ref, operator, on_duty, judge, state):
    referral = _in_state(desk, ref, operator, on_duty, judge, state)
    if state is State.SERVING:
        assert ref.finish(referral.id, Finish(Outcome.ANSWERED), on_duty)[0].state is State.DONE
    else:
        with pytest.raises(DeskError, match="err.referral.move"):
            ref.finish(referral.id, Finish(Outcome.ANSWERED), on_duty)


def test_each_state_keeps_its_period_so_waiting_and_serving_times_are_exact(desk, ref, operator, on_duty, judge):
    referral = ref.refer(young(desk, operator).id, ReferralForm(judge.id), operator).referral
    at(desk, "2026-11-22T10:12:00")
    ref.call_next(judge.id, on_duty)
    at(desk, "2026-11-22T10:13:30")
    ref.move(referral.id, Move.RECALL, on_duty)
    at(desk, "2026-11-22T10:14:00")
    ref.move(referral.id, Move.SERVE, on_duty)
    at(desk, "2026-11-22T10:20:00")
    ref.move(referral.id, Move.HOLD, on_duty)
    at(desk, "2026-11-22T10:30:00")
    ref.move(referral.id, Move.RESUME, on_duty)
    at(desk, "2026-11-22T10:35:00")
    done, _ = ref.finish(referral.id, Finish(Outcome.ANSWERED, note="释法明理"), on_duty)
    now = desk.clock.now()
    assert [p.state for p in done.periods] == [State.WAITING, State.CALLED, State.CALLED, State.SERVING,
                                              State.ON_HOLD, State.SERVING, State.DONE]
    assert done.time_in(State.WAITING, now) == 12 * 60
    assert done.time_in(State.CALLED, now) == 120
    assert done.time_in(State.SERVING, now) == 11 * 60
    assert done.time_in(State.ON_HOLD, now) == 600
    assert done.calls == 2 and done.officer == on_duty.name


@pytest.mark.parametrize(("result", "missing"), [
    (Finish(Outcome.MEDIATION_AGREED), "agreement"),
    (Finish(Outcome.LEGAL_ROUTE), "legal_route"),
    (Finish(Outcome.TRANSFERRED), "to_station"),
    (Finish(Outcome.HANDED_BACK, reason="  "), "reason"),
])
def test_an_outcome_refuses_to_finish_without_what_it_needs(desk, ref, operator, on_duty, judge, result, missing):
    referral = _in_state(desk, ref, operator, on_duty, judge, State.SERVING)
    with pytest.raises(FormErrors) as refused:
        ref.finish(referral.id, result, on_duty)
    assert [(e.field, e.code) for e in refused.value.errors] == [(missing, "err.referral.needs")]
    assert ref.referrals_of(referral.matter_id)[0].state is State.SERVING


def test_the_outcome_lands_on_the_matters_timeline(desk, ref, operator, on_duty, judge):
    referral = _in_state(desk, ref, operator, on_duty, judge, State.SERVING)
    result = Finish(Outcome.LEGAL_ROUTE, note="引导起诉", legal_route=LegalRoute.LITIGATION, route_reference="(2026)立123")
    done, onward = ref.finish(referral.id, result, on_duty)
    assert onward is None and done.legal_route is LegalRoute.LITIGATION
    events = desk.matter_detail(referral.matter_id, operator).events
    assert [e.kind for e in events] == ["registered", "referred", "referral_outcome"]
    assert events[-1].data["outcome"] == "legal_route" and events[-1].data["route_reference"] == "(2026)立123"
    assert events[-1].note == "引导起诉" and events[-1].operator == on_duty.name


def test_a_transfer_is_a_new_referral_that_keeps_the_priority(desk, ref, operator, on_duty, judge, stations):
    old = desk.register(form(), operator).matter
    first = ref.refer(old.id, ReferralForm(judge.id, priority=("disabled",)), operator).referral
    ref.call_next(judge.id, on_duty)
    ref.move(first.id, Move.SERVE, on_duty)
    aid = stations[StationKind.LEGAL_AID]
    with pytest.raises(FormErrors, match="err.referral.same_station"):
        ref.finish(first.id, Finish(Outcome.TRANSFERRED, to_station=judge.id), on_duty)
    done, onward = ref.finish(first.id, Finish(Outcome.TRANSFERRED, to_station=aid.id, note="需法律援助"), on_duty)
    new = onward.referral
    assert new.ticket == "L001" and new.station_id == aid.id and new.state is State.WAITING
    assert new.priority == (Priority.ELDERLY, Priority.DISABLED)
    assert (new.transferred_from, done.transferred_to) == (first.id, new.id)
    assert onward.nobody_on_duty


def test_a_handed_back_referral_says_why(desk, ref, operator, on_duty, judge):
    referral = _in_state(desk, ref, operator, on_duty, judge, State.SERVING)
    done, _ = ref.finish(referral.id, Finish(Outcome.HANDED_BACK, reason="不属于法院受理范围"), on_duty)
    assert done.handed_back_reason == "不属于法院受理范围"


def test_referring_is_refused_for_a_closed_matter_and_a_disabled_station(desk, ref, operator, admin, judge, stations):
    closed = young(desk, operator, track="simple")
    desk.close_on_spot(closed.id, "当场解答", operator)
    with pytest.raises(DeskError) as refused:
        ref.refer(closed.id, ReferralForm(judge.id), operator)
    assert refused.value.code == "err.referral.matter_closed"
    ref.set_station_active("P", False, admin)
    open_matter = young(desk, operator, name="李四", id_number="")
    with pytest.raises(DeskError) as refused:
        ref.refer(open_matter.id, ReferralForm(stations[StationKind.PROSECUTOR].id), operator)
    assert refused.value.code == "err.referral.station_disabled"


def test_a_station_with_nobody_on_duty_takes_the_referral_with_a_warning(desk, ref, operator, admin, officer, judge):
    matter = young(desk, operator)
    assert ref.refer(matter.id, ReferralForm(judge.id), operator).nobody_on_duty
    ref.set_roster([desk.clock.today()], "J", [officer.name], Staffing.ROTATING, admin)
    assert not ref.refer(matter.id, ReferralForm(judge.id), operator).nobody_on_duty


def test_an_officer_acts_only_where_on_duty_today(desk, ref, operator, admin, officer, judge, stations):
    referral = ref.refer(young(desk, operator).id, ReferralForm(judge.id), operator).referral
    with pytest.raises(DeskError, match="err.referral.not_on_duty"):
        ref.call_next(judge.id, officer)
    with pytest.raises(DeskError, match="err.referral.not_on_duty"):
        ref.queue(judge.id, officer)
    ref.set_roster([desk.clock.today() + dt.timedelta(days=1)], "J", [officer.name], Staffing.ROTATING, admin)
    with pytest.raises(DeskError, match="err.referral.not_on_duty"):
        ref.move(referral.id, Move.CALL, officer)  # tomorrow is not today
    ref.set_roster([desk.clock.today()], "P", [officer.name], Staffing.ROTATING, admin)
    assert [s.prefix for s in ref.my_stations(officer)] == ["P"]
    with pytest.raises(DeskError, match="err.referral.not_on_duty"):
        ref.move(referral.id, Move.CALL, officer)  # on duty, at another station
    ref.set_roster([desk.clock.today()], "J", [officer.name], Staffing.ROTATING, admin)
    assert ref.move(referral.id, Move.CALL, officer).state is State.CALLED


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.STATION])
def test_only_station_officers_call(desk, ref, operator, admin, judge, role):
    """A leader calls only where the roster names them (a leader reception room)."""
    other = desk.add_operator(f"op-{role.value}", role.value, "password1", by=admin)
    ref.refer(young(desk, operator).id, ReferralForm(judge.id), operator)
    refused = "err.referral.not_on_duty" if role is Role.LEADER else "err.permission"
    with pytest.raises(DeskError, match=refused):
        ref.call_next(judge.id, other)
    sees_all = role in (Role.LEADER, Role.SUPERVISOR)
    assert len(ref.visible_stations(other)) == (6 if sees_all else 0)
    if sees_all:
        assert [r.referral.ticket for r in ref.queue(judge.id, other)] == ["J001"]


def test_roster_takes_only_active_station_officers(ref, admin, officer, operator, clock):
    with pytest.raises(FormErrors) as refused:
        ref.set_roster([clock.today()], "J", [operator.name, "无此人"], Staffing.ROTATING, admin)
    assert [e.code for e in refused.value.errors] == ["err.roster.role", "err.roster.unknown"]
    with pytest.raises(DeskError, match="err.permission"):
        ref.set_roster([clock.today()], "J", [officer.name], Staffing.ROTATING, operator)


def test_stations_are_added_edited_and_disabled_with_their_checks(desk, ref, admin):
    added = ref.add_station(StationForm(kind="mediation", name="土地纠纷调处组", window="9号窗口", prefix="td",
                                       category="land"), admin)
    assert added.prefix == "TD" and added.category == "land"
    with pytest.raises(FormErrors) as refused:
        ref.add_station(StationForm(kind="court", name="土地纠纷调处组", window="", prefix="J", category="水利"), admin)
    assert sorted(e.code for e in refused.value.errors) == sorted([
        "err.station.kind", "err.required", "err.station.prefix_taken", "err.category", "err.station.name_taken"])
    assert ref.edit_station("TD", StationForm(window="10号窗口"), admin).window == "10号窗口"
    assert not ref.set_station_active("TD", False, admin).active
    with pytest.raises(DeskError, match="err.station.unknown"):
        ref.edit_station("ZZ", StationForm(window="1"), admin)


def test_every_call_finish_and_transfer_is_in_the_audit_trail(desk, ref, operator, on_duty, judge, stations, admin):
    referral = ref.refer(young(desk, operator).id, ReferralForm(judge.id), operator).referral
    ref.call_next(judge.id, on_duty)
    ref.move(referral.id, Move.SERVE, on_duty)
    ref.finish(referral.id, Finish(Outcome.TRANSFERRED, to_station=stations[StationKind.POLICE].id), on_duty)
    trail = [(e.action, e.target, e.operator) for e in desk.audit_entries(admin) if e.action.startswith("referral")]
    assert trail == [("referral_add", "J001", operator.name), ("referral_call", "J001", on_duty.name),
                     ("referral_serve", "J001", on_duty.name), ("referral_finish", "J001", on_duty.name),
                     ("referral_transfer", "G001", on_duty.name)]


def test_referral_at_registration_lands_in_the_same_save(desk, ref, operator, admin, judge, stations):
    receipt = desk.register(form(id_number=VALID_ID, station=str(judge.id)), operator)
    assert receipt.referred.referral.ticket == "J001" and receipt.referred.referral.matter_id == receipt.matter.id
    ref.set_station_active("P", False, admin)
    before = len(desk.matters(MatterFilter(), operator))
    with pytest.raises(DeskError, match="err.referral.station_disabled"):
        desk.register(form(name="李四", id_number="", station=str(stations[StationKind.PROSECUTOR].id)), operator)
    assert len(desk.matters(MatterFilter(), operator)) == before
    with pytest.raises(FormErrors) as refused:
        desk.register(form(name="李四", id_number="", station="J"), operator)
    assert [e.field for e in refused.value.errors] == ["station"]


def test_an_outcome_is_news_in_my_matters_until_the_first_responder_opens_the_matter(
        desk, operator, judge, on_duty):
    matter = young(desk, operator)
    referral = desk.referrals.refer(matter.id, ReferralForm(station_id=judge.id), operator).referral
    mine = MatterFilter(first_responder=operator.name)
    assert not desk.matters(mine, operator)[0].news  # waiting: nothing new yet
    desk.referrals.call_next(judge.id, on_duty)
    desk.referrals.move(referral.id, Move.SERVE, on_duty)
    desk.referrals.finish(referral.id, Finish(Outcome.ANSWERED), on_duty)
    assert desk.matters(mine, operator)[0].news
    desk.matter_detail(matter.id, on_duty)  # somebody else's look is not the first responder's
    assert desk.matters(mine, operator)[0].news
    desk.matter_detail(matter.id, operator)
    assert not desk.matters(mine, operator)[0].news


def test_a_ticket_a_colleague_called_is_theirs_to_move(desk, operator, admin, judge, ref, clock):
    first = desk.add_operator("法官甲", "station", "password1", by=admin)
    second = desk.add_operator("法官乙", "station", "password1", by=admin)
    ref.set_roster([clock.today()], judge.prefix, [first.name, second.name], Staffing.RESIDENT, admin)
    referral = ref.refer(young(desk, operator).id, ReferralForm(station_id=judge.id), operator).referral
    ref.call_next(judge.id, first)
    ref.move(referral.id, Move.SERVE, first)
    for attempt in (lambda: ref.finish(referral.id, Finish(Outcome.ANSWERED), second),
                    lambda: ref.move(referral.id, Move.HOLD, second)):
        with pytest.raises(DeskError) as refused:
            attempt()
        assert refused.value.code == "err.referral.others" and refused.value.params["officer"] == "法官甲"
    ref.finish(referral.id, Finish(Outcome.ANSWERED), first)


def test_priority_seen_at_the_counter_goes_with_the_referral_made_at_registration(desk, operator, judge):
    receipt = desk.register(form(id_number=VALID_ID_MALE, station=str(judge.id), pregnant=True), operator)
    assert [p.value for p in receipt.referred.referral.priority] == ["pregnant"]
    plain = desk.register(form(id_number="", name="李四", pregnant=True), operator)  # no 分流: nothing to carry
    assert plain.referred is None
