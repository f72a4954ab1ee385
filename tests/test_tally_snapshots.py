"""Snapshots at 80x24 of the tally screen (numbers, charts) and of a number's list, with a
pinned clock. CJK is drawn at half width in SVGs: the Chinese layout is checked by the
Pilot tests' text assertions (tests/test_tally_ui.py) and by hand in tmux."""

from __future__ import annotations

import pytest

from tests.pilot import make_app, settle
from tests.test_tally_ui import hall, supervisor, to_row  # noqa: F401 (fixtures)

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def fixed_store_ids(monkeypatch):
    import itertools

    from storage import manifest
    counter = itertools.count(1)
    monkeypatch.setattr(manifest, "new_id", lambda: f"{next(counter):016x}")


def test_tally_numbers(snap_compare, desk, hall, supervisor):  # noqa: F811
    async def run_before(pilot):
        await pilot.press("f11")
        await settle(pilot)

    assert snap_compare(make_app(desk, logged_in="钱主任"), terminal_size=SIZE, run_before=run_before)


def test_tally_charts(snap_compare, desk, hall, supervisor):  # noqa: F811
    async def run_before(pilot):
        await pilot.press("f11")
        await settle(pilot)
        await pilot.press("w", "g")
        await settle(pilot)

    assert snap_compare(make_app(desk, logged_in="钱主任"), terminal_size=SIZE, run_before=run_before)


def test_tally_members(snap_compare, desk, hall, supervisor):  # noqa: F811
    async def run_before(pilot):
        await pilot.press("f11")
        await settle(pilot)
        to_row(pilot.app, "来访批次")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(desk, logged_in="钱主任"), terminal_size=SIZE, run_before=run_before)
