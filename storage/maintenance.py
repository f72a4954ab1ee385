"""Check, back up and restore a data directory.

A backup is a folder holding one consistent state: the manifest, the snapshots and
keys files it names, the journal, and the audit trail, copied while the write lock
is held. Every file is copied, never hard-linked: a backup must not share a single
byte on disk with the files it protects. Restoring never deletes: the files it replaces move to `replaced-<time>/`.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desk.store import StoreCorrupt, StoreError
from storage import journal
from storage.auditlog import AUDIT_FILE, HEAD_FILE
from storage.engine import (
    LOCK_FILE,
    LOCK_WAIT_SECONDS,
    MANIFEST,
    JournalStore,
    is_store_file,
    read_manifest,
)
from storage.files import ensure_private_dir, fsync_dir
from storage.fileset import load_snapshot
from storage.locks import ProcessLock, held

BACKUP_DIR = "backups"
DAILY_PREFIX = "daily-"


@dataclass(frozen=True)
class Finding:
    path: str
    code: str  # catalog key
    params: dict[str, Any] = field(default_factory=dict)
    fatal: bool = True


def _copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())


def _wrap(exc: OSError, path: Path) -> StoreError:
    return StoreError("err.store.write", path=str(path), detail=exc.strerror or str(exc))


def backup(store: JournalStore, root: Path, name: str) -> Path:
    """Write `root/name/` holding the store's state as of now; return that folder."""
    ensure_private_dir(root)
    target = root / name
    if target.exists():
        raise StoreError("err.backup.exists", path=str(target))
    partial = root / f".{name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    ensure_private_dir(partial)
    try:
        with store.frozen():
            for path in store.files() + _audit_files(store.data_dir):
                _copy(path, partial / path.name)
        fsync_dir(partial)
        os.replace(partial, target)
        fsync_dir(root)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise _wrap(exc, target) from exc
    return target


def _audit_files(data_dir: Path) -> list[Path]:
    return [data_dir / n for n in (AUDIT_FILE, HEAD_FILE) if (data_dir / n).exists()]


def daily(store: JournalStore, day: str, keep: int) -> Path | None:
    """The day's automatic backup, once a day; older ones beyond `keep` are removed."""
    root = store.data_dir / BACKUP_DIR
    made = None
    if not (root / f"{DAILY_PREFIX}{day}").exists():
        made = backup(store, root, f"{DAILY_PREFIX}{day}")
    dailies = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith(DAILY_PREFIX))
    for old in dailies[: max(0, len(dailies) - keep)]:
        shutil.rmtree(old, ignore_errors=True)
    return made


# -- check ---------------------------------------------------------------------------


def check(folder: Path) -> tuple[int, list[Finding]]:
    """Read every file of a data directory (or a backup) as a start would, and more.

    Returns the number of documents seen and what was found; `fatal` ones mean the
    data cannot be trusted as it is.
    """
    findings: list[Finding] = []
    try:
        manifest = read_manifest(folder / MANIFEST)
    except (StoreCorrupt, StoreError) as exc:
        return 0, [Finding(str(folder / MANIFEST), exc.code, exc.params)]
    documents = 0
    for name, gen in sorted(manifest.sets.items()):
        documents += _check_snapshot(folder / f"{name}.{gen}.json", name, findings)
        keys = folder / f"{name}.{gen}.keys.json"
        if keys.exists():
            try:
                journal.loads(keys.read_bytes())
            except (OSError, journal.DecodeError) as exc:
                findings.append(Finding(str(keys), "check.keys", {"detail": str(exc)}, fatal=False))
    documents += _check_journal(folder / f"journal.{manifest.generation}.log", findings)
    return documents, findings


def _check_snapshot(path: Path, name: str, findings: list[Finding]) -> int:
    try:
        tables = load_snapshot(path, name)
    except StoreError as exc:
        findings.append(Finding(str(path), exc.code, exc.params))
        return 0
    count = 0
    for table, docs in tables.items():
        for key, doc in docs.items():
            count += 1
            if not _well_formed(key, doc):
                findings.append(Finding(str(path), "check.document", {"table": table, "id": key}))
    return count


def _well_formed(key: str, doc: Any) -> bool:
    return (isinstance(doc, dict) and str(doc.get("id")) == key and isinstance(doc.get("rev"), int)
            and isinstance(doc.get("schema"), int))


def _check_journal(path: Path, findings: list[Finding]) -> int:
    try:
        tail = journal.read(path)
    except StoreError as exc:
        findings.append(Finding(str(path), exc.code, exc.params))
        return 0
    if tail.torn:
        findings.append(Finding(str(path), "check.torn", {"bytes": tail.torn, "at": tail.end}, fatal=False))
    count = 0
    for writes in tail.entries:
        for table, doc_id, doc in writes:
            count += 1
            if doc is not None and not _well_formed(str(doc_id), doc):
                findings.append(Finding(str(path), "check.document", {"table": table, "id": doc_id}))
    return count


# -- restore -------------------------------------------------------------------------


def restore(data_dir: Path, source: Path, stamp: str) -> Path:
    """Make `source` (a backup folder) the data directory's state.

    Refuses a backup that does not check. The files replaced are moved, not deleted,
    into `replaced-<stamp>/`, which is returned. Desks still running see the new
    manifest and read the restored state.
    """
    _, findings = check(source)
    bad = [f for f in findings if f.fatal]
    if bad:
        raise StoreError("err.restore.bad", path=str(source), detail=f"{bad[0].path}: {bad[0].code}")
    ensure_private_dir(data_dir)
    lock = ProcessLock(data_dir / LOCK_FILE, LOCK_WAIT_SECONDS)
    try:
        with held(lock, data_dir):
            return _swap_in(data_dir, source, stamp)
    finally:
        lock.close()


def _swap_in(data_dir: Path, source: Path, stamp: str) -> Path:
    aside = ensure_private_dir(data_dir / f"replaced-{stamp}")
    incoming = [p for p in source.iterdir() if p.is_file()]
    staged = ensure_private_dir(data_dir / f".restore-{stamp}")
    try:
        for path in incoming:  # copy first: a failure here leaves the data directory as it was
            _copy(path, staged / path.name)
        for path in list(data_dir.iterdir()):
            if path.is_file() and _is_state_file(path.name):
                os.replace(path, aside / path.name)
        for path in incoming:
            if path.name != MANIFEST:
                os.replace(staged / path.name, data_dir / path.name)
        os.replace(staged / MANIFEST, data_dir / MANIFEST)  # last: the commit point
        fsync_dir(data_dir)
    except OSError as exc:
        raise _wrap(exc, data_dir) from exc
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return aside


def _is_state_file(name: str) -> bool:
    return name in (MANIFEST, AUDIT_FILE, HEAD_FILE) or is_store_file(name)
