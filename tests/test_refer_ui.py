"""分流 from a matter's detail view and from its receipt: a ticket for an open matter, the
station asked for before anything is lost, and a closed matter offered no referral."""

from __future__ import annotations

from desk.referral import State
from screens.detail import DetailScreen
from screens.refer import ReferModal
from tests.conftest import form
from tests.pilot import make_app, settle, text_of


async def open_detail(app, pilot, matter_id):
    app.push_screen(DetailScreen(matter_id))
    await settle(pilot)


async def test_a_matter_is_referred_from_its_detail_view_and_the_timeline_shows_it(desk, operator):
    matter = desk.register(form(name="张三", id_number=""), operator).matter
    app = make_app(desk, logged_in=operator.name)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, matter.id)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, ReferModal)
        app.screen.query_one("#r-reason").value = "工资被拖欠"
        await pilot.press("ctrl+s")  # no station yet: asked in the dialog, the reason stays
        await pilot.pause()
        assert isinstance(app.screen, ReferModal) and "驻点" in text_of(app, "#r-station-error")
        judge = next(s for s in desk.referrals.stations() if s.prefix == "J")
        app.screen.query_one("#r-station").value = str(judge.id)
        app.screen.query_one("#r-disabled").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert f"分流到驻点  J001  {judge.name}" in text_of(app, "#detail-timeline")
    (referral,) = desk.referrals.referrals_of(matter.id)
    assert referral.ticket == "J001" and referral.reason == "工资被拖欠" and referral.state is State.WAITING
    assert [p.value for p in referral.priority] == ["disabled"]


async def test_a_closed_matter_offers_no_referral(desk, operator):
    matter = desk.register(form(name="张三", id_number="", track="simple"), operator).matter
    desk.close_on_spot(matter.id, "当场解答", operator)
    app = make_app(desk, logged_in=operator.name)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_detail(app, pilot, matter.id)
        await pilot.press("f")
        await pilot.pause()
        assert not isinstance(app.screen, ReferModal)
