"""The store on TinyDB: one JSON file, written whole and atomically per transaction.

TinyDB keeps the tables; this module adds what the hall needs on top: an exclusive
lock per data directory, transactions that land whole, revision checks, and hash
indexes for `find` so that looking a visitor up does not scan.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from desk.models import SCHEMA
from desk.store import ConflictError, Doc, StoreCorrupt, StoreError, StoreLocked
from storage.files import atomic_write, ensure_private_dir

DB_FILE = "desk.json"
LOCK_FILE = "desk.lock"


class AtomicJSONStorage(Storage):
    """Parses the file once, serves reads from memory, writes via temp file + replace.

    While `deferred`, writes only change memory; `flush` lands them in one replace.
    """

    def __init__(self, path: str, create: bool = True) -> None:
        self.path = Path(path)
        if not self.path.exists():
            if not create:
                raise StoreError("err.store.missing", path=str(self.path))
            atomic_write(self.path, b"{}")
        self._data = self._load()
        self.deferred = False

    def _load(self) -> dict[str, Any]:
        raw = self.path.read_bytes()
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise StoreCorrupt(self.path, str(exc)) from None
        if not isinstance(data, dict):
            raise StoreCorrupt(self.path, "top level is not an object")
        return data

    def read(self) -> dict[str, Any]:
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        if not self.deferred:
            self.flush()

    def flush(self) -> None:
        atomic_write(self.path, orjson.dumps(self._data))

    def reload(self) -> None:
        self._data = self._load()

    def close(self) -> None:
        pass


class _Index:
    """value -> ids for one field of one table, kept in step with commits."""

    def __init__(self, field: str, docs: Iterator[Doc]) -> None:
        self.field = field
        self.ids: dict[Any, set[int]] = defaultdict(set)
        for doc in docs:
            self.add(doc)

    def add(self, doc: Doc) -> None:
        value = doc.get(self.field)
        if value not in (None, ""):
            self.ids[value].add(doc["id"])

    def remove(self, doc: Doc) -> None:
        value = doc.get(self.field)
        if value in self.ids:
            self.ids[value].discard(doc["id"])


class _Transaction:
    """Buffers writes; reads see them. Landed by TinyStore._commit.

    Finds over the buffered documents use indexes of their own, so a transaction
    of many thousands of writes (a ledger import, a demo hall) stays linear.
    """

    def __init__(self, store: TinyStore) -> None:
        self.store = store
        self.pending: dict[str, dict[int, Doc]] = defaultdict(dict)
        self.inserted: dict[str, set[int]] = defaultdict(set)
        self._indexes: dict[tuple[str, str], _Index] = {}

    def get(self, table: str, doc_id: int) -> Doc | None:
        if doc_id in self.pending[table]:
            return dict(self.pending[table][doc_id])
        return self.store.get(table, doc_id)

    def scan(self, table: str) -> Iterator[Doc]:
        mine = self.pending[table]
        for doc in self.store.scan(table):
            yield dict(mine.get(doc["id"], doc))
        for doc_id in self.inserted[table]:
            yield dict(mine[doc_id])

    def find(self, table: str, field: str, value: Any) -> list[Doc]:
        mine = self.pending[table]
        found = [doc for doc in self.store.find(table, field, value) if doc["id"] not in mine]
        index = self._index(table, field)
        found += [dict(mine[i]) for i in index.ids.get(value, ())]
        return sorted(found, key=lambda doc: doc["id"])

    def _index(self, table: str, field: str) -> _Index:
        key = (table, field)
        if key not in self._indexes:
            self._indexes[key] = _Index(field, iter(self.pending[table].values()))
        return self._indexes[key]

    def _stage(self, table: str, doc: Doc) -> None:
        old = self.pending[table].get(doc["id"])
        for (t, _field), index in self._indexes.items():
            if t == table:
                if old is not None:
                    index.remove(old)
                index.add(doc)
        self.pending[table][doc["id"]] = doc

    def insert(self, table: str, doc: Doc) -> Doc:
        doc_id = self.store._allocate_id(table)
        stored = {**doc, "id": doc_id, "rev": 1, "schema": SCHEMA}
        self._stage(table, stored)
        self.inserted[table].add(doc_id)
        return dict(stored)

    def update(self, table: str, doc: Doc) -> Doc:
        current = self.get(table, doc["id"])
        if current is None:
            raise StoreError("err.store.not_found", table=table, id=doc["id"])
        if current["rev"] != doc["rev"]:
            raise ConflictError(table, doc["id"], doc["rev"], current["rev"])
        stored = {**doc, "rev": doc["rev"] + 1, "schema": SCHEMA}
        self._stage(table, stored)
        return dict(stored)


def _replace_with(new_docs: dict[int, Doc]) -> Callable[[dict], None]:
    def transform(doc: dict) -> None:
        replacement = new_docs[doc["id"]]
        doc.clear()
        doc.update(replacement)

    return transform


class TinyStore:
    def __init__(self, data_dir: Path, *, readonly: bool = False) -> None:
        self.data_dir = ensure_private_dir(Path(data_dir))
        self._lock: FileLock | None = None
        if not readonly:
            self._lock = FileLock(str(self.data_dir / LOCK_FILE), timeout=0, mode=0o600)
            try:
                self._lock.acquire()
            except Timeout:
                raise StoreLocked(self.data_dir) from None
        try:
            self._db = TinyDB(str(self.data_dir / DB_FILE), storage=AtomicJSONStorage, create=not readonly)
        except BaseException:
            self._release()
            raise
        self._storage: AtomicJSONStorage = self._db.storage  # type: ignore[assignment]
        self.readonly = readonly
        self._mutex = threading.RLock()
        self._next_ids: dict[str, int] = {}
        self._indexes: dict[tuple[str, str], _Index] = {}
        self._open_txn: _Transaction | None = None

    # -- reading -----------------------------------------------------------------

    def get(self, table: str, doc_id: int) -> Doc | None:
        with self._mutex:
            doc = self._db.table(table).get(doc_id=doc_id)
            return dict(doc) if doc is not None else None

    def scan(self, table: str) -> Iterator[Doc]:
        # TinyDB hands out a fresh Document (a dict copy) per row already; no second copy.
        with self._mutex:
            docs = list(self._db.table(table))
        return iter(docs)

    def find(self, table: str, field: str, value: Any) -> list[Doc]:
        with self._mutex:
            index = self._index(table, field)
            ids = sorted(index.ids.get(value, ()))
            return [doc for doc in (self.get(table, i) for i in ids) if doc is not None]

    def _index(self, table: str, field: str) -> _Index:
        key = (table, field)
        if key not in self._indexes:
            self._indexes[key] = _Index(field, iter(self._db.table(table)))
        return self._indexes[key]

    # -- writing -----------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[_Transaction]:
        """Nested calls join the outer transaction; the outermost lands it."""
        if self.readonly:
            raise StoreError("err.store.readonly", path=str(self.data_dir))
        with self._mutex:
            if self._open_txn is not None:
                yield self._open_txn
                return
            txn = self._open_txn = _Transaction(self)
            try:
                yield txn
                self._commit(txn)
            except BaseException:
                self._next_ids.clear()  # ids handed out by a failed transaction are free again
                raise
            finally:
                self._open_txn = None

    def _allocate_id(self, table: str) -> int:
        if table not in self._next_ids:
            keys = self._storage.read().get(table, {})
            self._next_ids[table] = max(map(int, keys), default=0) + 1
        doc_id = self._next_ids[table]
        self._next_ids[table] += 1
        return doc_id

    def _commit(self, txn: _Transaction) -> None:
        before = {t: {i: self.get(t, i) for i in docs} for t, docs in txn.pending.items()}
        self._storage.deferred = True
        try:
            for table, docs in txn.pending.items():
                self._apply(table, docs, txn.inserted[table])
            self._storage.flush()
        except BaseException:
            self._storage.reload()
            self._db.clear_cache()
            self._indexes.clear()
            raise
        finally:
            self._storage.deferred = False
        self._reindex(txn, before)

    def _apply(self, table: str, docs: dict[int, Doc], inserted: set[int]) -> None:
        tiny = self._db.table(table)
        tiny.insert_multiple(Document(docs[i], doc_id=i) for i in sorted(inserted))
        updated = {i: doc for i, doc in docs.items() if i not in inserted}
        if updated:
            tiny.update(_replace_with(updated), doc_ids=list(updated))

    def _reindex(self, txn: _Transaction, before: dict[str, dict[int, Doc | None]]) -> None:
        for (table, _field), index in self._indexes.items():
            for doc_id, doc in txn.pending.get(table, {}).items():
                old = before[table][doc_id]
                if old is not None:
                    index.remove(old)
                index.add(doc)

    def close(self) -> None:
        self._db.close()
        self._release()

    def _release(self) -> None:
        if self._lock is not None and self._lock.is_locked:
            self._lock.release()


def open_store(data_dir: Path, *, readonly: bool = False) -> TinyStore:
    return TinyStore(data_dir, readonly=readonly)
