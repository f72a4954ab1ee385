"""Logins a guesser cannot learn from, and cannot race past the five free attempts."""

from __future__ import annotations

import hashlib
import threading

import pytest

from desk import operators as operators_module
from desk.errors import DeskError
from desk.operators import FREE_ATTEMPTS
from desk.store import StoreError
from screens.lock import LockScreen
from screens.login import LoginScreen
from tests.pilot import make_app, settle, text_of, type_text

SIZE = (100, 34)


@pytest.fixture
def scrypt_calls(monkeypatch) -> list[dict]:
    """The parameters of every scrypt run (the password and salt left out)."""
    calls: list[dict] = []
    real = hashlib.scrypt

    def counted(password, **params):
        calls.append({k: v for k, v in params.items() if k != "salt"})
        return real(password, **params)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    return calls


def _answer(desk, name: str, password: str) -> tuple[str, dict]:
    with pytest.raises(DeskError) as caught:
        desk.authenticate(name, password)
    return caught.value.code, caught.value.params


def test_an_unknown_name_runs_scrypt_exactly_as_a_known_one(desk, operator, scrypt_calls):
    known = _answer(desk, "王芳", "wrong-password")
    assert len(scrypt_calls) == 1
    unknown = _answer(desk, "无此人", "wrong-password")
    assert known == unknown == ("err.login.failed", {})
    assert scrypt_calls == [scrypt_calls[0]] * 2


def test_a_disabled_name_runs_scrypt_too_and_gets_the_same_answer(desk, admin, operator, scrypt_calls):
    desk.set_active("王芳", False, admin)
    scrypt_calls.clear()
    assert _answer(desk, "王芳", "secret123") == ("err.login.failed", {})  # even the right password
    assert len(scrypt_calls) == 1


def test_an_unknown_name_is_audited_as_refused(desk, operator):
    _answer(desk, "无此人", "whatever1")
    entry = desk.audit.entries()[-1]
    assert (entry.action, entry.target, entry.detail) == ("login_refused", "无此人", {"reason": "err.login.failed"})


def test_the_attempt_is_counted_before_the_password_is_checked(desk, operator, monkeypatch):
    seen = []

    def verify(password, record):
        seen.append(desk.operators()[1].failures)  # what another counter would read meanwhile
        return password == "secret123"

    monkeypatch.setattr(operators_module, "verify_password", verify)
    _answer(desk, "王芳", "wrong-one")
    me = desk.authenticate("王芳", "secret123")
    assert seen == [1, 2]
    assert (me.failures, me.locked_until) == (0, None)


class _Gate:
    """Hold every password check until each attempt has either reached one or been refused,
    so that no success can reset the count while others are still being admitted."""

    def __init__(self, attempts: int) -> None:
        self.attempts, self.checked, self.refused = attempts, 0, 0
        self.lock, self.open = threading.Lock(), threading.Event()
        self.local = threading.local()

    def _arrived(self, *, checked: bool) -> None:
        with self.lock:
            self.checked += checked
            self.refused += not checked
            if self.checked + self.refused == self.attempts:
                self.open.set()

    def verify(self, password: str, record: dict) -> bool:
        self.local.checked = True
        self._arrived(checked=True)
        self.open.wait(30)
        return password == "secret123"

    def attempt(self, desk, password: str, results: dict, key: int) -> None:
        self.local.checked = False
        try:
            results[key] = desk.authenticate("王芳", password).name
        except DeskError as exc:
            results[key] = exc.code
            if not self.local.checked:
                self._arrived(checked=False)


@pytest.mark.parametrize("right_at", [0, 7, 20])
def test_twenty_attempts_at_once_check_at_most_five_passwords(desk, operator, monkeypatch, right_at):
    passwords = [f"wrong-{n:02d}" for n in range(20)]
    passwords.insert(right_at, "secret123")
    gate = _Gate(len(passwords))
    monkeypatch.setattr(operators_module, "verify_password", gate.verify)
    results: dict[int, str] = {}
    threads = [threading.Thread(target=gate.attempt, args=(desk, p, results, n)) for n, p in enumerate(passwords)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert gate.checked == FREE_ATTEMPTS
    right = results[right_at]
    assert right in ("王芳", "err.login.wait")  # admitted and let in, or after the limit and told to wait
    wrong = [r for n, r in results.items() if n != right_at]
    assert set(wrong) <= {"err.login.failed", "err.login.wait"}
    assert sum(r == "err.login.wait" for r in results.values()) >= len(passwords) - FREE_ATTEMPTS


def test_after_five_wrong_ones_even_the_right_password_waits(desk, operator):
    for _ in range(FREE_ATTEMPTS):
        _answer(desk, "王芳", "wrong-one")
    assert _answer(desk, "王芳", "secret123")[0] == "err.login.wait"


# -- the screens -----------------------------------------------------------------------------


@pytest.fixture
def disk_full(monkeypatch):
    import storage.journal

    def refuse(self, line, at):
        raise StoreError("err.store.write", path=str(self.path), detail="No space left on device")

    return lambda: monkeypatch.setattr(storage.journal.Journal, "append", refuse)


async def test_the_login_screen_shows_a_storage_failure(desk, operator, disk_full):
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        disk_full()
        await type_text(pilot, "王芳")
        await pilot.press("enter")
        await type_text(pilot, "wrong-pass")
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, LoginScreen)
        assert "No space left on device" in text_of(app, "#login-error")
        assert app.operator is None


async def test_the_lock_screen_shows_a_storage_failure(desk, operator, disk_full):
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        app.action_lock()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        disk_full()
        await type_text(pilot, "wrong-pass")
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, LockScreen)
        assert "No space left on device" in text_of(app, "#lock-error")
