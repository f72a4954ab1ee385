"""Operators (操作员): who may log in, with which role, and how a login is checked."""

from __future__ import annotations

import datetime as dt
import unicodedata

from desk.errors import DeskError, FieldError, FormErrors
from desk.models import Operator, Role
from desk.passwords import DUMMY_RECORD, MIN_LENGTH, hash_password, verify_password
from desk.store import Reader, Transaction
from desk.text import check_name, check_text, code_point

MAX_NAME = 20
FREE_ATTEMPTS = 5  # failed logins before the account has to wait
FIRST_WAIT = dt.timedelta(seconds=30)  # doubled with every further failure
LONGEST_WAIT = dt.timedelta(hours=1)


def list_operators(reader: Reader) -> list[Operator]:
    return sorted(map(Operator.from_doc, reader.scan("operators")), key=lambda o: o.id)


def find_operator(reader: Reader, name: str) -> Operator | None:
    found = reader.find("operators", "name", name.strip())
    return Operator.from_doc(found[0]) if found else None


def get_operator(reader: Reader, name: str) -> Operator:
    operator = find_operator(reader, name)
    if operator is None:
        raise DeskError("err.operator.unknown", name=name)
    return operator


def check_password(password: str) -> list[FieldError]:
    if len(password) < MIN_LENGTH:
        return [FieldError("password", "err.password.short", {"min": MIN_LENGTH})]
    if not password.strip():  # eight spaces are typed by accident, and guessed first
        return [FieldError("password", "err.password.blank")]
    problem = check_text("password", password)
    return [problem] if problem else []


def check_role(role: str) -> list[FieldError]:
    if role in Role._value2member_map_:
        return []
    return [FieldError("role", "err.role", {"roles": ", ".join(r.value for r in Role)})]


def _folded(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _look_alike(reader: Reader, name: str) -> Operator | None:
    """An operator whose name is this one but for case or width: `Admin` is `admin`."""
    return next((o for o in list_operators(reader) if _folded(o.name) == _folded(name)), None)


def _is_ideograph(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH"))


def _letters_problem(name: str) -> FieldError | None:
    """An operator's letters and digits are Chinese characters or ASCII: a Cyrillic `а` or a
    Greek `Α` makes a second `admin` that nobody can tell from the first."""
    for char in name:
        if unicodedata.category(char)[0] in "LN" and not (char.isascii() or _is_ideograph(char)):
            return FieldError("name", "err.operator.letters",
                              {"char": code_point(char), "name": unicodedata.name(char, "?")})
    return None


def _check_new(reader: Reader, name: str, role: str, password: str) -> list[FieldError]:
    errors: list[FieldError] = []
    problem = check_name("name", name.strip(" ")) or _letters_problem(name)  # the spaces around are trimmed
    existing = _look_alike(reader, name) if name.strip() else None
    if not name.strip():
        errors.append(FieldError("name", "err.required"))
    elif len(name.strip()) > MAX_NAME:
        errors.append(FieldError("name", "err.text.too_long", {"limit": MAX_NAME, "length": len(name)}))
    elif problem:
        errors.append(problem)
    elif existing is not None:
        errors.append(FieldError("name", "err.operator.exists", {"name": existing.name}))
    return errors + check_role(role) + check_password(password)


def add_operator(
    txn: Transaction, name: str, role: str, password: str, now: dt.datetime, hashed: dict | None = None
) -> Operator:
    """`hashed`, when given, is `hash_password(password)` computed once for several demo operators."""
    errors = _check_new(txn, name, role, password)
    if errors:
        raise FormErrors(errors)
    record = hashed or hash_password(password)
    operator = Operator(id=0, name=name.strip(), role=Role(role), password=record, created_at=now)
    return Operator.from_doc(txn.insert("operators", operator.to_doc()))


def save(txn: Transaction, operator: Operator) -> Operator:
    return Operator.from_doc(txn.update("operators", operator.to_doc()))


def _runs_the_hall(operator: Operator) -> bool:
    return operator.active and operator.role is Role.ADMIN


def keep_an_admin(reader: Reader, before: Operator, after: Operator) -> None:
    """Refuse to disable or demote the last active administrator: nobody could then manage
    operators from the desk, and a locked-out hall needs someone at the machine itself."""
    if not _runs_the_hall(before) or _runs_the_hall(after):
        return
    if not any(_runs_the_hall(o) for o in list_operators(reader) if o.id != before.id):
        raise DeskError("err.operator.last_admin", name=before.name)


def wait_after(failures: int) -> dt.timedelta:
    """No wait for the first few mistakes, then 30 s, 60 s, 120 s ... up to an hour."""
    if failures < FREE_ATTEMPTS:
        return dt.timedelta(0)
    return min(FIRST_WAIT * 2 ** (failures - FREE_ATTEMPTS), LONGEST_WAIT)


def admit(operator: Operator, now: dt.datetime) -> Operator:
    """Raise while the account has to wait; otherwise the operator with this attempt already
    counted as a failure. Counting before the (slow) password check means attempts made at
    the same moment each see the ones before them: no more than FREE_ATTEMPTS are checked."""
    if operator.locked_until and now < operator.locked_until:
        seconds = int((operator.locked_until - now).total_seconds()) + 1
        raise DeskError("err.login.wait", seconds=seconds)
    failures = operator.failures + 1
    wait = wait_after(failures)
    return operator.edit(failures=failures, locked_until=now + wait if wait else None)


def password_matches(operator: Operator | None, password: str) -> bool:
    """An unknown or disabled name runs the same scrypt against a dummy record and gets the
    same answer as a wrong password: neither the reply nor its delay hints at a name."""
    if operator is None or not operator.active:
        verify_password(password, DUMMY_RECORD)
        return False
    return verify_password(password, operator.password)


def refusal(counted: Operator) -> DeskError:
    """The answer to a wrong password, once the attempt has been counted."""
    wait = wait_after(counted.failures)
    if wait:
        return DeskError("err.login.wait", seconds=int(wait.total_seconds()))
    return DeskError("err.login.failed")
