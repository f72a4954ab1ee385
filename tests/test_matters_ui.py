"""The matters list at 80 columns: newest first, and drop-downs that read right."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from desk.clock import fixed
from desk.services import Desk
from tests.conftest import form
from tests.pilot import make_app, screen_lines, settle


async def test_newest_first_by_registration_time(desk, operator):
    for when, name in (("2026-11-20T09:00:00", "甲"), ("2026-11-22T08:00:00", "乙"), ("2025-12-31T16:00:00", "丙"),
                       ("2026-11-21T17:30:00", "丁")):
        at = Desk(desk.store, fixed(when), desk.drafts, desk.rng, audit=desk.audit)
        at.register(replace(form(name=name, id_number="")), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test() as pilot:
        await pilot.press("f4")
        await settle(pilot)
        names = [row.visitor.name for row in app.screen.rows]
        assert names == ["乙", "丁", "甲", "丙"]


async def test_the_open_status_list_reads_whole_at_80_columns(desk, operator):
    desk.register(form(), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("ctrl+f", "enter")
        await pilot.pause()
        lines = screen_lines(app)
        shown = "\n".join(line[:30] for line in lines[2:12])
        for key in ("registered", "accepted", "rejected", "handling", "closed"):
            assert app.catalog(f"status.{key}") in shown
        ambiguous = {c for line in lines[1:12] for c in line if unicodedata.east_asian_width(c) == "A"}
        assert not ambiguous, ambiguous
