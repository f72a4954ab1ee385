"""Every role x action pair, against an expected table written out here on its own,
and the services refusing what the table refuses."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest

from desk.errors import DeskError
from desk.matters import MatterFilter
from desk.models import Role
from desk.permissions import PERMISSIONS, Action, allowed
from tests.conftest import VALID_ID, form

R, S, L, U, A = Role.RECEPTIONIST, Role.STATION, Role.LEADER, Role.SUPERVISOR, Role.ADMIN
EXPECTED = {
    Action.REGISTER: {R, L},
    Action.VIEW_FULL: {R, S, L},
    Action.REFER: {R, S, L},
    Action.SERVE: {S, L},
    Action.VIEW_QUEUES: {L, U},
    Action.MANAGE_STATIONS: {A},
    Action.ACCEPT: {R, L},
    Action.REPLY: {R, S, L},
    Action.EXTEND: {R, L},
    Action.APPROVE: {L},
    Action.FOLLOW_UP: {R, L},
    Action.REVIEW: {R, L},
    Action.HAND_OVER: {R, L, U},
    Action.MEET: {R, L},
    Action.SUPERVISE: {L, U},
    Action.CLOSE: {R, L},
    Action.REPORT: {L, U, A},
    Action.CLOSE_DAY: {L, U},
    Action.EXPORT: {U, A},
    Action.IMPORT: {U, A},  # a hall's old ledger moved in, as its records are handed out
    Action.MANAGE_OPERATORS: {A},
    Action.MANAGE_SETTINGS: {A},
    Action.BACKUP: {A},
    Action.AUDIT: {U, A},
    Action.PRINT: {R, S, L, U},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_every_role_and_action(role, action, desk, admin):
    operator = desk.add_operator(f"op-{role.value}", role.value, "password1", by=admin)
    assert allowed(operator, action) == (role in EXPECTED[action])
    assert allowed(operator.edit(active=False), action) is False  # a disabled account may do nothing


def test_the_table_covers_every_role_and_action():
    assert set(PERMISSIONS) == set(Role)
    assert set(EXPECTED) == set(Action)


@pytest.fixture
def people(desk, admin):
    return {role: desk.add_operator(f"op-{role.value}", role.value, "password1", by=admin) for role in Role}


def _refused(call) -> bool:
    try:
        call()
    except DeskError as exc:
        return exc.code == "err.permission"
    return False


@pytest.mark.parametrize("role", list(Role))
def test_the_services_enforce_the_table(role, desk, people):
    me = people[role]
    receptionist = people[Role.RECEPTIONIST]
    simple = desk.register(form(track="simple"), receptionist).matter
    checks = {
        Action.REGISTER: lambda: desk.register(form(name="李四", id_number=""), me),
        Action.CLOSE: lambda: desk.close_on_spot(simple.id, "已答复", me),
        Action.MANAGE_OPERATORS: lambda: desk.add_operator(f"new-{role.value}", "station", "password1", by=me),
        Action.MANAGE_SETTINGS: lambda: desk.change_categories(me, add=f"新类别{role.value}"),
        Action.AUDIT: lambda: desk.audit_entries(me),
    }
    for action, call in checks.items():
        assert _refused(call) == (role not in EXPECTED[action]), action


@pytest.mark.parametrize("role", list(Role))
def test_full_numbers_only_in_a_permitted_detail_view_and_always_audited(role, desk, people):
    receptionist = people[Role.RECEPTIONIST]
    matter = desk.register(form(), receptionist).matter
    me = people[role]
    [hit] = desk.lookup(VALID_ID, me)
    assert hit.visitor.id_number == "****002X" and hit.visitor.phone == "****8000"
    [row] = desk.matters(MatterFilter(), me)
    assert row.visitor.id_number == "****002X"
    before = len(desk.audit.entries())
    detail = desk.matter_detail(matter.id, me)
    views = [e for e in desk.audit.entries()[before:] if e.action == "view_full"]
    if role in EXPECTED[Action.VIEW_FULL]:
        assert detail.visitor.id_number == VALID_ID and detail.visitor.phone == "13800138000"
        assert [(v.operator, v.target) for v in views] == [(me.name, matter.number)]
    else:
        assert detail.visitor.id_number == "****002X" and detail.visitor.phone == "****8000"
        assert views == []


def test_five_wrong_passwords_make_the_account_wait_longer_each_time(desk, operator, clock):
    for _ in range(4):
        with pytest.raises(DeskError) as caught:
            desk.authenticate("王芳", "wrong-one")
        assert caught.value.code == "err.login.failed"
    with pytest.raises(DeskError) as caught:
        desk.authenticate("王芳", "wrong-one")
    assert (caught.value.code, caught.value.params) == ("err.login.wait", {"seconds": 30})
    with pytest.raises(DeskError) as caught:
        desk.authenticate("王芳", "secret123")  # even the right password waits
    assert caught.value.code == "err.login.wait"
    later = clock.at + dt.timedelta(seconds=31)
    desk.clock = type(clock)(later)
    with pytest.raises(DeskError) as caught:
        desk.authenticate("王芳", "wrong-again")
    assert caught.value.params == {"seconds": 60}  # doubled
    desk.clock = type(clock)(later + dt.timedelta(seconds=61))
    assert desk.authenticate("王芳", "secret123").failures == 0


def test_an_admin_disables_enables_and_resets(desk, operator, admin):
    desk.set_active("王芳", False, admin)
    with pytest.raises(DeskError):
        desk.authenticate("王芳", "secret123")
    desk.set_active("王芳", True, admin)
    for _ in range(5):
        with pytest.raises(DeskError):
            desk.authenticate("王芳", "nope-nope")
    desk.reset_password("王芳", "brand-new-pw", admin)  # also lifts the wait
    assert desk.authenticate("王芳", "brand-new-pw").name == "王芳"
    with pytest.raises(DeskError):
        desk.set_active("管理员", False, operator)  # a receptionist may not


def test_a_refused_operator_change_is_known_before_it_is_asked(desk, operator, admin):
    """The screen asks the service, which holds the rule, before it asks the administrator."""
    for change in ({"active": False}, {"role": Role.RECEPTIONIST}):
        with pytest.raises(DeskError) as caught:
            desk.check_operator_change("管理员", admin, **change)
        assert caught.value.code == "err.operator.last_admin"
    desk.check_operator_change("王芳", admin, active=False)  # nothing said, nothing changed
    assert [o.active for o in desk.operators()] == [True, True]
    with pytest.raises(DeskError):
        desk.check_operator_change("王芳", operator, active=False)  # a receptionist may not ask either


def test_an_operator_changes_their_own_password(desk, operator):
    with pytest.raises(DeskError):
        desk.change_own_password(operator, "not-mine", "another-pw")
    fresh = desk.authenticate("王芳", "secret123")
    desk.change_own_password(fresh, "secret123", "another-pw")
    assert desk.authenticate("王芳", "another-pw").name == "王芳"


def test_logins_logouts_and_changes_are_audited_with_the_counter(desk, operator):
    with pytest.raises(DeskError):
        desk.authenticate("王芳", "wrong-one")
    me = desk.authenticate("王芳", "secret123")
    receipt = desk.register(form(), me)
    desk.logout(me)
    entries = desk.audit.entries()
    assert [(e.action, e.operator) for e in entries[-4:]] == [
        ("login_failed", "王芳"), ("login", "王芳"), ("register", "王芳"), ("logout", "王芳"),
    ]
    assert entries[-2].target == receipt.matter.number
    assert {e.counter for e in entries} == {"窗口1"}
    assert desk.audit.verify() == (len(entries), [])


def test_audit_files_are_owner_only(desk, operator, data_dir):
    for name in ("audit.log", "audit.head"):
        assert stat.S_IMODE(os.stat(data_dir / name).st_mode) == 0o600
