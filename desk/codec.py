"""Records written once: a frozen dataclass names each field once, and this codec turns it
into a stored document and back by the field's type (enums by value, dates and times as
ISO text, tuples as lists, nested records as documents).

Older records in `desk.models` still carry hand-written `to_doc`/`from_doc`; new ones
(referrals, stations, the roster, matters since schema 2) use `Stored`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from enum import Enum
from functools import cache
from typing import Any, ClassVar, Self

# The layout version a document is written with, unless its record says otherwise.
SCHEMA = 1


class Record:
    """Shared edge code: identity, revision, and edited copies. A record whose layout
    changed names its own `SCHEMA` and migrates older documents as it reads them."""

    id: int
    rev: int
    SCHEMA: ClassVar[int] = SCHEMA

    def edit(self, **changes: Any) -> Self:
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def _head(self) -> dict[str, Any]:
        return {"id": self.id, "rev": self.rev, "schema": self.SCHEMA}


def encode(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in ("id", "rev") or not isinstance(value, Record)}
    return value


def decode(kind: Any, raw: Any) -> Any:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if raw is None:
            return None
        return decode(next(a for a in args if a is not type(None)), raw)
    if origin is tuple:
        return tuple(decode(args[0], v) for v in raw or ())
    if origin is dict or kind is Any:
        return raw
    if isinstance(kind, type):
        if issubclass(kind, Enum):
            return kind(raw)
        if issubclass(kind, dt.datetime):
            return dt.datetime.fromisoformat(raw)
        if issubclass(kind, dt.date):
            return dt.date.fromisoformat(raw)
        if dataclasses.is_dataclass(kind):
            return from_fields(kind, raw)
    return raw


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_fields(cls: type, doc: dict[str, Any]) -> Any:
    """A field missing from the document (written before the field existed) takes its default."""
    hints = _hints(cls)
    values = {f.name: decode(hints[f.name], doc[f.name]) for f in dataclasses.fields(cls) if f.name in doc}
    return cls(**values)


class Stored(Record):
    """A record kept in a table: `id`, `rev` and `schema` head its document."""

    def to_doc(self) -> dict[str, Any]:
        return self._head() | encode(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Self:
        return from_fields(cls, doc)
