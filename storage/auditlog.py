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

from desk.store import StoreError
from storage.files import OWNER_ONLY_FILE, atomic_write, ensure_private_dir
from storage.locks import ProcessLock, held

AUDIT_FILE = "audit.log"
HEAD_FILE = "audit.head"
LOCK_FILE = "audit.lock"
LOCK_WAIT_SECONDS = 15.0


class FileAuditLog:
    def __init__(self, folder: Path) -> None:
        self.folder = ensure_private_dir(Path(folder))
        self.path = self.folder / AUDIT_FILE
        self.head_path = self.folder / HEAD_FILE
        self._lock = ProcessLock(self.folder / LOCK_FILE, LOCK_WAIT_SECONDS)

    def locked(self) -> AbstractContextManager[None]:
        return held(self._lock, self.path)

    def append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, OWNER_ONLY_FILE)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise StoreError("err.store.write", path=str(self.path), detail=exc.strerror or str(exc)) from exc
        atomic_write(self.head_path, orjson.dumps({"seq": entry["seq"], "hash": entry["hash"]}))

    def lines(self) -> Iterator[str]:
        if not self.path.exists():
            return iter(())
        raw = self.path.read_bytes()
        return iter(raw.decode("utf-8", errors="replace").splitlines())

    def head(self) -> dict[str, Any] | None:
        try:
            return orjson.loads(self.head_path.read_bytes())
        except (FileNotFoundError, orjson.JSONDecodeError):
            return None

    def last_line(self) -> str | None:
        try:
            with open(self.path, "rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                handle.seek(max(0, size - 65536))
                tail = handle.read()
        except FileNotFoundError:
            return None
        lines = [line for line in tail.split(b"\n") if line.strip()]
        return lines[-1].decode("utf-8", errors="replace") if lines else None
