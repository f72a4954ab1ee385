"""The counter in a public hall, driven through Pilot: idle lock, privacy key, roles."""

from __future__ import annotations

from desk.operators import find_operator
from desk.registration import RegistrationForm
from screens.app import create_app
from screens.audit import AuditScreen
from screens.lock import LockScreen
from screens.lookup import LookupScreen
from screens.privacy import PrivacyScreen
from screens.register import RegisterScreen
from tests.conftest import form
from tests.pilot import Ticks, settle, text_of, type_text, wait_for

SIZE = (100, 34)


IDLE = 300.0


def app_for(desk, name: str, ticks: Ticks | None = None):
    return create_app(desk, operator=find_operator(desk.store, name), cursor_blink=False,
                      idle_seconds=IDLE, monotonic=ticks or Ticks(), refresh_seconds=None)


async def start_a_registration(pilot) -> None:
    app = pilot.app
    await pilot.press("f3")
    await pilot.pause()
    await type_text(pilot, "王五")
    await pilot.press("enter")
    await type_text(pilot, "1101051949")
    desk, operator = app.desk, app.operator
    await wait_for(pilot, lambda: (desk.load_draft(operator) or RegistrationForm()).id_number == "1101051949")


async def leave_it(pilot, ticks: Ticks) -> None:
    """Nobody touches the keyboard for longer than the idle limit."""
    app = pilot.app
    ticks.advance(IDLE - 1)
    app.lock_if_idle()
    await pilot.pause()
    assert not isinstance(app.screen, LockScreen)  # not a moment early
    ticks.advance(1)
    app.lock_if_idle()
    await pilot.pause()


async def test_idle_lock_in_the_middle_of_a_registration_keeps_the_form(desk, operator):
    ticks = Ticks()
    app = app_for(desk, "王芳", ticks)
    async with app.run_test(size=SIZE) as pilot:
        await start_a_registration(pilot)
        await leave_it(pilot, ticks)
        assert isinstance(app.screen, LockScreen)
        await pilot.press("f4", "f3", "ctrl+p")  # nothing opens behind the lock
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await type_text(pilot, "wrong-pass")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen) and "不对" in text_of(app, "#lock-error")
        await type_text(pilot, "secret123")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)
        assert app.screen.query_one("#f-name").value == "王五"
        assert app.screen.query_one("#f-id_number").value == "1101051949"
    actions = [e.action for e in desk.audit.entries()]
    assert actions[-3:] == ["lock", "unlock_failed", "unlock"]


async def test_the_privacy_key_blanks_at_once_and_brings_the_form_back(desk, operator):
    app = app_for(desk, "王芳")
    async with app.run_test(size=SIZE) as pilot:
        await start_a_registration(pilot)
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, PrivacyScreen)
        await pilot.press("x", "f3", "f4")  # nothing reaches the form or opens a screen
        await pilot.pause()
        assert isinstance(app.screen, PrivacyScreen)
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert app.screen.query_one("#f-id_number").value == "1101051949"


async def test_switching_operator_from_the_lock_keeps_the_draft(desk, operator, admin):
    ticks = Ticks()
    app = app_for(desk, "王芳", ticks)
    async with app.run_test(size=SIZE) as pilot:
        await start_a_registration(pilot)
        await leave_it(pilot, ticks)
        assert isinstance(app.screen, LockScreen)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.operator is None
    assert desk.load_draft(operator).name == "王五"


async def test_a_receptionist_sees_no_audit_and_a_supervisor_cannot_register(desk, operator, admin):
    desk.add_operator("主管", "supervisor", "password1", by=admin)
    app = app_for(desk, "王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
        assert "审计记录" not in [c.title for c in app.get_system_commands(app.screen)]
    desk.register(form(), operator)
    app = app_for(desk, "主管")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)  # F3 does nothing for a supervisor
        await type_text(pilot, "zs")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
        await type_text(pilot, "qqq")
        await settle(pilot)
        assert text_of(app, "#lookup-status") == "没有找到"  # no way on offered that is not theirs
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        assert app.screen.entries and app.screen.entries[0].action == "register"
        await type_text(pilot, "登记")
        await pilot.pause()
        assert "显示 1 条" in text_of(app, "#audit-status")


async def test_hostile_text_in_the_form_is_refused_or_shown_literally(desk, operator):
    app = app_for(desk, "王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#f-name").value = "[@click=app.quit]张三[/]"
        screen.query_one("#f-township").value = "城关\x1b[31m镇"
        screen.query_one("#f-village").value = "东门\u202e社区"
        screen.query_one("#f-address").value = "很长" * 150
        screen.query_one("#f-place").value = "村\x00委会"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "控制字符（U+001B）" in text_of(app, "#err-township")
        assert "改变文字方向" in text_of(app, "#err-village")
        assert "最多200字" in text_of(app, "#err-address")
        assert "控制字符（U+0000）" in text_of(app, "#err-place")
        assert app.screen.query("#err-name") and not text_of(app, "#err-name")  # markup is a name like any other
        assert screen.query_one("#f-township").value == "城关\x1b[31m镇"  # kept, for the clerk to fix
        assert app.is_running  # the [@click=app.quit] text did not act


async def test_an_admin_manages_operators_and_a_refusal_keeps_the_form(desk, operator, admin):
    app = app_for(desk, "管理员")
    async with app.run_test(size=SIZE) as pilot:
        app.action_operators()
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "赵六")
        app.screen.query_one("#cred-password").value = "short"
        app.screen.query_one("#cred-again").value = "short"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "至少8个字符" in text_of(app, "#cred-error")
        assert app.screen.query_one("#cred-name").value == "赵六"
        app.screen.query_one("#cred-password").value = "long-enough"
        app.screen.query_one("#cred-again").value = "long-enough"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [o.name for o in app.screen.rows] == ["管理员", "王芳", "赵六"]
        await pilot.press("down", "d", "y")  # disable 王芳
        await pilot.pause()
        assert not app.screen.rows[1].active


async def test_an_operator_changes_their_own_password_from_the_palette(desk, operator):
    app = app_for(desk, "王芳")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "修改本人密码")
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query("#cred-old")
        app.screen.query_one("#cred-old").value = "secret123"
        app.screen.query_one("#cred-password").value = "new-secret-1"
        app.screen.query_one("#cred-again").value = "new-secret-1"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert desk.authenticate("王芳", "new-secret-1").name == "王芳"


async def test_a_receptionist_has_no_operator_management(desk, operator):
    app = app_for(desk, "王芳")
    async with app.run_test(size=SIZE) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "操作员管理" not in titles and "修改本人密码" in titles
        await app.run_action("operators")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
