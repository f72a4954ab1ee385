"""Snapshots of the main screens at 80x24 with a pinned clock and a seeded hall.

SVG snapshots draw CJK at half width (a Rich limitation); layout of Chinese text is
checked by the Pilot tests' text assertions and by hand in tmux, not by eye here.
Update after an intended change with `pytest --snapshot-update`.
"""

from __future__ import annotations

import random

import pytest

from desk import demo
from desk.registration import RegistrationForm
from tests.conftest import VALID_ID
from tests.pilot import make_app, settle, type_text

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def fixed_store_ids(monkeypatch):
    """The store's epoch is random and enters the audit head code shown on F6."""
    import itertools

    from storage import manifest
    counter = itertools.count(1)
    monkeypatch.setattr(manifest, "new_id", lambda: f"{next(counter):016x}")


@pytest.fixture
def hall(desk, clock):
    demo.populate(desk.store, 120, clock.now(), seed=11, days=60)
    desk.rng = random.Random(5)
    return desk


def test_login(snap_compare, hall):
    assert snap_compare(make_app(hall), terminal_size=SIZE)


def test_lookup_with_a_repeat_visitor(snap_compare, hall):
    async def run_before(pilot):
        await type_text(pilot, "l")
        await settle(pilot)

    assert snap_compare(make_app(hall, logged_in="王芳"), terminal_size=SIZE, run_before=run_before)


def test_registration_with_errors(snap_compare, hall):
    async def run_before(pilot):
        await pilot.press("f3")
        await pilot.pause()
        await type_text(pilot, "[bold]张三[/]")
        await pilot.press("tab")
        await type_text(pilot, "110105194912310021")
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(make_app(hall, logged_in="王芳"), terminal_size=SIZE, run_before=run_before)


def test_registration_with_five_representatives(snap_compare, hall):
    """A group visit: the visitor and four more, each on a row, the form scrolled to the cursor."""
    async def run_before(pilot):
        await pilot.press("f3")
        await pilot.pause()
        await type_text(pilot, "张三")
        pilot.app.screen.query_one("#f-persons").value = "12"
        await pilot.pause()
        for name in ("李四", "王五", "赵六", "钱七"):
            await pilot.press("ctrl+r")
            await pilot.pause()
            await type_text(pilot, name)
        await pilot.press("tab")
        await type_text(pilot, "430722198001010036")
        await pilot.pause()

    assert snap_compare(make_app(hall, logged_in="王芳"), terminal_size=SIZE, run_before=run_before)


def test_registration_with_errors_in_english(snap_compare, hall):
    async def run_before(pilot):
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("tab")
        await type_text(pilot, "110105194912310021")
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(make_app(hall, logged_in="王芳", lang="en"), terminal_size=SIZE, run_before=run_before)


def test_receipt(snap_compare, hall):
    async def run_before(pilot):
        await pilot.press("f3")
        await pilot.pause()
        screen = pilot.app.screen
        for field, value in (("name", "张三"), ("id_number", VALID_ID), ("phone", "13800138000"), ("place", "村委会")):
            screen.query_one(f"#f-{field}").value = value
        screen.query_one("#f-category").value = "land"
        screen.query_one("#f-summary").text = "宅基地界址争议"
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(make_app(hall, logged_in="王芳"), terminal_size=SIZE, run_before=run_before)


def test_matters(snap_compare, hall):
    async def run_before(pilot):
        await pilot.press("f4")
        await settle(pilot)

    assert snap_compare(make_app(hall, logged_in="王芳"), terminal_size=SIZE, run_before=run_before)


def test_matters_in_english(snap_compare, hall):
    """The tightest list: every column in sight at 80 columns."""
    async def run_before(pilot):
        await pilot.press("f4")
        await settle(pilot)

    assert snap_compare(make_app(hall, logged_in="王芳", lang="en"), terminal_size=SIZE, run_before=run_before)


def test_detail(snap_compare, hall):
    async def run_before(pilot):
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()

    assert snap_compare(make_app(hall, logged_in="王芳"), terminal_size=SIZE, run_before=run_before)


def test_lock_over_a_registration(snap_compare, hall):
    async def run_before(pilot):
        await pilot.press("f3")
        await pilot.pause()
        await type_text(pilot, "王五")
        pilot.app.lock("key")
        await pilot.pause()

    assert snap_compare(make_app(hall, logged_in="王芳"), terminal_size=SIZE, run_before=run_before)


def test_audit_trail(snap_compare, hall):
    clerk = hall.authenticate("王芳", "demo1234")
    hall.register(RegistrationForm(name="张三", id_number=VALID_ID, category="land", summary="界址争议"), clerk)
    hall.logout(clerk)

    async def run_before(pilot):
        await pilot.press("f6")
        await settle(pilot)

    assert snap_compare(make_app(hall, logged_in="supervisor"), terminal_size=SIZE, run_before=run_before)


def test_person_card(snap_compare, hall):
    async def run_before(pilot):
        await type_text(pilot, "l")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await pilot.pause()

    assert snap_compare(make_app(hall, logged_in="王芳"), terminal_size=SIZE, run_before=run_before)


def test_queue(snap_compare, hall):
    """A station officer lands on the queue of the station they are on duty at today."""
    async def run_before(pilot):
        await settle(pilot)

    assert snap_compare(make_app(hall, logged_in="station"), terminal_size=SIZE, run_before=run_before)


def test_hall_display(snap_compare, hall):
    from desk.operators import find_operator
    from screens.display import create_display_app

    officer = find_operator(hall.store, "station")
    judge = hall.referrals.my_stations(officer)[0]
    hall.referrals.call_next(judge.id, officer)

    async def run_before(pilot):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(create_display_app(hall, refresh_seconds=None), terminal_size=SIZE, run_before=run_before)


def test_detail_with_its_actions(snap_compare, hall):
    """The matter-actions menu over the detail: only what the table and the role allow now."""
    async def run_before(pilot):
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()

    assert snap_compare(make_app(hall, logged_in="王芳"), terminal_size=SIZE, run_before=run_before)


def test_my_work(snap_compare, hall):
    async def run_before(pilot):
        await pilot.press("f8")
        await settle(pilot)

    assert snap_compare(make_app(hall, logged_in="王芳"), terminal_size=SIZE, run_before=run_before)
