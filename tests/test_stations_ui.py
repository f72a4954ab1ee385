"""Stations on screen for administrators: add with a refusal said in the dialog, edit, and
disable (a disabled station takes no referrals)."""

from __future__ import annotations

from screens.stations import StationModal, StationsScreen
from tests.pilot import make_app, settle, text_of


async def test_an_admin_adds_edits_and_disables_a_station(desk, admin):
    desk.referrals.ensure_stations()
    app = make_app(desk, logged_in=admin.name)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.run_action("stations")
        await settle(pilot)
        assert isinstance(app.screen, StationsScreen)
        await pilot.press("a")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, StationModal)
        for field, value in (("name", "土地调处组"), ("window", "9号窗口"), ("prefix", "J")):
            modal.query_one(f"#s-{field}").value = value
        await pilot.press("ctrl+s")  # J is the judge's
        await pilot.pause()
        assert app.screen is modal and "J" in text_of(app, "#s-error")
        assert modal.query_one("#s-name").value == "土地调处组"
        modal.query_one("#s-prefix").value = "TD"
        modal.query_one("#s-category").value = "land"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StationsScreen)
        added = next(s for s in desk.referrals.stations() if s.prefix == "TD")
        assert (added.name, added.window, added.category) == ("土地调处组", "9号窗口", "land")
        app.screen.query_one("#station-table").move_cursor(row=len(app.screen.rows) - 1)
        await pilot.press("d")
        await settle(pilot)
    assert not next(s for s in desk.referrals.stations() if s.prefix == "TD").active


async def test_a_receptionist_has_no_stations_screen(desk, operator):
    app = make_app(desk, logged_in=operator.name)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.run_action("stations")
        await settle(pilot)
        assert not isinstance(app.screen, StationsScreen)
