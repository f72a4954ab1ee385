"""The hall overview: each station's day, for leaders and supervisors only."""

from __future__ import annotations

import pytest

from desk.errors import DeskError
from desk.referral import Finish, Move, Outcome, ReferralForm
from screens.overview import OverviewScreen
from tests.conftest import form
from tests.pilot import make_app, settle, text_of
from tests.test_referral import judge, officer, on_duty, ref, stations  # noqa: F401  (fixtures)


def referred(desk, operator, judge, n):  # noqa: F811
    matter = desk.register(form(name=f"张{n}", id_number=""), operator).matter
    return desk.referrals.refer(matter.id, ReferralForm(station_id=judge.id), operator).referral


def test_the_overview_counts_each_state_and_outcome(desk, operator, admin, judge, on_duty, clock):  # noqa: F811
    for n in range(4):
        referred(desk, operator, judge, n)
    first = desk.referrals.call_next(judge.id, on_duty)
    desk.referrals.move(first.id, Move.SERVE, on_duty)
    desk.referrals.finish(first.id, Finish(Outcome.ANSWERED), on_duty)
    second = desk.referrals.call_next(judge.id, on_duty)
    desk.referrals.move(second.id, Move.NO_SHOW, on_duty)
    desk.referrals.call_next(judge.id, on_duty)
    supervisor = desk.add_operator("赵主管", "supervisor", "password1", by=admin)
    day = next(d for d in desk.referrals.overview(supervisor) if d.station.id == judge.id)
    assert (day.waiting, day.serving, day.done, day.left) == (1, 1, 1, 1)
    assert day.on_duty == (on_duty.name,) and day.outcomes == (("answered", 1),)
    with pytest.raises(DeskError):
        desk.referrals.overview(operator)  # a receptionist sees no overview


async def test_f7_opens_the_overview_for_a_supervisor_and_nothing_for_a_receptionist(
        desk, operator, admin, judge, on_duty):  # noqa: F811
    referred(desk, operator, judge, 1)
    desk.add_operator("赵主管", "supervisor", "password1", by=admin)
    app = make_app(desk, logged_in="赵主管")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert "还没有" in text_of(app, "#overview-outcomes")
    app = make_app(desk, logged_in=operator.name)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f7")
        await settle(pilot)
        assert not isinstance(app.screen, OverviewScreen)
