"""Snapshot files of format 3: sections a desk maps into memory and reads only as needed.

A snapshot holds one file set: for each table its documents as JSON text sorted by id,
with their ids and offsets as binary arrays; the values of every indexed field; and the
text that name and pinyin lookups search. Opening one parses nothing: the file is
memory-mapped and only the small arrays are copied in, so a year of a busy hall costs a
few megabytes until its documents are read.

Layout: the sections one after another, then the trailer: one line of JSON naming every
section (offset, length, CRC-32) and the set, its generation and save number; then the
trailer's length and CRC-32 as 16 hex digits, and the magic `DESK-SNAPSHOT-3\\n`. Every
section is checked against its CRC when the file is opened: a flipped digit anywhere is
found there, never taken in. Writing streams the sections to the file, so a checkpoint
does not hold a second copy of the year in memory.
"""

from __future__ import annotations

import mmap
import sys
import zlib
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from desk.store import StoreCorrupt, StoreError
from storage import journal

FORMAT = 3
MAGIC = b"DESK-SNAPSHOT-3\n"
TAIL = 16 + len(MAGIC)
_CHUNK = 1 << 20


def native(values: array) -> array:
    """Arrays are stored little-endian; on the rare big-endian machine they are swapped."""
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return values


class Writer:
    """Streams sections into an open file and ends it with the trailer."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.pos = 0
        self.sections: dict[str, list[Any]] = {}

    def section(self, name: str, chunks: Iterable[bytes]) -> None:
        start, crc = self.pos, 0
        for chunk in chunks:
            self.handle.write(chunk)
            crc = zlib.crc32(chunk, crc)
            self.pos += len(chunk)
        self.sections[name] = [start, self.pos - start, f"{crc:08x}"]

    def write_array(self, name: str, values: array) -> None:
        self.section(name, [native(values).tobytes()])

    def finish(self, **meta: Any) -> str:
        """Write the trailer; return its CRC, by which the manifest names this very file."""
        trailer = journal.dumps({"format": FORMAT, "kind": "snapshot", **meta, "sections": self.sections})
        crc = zlib.crc32(trailer)
        self.handle.write(trailer + b"%08x%08x" % (len(trailer), crc) + MAGIC)
        return f"{crc:08x}"


class MemorySections(Writer):
    """Sections kept in memory and read back like a snapshot's: for an index, search text
    or column that a snapshot lacks (declared after it was written), built once from its
    rows until the next checkpoint writes it."""

    def __init__(self) -> None:
        super().__init__(None)  # type: ignore[arg-type]
        self.data: dict[str, bytes] = {}

    def section(self, name: str, chunks: Iterable[bytes]) -> None:
        self.data[name] = b"".join(chunks)

    def has(self, name: str) -> bool:
        return name in self.data

    def view(self, name: str) -> memoryview:
        return memoryview(self.data[name])

    def array(self, name: str, typecode: str) -> array:
        values = array(typecode)
        values.frombytes(self.data.get(name, b""))
        return native(values)

    def text(self, name: str) -> str:
        return self.data[name].decode("utf-8") if name in self.data else ""


def is_snapshot(path: Path) -> bool:
    """Whether the file ends like a snapshot of this format (an older one is JSON)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, handle.seek(0, 2) - len(MAGIC)))
            return handle.read() == MAGIC
    except OSError:
        return False


class Snapshot:
    """An open snapshot: trailer and sections checked, the file mapped read-only.

    The file is never changed after it was written (a checkpoint writes a new one), so
    the mapping stays valid for as long as the set uses it."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        try:
            with open(path, "rb") as handle:
                size = handle.seek(0, 2)
                self.meta = self._trailer(handle, size)
                self._check(handle)
                self.map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else None
        except FileNotFoundError:
            raise StoreCorrupt(path, "damage.missing") from None
        except OSError as exc:
            raise StoreError("err.store.read", path=str(path), detail=exc.strerror or str(exc)) from exc
        if self.meta.get("set") != name:
            raise StoreCorrupt(path, "damage.not_this_set", name=name)

    def _trailer(self, handle: IO[bytes], size: int) -> dict[str, Any]:
        if size < TAIL:
            raise StoreCorrupt(self.path, "damage.empty" if not size else "damage.cut")
        handle.seek(size - TAIL)
        tail = handle.read(TAIL)
        if tail[16:] != MAGIC:
            raise StoreCorrupt(self.path, "damage.cut")
        try:
            length, crc = int(tail[:8], 16), tail[8:16].decode()
        except ValueError:
            raise StoreCorrupt(self.path, "damage.parse") from None
        if length > size - TAIL:
            raise StoreCorrupt(self.path, "damage.parse")
        handle.seek(size - TAIL - length)
        raw = handle.read(length)
        if f"{zlib.crc32(raw):08x}" != crc:
            raise StoreCorrupt(self.path, "damage.checksum")
        self.crc = crc
        meta = journal.loads(raw)
        self.body = size - TAIL - length
        sections = meta.get("sections") if isinstance(meta, dict) else None
        if not isinstance(sections, dict) or any(
                not (isinstance(s, list) and len(s) == 3 and 0 <= s[0] and s[0] + s[1] <= self.body)
                for s in sections.values()):
            raise StoreCorrupt(self.path, "damage.parse")
        return meta

    def _check(self, handle: IO[bytes]) -> None:
        """Every section against its checksum, read through a buffer rather than the
        mapping, so checking does not make the whole year resident in this process."""
        buffer = bytearray(_CHUNK)
        for name, (start, length, crc) in self.meta["sections"].items():
            handle.seek(start)
            found, left = 0, length
            while left:
                got = handle.readinto(memoryview(buffer)[:min(left, _CHUNK)])
                if not got:
                    break
                found = zlib.crc32(memoryview(buffer)[:got], found)
                left -= got
            if left or f"{found:08x}" != crc:
                raise StoreCorrupt(self.path, "damage.section", section=name)

    @property
    def seq(self) -> int:
        return int(self.meta.get("seq", 0))

    def has(self, name: str) -> bool:
        return name in self.meta["sections"]

    def view(self, name: str) -> memoryview:
        start, length, _ = self.meta["sections"][name]
        return memoryview(self.map)[start:start + length] if self.map is not None else memoryview(b"")

    def array(self, name: str, typecode: str) -> array:
        values = array(typecode)
        if self.has(name):
            values.frombytes(self.view(name))
        return native(values)

    def text(self, name: str) -> str:
        return str(self.view(name), "utf-8") if self.has(name) else ""

    def release(self) -> None:
        """Let go of the mapped pages read so far: a checkpoint copies a year's rows through
        the mapping, and each page copied would otherwise stay in this process's memory
        until the mapping closes. They are read again, from the page cache, if needed."""
        if self.map is not None and hasattr(mmap, "MADV_DONTNEED"):
            self.map.madvise(mmap.MADV_DONTNEED)

    def close(self) -> None:
        if self.map is not None:
            try:
                self.map.close()
            except BufferError:
                pass  # a view is still in use; the mapping goes when it does
