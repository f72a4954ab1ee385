"""The periods the tally screen moves through, and what it draws besides the numbers:
visits across the period, the stations' median times, the matters behind a number."""

from __future__ import annotations

import datetime as dt

import pytest

from desk.clock import fixed
from desk.errors import DeskError
from desk.permissions import Action, allowed
from desk.referral import Finish, Outcome, ReferralForm, Staffing, StationKind
from desk.referral.lifecycle import Move
from desk.tally import periods as p
from desk.tally.report import Period
from screens.charts import bars, binned, columns, fit
from tests.conftest import form

D = dt.date
TODAY = D(2026, 11, 24)  # a Tuesday


def test_a_week_runs_monday_to_sunday_and_a_month_to_its_last_day():
    assert p.span(p.Unit.WEEK, TODAY) == p.Span(p.Unit.WEEK, D(2026, 11, 23), D(2026, 11, 29))
    assert p.span(p.Unit.MONTH, D(2028, 2, 10)) == p.Span(p.Unit.MONTH, D(2028, 2, 1), D(2028, 2, 29))
    assert p.span(p.Unit.MONTH, D(2026, 12, 31)).end == D(2026, 12, 31)
    assert p.span(p.Unit.DAY, TODAY) == p.Span(p.Unit.DAY, TODAY, TODAY)


def test_moving_a_whole_period_back_and_forth():
    assert p.shifted(p.span(p.Unit.MONTH, D(2026, 1, 15)), -1) == p.Span(p.Unit.MONTH, D(2025, 12, 1), D(2025, 12, 31))
    assert p.shifted(p.span(p.Unit.MONTH, D(2026, 12, 1)), 1).start == D(2027, 1, 1)
    assert p.shifted(p.span(p.Unit.WEEK, TODAY), -1).start == D(2026, 11, 16)
    custom = p.Span(p.Unit.CUSTOM, D(2026, 11, 1), D(2026, 11, 10))  # ten days: moved by ten
    assert p.shifted(custom, -1) == p.Span(p.Unit.CUSTOM, D(2026, 10, 22), D(2026, 10, 31))


def test_a_period_not_ended_is_counted_to_today_and_compared_with_as_many_days():
    month = p.span(p.Unit.MONTH, TODAY)
    assert p.counted(month, TODAY) == Period(D(2026, 11, 1), TODAY)
    assert p.previous(month, TODAY) == Period(D(2026, 10, 1), D(2026, 10, 24))
    assert p.last_year(month, TODAY) == Period(D(2025, 11, 1), D(2025, 11, 24))
    week = p.span(p.Unit.WEEK, TODAY)  # Monday and Tuesday so far
    assert p.previous(week, TODAY) == Period(D(2026, 11, 16), D(2026, 11, 17))
    march = p.span(p.Unit.MONTH, D(2026, 3, 31))  # a whole month before a shorter one
    assert p.previous(march, TODAY) == Period(D(2026, 2, 1), D(2026, 2, 28))


def test_29_february_a_year_earlier_is_the_28th():
    assert p.a_year_earlier(D(2028, 2, 29)) == D(2027, 2, 28)
    assert p.last_year(p.span(p.Unit.DAY, D(2028, 2, 29)), D(2028, 3, 1)) == Period(D(2027, 2, 28), D(2027, 2, 28))


def test_leaders_and_supervisors_read_the_tally_receptionists_and_stations_do_not(desk, admin, operator):
    leader = desk.add_operator("赵局长", "leader", "secret123", by=admin)
    supervisor = desk.add_operator("钱主任", "supervisor", "secret123", by=admin)
    station = desk.add_operator("周法官", "station", "secret123", by=admin)
    assert allowed(leader, Action.REPORT) and allowed(supervisor, Action.REPORT)
    assert not allowed(operator, Action.REPORT) and not allowed(station, Action.REPORT)
    with pytest.raises(DeskError):
        desk.tally.charts(TODAY, TODAY, operator)
    with pytest.raises(DeskError):
        desk.tally.member_rows(desk.tally.members(TODAY, TODAY, supervisor)["batches"], operator)


