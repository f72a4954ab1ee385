"""One file set in memory: its snapshot, mapped and read on demand, under the documents
changed since (TinyDB tables over `LayeredRows`); its indexes and search text; and
writing it out as the next snapshot.

A set holds no document as a dict but the ones changed since its snapshot, so a year of
a busy hall costs a few megabytes of arrays until its documents are read. Indexes and
search text of the snapshot are sorted arrays; those of the changed documents are small
dicts kept in step with every change.
"""

from __future__ import annotations

import gc
from array import array
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from desk.store import COLUMNS, INDEXED, PREFIX, SEARCHED, Doc, StoreCorrupt
from storage import checked, journal
from storage.rows import (
    BaseRows,
    Column,
    KeyIndex,
    LayeredRows,
    TextIndex,
    hashable_in,
    write_column,
    write_key_index,
    write_text_index,
)
from storage.snapshot import MemorySections, Snapshot, Writer
from storage.tinytable import LiveTinyDB, Tables, live_db

# Up to this many values, `columns(where=...)` on an indexed field asks the index rather
# than every row's code: a day's 500 entries among a year's 200,000 (a year of days is
# found faster on the codes).
_INDEXED_VALUES = 64
# A record's id (a matter's entries) names a few documents each, not a day's hundreds.
_INDEXED_IDS = 4096


def _key(field: str) -> Callable[[Doc], Any]:
    """`at[:10]` is the date part of an ISO time; `data.was.status` a field inside a field
    (None where a document lacks it); other fields are taken as stored."""
    if field.endswith("[:10]"):
        inner = _key(field[:-5])
        return lambda doc: (inner(doc) or "")[:10]
    if "." in field:
        path = field.split(".")

        def nested(doc: Doc) -> Any:
            value: Any = doc
            for name in path:
                value = value.get(name) if isinstance(value, dict) else None
            return value
        return nested
    return lambda doc: doc.get(field)


def _texts(doc: Doc, field: str) -> list[str]:
    """A searched field's values: a list field (pinyin initials) gives each of its items."""
    value = doc.get(field)
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str) and v]
    return [value] if isinstance(value, str) and value else []


def matches(doc: Doc, field: str, text: str, prefix: bool) -> bool:
    return any(v.startswith(text) if prefix else text in v for v in _texts(doc, field))


RELEASE_BYTES = 8 << 20  # mapped rows a checkpoint copies before it lets go of their pages


