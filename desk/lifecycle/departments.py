"""Responsible departments (责任单位): the list the administrator keeps, with the person
to call there, that matters are assigned or transferred to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from desk.errors import DeskError, FieldError, FormErrors
from desk.lifecycle.records import Department
from desk.store import Reader, Transaction
from desk.text import check_name, check_text

_PHONE = re.compile(r"^[0-9+\-() ]{0,20}$")


@dataclass(frozen=True)
class DepartmentForm:
    """What an administrator typed; `None` leaves a field as it is (an edit)."""

    name: str | None = None
    contact: str | None = None
    phone: str | None = None

    def problems(self, reader: Reader, department_id: int | None) -> list[FieldError]:
        found = []
        if self.name is not None:
            problem = check_name("name", self.name) if self.name.strip() else FieldError("name", "err.required")
            if problem is None and _named(reader, self.name, department_id):
                problem = FieldError("name", "err.department.exists", {"name": self.name})
            found += [problem] if problem else []
        if self.contact is not None and (problem := check_text("contact", self.contact)):
            found.append(problem)
        if self.phone is not None and not _PHONE.match(self.phone):
            found.append(FieldError("phone", "err.department.phone"))
        return found


def _named(reader: Reader, name: str, other_than: int | None) -> bool:
    folded = name.strip().casefold()
    return any(d.name.casefold() == folded and d.id != other_than for d in list_departments(reader))


def list_departments(reader: Reader, active_only: bool = False) -> list[Department]:
    found = sorted(map(Department.from_doc, reader.scan("departments")), key=lambda d: d.id)
    return [d for d in found if d.active or not active_only]


def get_department(reader: Reader, department_id: int) -> Department:
    doc = reader.get("departments", department_id)
    if doc is None:
        raise DeskError("err.department.unknown", name=str(department_id))
    return Department.from_doc(doc)


def department_called(reader: Reader, name: str) -> Department:
    """A department named at a command line: its name or its number."""
    wanted = name.strip()
    for department in list_departments(reader):
        if wanted in (department.name, str(department.id)):
            return department
    raise DeskError("err.department.unknown", name=wanted)


def save_department(txn: Transaction, form: DepartmentForm, department_id: int | None) -> Department:
    problems = form.problems(txn, department_id)
    if department_id is None and form.name is None:
        problems.append(FieldError("name", "err.required"))
    if problems:
        raise FormErrors(problems)
    given = {k: v.strip() for k, v in form.__dict__.items() if v is not None}
    if department_id is None:
        return Department.from_doc(txn.insert("departments", Department(0, **given).to_doc()))
    current = get_department(txn, department_id)
    return Department.from_doc(txn.update("departments", current.edit(**given).to_doc()))


def set_active(txn: Transaction, department_id: int, active: bool) -> Department:
    current = get_department(txn, department_id)
    return Department.from_doc(txn.update("departments", current.edit(active=active).to_doc()))
