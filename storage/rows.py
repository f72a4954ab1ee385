"""A snapshot's tables, indexes and search text as compact arrays, and the layer of
changes made since, which is all TinyDB sees as one table.

Nothing here holds a document as a dict until it is asked for: the rows stay JSON text
in the mapped snapshot, the indexes are sorted binary arrays, and the text name and
pinyin lookups search is one string per field.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Iterator, MutableMapping
from typing import Any

from desk.store import Doc, StoreCorrupt
from storage import journal
from storage.snapshot import MemorySections, Snapshot, Writer

Source = Snapshot | MemorySections  # where sections are read from

SEP = "\x00"  # never in stored text: every text field refuses control characters


class BaseRows:
    """One table's documents in a snapshot: JSON text sorted by id, decoded on demand."""

    def __init__(self, snapshot: Snapshot | None = None, table: str = "") -> None:
        if snapshot is None or not snapshot.has(f"ids.{table}"):
            self.ids, self.offsets, self.text = array("q"), array("Q", [0]), memoryview(b"")
            return
        self.ids = snapshot.array(f"ids.{table}", "q")
        self.offsets = snapshot.array(f"offsets.{table}", "Q")
        self.text = snapshot.view(f"rows.{table}")
        if len(self.offsets) != len(self.ids) + 1 or self.offsets[-1] != len(self.text):
            raise StoreCorrupt(snapshot.path, "damage.rows", table=table)

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, doc_id: int) -> int:
        i = bisect_left(self.ids, doc_id)
        return i if i < len(self.ids) and self.ids[i] == doc_id else -1

    def raw(self, i: int) -> memoryview:
        return self.text[self.offsets[i]:self.offsets[i + 1] - 1]  # without its newline

    def get(self, doc_id: int) -> Doc | None:
        i = self.position(doc_id)
        return journal.loads(self.raw(i)) if i >= 0 else None


class _Keys:
    """The sorted keys of a text index, as a sequence `bisect` can search."""

    def __init__(self, text: str, starts: array) -> None:
        self.text, self.starts = text, starts

    def __len__(self) -> int:
        return max(0, len(self.starts) - 1)

    def __getitem__(self, i: int) -> str:
        return self.text[self.starts[i]:self.starts[i + 1] - 1]


class KeyIndex:
    """value -> ids for one field, as sorted arrays: whole numbers apart from text."""

    def __init__(self, snapshot: Source | None = None, name: str = "") -> None:
        get = (lambda part, code: snapshot.array(f"{name}.{part}", code)) if snapshot else (lambda _p, c: array(c))
        self.int_keys, self.int_ids = get("int.keys", "q"), get("int.ids", "q")
        self.starts, self.spans, self.str_ids = get("str.starts", "I"), get("str.spans", "I"), get("str.ids", "q")
        self.keys = _Keys(snapshot.text(f"{name}.str.text") if snapshot else "", self.starts)

    def ids_for(self, value: Any) -> Iterable[int]:
        if isinstance(value, int) and not isinstance(value, bool):
            lo, hi = bisect_left(self.int_keys, value), bisect_right(self.int_keys, value)
            return self.int_ids[lo:hi]
        if isinstance(value, str) and len(self.keys):
            i = bisect_left(self.keys, value)
            if i < len(self.keys) and self.keys[i] == value:
                return self.str_ids[self.spans[i]:self.spans[i + 1]]
        return ()

    def entries(self) -> Iterator[tuple[Any, int]]:
        yield from zip(self.int_keys, self.int_ids, strict=True)
        for i in range(len(self.keys)):
            key = self.keys[i]
            for doc_id in self.str_ids[self.spans[i]:self.spans[i + 1]]:
                yield key, doc_id


