"""TinyDB's table, changed in place.

TinyDB's stock `Table._update_table` rebuilds the whole table dict twice on every
write (ids to int, then back to str), and its stock storages re-read and rewrite
the whole file. Here the storage holds the live tables in memory (durability is the
journal's job, see `storage.engine`) and the table hands TinyDB's own updaters a
view that converts keys one at a time, so a write costs what it changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

Tables = dict[str, dict[str, dict[str, Any]]]


class LiveStorage(Storage):
    """The tables themselves, kept in memory; `write` only takes the new root."""

    def __init__(self, tables: Tables | None = None) -> None:
        self.tables: Tables = tables if tables is not None else {}

    def read(self) -> Tables:
        return self.tables

    def write(self, data: Tables) -> None:
        self.tables = data

    def close(self) -> None:
        pass


class _IntKeys(MutableMapping[int, Any]):
    """The str-keyed raw table seen with int keys, without copying it."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def __getitem__(self, doc_id: int) -> Any:
        return self.raw[str(doc_id)]

    def __setitem__(self, doc_id: int, doc: Any) -> None:
        self.raw[str(doc_id)] = doc

    def __delitem__(self, doc_id: int) -> None:
        del self.raw[str(doc_id)]

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self.raw

    def __iter__(self) -> Iterator[int]:
        return map(int, self.raw)

    def __len__(self) -> int:
        return len(self.raw)


class InPlaceTable(Table):
    def _update_table(self, updater: Callable[[dict[int, Mapping]], None]) -> None:
        tables = self._storage.read()
        raw = tables.setdefault(self.name, {})
        updater(_IntKeys(raw))  # type: ignore[arg-type]  # TinyDB's updaters use only the mapping protocol
        self.clear_cache()

    def put(self, doc_id: int, doc: dict[str, Any]) -> None:
        """Insert or replace one document under its own id; the dict is kept, not copied."""
        self._update_table(lambda table: table.__setitem__(doc_id, doc))

    def live(self) -> Iterator[dict[str, Any]]:
        """The stored dicts themselves, for read-only scans (TinyDB's `iter` copies each)."""
        return iter(self._read_table().values())

    def raw_get(self, doc_id: int) -> dict[str, Any] | None:
        return self._read_table().get(str(doc_id))


class LiveTinyDB(TinyDB):
    table_class = InPlaceTable
    default_storage_class = LiveStorage

    def table(self, name: str, **kwargs: Any) -> InPlaceTable:
        return super().table(name, cache_size=0, **kwargs)  # type: ignore[return-value]


def live_db(tables: Tables) -> LiveTinyDB:
    return LiveTinyDB(tables, storage=LiveStorage)


__all__ = ["Document", "InPlaceTable", "LiveStorage", "LiveTinyDB", "live_db"]
