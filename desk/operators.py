"""Operators (操作员): who may log in, with which role."""

from __future__ import annotations

import datetime as dt

from desk.errors import DeskError, FieldError, FormErrors
from desk.models import Operator, Role
from desk.passwords import MIN_LENGTH, hash_password, verify_password
from desk.store import Reader, Transaction
from desk.text import check_text

MAX_NAME = 20


def list_operators(reader: Reader) -> list[Operator]:
    return sorted(map(Operator.from_doc, reader.scan("operators")), key=lambda o: o.id)


def find_operator(reader: Reader, name: str) -> Operator | None:
    found = reader.find("operators", "name", name.strip())
    return Operator.from_doc(found[0]) if found else None


def _check_new(reader: Reader, name: str, role: str, password: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if not name.strip():
        errors.append(FieldError("name", "err.required"))
    elif len(name.strip()) > MAX_NAME:
        errors.append(FieldError("name", "err.text.too_long", {"limit": MAX_NAME, "length": len(name)}))
    elif find_operator(reader, name) is not None:
        errors.append(FieldError("name", "err.operator.exists", {"name": name.strip()}))
    problem = check_text("name", name)
    if problem:
        errors.append(problem)
    if role not in Role._value2member_map_:
        errors.append(FieldError("role", "err.role", {"roles": ", ".join(r.value for r in Role)}))
    if len(password) < MIN_LENGTH:
        errors.append(FieldError("password", "err.password.short", {"min": MIN_LENGTH}))
    return errors


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


def authenticate(reader: Reader, name: str, password: str) -> Operator:
    """The same answer for an unknown name and a wrong password: no hint for a guesser."""
    operator = find_operator(reader, name)
    if operator is None or not operator.active or not verify_password(password, operator.password):
        raise DeskError("err.login.failed")
    return operator