class Index:
    """value -> ids for one field over some documents, kept in step with every change."""

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
    """One set's tables: TinyDB over the snapshot's rows and the changes since."""

    def __init__(self, name: str, snapshot: Snapshot | None = None, tables: Tables | None = None) -> None:
        self.name = name
        self.snapshot = snapshot
        self.layers: dict[str, LayeredRows] = {}
        for table in (snapshot.meta.get("tables", []) if snapshot else []):
            self.layers[table] = LayeredRows(BaseRows(snapshot, table))
        self.db: LiveTinyDB = live_db(self.layers)  # type: ignore[arg-type]
        self._base_indexes: dict[tuple[str, str], KeyIndex] = {}
        self._base_texts: dict[tuple[str, str], TextIndex] = {}
        self._base_columns: dict[tuple[str, str], Column] = {}
        self._change_indexes: dict[tuple[str, str], Index] = {}
        # A set read from an older format holds every document as a change: the next
        # checkpoint writes it out in this one.
        self.stale = tables is not None
        for table, docs in (tables or {}).items():
            layer = self.layer(table)
            for key, doc in docs.items():
                layer.changes[int(key)] = doc

    def layer(self, table: str) -> LayeredRows:
        if table not in self.layers:
            self.layers[table] = LayeredRows(BaseRows())
        return self.layers[table]

    @property
    def seq(self) -> int:
        return self.snapshot.seq if self.snapshot else 0

    def max_id(self, table: str) -> int:
        return self.layers[table].max_id() if table in self.layers else 0

    def get(self, table: str, doc_id: int) -> Doc | None:
        return self.db.table(table).raw_get(doc_id) if table in self.layers else None

    def docs(self, table: str) -> list[Doc]:
        return list(self.db.table(table).live()) if table in self.layers else []

    # -- indexes -------------------------------------------------------------------

    def _sections(self, probe: str, build: Callable[[MemorySections], None]) -> Snapshot | MemorySections | None:
        """The snapshot, when it holds section `probe`; else the section built once from the
        snapshot's rows (an index, search or column declared after the file was written)."""
        if self.snapshot is None or self.snapshot.has(probe):
            return self.snapshot
        memory = MemorySections()
        build(memory)
        return memory

    def _base_docs(self, table: str) -> Iterator[tuple[int, Doc]]:
        base = self.layers[table].base if table in self.layers else BaseRows()
        for n, doc_id in enumerate(base.ids):
            yield doc_id, journal.loads(base.raw(n))

    def _base_index(self, table: str, field: str) -> KeyIndex:
        key, name = (table, field), f"index.{table}.{field}"
        if key not in self._base_indexes:
            value = _key(field)
            source = self._sections(f"{name}.int.keys", lambda memory: write_key_index(
                memory, name, ((value(doc), i) for i, doc in self._base_docs(table))))
            self._base_indexes[key] = KeyIndex(source, name)
        return self._base_indexes[key]

    def _change_index(self, table: str, field: str) -> Index:
        key = (table, field)
        if key not in self._change_indexes:
            layer = self.layers.get(table)
            self._change_indexes[key] = Index(field, layer.changes.values() if layer else ())
        return self._change_indexes[key]

    def find_ids(self, table: str, field: str, value: Any) -> list[int]:
        layer = self.layers.get(table)
        if layer is None:
            return []
        base = [i for i in self._base_index(table, field).ids_for(value) if not layer.shadowed(i)]
        return base + sorted(self._change_index(table, field).ids.get(value, ()))

    def find(self, table: str, field: str, value: Any) -> list[Doc]:
        docs = (self.get(table, i) for i in self.find_ids(table, field, value))
        return [doc for doc in docs if doc is not None]

    def search(self, table: str, field: str, text: str, limit: int) -> list[int]:
        """Ids whose `field` contains (or starts with) `text`; the changed documents first."""
        layer = self.layers.get(table)
        if layer is None or not text:
            return []
        prefix = SEARCHED.get(table, {}).get(field) == PREFIX
        found = dict.fromkeys(i for i, doc in layer.changes.items() if matches(doc, field, text, prefix))
        for doc_id in self._base_text(table, field).search(text, prefix):
            if len(found) >= limit:
                break
            if not layer.shadowed(doc_id):
                found[doc_id] = None
        return list(found)[:limit]

    def _base_text(self, table: str, field: str) -> TextIndex:
        key, name = (table, field), f"search.{table}.{field}"
        if key not in self._base_texts:
            source = self._sections(f"{name}.text", lambda memory: write_text_index(
                memory, name, ((v, i) for i, doc in self._base_docs(table) for v in _texts(doc, field))))
            self._base_texts[key] = TextIndex(source, name)
        return self._base_texts[key]

    def _column(self, table: str, field: str) -> Column:
        key, name = (table, field), f"column.{table}.{field}"
        if key not in self._base_columns:
            source = self._sections(f"{name}.values", lambda memory: write_column(
                memory, name, map(_key(field), (doc for _, doc in self._base_docs(table)))))
            self._base_columns[key] = Column(source, name)
        return self._base_columns[key]

    def columns(self, table: str, where: Mapping[str, Collection[Any]] | None = None,
                fields: Sequence[str] | None = None) -> Iterator[Doc]:
        """`{"id": ..., field: value ...}` of every document, as `lists` gives them."""
        found = self.lists(table, where, fields)
        keys = tuple(found)
        for values in zip(*found.values(), strict=True):
            yield dict(zip(keys, values, strict=True))

    def lists(self, table: str, where: Mapping[str, Collection[Any]] | None = None,
              fields: Sequence[str] | None = None) -> dict[str, list[Any]]:
        """`{"id": [...], field: [...]}`: the fields COLUMNS declares (or those `fields`
        names) of every document, in one list per field; with `where`, only those whose
        field holds one of the values given, chosen on the columns' codes (or, for an
        indexed field and a few values, on its index) before any value is read."""
        fields = tuple(fields) if fields is not None else COLUMNS.get(table, ())
        found: dict[str, list[Any]] = {"id": [], **{f: [] for f in fields}}
        layer = self.layers.get(table)
        if layer is None:
            return found
        ids = layer.base.ids
        count = len(ids)
        picked = self._picked(table, where or {}, count)
        if layer.changes:  # a row changed since the snapshot is read from the changes
            picked = [n for n in (range(count) if picked is None else picked) if not layer.shadowed(ids[n])]
        if picked is None:  # every row: each column read in one pass
            found["id"] = list(ids)
            found.update({f: list(self._column(table, f).rows(count)) for f in fields})
        else:
            found["id"] = [ids[n] for n in picked]
            found.update({f: self._column(table, f).rows_at(picked) for f in fields})
        keys = [(f, _key(f)) for f in fields]
        tests = [(_key(f), wanted) for f, wanted in (where or {}).items()]
        for doc_id, doc in layer.changes.items():
            if all(hashable_in(key(doc), wanted) for key, wanted in tests):
                found["id"].append(doc_id)
                for f, key in keys:
                    found[f].append(key(doc))
        return found

    def _picked(self, table: str, where: Mapping[str, Collection[Any]], count: int) -> list[int] | None:
        """The snapshot's rows `where` keeps, ascending; None for all of them."""
        picked: list[int] | None = None
        for field, wanted in sorted(where.items(), key=lambda item: not self._by_index(table, *item)):
            if field == "id":  # by position: the snapshot's rows are sorted by id
                base = self.layers[table].base
                chosen = sorted(p for i in wanted if (p := base.position(i)) >= 0)
                picked = chosen if picked is None else sorted(set(picked).intersection(chosen))
            elif picked is not None:  # the next field only looks at the rows kept so far
                picked = self._column(table, field).keep(picked, wanted)
            elif self._by_index(table, field, wanted):
                index, base = self._base_index(table, field), self.layers[table].base
                picked = sorted(p for v in wanted for i in index.ids_for(v) if (p := base.position(i)) >= 0)
            else:
                picked = self._column(table, field).rows_in(count, wanted)
        return picked

    @staticmethod
    def _by_index(table: str, field: str, wanted: Collection[Any]) -> bool:
        if field == "id":
            return True
        if field not in INDEXED.get(table, ()) or not isinstance(wanted, set | frozenset | list | tuple):
            return False
        ids = all(isinstance(v, int) for v in wanted)
        return len(wanted) <= (_INDEXED_IDS if ids else _INDEXED_VALUES)

    def apply(self, table: str, doc_id: int, doc: Doc | None) -> None:
        tiny = self.db.table(table)
        layer = self.layer(table)
        old = layer.changes.get(doc_id)
        for (t, _field), index in self._change_indexes.items():
            if t == table:
                if old is not None:
                    index.remove(old)
                if doc is not None:
                    index.add(doc)
        if doc is None:
            if str(doc_id) in layer:
                tiny.remove(doc_ids=[doc_id])
        else:
            tiny.put(doc_id, doc)

    @property
    def changed(self) -> int:
        """How many documents are held as changes (what a checkpoint would fold)."""
        return sum(len(layer.changes) + len(layer.deleted) for layer in self.layers.values())

    # -- writing the next snapshot ---------------------------------------------------

    def write(self, handle: IO[bytes], generation: int, seq: int) -> str:
        """Stream this set, snapshot and changes merged, as a snapshot file; return the
        file's checksum (its trailer's), by which the manifest names it."""
        writer = Writer(handle)
        tables = sorted(t for t, layer in self.layers.items() if len(layer))
        for table in tables:
            self._write_rows(writer, table)
            for field in INDEXED.get(table, ()):
                write_key_index(writer, f"index.{table}.{field}", self._key_pairs(table, field))
            for field in SEARCHED.get(table, {}):
                write_text_index(writer, f"search.{table}.{field}", self._text_pairs(table, field))
            for field in COLUMNS.get(table, ()):
                write_column(writer, f"column.{table}.{field}", self._column_values(table, field))
        return writer.finish(set=self.name, generation=generation, seq=seq, tables=tables)

    def _write_rows(self, writer: Writer, table: str) -> None:
        """Rows not changed are copied as they are, never decoded."""
        layer = self.layers[table]
        ids, offsets = array("q"), array("Q", [0])

        def chunks() -> Iterator[bytes]:
            copied = 0
            for doc_id, n in layer.merged():
                raw = journal.dumps(layer.changes[doc_id]) if n < 0 else bytes(layer.base.raw(n))
                ids.append(doc_id)
                offsets.append(offsets[-1] + len(raw) + 1)
                copied += len(raw) if n >= 0 else 0
                if copied >= RELEASE_BYTES and self.snapshot is not None:
                    self.snapshot.release()  # a year's rows never all resident at once
                    copied = 0
                yield raw + b"\n"
            if self.snapshot is not None:
                self.snapshot.release()

        writer.section(f"rows.{table}", chunks())
        writer.write_array(f"ids.{table}", ids)
        writer.write_array(f"offsets.{table}", offsets)

    def _key_pairs(self, table: str, field: str) -> Iterator[tuple[Any, int]]:
        layer, key = self.layers[table], _key(field)
        for value, doc_id in self._base_index(table, field).entries():
            if not layer.shadowed(doc_id):
                yield value, doc_id
        for doc_id, doc in layer.changes.items():
            yield key(doc), doc_id

    def _column_values(self, table: str, field: str) -> Iterator[Any]:
        """A column's values in the order `_write_rows` writes the rows."""
        layer, base, key = self.layers[table], self._column(table, field), _key(field)
        for doc_id, n in layer.merged():
            yield key(layer.changes[doc_id]) if n < 0 else base.at(n)

    def _text_pairs(self, table: str, field: str) -> Iterator[tuple[str, int]]:
        layer = self.layers[table]
        for value, doc_id in self._base_text(table, field).entries():
            if not layer.shadowed(doc_id):
                yield value, doc_id
        for doc_id, doc in layer.changes.items():
            for value in _texts(doc, field):
                yield value, doc_id

    def close(self) -> None:
        self._base_indexes.clear()
        self._base_texts.clear()
        self._base_columns.clear()
        self.layers.clear()
        if self.snapshot is not None:
            self.snapshot.close()


# -- snapshots of the formats before this one --------------------------------------------


def load_snapshot(path: Path, name: str) -> Tables:
    """The tables of a snapshot file of format 1 or 2 (JSON), checked against its checksum;
    the collector is paused while the objects are made."""
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
        raise StoreCorrupt(path, "damage.not_this_set", name=name)
    return data


def load_keys(path: Path) -> dict[str, Any]:
    """A keys file of format 2 (beside a JSON snapshot); StoreCorrupt or StoreError when it
    cannot be trusted."""
    _, data = checked.read(path, "keys")
    if not isinstance(data, dict):
        raise StoreCorrupt(path, "damage.kind")
    return data


def load_legacy(path: Path) -> Tables:
    try:
        data = journal.loads(path.read_bytes())
    except journal.DecodeError:
        raise StoreCorrupt(path, "damage.parse") from None
    if not isinstance(data, dict):
        raise StoreCorrupt(path, "damage.parse")
    return data
