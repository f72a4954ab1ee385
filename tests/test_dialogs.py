"""Small dialogs driven through Pilot: passwords, the first administrator, operators, the lock."""

from __future__ import annotations

from desk.operators import find_operator
from screens.app import create_app
from screens.base import StoreChanged
from screens.credentials import CredentialsModal
from screens.operators import OperatorsScreen
from screens.setup import SetupScreen
from tests.pilot import make_app, notices, text_of, type_text

SIZE = (80, 24)


def app_for(desk, name: str):
    return create_app(desk, operator=find_operator(desk.store, name), cursor_blink=False, refresh_seconds=None)


def shown(app, selector: str) -> bool:
    return app.screen.query_one(selector).display


async def test_a_password_refusal_goes_once_a_field_is_typed_in_and_the_cursor_waits_in_the_first(desk, operator):
    app = app_for(desk, "王芳")
    async with app.run_test(size=SIZE) as pilot:
        app.action_own_password()
        await pilot.pause()
        assert isinstance(app.screen, CredentialsModal)
        await type_text(pilot, "secret123")
        await pilot.press("enter")
        await type_text(pilot, "short")
        await pilot.press("enter")
        await type_text(pilot, "shorter")
        await pilot.press("enter")  # Enter in the last field confirms
        await pilot.pause()
        assert "两次输入的密码不一致" in text_of(app, "#cred-error")
        assert app.focused.id == "cred-old"  # every password starts afresh, from the first
        assert [app.screen.query_one(f"#cred-{f}").value for f in ("old", "password", "again")] == ["", "", ""]
        await type_text(pilot, "s")
        await pilot.pause()
        assert not shown(app, "#cred-error")
        for field, value in (("old", "secret123"), ("password", "short"), ("again", "short")):
            app.screen.query_one(f"#cred-{field}").value = value
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "至少8个字符" in text_of(app, "#cred-error") and app.focused.id == "cred-old"


async def test_the_first_administrators_screen_names_its_folder_and_forgets_a_fixed_refusal(desk, data_dir):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, SetupScreen)
        assert str(data_dir) in text_of(app, "#setup-folder")
        await type_text(pilot, "admin")
        await pilot.press("enter")
        await type_text(pilot, "long-enough")
        await pilot.press("enter")
        await type_text(pilot, "long-enougg")
        await pilot.press("enter")
        await pilot.pause()
        assert "两次输入的密码不一致" in text_of(app, "#setup-error")
        assert app.focused.id == "setup-password"
        await type_text(pilot, "l")
        await pilot.pause()
        assert not shown(app, "#setup-error")


async def test_the_only_active_administrator_is_refused_before_any_question(desk, operator, admin):
    app = app_for(desk, "管理员")
    async with app.run_test(size=SIZE) as pilot:
        app.action_operators()
        await pilot.pause()
        assert app.screen.rows[0].name == "管理员"
        for key in ("d", "r"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, OperatorsScreen)  # no "disable?", no role list
        assert sum("唯一在用的管理员" in n for n in notices(app)) == 2
    assert find_operator(desk.store, "管理员").active


async def test_the_operators_screen_reads_again_when_another_counter_changes_them(desk, operator, admin):
    app = app_for(desk, "管理员")
    async with app.run_test(size=SIZE) as pilot:
        app.action_operators()
        await pilot.pause()
        await pilot.press("down")
        desk.set_active("王芳", False, admin)  # at another counter, or on the command line
        app.screen.post_message(StoreChanged())
        await pilot.pause()
        assert not app.screen.rows[1].active
        assert app.screen.query_one("#operator-table").cursor_row == 1  # the cursor stays put
        desk.set_active("王芳", True, admin)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")  # back from a dialog: read again
        await pilot.pause()
        assert app.screen.rows[1].active
