"""One file set in memory: its TinyDB tables, changed in place, and their indexes;
and the snapshot files such a set is read from and written to."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from desk.store import INDEXED, Doc, StoreCorrupt
from storage import checked, journal
from storage.tinytable import LiveTinyDB, Tables, live_db


def _key(field: str) -> Callable[[Doc], Any]:
    """`at[:10]` indexes the date part of an ISO time; other fields index as stored."""
    if field.endswith("[:10]"):
        name = field[:-5]
        return lambda doc: (doc.get(name) or "")[:10]
    return lambda doc: doc.get(field)


class Index:
    """value -> ids for one field of one table, kept in step with every change."""

    def __init__(self, field: str, docs: Iterable[Doc]) -> None:
        self.key = _key(field)
        self.ids: dict[Any, set[int]] = defaultdict(set)
        for doc in docs:
            self.add(doc)

    def add(self, doc: Doc) -> None:
        value = self.key(doc)
        if value not in (None, ""):
            self.ids[value].add(doc["id"])

    def remove(self, doc: Doc) -> None:
        value = self.key(doc)
        found = self.ids.get(value)
        if found is not None:
            found.discard(doc["id"])
            if not found:
                del self.ids[value]


class FileSet:
    """One set's live tables (TinyDB, changed in place) and their indexes."""

    def __init__(self, name: str, tables: Tables) -> None:
        self.name = name
        self.db: LiveTinyDB = live_db(tables)
        self.indexes: dict[tuple[str, str], Index] = {}
        self.max_ids = {t: max(map(int, raw), default=0) for t, raw in tables.items()}

    @property
    def tables(self) -> Tables:
        return self.db.storage.read()  # type: ignore[return-value]

    def get(self, table: str, doc_id: int) -> Doc | None:
        return self.db.table(table).raw_get(doc_id)

    def docs(self, table: str) -> list[Doc]:
        return list(self.db.table(table).live()) if table in self.tables else []

    def index(self, table: str, field: str) -> Index:
        key = (table, field)
        if key not in self.indexes:
            self.indexes[key] = Index(field, self.docs(table))
        return self.indexes[key]

    def find(self, table: str, field: str, value: Any) -> list[Doc]:
        ids = self.index(table, field).ids.get(value, ())
        return [doc for doc in map(lambda i: self.get(table, i), ids) if doc is not None]

    def apply(self, table: str, doc_id: int, doc: Doc | None) -> None:
        tiny = self.db.table(table)
        old = tiny.raw_get(doc_id)
        for (t, _field), index in self.indexes.items():
            if t == table:
                if old is not None:
                    index.remove(old)
                if doc is not None:
                    index.add(doc)
        if doc is None:
            if old is not None:
                tiny.remove(doc_ids=[doc_id])
        else:
            tiny.put(doc_id, doc)
            self.max_ids[table] = max(self.max_ids.get(table, 0), doc_id)

    def keys(self) -> dict[str, dict[str, list[list[Any]]]]:
        """The cross-year index of this set: every declared field's values and ids."""
        out: dict[str, dict[str, list[list[Any]]]] = {}
        for table, fields in INDEXED.items():
            if table in self.tables:
                out[table] = {f: [[v, sorted(ids)] for v, ids in self.index(table, f).ids.items()] for f in fields}
        return out


def load_snapshot(path: Path, name: str) -> Tables:
    """The tables of one snapshot file, checked against its checksum; the collector is
    paused while the objects are made."""
    header, body = checked.unframe(path, checked.read_bytes(path), "snapshot")
    enabled = gc.isenabled()
    gc.disable()
    try:
        data = checked.parse(path, body)
    finally:
        if enabled:
            gc.enable()
    if header["format"] == 1:  # the whole file is {"format": 1, "set": ..., "tables": ...}
        header = data if isinstance(data, dict) else {}
        data = header.get("tables")
    if header.get("set") != name or not isinstance(data, dict):
        raise StoreCorrupt(path, "not a snapshot of this set")
    return data


def snapshot_bytes(name: str, gen: int, seq: int, tables: Tables) -> bytes:
    return checked.frame("snapshot", journal.dumps(tables), set=name, generation=gen, seq=seq)


def keys_bytes(name: str, gen: int, keys: dict[str, Any]) -> bytes:
    return checked.frame("keys", journal.dumps(keys), set=name, generation=gen)


def load_keys(path: Path) -> dict[str, Any]:
    """A keys file; StoreCorrupt or StoreError when it cannot be trusted."""
    _, data = checked.read(path, "keys")
    if not isinstance(data, dict):
        raise StoreCorrupt(path, "not a keys file")
    return data


def load_legacy(path: Path) -> Tables:
    try:
        data = journal.loads(path.read_bytes())
    except journal.DecodeError as exc:
        raise StoreCorrupt(path, str(exc)) from None
    if not isinstance(data, dict):
        raise StoreCorrupt(path, "top level is not an object")
    return data
