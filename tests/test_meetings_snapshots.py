"""Snapshots at 80x24 of the agenda and of a complex matter's meetings on its detail view,
with a pinned clock. CJK is drawn at half width in SVGs: the Chinese layout is checked by
the Pilot tests' text assertions and by hand in tmux."""

from __future__ import annotations

import datetime as dt

import pytest

from desk.clock import fixed
from desk.lifecycle.table import Act, Inputs
from desk.meetings.records import MeetingKind
from desk.meetings.service import MeetingForm, written_entry
from screens.detail import DetailScreen
from tests.conftest import form
from tests.pilot import make_app, settle

SIZE = (80, 24)
PLACE = dict(time="09:30", place="二楼会议室", participants=(("刘干事", "城关镇人民政府"), ("陈支书", "东门社区")))


@pytest.fixture(autouse=True)
def fixed_store_ids(monkeypatch):
    import itertools

    from storage import manifest
    counter = itertools.count(1)
    monkeypatch.setattr(manifest, "new_id", lambda: f"{next(counter):016x}")


@pytest.fixture
def hall(desk, operator, admin):
    """Two complex matters: one with its huddle held and its meeting at acceptance overdue,
    owned by a leader and under written supervision; one whose huddle is still to come."""
    leader = desk.add_operator("赵局长", "leader", "secret123", by=admin)
    desk.clock = fixed("2026-11-02T09:00:00")
    first = desk.register(form(track="complex"), operator).matter
    huddle = desk.meetings.plan(first.id, MeetingForm(MeetingKind.HUDDLE, "2026-11-03", **PLACE), operator)
    desk.meetings.record(huddle.id, "界址有争议，村里有1998年的协议", "组织现场丈量", "", operator)
    desk.life.act(first.id, Act.ACCEPT, Inputs(), operator)
    desk.meetings.plan(first.id, MeetingForm(MeetingKind.AT_ACCEPTANCE, "2026-11-04",
                                             **{**PLACE, "participants": (("张三", "来访人"),)}), operator)
    desk.meetings.set_owner(first.id, "赵局长", "", leader, team="信访局 城关镇", plan="先丈量后调解")
    desk.meetings.supervise(first.id, written_entry(dt.date(2026, 11, 2), "赵局长", "刘干事", "11月9日前报送丈量结果",
                                                    dt.date(2026, 11, 9)), leader)
    second = desk.register(form(track="complex", name="李四", id_number="", summary="工资被拖欠"), operator).matter
    desk.meetings.plan(second.id, MeetingForm(MeetingKind.HUDDLE, "2026-11-06", **PLACE), operator)
    desk.clock = fixed("2026-11-05T10:00:00")
    return first


def test_agenda(snap_compare, desk, hall):
    async def run_before(pilot):
        await pilot.press("f9")
        await settle(pilot)

    assert snap_compare(make_app(desk, logged_in="王芳"), terminal_size=SIZE, run_before=run_before)


def test_detail_with_its_meetings(snap_compare, desk, hall):
    async def run_before(pilot):
        pilot.app.push_screen(DetailScreen(hall.id))
        await settle(pilot)
        pilot.app.screen.query_one("#detail").scroll_to_widget(pilot.app.screen.query_one("#detail-meetings"),
                                                               animate=False, top=True)
        await pilot.pause()

    assert snap_compare(make_app(desk, logged_in="王芳"), terminal_size=SIZE, run_before=run_before)
