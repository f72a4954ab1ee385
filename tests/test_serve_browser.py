"""`desk serve` in a real browser: a receptionist registers a visitor and refers them to a
station in one tab, and the station officer sees the ticket in their queue in another.

Headless Chromium from the system (Debian's package; `.ci/run` installs it as root), driven
by Playwright, which never downloads a browser here. Skipped, saying why, where there is none."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desk.clock import SystemClock
from tests.browser import CHROMIUM, CHROMIUM_ARGS, Tab, missing_browser
from tests.test_cli import Run

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(bool(missing_browser()) and not os.environ.get("CI"),
                                reason=missing_browser() or "-")  # CI installs it: there, a failure


@pytest.fixture
def hall(tmp_path):
    """An administrator, a receptionist, and a judge on today's roster at station J (the
    desk processes read the real clock, so today is the real day in the hall's zone)."""
    run = Run(tmp_path)
    data = str(run.data)
    for name, role in (("boss", "admin"), ("王芳", "receptionist"), ("法官甲", "station")):
        assert run("user", "add", name, "--role", role, "--password-stdin", "--data", data, stdin="secret123\n")[0] == 0
    today = SystemClock().today()
    for day in (today, today + dt.timedelta(days=1)):  # a test that runs across midnight
        assert run("roster", "set", day.isoformat(), "J", "法官甲", "--data", data)[0] == 0
    return run.data


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(hall):
    """`desk serve` as a hall starts it; yields the address it says a seat should open."""
    server = subprocess.Popen([sys.executable, str(ROOT / "launch.py"), "serve", "--data", str(hall),
                               "--port", str(_free_port())], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, encoding="utf-8")
    told = []
    try:
        assert server.stdout is not None
        for line in server.stdout:
            told.append(line)
            if line.strip().startswith("http://"):
                break
        address = told[-1].strip()
        assert address.startswith("http://127.0.0.1:"), "".join(told)
        yield address
    finally:
        server.send_signal(signal.SIGTERM)  # as the PC shutting down does: each seat is told to quit
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def log_in(tab: Tab, name: str) -> None:
    tab.wait_for("登录接待台")
    tab.focus()
    tab.fill(name)
    tab.press("Tab")
    tab.page.wait_for_timeout(500)  # the focus moves once the Tab has gone through the desk
    tab.type("secret123")
    tab.press("Enter")


def register_and_refer(tab: Tab) -> None:
    tab.press("F3")
    tab.wait_for("诉求摘要", "分流驻点")
    tab.page.wait_for_timeout(300)
    tab.fill("李四")
    tab.click_after("问题类别", 12)  # the category list opens
    tab.wait_for("林地")
    tab.click_after("劳资", 0)
    tab.wait_for("劳资  ")
    tab.click_after("诉求摘要", 12)
    tab.fill("工资被拖欠三个月")
    tab.press("Control+s")
    tab.wait_for("登记成功", "f 分流")
    tab.press("f")  # refer from the receipt
    tab.wait_for("分流到驻点", "请选择驻点")
    tab.click_after("请选择驻点", 2)
    tab.wait_for("县人民法院")
    tab.click_after("县人民法院", 0)
    tab.page.wait_for_timeout(300)
    tab.press("Control+s")
    tab.wait_for("已分流：号票 J001")


def test_a_referral_made_in_one_tab_appears_in_the_station_queue_of_another(served, tmp_path):
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            reception = Tab(browser.new_context(viewport={"width": 1280, "height": 800}).new_page(), served)
            log_in(reception, "王芳")
            reception.wait_for("王芳（接待员）", "f3 新登记")
            register_and_refer(reception)

            station = Tab(browser.new_context(viewport={"width": 1280, "height": 800}).new_page(), served)
            log_in(station, "法官甲")
            station.wait_for("法官甲（驻点人员）")
            station.press("F5")
            shown = station.wait_for("J001", "工资被拖欠三个月")
            assert "县人民法院" in shown and "李*" in shown  # a queue shows the surname only
            shot = Path(os.environ.get("DESK_SCREENSHOTS", tmp_path)) / "station-queue.png"
            station.page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()
    assert time.monotonic() - started < 90
