"""Check, back up, restore and repair a data directory.

A backup is a folder holding one consistent state: the manifest, the snapshots and
keys files it names, the journal, and the audit trail (with the trails earlier restores
set aside), copied while the write lock and the trail's lock are held. Every file is
copied, never hard-linked: a backup must not share a single byte on disk with the files
it protects. A backup counts only once its copy has been checked; `backup.json` in it
records that, the number of the last save and the audit trail's head.

Restoring and repairing never delete: the files they replace move to `replaced-<time>/`
or `damaged-<time>/`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from desk.audit import head_code, link, verify
from desk.store import StoreError
from storage.auditlog import AUDIT_FILE, HEAD_FILE, FileAuditLog
from storage.check import Finding, check, snapshot_file
from storage.engine import LOCK_FILE, LOCK_WAIT_SECONDS, PENDING, RESTORING, JournalStore
from storage.files import atomic_write, ensure_private_dir, existing_dir, fsync_dir
from storage.locks import ProcessLock, held
from storage.manifest import MANIFEST, Manifest, is_store_file, new_id
from storage.repair import RepairReport
from storage.repair import repair as repair_journal

__all__ = ["Finding", "RepairReport", "backup", "check", "daily", "newest_good_backup", "read_record", "repair",
           "restore"]

BACKUP_DIR = "backups"
DAILY_PREFIX = "daily-"
RECORD = "backup.json"
REPLACED_PREFIX = "replaced-"
DAMAGED_PREFIX = "damaged-"


@dataclass(frozen=True)
class BackupRecord:
    """What `backup.json` says of a backup that passed its check."""

    folder: Path
    day: str
    seq: int
    documents: int
    audit_code: str

    def age(self, today: dt.date) -> int:
        return (today - dt.date.fromisoformat(self.day)).days


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())


def _wrap(exc: OSError, path: Path) -> StoreError:
    return StoreError("err.store.write", path=str(path), detail=exc.strerror or str(exc))


# -- backup --------------------------------------------------------------------------


def _audit_files(folder: Path) -> list[Path]:
    """The trail, its head, and the trails earlier restores set aside (evidence too)."""
    names = [folder / n for n in (AUDIT_FILE, HEAD_FILE)]
    for aside in sorted(folder.glob(f"{REPLACED_PREFIX}*")):
        names += [aside / n for n in (AUDIT_FILE, HEAD_FILE)]
    return [p for p in names if p.is_file()]


def backup(store: JournalStore, root: Path, name: str) -> Path:
    """Write `root/name/` holding the store's state as of now, checked; return that folder.
    A copy that does not check is removed and the backup refused: it must never count."""
    ensure_private_dir(root)
    target = _free_name(root, name)
    partial = root / f".{target.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    ensure_private_dir(partial)
    trail = FileAuditLog(store.data_dir)
    try:
        with store.frozen(), trail.locked():
            seq = store.seq
            for path in store.files() + _audit_files(store.data_dir):
                _copy(path, partial / path.relative_to(store.data_dir))
        _certify(partial, seq, store.today())
        fsync_dir(partial)
        os.replace(partial, target)
        fsync_dir(root)
    except OSError as exc:
        raise _wrap(exc, target) from exc
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def _free_name(root: Path, name: str) -> Path:
    """`name`, or `name-2`, `name-3` ... when two backups are made within the same second."""
    target, n = root / name, 1
    while target.exists() or (root / f".{target.name}.partial").exists():
        n += 1
        target = root / f"{name}-{n}"
    return target


def trouble(folder: Path) -> tuple[int, Finding | None]:
    """(documents, the first thing that makes a backup folder untrustworthy, or None): its
    files and its audit trail, checked as `desk check` does."""
    count, findings = check(folder)
    bad = [f for f in findings if f.fatal]
    if bad:
        return count, bad[0]
    trail = FileAuditLog(folder)
    _, problems = verify(trail.lines(), trail.head(), trail.open_other)
    if problems:
        return count, Finding(str(folder / AUDIT_FILE), problems[0].code, problems[0].params)
    return count, None


def cause(finding: Finding) -> dict[str, Any]:
    """A finding as the params of a refusal: the file, and what is wrong with it as a catalog
    key (`detail`) with its own params, the most precise one there is."""
    inner = {k: v for k, v in finding.params.items() if k not in ("path", "detail")}
    detail = finding.params.get("detail") if finding.code == "err.store.corrupt" else finding.code
    return {**inner, "file": finding.path, "detail": detail or finding.code}


def _certify(folder: Path, seq: int, today: dt.date) -> None:
    count, bad = trouble(folder)
    if bad is not None:
        raise StoreError("err.backup.bad", path=str(folder), **cause(bad))
    trail = FileAuditLog(folder)
    head_seq, head_hash = link(trail)
    record = {"day": today.isoformat(), "seq": seq, "documents": count,
              "audit_head": {"seq": head_seq, "hash": head_hash} if head_seq else None,
              "audit_code": head_code(head_seq, head_hash) if head_seq else ""}
    atomic_write(folder / RECORD, orjson.dumps(record))


def read_record(folder: Path) -> BackupRecord | None:
    """The record of a backup that passed its check, or None (made before backups were
    checked, or not a backup at all)."""
    try:
        data = orjson.loads((folder / RECORD).read_bytes())
        return BackupRecord(folder, str(data["day"]), int(data["seq"]), int(data["documents"]),
                            str(data.get("audit_code", "")))
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


def newest_good_backup(data_dir: Path) -> BackupRecord | None:
    """The newest backup that passed its check when made and still passes it now: a record
    alone is not trusted (a file of it may have been lost since)."""
    root = data_dir / BACKUP_DIR
    if not root.is_dir():
        return None
    records = [r for r in map(read_record, root.iterdir()) if r is not None]
    for record in sorted(records, key=lambda r: (r.day, r.folder.name), reverse=True):
        if trouble(record.folder)[1] is None:
            return record
    return None


def daily(store: JournalStore, day: str, keep: int) -> Path | None:
    """The day's automatic backup, once a day. Older ones beyond `keep` are removed, but
    never the newest one that passed its check: a run of failed days cannot rotate away
    the last good copy."""
    root = store.data_dir / BACKUP_DIR
    made = None
    if not (root / f"{DAILY_PREFIX}{day}").exists():
        made = backup(store, root, f"{DAILY_PREFIX}{day}")
    dailies = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith(DAILY_PREFIX))
    newest = newest_good_backup(store.data_dir)
    kept = set(dailies[-keep:]) | ({newest.folder} if newest else set())
    for old in dailies:
        if old not in kept:
            shutil.rmtree(old, ignore_errors=True)
    return made


# -- restore -------------------------------------------------------------------------


def _state_files(source: Path) -> list[Path]:
    """What a restore takes from a backup: the manifest, the files it names, its journal and
    the audit trail. Never lock files, or anything else that happens to lie there."""
    manifest = Manifest.read(source / MANIFEST)
    names = [MANIFEST, f"journal.{manifest.generation}.log"]
    for name in manifest.sets:
        names += [snapshot_file(source, manifest, name).name, f"{name}.{manifest.gen(name)}.keys.json"]
    return [p for p in (source / n for n in names) if p.is_file()] + _audit_files(source)


RestoreNote = Callable[[str, tuple[int, str] | None], None]


def restore(data_dir: Path, source: Path, stamp: str, audit: FileAuditLog, note: RestoreNote) -> Path:
    """Make `source` (a backup folder) the data directory's state.

    Refuses a backup that does not check, and the data directory itself. Holds the
    store's lock and the trail's lock throughout, so no desk writes midway; desks left
    open see the new manifest and reload. The files replaced are moved, not deleted,
    into `replaced-<stamp>/`, which is returned. `note(aside, replaced_head)` is called
    with both locks held, to write the restore's audit entry after the replaced trail.
    """
    if source.resolve() == data_dir.resolve():
        raise StoreError("err.restore.same", path=str(source))
    _, bad = trouble(source)
    if bad is not None:
        raise StoreError("err.restore.bad", path=str(source), **cause(bad))
    ensure_private_dir(data_dir)
    lock = ProcessLock(data_dir / LOCK_FILE, LOCK_WAIT_SECONDS)
    try:
        with held(lock, data_dir), audit.locked():
            marker = data_dir / RESTORING  # until the end, the folder says what it is in the middle of
            atomic_write(marker, str(source).encode("utf-8"))
            aside = _swap_in(data_dir, source, stamp)
            replaced = link(FileAuditLog(aside))
            note(aside.name, replaced if replaced[0] else None)
            marker.unlink()
            fsync_dir(data_dir)
            return aside
    finally:
        lock.close()


def _swap_in(data_dir: Path, source: Path, stamp: str) -> Path:
    aside = ensure_private_dir(data_dir / f"{REPLACED_PREFIX}{stamp}")
    incoming = [p.relative_to(source) for p in _state_files(source)]
    incoming = [r for r in incoming if len(r.parts) == 1 or not (data_dir / r).exists()]  # earlier asides stay
    staged = ensure_private_dir(data_dir / f".restore-{stamp}")
    try:
        for rel in incoming:  # copy first: a failure here leaves the data directory as it was
            _copy(source / rel, staged / rel)
        for path in list(data_dir.iterdir()):
            if path.is_file() and _is_state_file(path.name):
                os.replace(path, aside / path.name)
        for rel in incoming:
            if rel.name != MANIFEST:
                (data_dir / rel).parent.mkdir(mode=0o700, exist_ok=True)
                os.replace(staged / rel, data_dir / rel)
        # Last, the commit point: the backup's manifest as a new epoch of this hall, so that the
        # audit entries of saves made before the restore never count against the restored data.
        restored = Manifest.read(staged / MANIFEST)
        restored.uid, restored.after, restored.epoch, restored.witnessed = new_id(), "", new_id(), 0
        atomic_write(data_dir / MANIFEST, restored.to_bytes())
        fsync_dir(data_dir)
    except OSError as exc:
        raise _wrap(exc, data_dir) from exc
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return aside


def _is_state_file(name: str) -> bool:
    return name in (MANIFEST, AUDIT_FILE, HEAD_FILE, PENDING) or is_store_file(name)


# -- repair --------------------------------------------------------------------------


def repair(data_dir: Path, stamp: str, today: Callable[[], dt.date]) -> RepairReport:
    """An administrator's explicit repair of journal damage; see `storage.repair`.
    Manifest or snapshot damage is refused: only a restore brings those back."""
    _, findings = check(existing_dir(data_dir))
    unrepairable = [f for f in findings if f.fatal and not Path(f.path).name.startswith("journal.")]
    if unrepairable:
        raise StoreError("err.repair.restore", path=unrepairable[0].path)
    return repair_journal(data_dir, data_dir / f"{DAMAGED_PREFIX}{stamp}", today=today)
