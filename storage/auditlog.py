"""The audit trail on disk: one JSON line per entry, appended and fsynced, plus a head
file (last sequence number and hash) replaced atomically after each append."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import orjson

from desk.audit import STORE_EPOCH, STORE_SEQ
from desk.store import StoreError
from storage.files import OWNER_ONLY_FILE, atomic_write, ensure_private_dir
from storage.locks import ProcessLock, held

AUDIT_FILE = "audit.log"
HEAD_FILE = "audit.head"
LOCK_FILE = "audit.lock"
TORN_FILE = "audit.torn"  # bytes of entries a crash cut off, kept rather than deleted
LOCK_WAIT_SECONDS = 15.0
CHUNK = 65536
WITNESS_LOOKAROUND = 256  # entries read on past the newest save found: counters append out of order


def _error(path: Path, exc: OSError) -> StoreError:
    return StoreError("err.store.write", path=str(path), detail=exc.strerror or str(exc))


class FileAuditLog:
    """Opening one creates nothing: `desk audit verify` and `desk check` only read."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / AUDIT_FILE
        self.head_path = self.folder / HEAD_FILE
        self._lock = ProcessLock(self.folder / LOCK_FILE, LOCK_WAIT_SECONDS)

    def locked(self) -> AbstractContextManager[None]:
        ensure_private_dir(self.folder)
        return held(self._lock, self.path)

    def append(self, entry: dict[str, Any]) -> None:
        """Write the whole line or nothing: a short write on a full disk is cut back, so
        the next entry never lands on a partial one."""
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, OWNER_ONLY_FILE)
        except OSError as exc:
            raise _error(self.path, exc) from exc
        try:
            end = os.fstat(fd).st_size
            _write_all(fd, line, end, self.path)
        finally:
            os.close(fd)
        try:
            atomic_write(self.head_path, orjson.dumps({"seq": entry["seq"], "hash": entry["hash"]}))
        except StoreError:
            # The entry itself is on disk; a stale head only weakens the check for a cut-off
            # end until the next entry writes it, and never makes `verify` report a problem.
            pass

    def move_torn_tail_aside(self) -> int:
        """Bytes after the last newline are an entry a crash cut off. They are moved to
        `audit.torn` (never deleted) and the trail cut back; returns how many bytes."""
        try:
            with open(self.path, "rb+") as handle:
                size = handle.seek(0, os.SEEK_END)
                if size == 0:
                    return 0
                start = _last_newline_end(handle, size)
                if start == size:
                    return 0
                handle.seek(start)
                torn = handle.read()
                with open(self.folder / TORN_FILE, "ab") as aside:
                    aside.write(torn + b"\n")
                    aside.flush()
                    os.fsync(aside.fileno())
                handle.truncate(start)
                handle.flush()
                os.fsync(handle.fileno())
                return len(torn)
        except FileNotFoundError:
            return 0
        except OSError as exc:
            raise _error(self.path, exc) from exc

    def lines(self) -> Iterator[str]:
        if not self.path.exists():
            return iter(())
        raw = self.path.read_bytes()
        return iter(raw.decode("utf-8", errors="replace").splitlines())

    def head(self) -> dict[str, Any] | None:
        try:
            head = orjson.loads(self.head_path.read_bytes())
        except (FileNotFoundError, orjson.JSONDecodeError):
            return None
        return head if isinstance(head, dict) else None

    def recent_lines(self, reach: int | None = None) -> Iterator[str]:
        """Whole lines, newest first, read backwards in chunks (the trail may be long)."""
        return _backwards(self.path, reach)

    def last_line(self) -> str | None:
        return next(self.recent_lines(), None)

    def open_other(self, folder: Path) -> FileAuditLog:
        """The trail a restore moved aside, for `verify` to account for its entries."""
        return FileAuditLog(self.folder / folder)


def _write_all(fd: int, line: bytes, end: int, path: Path) -> None:
    view, pos = memoryview(line), end
    try:
        while view:
            written = os.pwrite(fd, view, pos)
            view, pos = view[written:], pos + written
        os.fsync(fd)
    except OSError as exc:
        try:
            os.ftruncate(fd, end)
            os.fsync(fd)
        except OSError:
            pass  # still a partial line: the next append moves it aside first
        raise _error(path, exc) from exc


def _last_newline_end(handle, size: int) -> int:
    """Offset just past the last newline (0 when there is none)."""
    pos = size
    while pos > 0:
        start = max(0, pos - CHUNK)
        handle.seek(start)
        chunk = handle.read(pos - start)
        found = chunk.rfind(b"\n")
        if found >= 0:
            return start + found + 1
        pos = start
    return 0


def _backwards(path: Path, reach: int | None) -> Iterator[str]:
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return
    with handle:
        pos = handle.seek(0, os.SEEK_END)
        stop = 0 if reach is None else max(0, pos - reach)
        carry = b""
        while pos > stop:
            start = max(stop, pos - CHUNK)
            handle.seek(start)
            parts = (handle.read(pos - start) + carry).split(b"\n")
            carry = b""
            if start > 0:  # the first piece may be the end of a longer line: joined next round
                carry, parts = parts[0], parts[1:]
            for part in reversed(parts):
                if part.strip():
                    yield part.decode("utf-8", errors="replace")
            pos = start


def witnessed_seq(folder: Path, epoch: str | None) -> int:
    """The highest store save number the newest audit entries of `epoch` record (of any
    epoch when None; 0 when none): every save the trail witnessed must be in the store, so
    a lost journal tail is seen. Read back from the end until such an entry is found, and
    a little further (counters append out of order), however many other entries follow."""
    best, after_found = 0, None
    for text in _backwards(Path(folder) / AUDIT_FILE, None):
        try:
            detail = orjson.loads(text).get("detail", {})
            seq, entry_epoch = detail.get(STORE_SEQ), detail.get(STORE_EPOCH)
        except (orjson.JSONDecodeError, AttributeError):
            continue
        if isinstance(seq, int) and (epoch is None or entry_epoch == epoch):
            best = max(best, seq)
            after_found = WITNESS_LOOKAROUND if after_found is None else after_found
        if after_found is not None:
            after_found -= 1
            if after_found <= 0:
                break
    return best
