"""A transaction: writes are buffered and reads see them, until the store lands
them as one journal line."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from desk.codec import SCHEMA
from desk.store import ConflictError, Doc, StoreError
from storage.fileset import Index
from storage.journal import Write

if TYPE_CHECKING:
    from storage.engine import JournalStore


class Transaction:
    """Buffers writes; reads see them. The store holds the write lock throughout."""

    def __init__(self, store: JournalStore) -> None:
        self.store = store
        self.pending: dict[str, dict[int, Doc]] = defaultdict(dict)
        self.inserted: dict[str, set[int]] = defaultdict(set)
        self.next_ids: dict[tuple[str, int | None], int] = {}
        self.year: int | None = None  # inserts into yearly tables are filed here; None: this year
        self._indexes: dict[tuple[str, str], Index] = {}
        self.seq: int | None = None  # the save's number, once it has landed

    def get(self, table: str, doc_id: int) -> Doc | None:
        if doc_id in self.pending[table]:
            return dict(self.pending[table][doc_id])
        return self.store.get(table, doc_id)

    def scan(self, table: str, years: Iterable[int] | None = None) -> Iterator[Doc]:
        mine = self.pending[table]
        for doc in self.store.scan(table, years):
            yield dict(mine.get(doc["id"], doc))
        for doc_id in self.inserted[table]:
            yield dict(mine[doc_id])

    def find(self, table: str, field: str, value: Any) -> list[Doc]:
        mine = self.pending[table]
        found = [doc for doc in self.store.find(table, field, value) if doc["id"] not in mine]
        index = self._index(table, field)
        found += [dict(mine[i]) for i in index.ids.get(value, ())]
        return sorted(found, key=lambda doc: doc["id"])

    def search(self, table: str, field: str, text: str, limit: int) -> list[int]:
        """The store's search; this transaction's own writes are not searched (a lookup
        never runs inside a save)."""
        return self.store.search(table, field, text, limit)

    def columns(self, table: str, years: Iterable[int] | None = None,
                where: Mapping[str, Collection[Any]] | None = None,
                fields: Sequence[str] | None = None) -> Iterator[Doc]:
        return self.store.columns(table, years, where, fields)

    def lists(self, table: str, years: Iterable[int] | None = None,
              where: Mapping[str, Collection[Any]] | None = None,
              fields: Sequence[str] | None = None) -> dict[str, list[Any]]:
        return self.store.lists(table, years, where, fields)

    def _index(self, table: str, field: str) -> Index:
        key = (table, field)
        if key not in self._indexes:
            self._indexes[key] = Index(field, self.pending[table].values())
        return self._indexes[key]

    def _stage(self, table: str, doc: Doc) -> None:
        old = self.pending[table].get(doc["id"])
        for (t, _field), index in self._indexes.items():
            if t == table:
                if old is not None:
                    index.remove(old)
                index.add(doc)
        self.pending[table][doc["id"]] = doc

    @contextmanager
    def filed_in(self, year: int) -> Iterator[None]:
        """Inserts into yearly tables within the block are filed under `year`: an old
        ledger's records belong to the year they were registered in, not the year of import."""
        before, self.year = self.year, year
        try:
            yield
        finally:
            self.year = before

    def insert(self, table: str, doc: Doc, year: int | None = None) -> Doc:
        """`year` (or the year of an enclosing `filed_in`) files a yearly table's document
        under that year's ids; other tables ignore it."""
        key = (table, year or self.year)
        if key not in self.next_ids:
            self.next_ids[key] = self.store.next_id(table, key[1])
        doc_id = self.next_ids[key]
        self.next_ids[key] += 1
        stored = {**doc, "id": doc_id, "rev": 1, "schema": doc.get("schema", SCHEMA)}
        self._stage(table, stored)
        self.inserted[table].add(doc_id)
        return dict(stored)

    def update(self, table: str, doc: Doc) -> Doc:
        """Revision 0 means "not stored yet": a single-document record (the settings) is
        created under its own id, and refused when another desk created it first, exactly
        as a stale revision is refused."""
        current = self.get(table, doc["id"])
        if current is None and doc["rev"] != 0:
            raise StoreError("err.store.not_found", table=table, id=doc["id"])
        found = current["rev"] if current is not None else 0
        if found != doc["rev"]:
            raise ConflictError(table, doc["id"], doc["rev"], found)
        stored = {**doc, "rev": doc["rev"] + 1, "schema": doc.get("schema", SCHEMA)}
        self._stage(table, stored)
        if current is None:
            self.inserted[table].add(doc["id"])
        return dict(stored)

    def writes(self) -> list[Write]:
        return [(t, i, doc) for t, docs in self.pending.items() for i, doc in sorted(docs.items())]
