"""The append-only journal: one self-checking line per transaction.

A line is `<crc32 of the body, 8 hex digits> <body>\\n`, the body being the JSON of
`{"w": [[table, id, document or null], ...]}`. JSON never holds a raw newline, so a
line is one write and one fsync. Reading stops at the first line that is not whole:
a bad last line is a torn write (the save never returned) and is dropped; a bad line
with good lines after it is damage, reported with the file and byte position.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import orjson

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value)

    loads = orjson.loads
    DecodeError: type[Exception] = orjson.JSONDecodeError
except ImportError:  # pragma: no cover - the stdlib is slower but reads and writes the same files
    import json

    def dumps(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    loads = json.loads
    DecodeError = ValueError

from desk.store import StoreCorrupt, StoreError  # noqa: E402
from storage.files import OWNER_ONLY_FILE  # noqa: E402

Write = tuple[str, int, dict[str, Any] | None]


def encode(writes: list[Write]) -> bytes:
    body = dumps({"w": writes})
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def _decode(line: bytes) -> list[Write] | None:
    """The writes of one whole line, or None when the line does not check."""
    if len(line) < 10 or line[8:9] != b" ":
        return None
    body = line[9:]
    try:
        if int(line[:8], 16) != zlib.crc32(body):
            return None
        payload = loads(body)
    except (ValueError, DecodeError):
        return None
    writes = payload.get("w") if isinstance(payload, dict) else None
    if not isinstance(writes, list):
        return None
    return [(str(t), int(i), d) for t, i, d in writes]


@dataclass(frozen=True)
class Tail:
    """What reading from an offset found."""

    entries: list[list[Write]]
    end: int  # offset just past the last good line
    torn: int  # bytes after `end` that do not form a good line (0 when clean)


def read(path: Path, offset: int = 0) -> Tail:
    """Good lines from `offset`. Raises StoreCorrupt for a bad line followed by good ones."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except FileNotFoundError:
        return Tail([], offset, 0)
    except OSError as exc:
        raise StoreError("err.store.read", path=str(path), detail=exc.strerror or str(exc)) from exc
    entries: list[list[Write]] = []
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        if nl < 0:
            break  # no newline yet: torn, or still being written by another counter
        writes = _decode(data[pos:nl])
        if writes is None:
            if data.find(b"\n", nl + 1) >= 0 or _has_good_line(data[nl + 1:]):
                raise StoreCorrupt(path, f"bad journal line at byte {offset + pos}")
            break
        entries.append(writes)
        pos = nl + 1
    return Tail(entries, offset + pos, len(data) - pos)


def _has_good_line(rest: bytes) -> bool:
    return bool(rest.strip(b"\0 \n"))


class Journal:
    """The file of one generation. Appends only while the write lock is held; the
    descriptor stays open, so a save costs one write and one fdatasync."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def size(self) -> int:
        try:
            return os.fstat(self._fd).st_size if self._fd is not None else self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def tail(self, offset: int) -> Tail:
        """Lines past `offset`; a stat, not a read, when nothing was appended."""
        if self.size() == offset:
            return Tail([], offset, 0)
        return read(self.path, offset)

    def _writer(self) -> int:
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, OWNER_ONLY_FILE)
            except OSError as exc:
                raise StoreError("err.store.write", path=str(self.path), detail=exc.strerror or str(exc)) from exc
        return self._fd

    def append(self, line: bytes, at: int) -> int:
        """Write `line` at offset `at` (the end as this process knows it) and sync it.

        On failure the file is cut back to `at`, so a half line never stays behind
        a later good one. Returns the new end.
        """
        fd = self._writer()
        try:
            view = memoryview(line)
            pos = at
            while view:
                written = _write_at(fd, view, pos)
                view, pos = view[written:], pos + written
            _sync(fd)
        except OSError as exc:
            _cut(fd, at)
            raise StoreError("err.store.write", path=str(self.path), detail=exc.strerror or str(exc)) from exc
        return at + len(line)

    def cut(self, at: int) -> None:
        """Drop a torn tail (only ever with the write lock held)."""
        _cut(self._writer(), at)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


# fdatasync also writes the new file size (what reading the data needs) and skips
# the rest of the metadata, as sqlite does; where it does not exist, fsync.
_sync = getattr(os, "fdatasync", os.fsync)


def _write_at(fd: int, data: memoryview, pos: int) -> int:
    if hasattr(os, "pwrite"):
        return os.pwrite(fd, data, pos)
    os.lseek(fd, pos, os.SEEK_SET)  # pragma: no cover - Windows has no pwrite
    return os.write(fd, data)


def _cut(fd: int, at: int) -> None:
    try:
        os.ftruncate(fd, at)
        _sync(fd)
    except OSError:
        pass  # the next open drops the torn tail instead
