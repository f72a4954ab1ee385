"""Drafts: one small JSON file per key, replaced atomically on every save."""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from desk.store import Doc
from storage.files import atomic_write, ensure_private_dir


class FileDraftBox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        safe = re.sub(r"[^\w.-]", "_", key)
        return self.folder / f"{safe}.json"

    def save(self, key: str, draft: Doc) -> None:
        ensure_private_dir(self.folder)
        atomic_write(self._path(key), orjson.dumps(draft))

    def load(self, key: str) -> Doc | None:
        try:
            data = orjson.loads(self._path(key).read_bytes())
        except (FileNotFoundError, orjson.JSONDecodeError):
            # A draft is a convenience: an unreadable one is no reason to stop the desk.
            return None
        return data if isinstance(data, dict) else None

    def discard(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
