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


def fsync_dir(path: Path) -> None:
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
        fsync_dir(path.parent)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise StoreError("err.store.write", path=str(path), detail=exc.strerror or str(exc)) from exc


# File systems where fsync and locks cannot be trusted to reach the disk in order.
_NETWORK_FS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "davfs",
               "fuse.sshfs", "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse", "lustre"}


def filesystem_type(path: Path, mounts: Path = Path("/proc/mounts")) -> str | None:
    """The type of the file system holding `path`, where the OS tells it (Linux)."""
    try:
        lines = mounts.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    target = str(path.resolve())
    best, kind = "", None
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def ensure_local(path: Path, mounts: Path = Path("/proc/mounts")) -> None:
    """Refuse a data directory on a network share: locks and fsync there do not hold."""
    if os.name == "nt" and str(path.resolve()).startswith("\\\\"):
        raise StoreError("err.store.network", path=str(path), kind="UNC")
    kind = filesystem_type(path, mounts)
    if kind in _NETWORK_FS:
        raise StoreError("err.store.network", path=str(path), kind=kind)