def write_key_index(writer: Writer, name: str, pairs: Iterable[tuple[Any, int]]) -> None:
    numbers: list[tuple[int, int]] = []
    texts: list[tuple[str, int]] = []
    for value, doc_id in pairs:
        if isinstance(value, bool) or value in (None, ""):
            continue
        if isinstance(value, int):
            numbers.append((value, doc_id))
        elif isinstance(value, str):
            texts.append((value, doc_id))
    numbers.sort()
    texts.sort()
    writer.write_array(f"{name}.int.keys", array("q", (v for v, _ in numbers)))
    writer.write_array(f"{name}.int.ids", array("q", (i for _, i in numbers)))
    keys: list[str] = []
    spans, ids = array("I"), array("q")
    for value, doc_id in texts:
        if not keys or keys[-1] != value:
            keys.append(value)
            spans.append(len(ids))
        ids.append(doc_id)
    spans.append(len(ids))
    starts, pos = array("I"), 0
    for key in keys:
        starts.append(pos)
        pos += len(key) + 1
    starts.append(pos)
    writer.section(f"{name}.str.text", [SEP.join(keys).encode("utf-8") + (b"\0" if keys else b"")])
    writer.write_array(f"{name}.str.starts", starts)
    writer.write_array(f"{name}.str.spans", spans)
    writer.write_array(f"{name}.str.ids", ids)


class TextIndex:
    """The text a lookup searches in one field: every value on a line of its own, so a
    substring or a prefix is found by `str.find` over one string, not a loop in Python."""

    def __init__(self, snapshot: Source | None = None, name: str = "") -> None:
        self.text = snapshot.text(f"{name}.text") if snapshot else ""
        self.starts = snapshot.array(f"{name}.starts", "I") if snapshot else array("I")
        self.ids = snapshot.array(f"{name}.ids", "q") if snapshot else array("q")

    def search(self, text: str, prefix: bool) -> Iterator[int]:
        """Ids whose value contains `text` (or starts with it); each id once per line."""
        needle = SEP + text if prefix else text
        pos = self.text.find(needle)
        while pos >= 0:
            line = bisect_right(self.starts, pos + (1 if prefix else 0)) - 1
            yield self.ids[line]
            pos = self.text.find(needle, self.starts[line + 1])

    def entries(self) -> Iterator[tuple[str, int]]:
        for line in range(len(self.ids)):
            yield self.text[self.starts[line] + 1:self.starts[line + 1]], self.ids[line]


def write_text_index(writer: Writer, name: str, pairs: Iterable[tuple[str, int]]) -> None:
    """Lines `\\0value`, then a final `\\0`: `starts[i]` is the separator before line i."""
    values, ids, starts, pos = [], array("q"), array("I"), 0
    for value, doc_id in pairs:
        if not isinstance(value, str) or not value or SEP in value:
            continue
        values.append(value)
        ids.append(doc_id)
        starts.append(pos)
        pos += len(value) + 1
    starts.append(pos)
    writer.section(f"{name}.text", [("".join(SEP + v for v in values) + SEP).encode("utf-8")])
    writer.write_array(f"{name}.starts", starts)
    writer.write_array(f"{name}.ids", ids)


class LayeredRows(MutableMapping[str, Doc]):
    """One table as TinyDB sees it: the snapshot's rows, under the documents changed since.

    Keys are TinyDB's string ids. Reading a row decodes it; writing puts the document in
    the change layer, which the next checkpoint folds into a new snapshot."""

    def __init__(self, base: BaseRows) -> None:
        self.base = base
        self.changes: dict[int, Doc] = {}
        self.deleted: set[int] = set()

    def shadowed(self, doc_id: int) -> bool:
        return doc_id in self.changes or doc_id in self.deleted

    def __getitem__(self, key: str) -> Doc:
        doc_id = int(key)
        found = self.changes.get(doc_id)
        if found is None and doc_id not in self.deleted:
            found = self.base.get(doc_id)
        if found is None:
            raise KeyError(key)
        return found

    def __setitem__(self, key: str, doc: Doc) -> None:
        doc_id = int(key)
        self.changes[doc_id] = doc
        self.deleted.discard(doc_id)

    def __delitem__(self, key: str) -> None:
        doc_id = int(key)
        if doc_id not in self.changes and self.base.position(doc_id) < 0:
            raise KeyError(key)
        self.changes.pop(doc_id, None)
        if self.base.position(doc_id) >= 0:
            self.deleted.add(doc_id)

    def ids(self) -> Iterator[int]:
        """Every id, ascending."""
        base = (i for i in self.base.ids if not self.shadowed(i))
        return heapq.merge(base, sorted(self.changes))

    def __iter__(self) -> Iterator[str]:
        return map(str, self.ids())

    def __len__(self) -> int:
        shadowed = sum(1 for i in (*self.changes, *self.deleted) if self.base.position(i) >= 0)
        return len(self.base) - shadowed + len(self.changes)

    def max_id(self) -> int:
        return max(self.base.ids[-1] if len(self.base) else 0, max(self.changes, default=0))

    def merged(self) -> Iterator[tuple[int, int]]:
        """(id, row in the snapshot or -1 for a changed document), ascending."""
        base = ((i, n) for n, i in enumerate(self.base.ids) if not self.shadowed(i))
        return heapq.merge(((i, -1) for i in sorted(self.changes)), base)


