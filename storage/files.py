"""Writing files so that a crash or a full disk never leaves the only copy half-written,
and the folders those files live in: local, private, and never someone else's."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from desk.store import StoreError

OWNER_ONLY_DIR = 0o700
OWNER_ONLY_FILE = 0o600
TEMP_SUFFIX = ".tmp"


def _error(code: str, path: Path, exc: OSError | None = None, **params: str) -> StoreError:
    detail = (exc.strerror or str(exc)) if exc is not None else ""
    return StoreError(code, path=str(path), detail=detail, **params)


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(path.anchor or ".")


def folder_problem(path: Path) -> StoreError | None:
    """Why a folder may not hold the data: somebody else's, or one anybody may write in,
    can hold planted files. Refused rather than tightened, so that the admin decides."""
    try:
        info = path.stat()
    except OSError as exc:
        return _error("err.store.dir", path, exc)
    if not stat.S_ISDIR(info.st_mode):
        return _error("err.store.not_dir", path)
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        return _error("err.store.foreign", path, owner=str(info.st_uid))
    if info.st_mode & stat.S_IWOTH:
        return _error("err.store.world_writable", path, mode=f"{stat.S_IMODE(info.st_mode):o}")
    return None


def _check_owner(path: Path) -> None:
    problem = folder_problem(path)
    if problem is not None:
        raise problem


def _make_dirs(path: Path) -> None:
    """Every missing level owner-only: mkdir(parents=True) would give parents the umask's mode."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for level in reversed(missing):
        try:
            level.mkdir(mode=OWNER_ONLY_DIR)
        except FileExistsError:
            pass  # made by another counter meanwhile


def ensure_private_dir(path: Path) -> Path:
    """A data folder to write in: on a local disk, created owner-only where missing,
    refused where somebody else owns it or anybody may write in it. The files in it are
    owner-only whatever the folder's mode."""
    if not str(path):
        raise _error("err.store.dir_empty", path)
    ensure_local(_nearest_existing(path))
    try:
        _make_dirs(path)
        _check_owner(path)  # an existing folder is refused or used as it is, never chmodded:
        # `--data /home` run as root must not lock the system's folders down
    except OSError as exc:
        raise _error("err.store.dir", path, exc) from exc
    return path


def existing_dir(path: Path) -> Path:
    """A folder to read only (`desk check`, `desk audit verify`): nothing is created or changed."""
    if not str(path):
        raise _error("err.store.dir_empty", path)
    if not path.is_dir():
        raise _error("err.store.no_dir", path)
    return path


def fsync_dir(path: Path) -> None:
    if os.name != "posix":  # Windows cannot open a directory; os.replace is enough there.
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_prefix(path: Path) -> str:
    return f".{path.name}."


def atomic_write(path: Path, data: bytes) -> None:
    """Temp file beside the target, fsync, atomic replace, fsync the directory.

    On any failure the old file is untouched and the temp file is removed.
    """
    atomic_write_with(path, lambda handle: handle.write(data))


def atomic_write_with(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """`atomic_write` for content streamed by `write(handle)`, so a large file is never
    held whole in memory."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise _error("err.store.write", path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, OWNER_ONLY_FILE)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException as exc:  # whatever stopped it, no temp file stays behind
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise _error("err.store.write", path, exc) from exc
        raise


def sweep_temp_files(folder: Path, target: Callable[[str], bool], min_age: float = 0.0) -> list[str]:
    """Remove temp files that `atomic_write` left when its process was killed. Only those
    whose target `target` accepts, and at least `min_age` seconds old (a live write takes
    milliseconds). Returns the names removed."""
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(".") and name.endswith(TEMP_SUFFIX) and entry.is_file(follow_symlinks=False)):
            continue
        stem = name[1:-len(TEMP_SUFFIX)].rsplit(".", 1)[0]  # ".<target>.<random>.tmp" -> "<target>"
        try:
            if target(stem) and now - entry.stat().st_mtime >= min_age:
                os.unlink(entry.path)
                removed.append(name)
        except OSError:
            pass  # gone already, or not ours to remove: left for the next sweep
    return removed


def sweep_temp_dirs(folder: Path, prefix: str, min_age: float, suffix: str = "") -> list[str]:
    """Remove folders a killed backup or restore left (`.name.partial`, `.restore-...`):
    copies, never the only one of anything. Only those at least `min_age` seconds old."""
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if entry.name.startswith(prefix) and entry.name.endswith(suffix) and entry.is_dir(follow_symlinks=False):
            try:
                if now - entry.stat(follow_symlinks=False).st_mtime >= min_age:
                    shutil.rmtree(entry.path)
                    removed.append(entry.name)
            except OSError:
                pass
    return removed


# File systems on a local disk, where fsync and locks do what they promise. Anything else
# (NFS, SMB, a GNOME gvfs mount, sshfs, /proc ...) is refused: an allow-list, because new
# network file systems keep appearing and a deny-list misses them.
LOCAL_FS = frozenset({
    "ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "jfs", "reiserfs", "zfs", "bcachefs", "nilfs2",
    "vfat", "exfat", "ntfs", "ntfs3", "fuseblk", "hfsplus", "apfs", "ufs", "overlay", "tmpfs",
})


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


def _windows_remote(path: Path) -> bool:  # pragma: no cover - Windows counters only
    import ctypes

    root = os.path.splitdrive(str(path.resolve()))[0] + "\\"
    return str(path.resolve()).startswith("\\\\") or ctypes.windll.kernel32.GetDriveTypeW(root) == 4


def ensure_local(path: Path, mounts: Path = Path("/proc/mounts")) -> None:
    """Refuse a data folder that is not on a local disk: locks and fsync there do not hold."""
    if os.name == "nt":  # pragma: no cover
        if _windows_remote(path):
            raise StoreError("err.store.network", path=str(path), kind="remote")
        return
    kind = filesystem_type(path, mounts)
    if kind is None and mounts.exists():
        kind = "?"  # the OS lists its mounts but not this one: do not guess
    if kind is not None and kind not in LOCAL_FS:
        raise StoreError("err.store.network", path=str(path), kind=kind)
