"""Writing files so that a crash or a full disk never leaves the only copy half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from desk.store import StoreError

OWNER_ONLY_DIR = 0o700
OWNER_ONLY_FILE = 0o600


def ensure_private_dir(path: Path) -> Path:
    try:
        path.mkdir(mode=OWNER_ONLY_DIR, parents=True, exist_ok=True)
        os.chmod(path, OWNER_ONLY_DIR)
    except OSError as exc:
        raise StoreError("err.store.dir", path=str(path), detail=exc.strerror or str(exc)) from exc
    return path


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":  # Windows cannot open a directory; os.replace is enough there.
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Temp file beside the target, fsync, atomic replace, fsync the directory.

    On any failure the old file is untouched and the temp file is removed.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, OWNER_ONLY_FILE)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise StoreError("err.store.write", path=str(path), detail=exc.strerror or str(exc)) from exc
