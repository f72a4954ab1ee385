"""Errors the services raise. Codes are catalog keys; the UI and CLI translate them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: `field` names it, `code` says why."""

    field: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


class FormErrors(Exception):
    """Every problem of a form at once, so the clerk fixes them in one pass."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__([e.code for e in errors])
        self.errors = errors

    def for_field(self, name: str) -> list[FieldError]:
        return [e for e in self.errors if e.field == name]


class DeskError(Exception):
    """A refused action (wrong state, unknown record, bad login)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params
