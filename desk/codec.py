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
from collections.abc import Callable
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
        """A copy with `changes`. As `dataclasses.replace` for a record with no
        `__post_init__`, without calling `__init__` field by field: a matter has some forty
        fields and its life edits it several times an act (an import does it 50,000 times)."""
        cls = type(self)
        unknown = changes.keys() - _field_names(cls)
        if unknown or hasattr(cls, "__post_init__") or not hasattr(self, "__dict__"):
            return dataclasses.replace(self, **changes)  # type: ignore[type-var]  # says what is wrong
        copy = object.__new__(cls)
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(changes)
        return copy

    def _head(self) -> dict[str, Any]:
        return {"id": self.id, "rev": self.rev, "schema": self.SCHEMA}


_PLAIN = frozenset({str, int, bool, float, type(None)})


@cache
def _field_names(cls: type) -> frozenset[str]:
    """The fields `edit` may change: those `__init__` takes."""
    return frozenset(f.name for f in dataclasses.fields(cls) if f.init)


@cache
def _encoded_names(cls: type) -> tuple[str, ...]:
    """The fields a record's document holds: a stored record's id and rev head it instead."""
    stored = issubclass(cls, Record)
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in ("id", "rev") or not stored)


def encode(value: Any) -> Any:
    # Exact types first: a list of thousands of matters is encoded field by field.
    if type(value) in _PLAIN:
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if hasattr(type(value), "__dataclass_fields__") and not isinstance(value, type):
        return {name: encode(getattr(value, name)) for name in _encoded_names(type(value))}
    return value


def _same(raw: Any) -> Any:
    return raw


@cache
def _decoder(kind: Any) -> Callable[[Any], Any]:
    """How to read a value of this type from a document, worked out once per type."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        inner = _decoder(next(a for a in args if a is not type(None)))
        return lambda raw: None if raw is None else inner(raw)
    if origin is tuple:
        item = _decoder(args[0])
        return lambda raw: tuple(item(v) for v in raw or ())
    if origin is dict or kind is Any:
        return _same
    if isinstance(kind, type):
        if issubclass(kind, Enum):
            return kind
        if issubclass(kind, dt.datetime):
            return dt.datetime.fromisoformat
        if issubclass(kind, dt.date):
            return dt.date.fromisoformat
        if dataclasses.is_dataclass(kind):
            return lambda raw: from_fields(kind, raw)
    return _same


def decode(kind: Any, raw: Any) -> Any:
    return _decoder(kind)(raw)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@cache
def _field_decoders(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    hints = _hints(cls)
    return tuple((f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls))


def from_fields(cls: type, doc: dict[str, Any]) -> Any:
    """A field missing from the document (written before the field existed) takes its default."""
    return cls(**{name: read(doc[name]) for name, read in _field_decoders(cls) if name in doc})


class Stored(Record):
    """A record kept in a table: `id`, `rev` and `schema` head its document."""

    def to_doc(self) -> dict[str, Any]:
        return self._head() | encode(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Self:
        return from_fields(cls, doc)
