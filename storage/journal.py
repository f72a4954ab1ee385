"""The append-only journal: one self-checking line per transaction.

A line is `<crc32, 8 hex digits> <body>\\n`, the body being the JSON of
`{"s": seq, "w": [[table, id, document or null], ...]}`. `seq` numbers every save of
the store, one after another across journal generations, so a missing or repeated line
is seen; the CRC-32 of each line starts from the CRC of the line before (the first from
the generation's seed in the manifest), so a line or a whole journal from elsewhere is
seen too. JSON never holds a raw newline, so a line is one write and one fsync.

Bytes after the last newline are a torn write (the save never returned): they are
dropped. A line that ends in a newline but does not check, or whose number is not the
next one, is damage: it is reported with the file and byte position, never dropped.
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


def encode(seq: int, writes: list[Write], chain: int) -> bytes:
    """One line. Its CRC-32 starts from `chain`, the CRC written on the line before (the
    generation's seed for the first), so a line from another journal or another hall does
    not check even when whole."""
    body = dumps({"s": seq, "w": writes})
    return b"%08x " % zlib.crc32(body, chain) + body + b"\n"


def crc_of(line: bytes) -> int:
    """The CRC a line carries (what the next line's chain starts from)."""
    return int(line[:8], 16)


Entry = tuple[int | None, list[Write]]  # (seq, writes); seq None on lines of the first release


def _decode(line: bytes, chain: int | None) -> Entry | None:
    """The seq and writes of one whole line, or None when it does not check. `chain` None:
    a line of the first release, checked alone and carrying no save number."""
    if len(line) < 10 or line[8:9] != b" ":
        return None
    body = line[9:]
    try:
        if crc_of(line) != zlib.crc32(body, chain or 0):
            return None
        payload = loads(body)
    except (ValueError, DecodeError):
        return None
    writes = payload.get("w") if isinstance(payload, dict) else None
    seq = payload.get("s") if isinstance(payload, dict) else None
    if not isinstance(writes, list) or (seq is None) != (chain is None) or not (seq is None or isinstance(seq, int)):
        return None
    try:
        return seq, [(str(t), int(i), d) for t, i, d in writes]
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Tail:
    """What reading from an offset found."""

    entries: list[Entry]
    end: int  # offset just past the last good line
    torn: int  # bytes after `end` with no newline yet: a torn write, or one still under way
    chain: int | None  # the CRC of the last good line (where the next one starts from)


def read(path: Path, offset: int = 0, after: int | None = None, chain: int | None = None) -> Tail:
    """Whole lines from `offset`. `after` is the seq of the save before them and `chain` the
    CRC the next line starts from; each line must check and carry the next number. Both
    None: lines of the first release, which have neither.

    Raises StoreCorrupt for a complete line that does not check or is out of sequence."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except FileNotFoundError:
        return Tail([], offset, 0, chain)
    except OSError as exc:
        raise StoreError("err.store.read", path=str(path), detail=exc.strerror or str(exc)) from exc
    entries: list[Entry] = []
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        if nl < 0:
            break  # no newline yet: torn, or still being written by another counter
        entry = _decode(data[pos:nl], chain)
        if entry is None:
            raise StoreCorrupt(path, "damage.bad_line", at=offset + pos)
        seq = entry[0]
        if after is not None and seq != after + 1:
            raise StoreCorrupt(path, "damage.out_of_sequence", at=offset + pos, seq=seq, expected=after + 1)
        after = seq if after is not None else None
        chain = crc_of(data[pos:nl]) if chain is not None else None
        entries.append(entry)
        pos = nl + 1
    return Tail(entries, offset + pos, len(data) - pos, chain)


class Journal:
    """The file of one generation. Appends only while the write lock is held; the
    descriptor stays open, so a save costs one write and one fdatasync."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def on_disk(self) -> tuple[int, int] | None:
        """(inode, size) of the file at the journal's path; None when there is none."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        return info.st_ino, info.st_size

    def size(self) -> int:
        found = self.on_disk()
        return found[1] if found else 0

    def inode(self) -> int | None:
        """The inode this process writes to (None before its first write)."""
        return os.fstat(self._fd).st_ino if self._fd is not None else None

    def _writer(self) -> int:
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, OWNER_ONLY_FILE)
            except OSError as exc:
                raise StoreError("err.store.write", path=str(self.path), detail=exc.strerror or str(exc)) from exc
        return self._fd

    def append(self, line: bytes, at: int) -> int:
        """Write `line` at offset `at` (the end as this process knows it) and sync it.

        On failure the file is cut back to `at`, so a half line never stays behind a
        later good one, and the save is truly not made. When even the cut fails, whether
        the line will be read back is unknown, and the error says so. Returns the new end.
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
            code = "err.store.write" if _cut(fd, at) else "err.store.uncertain"
            raise StoreError(code, path=str(self.path), detail=exc.strerror or str(exc)) from exc
        return at + len(line)

    def cut(self, at: int) -> None:
        """Drop a torn tail (only ever with the write lock held)."""
        _cut(self._writer(), at)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def salvage(path: Path, after: int, seed: int) -> tuple[list[Entry], list[int]]:
    """For an explicit repair: every line that still checks, numbered after `after`, in
    order; and the byte positions of the lines that do not. A line is checked against the
    CRC the line before it carries, so one damaged line does not condemn the ones after
    it. Nothing is written."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], []
    entries: list[Entry] = []
    bad: list[int] = []
    pos, chain = 0, seed
    while (nl := data.find(b"\n", pos)) >= 0:
        line = data[pos:nl]
        entry = _decode(line, chain)
        if entry is None:
            bad.append(pos)
        elif entry[0] > (entries[-1][0] if entries else after):
            entries.append(entry)
        try:
            chain = crc_of(line)
        except ValueError:
            pass  # the CRC itself is damaged: the next line is judged against the last good one
        pos = nl + 1
    return entries, bad


# fdatasync also writes the new file size (what reading the data needs) and skips
# the rest of the metadata, as sqlite does; where it does not exist, fsync.
_sync = getattr(os, "fdatasync", os.fsync)


def _write_at(fd: int, data: memoryview, pos: int) -> int:
    if hasattr(os, "pwrite"):
        return os.pwrite(fd, data, pos)
    os.lseek(fd, pos, os.SEEK_SET)  # pragma: no cover - Windows has no pwrite
    return os.write(fd, data)


def _cut(fd: int, at: int) -> bool:
    try:
        os.ftruncate(fd, at)
        _sync(fd)
        return True
    except OSError:
        return False