@pytest.fixture
def day(desk, operator, admin):
    """22 Nov: 张三 at 09:00 and 10:30, 李四 at 10:40; 张三 referred to the judge at 09:10,
    called at 09:30 (20 minutes waiting), served 09:31 and finished 09:46 (15 minutes)."""
    officer = desk.add_operator("周法官", "station", "secret123", by=admin)
    desk.clock = fixed("2026-11-22T09:00:00")
    first = desk.register(form(), operator).matter
    desk.referrals.ensure_stations()
    judge = next(s for s in desk.referrals.stations() if s.kind is StationKind.JUDGE)
    desk.referrals.set_roster([D(2026, 11, 22)], judge.name, [officer.name], Staffing.RESIDENT, admin)
    desk.clock = fixed("2026-11-22T09:10:00")
    ref = desk.referrals.refer(first.id, ReferralForm(judge.id), operator).referral
    desk.clock = fixed("2026-11-22T09:30:00")
    desk.referrals.call_next(judge.id, officer)
    desk.clock = fixed("2026-11-22T09:31:00")
    desk.referrals.move(ref.id, Move.SERVE, officer)
    desk.clock = fixed("2026-11-22T09:46:00")
    desk.referrals.finish(ref.id, Finish(Outcome.ANSWERED, note="已释法"), officer)
    desk.clock = fixed("2026-11-22T10:30:00")
    desk.register(form(visitor_id=first.visitor_id, matter_id=first.id, category="", summary="", demands=""),
                  operator)
    desk.clock = fixed("2026-11-22T10:40:00")
    second = desk.register(form(id_number="", name="[red]李四", category="labour"), operator).matter
    desk.clock = fixed("2026-11-22T17:00:00")
    return first, second


def test_one_day_is_drawn_by_the_hour_a_longer_period_by_the_day(desk, day, admin):
    supervisor = desk.add_operator("钱主任", "supervisor", "secret123", by=admin)
    charts = desk.tally.charts(D(2026, 11, 22), D(2026, 11, 22), supervisor)
    assert charts.by_hour
    hours = dict(charts.visits)
    assert (hours["09"], hours["10"], hours["08"], hours["17"]) == (1, 2, 0, 0)
    week = desk.tally.charts(D(2026, 11, 16), D(2026, 11, 22), supervisor)
    assert not week.by_hour
    assert week.visits[0] == ("2026-11-16", 0) and week.visits[-1] == ("2026-11-22", 3) and len(week.visits) == 7


def test_station_times_are_medians_of_the_exact_waiting_and_serving(desk, day, admin):
    supervisor = desk.add_operator("钱主任", "supervisor", "secret123", by=admin)
    times = {s.kind: s for s in desk.tally.charts(D(2026, 11, 22), D(2026, 11, 22), supervisor).stations}
    assert list(times) == ["judge", "prosecutor", "police", "legal_aid", "mediation", "counselling"]
    assert (times["judge"].referred, times["judge"].median_wait, times["judge"].median_serve) == (1, 20 * 60, 15 * 60)
    assert (times["police"].referred, times["police"].median_wait, times["police"].median_serve) == (0, None, None)


def test_a_number_opens_as_rows_about_its_matters_with_names_as_typed(desk, day, admin):
    first, second = day
    supervisor = desk.add_operator("钱主任", "supervisor", "secret123", by=admin)
    found = desk.tally.members(D(2026, 11, 22), D(2026, 11, 22), supervisor)
    visits = desk.tally.member_rows(found["batches"], supervisor)
    assert [(r.when, r.matter.number, r.visitor) for r in visits] == [
        ("2026-11-22 09:00", first.number, "张三"), ("2026-11-22 10:30", first.number, "张三"),
        ("2026-11-22 10:40", second.number, "[red]李四")]
    new = desk.tally.member_rows(found["new_matters"], supervisor)
    assert [(r.table, r.when, r.matter.id) for r in new] == [  # a matter's time: its registration
        ("matters", "2026-11-22 09:00", first.id), ("matters", "2026-11-22 10:40", second.id)]


def test_text_charts_keep_to_their_columns():
    assert fit("征地拆迁补偿", 7) == "征地拆 "  # a Chinese character is two columns: never cut in half
    assert binned([(str(d), 1) for d in range(10)], 4) == [("0", 3), ("3", 3), ("6", 3), ("9", 1)]
    drawn = columns([("2026-11-01", 4), ("2026-11-02", 0), ("2026-11-03", 2)], 12, 4).plain.split("\n")
    assert len(drawn) == 5 and all(len(line) <= 12 for line in drawn)
    assert drawn[-1].startswith("01")
    lines = bars([("土地", 10), ("劳资", 5)], 6, 10).plain.split("\n")
    assert lines == ["土地   " + " " * 10 + " 10", "劳资   " + " " * 5 + " 5"]
