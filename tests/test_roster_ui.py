"""The duty roster screen: a week by stations, a day changed with `e`, a refusal said in
the dialog with what was typed kept, and only for administrators."""

from __future__ import annotations

from screens.roster import RosterDayModal, RosterScreen
from tests.pilot import make_app, settle, text_of
from tests.test_referral import judge, officer, ref, stations  # noqa: F401  (fixtures)


async def test_an_admin_puts_an_officer_on_duty_for_a_day(desk, admin, officer, judge, clock):  # noqa: F811
    app = make_app(desk, logged_in=admin.name)
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_roster()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RosterScreen)
        table = screen.query_one("#roster-table")
        row = next(n for n, s in enumerate(screen.stations) if s.id == judge.id)
        column = 1 + clock.today().weekday()
        table.cursor_coordinate = (row, column)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RosterDayModal)
        app.screen.query_one("#r-names").value = "不存在的人"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RosterDayModal) and "不存在的人" in text_of(app, "#r-error")
        assert app.screen.query_one("#r-names").value == "不存在的人"
        app.screen.query_one("#r-names").value = officer.name
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RosterScreen)
    assert [d.operator for r in desk.referrals.roster(clock.today()) if r.station_id == judge.id
            for d in r.staff] == [officer.name]


async def test_a_receptionist_has_no_roster_screen(desk, operator):
    app = make_app(desk, logged_in=operator.name)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.run_action("roster")
        await settle(pilot)
        assert not isinstance(app.screen, RosterScreen)
