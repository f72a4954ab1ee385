"""A crash tells a short sentence, never a traceback with visitors' details in its
local variables; a store problem in a background read is told and the app goes on."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.worker import WorkerFailed

from desk.registration import RegistrationForm
from desk.store import StoreError
from tests.conftest import VALID_ID
from tests.pilot import make_app, notices, settle, type_text


def _broken(*args, **kwargs):
    raise RuntimeError("boom")


def _full_disk(*args, **kwargs):
    raise StoreError("err.store.write", path="/data", detail="No space left on device")


async def _crash_in_lookup(desk, operator, monkeypatch, tmp_path, **app_options):
    desk.register(RegistrationForm(name="张三", id_number=VALID_ID, phone="13800138000", township="城关镇",
                                   category="land", summary="宅基地", track="general"), operator)
    monkeypatch.setattr(desk, "lookup", _broken)
    app = make_app(desk, logged_in="王芳")
    app.crash_log = app_options.get("crash_log")
    screen = io.StringIO()
    app.error_console = Console(file=screen, width=200)
    with pytest.raises(WorkerFailed):
        async with app.run_test() as pilot:
            await type_text(pilot, VALID_ID)  # the worker's locals hold the number typed
            await settle(pilot)
    return app, screen.getvalue()


async def test_a_crash_shows_no_local_variables(desk, operator, monkeypatch, tmp_path):
    app, printed = await _crash_in_lookup(desk, operator, monkeypatch, tmp_path)
    assert VALID_ID not in printed and "locals" not in printed.lower()
    assert app.catalog("app.crashed") in printed.replace("\n", "")
    assert app.return_code == 1


async def test_a_crash_keeps_the_traceback_without_locals_in_the_log(desk, operator, monkeypatch, tmp_path):
    log = tmp_path / "crash.log"
    _, printed = await _crash_in_lookup(desk, operator, monkeypatch, tmp_path, crash_log=log)
    kept = log.read_text(encoding="utf-8")
    assert "RuntimeError: boom" in kept and "_run_search" in kept
    assert VALID_ID not in kept and VALID_ID not in printed
    assert str(log) in printed.replace("\n", "")


@pytest.mark.parametrize("reader", ["lookup", "matters"])
async def test_a_store_problem_in_a_background_read_is_told_and_the_app_goes_on(desk, operator, monkeypatch, reader):
    monkeypatch.setattr(desk, reader, _full_disk)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test() as pilot:
        if reader == "matters":
            await pilot.press("f4")
        else:
            await type_text(pilot, "张")
        await settle(pilot)
        assert any("No space left on device" in n for n in notices(app))
        assert app.is_running


async def test_a_store_problem_when_the_number_is_looked_up_on_the_form_is_told(desk, operator, monkeypatch):
    monkeypatch.setattr(desk, "lookup", _full_disk)
    monkeypatch.setattr(desk, "phone_holders", _full_disk)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test() as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("tab")
        await type_text(pilot, VALID_ID)
        await settle(pilot)
        assert any("No space left on device" in n for n in notices(app))
        assert app.is_running