class Column:
    """One field of every row of a table, dictionary-coded: the distinct values once, and
    per row the number of its value. A list filters on these without decoding a row."""

    def __init__(self, snapshot: Source | None = None, name: str = "") -> None:
        self.values: list[Any] = []
        self.codes = array("I")
        self._rows: list[Any] | None = None
        if snapshot is not None and snapshot.has(f"{name}.values"):
            self.values = journal.loads(snapshot.view(f"{name}.values"))
            self.codes = snapshot.array(f"{name}.codes", "I")

    def at(self, row: int) -> Any:
        return self.values[self.codes[row]] if row < len(self.codes) else None

    def rows(self, count: int) -> list[Any]:
        """The value of each of the first `count` rows (None past the column's end), in one
        pass: a list of thousands of rows reads a column, not a value at a time. Kept: a
        snapshot's column never changes."""
        if self._rows is None or len(self._rows) != count:
            values = self.values
            found = [values[c] for c in self.codes[:count]]
            self._rows = found + [None] * (count - len(found))
        return self._rows

    def rows_at(self, rows: list[int]) -> list[Any]:
        """The values of the given rows, in their order (None past the column's end)."""
        values, codes, known = self.values, self.codes, len(self.codes)
        return [values[codes[n]] if n < known else None for n in rows]

    def keep(self, rows: list[int], wanted: Collection[Any]) -> list[int]:
        """Those of `rows` whose value is one of `wanted`."""
        codes = {n for n, v in enumerate(self.values) if hashable_in(v, wanted)}
        known, own = len(self.codes), self.codes
        return [n for n in rows if (own[n] in codes if n < known else None in wanted)]

    def rows_in(self, count: int, wanted: Collection[Any]) -> list[int]:
        """The rows (of the first `count`) whose value is one of `wanted`, found on the codes."""
        codes = {n for n, v in enumerate(self.values) if hashable_in(v, wanted)}
        found = [row for row, c in enumerate(self.codes[:count]) if c in codes]
        if None in wanted and count > len(self.codes):
            found += range(len(self.codes), count)
        return found


def hashable_in(value: Any, wanted: Collection[Any]) -> bool:
    try:
        return value in wanted
    except TypeError:  # a structured value (a list of clocks) is never one of a plain set
        return False


def write_column(writer: Writer, name: str, values: Iterable[Any]) -> None:
    """A structured value (a list of a matter's clocks) is kept as itself, so a column
    reads the same from a snapshot as from the changes since; its JSON text only tells
    equal values apart."""
    distinct: dict[Any, int] = {}
    kept: list[Any] = []
    codes = array("I")
    for value in values:
        key = value if isinstance(value, str | int | float | bool) or value is None else journal.dumps(value)
        if key not in distinct:
            distinct[key] = len(kept)
            kept.append(value)
        codes.append(distinct[key])
    writer.section(f"{name}.values", [journal.dumps(kept)])
    writer.write_array(f"{name}.codes", codes)
