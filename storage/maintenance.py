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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from desk.audit import head_code, link, verify
from desk.store import StoreCorrupt, StoreError
from storage import journal
from storage.auditlog import AUDIT_FILE, HEAD_FILE, FileAuditLog, witnessed_seq
from storage.engine import (
    LOCK_FILE,
    LOCK_WAIT_SECONDS,
    MANIFEST,
    JournalStore,
    RepairReport,
    file_generation,
    is_store_file,
    read_manifest,
)
from storage.engine import repair as repair_journal
from storage.files import atomic_write, ensure_private_dir, existing_dir, fsync_dir
from storage.fileset import load_keys, load_snapshot
from storage.locks import ProcessLock, held
from storage.rows import BaseRows
from storage.snapshot import Snapshot, is_snapshot

BACKUP_DIR = "backups"
DAILY_PREFIX = "daily-"
RECORD = "backup.json"
REPLACED_PREFIX = "replaced-"
DAMAGED_PREFIX = "damaged-"


@dataclass(frozen=True)
class Finding:
    path: str
    code: str  # catalog key
    params: dict[str, Any] = field(default_factory=dict)
    fatal: bool = True


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
    target = root / name
    if target.exists():
        raise StoreError("err.backup.exists", path=str(target))
    partial = root / f".{name}.partial"
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


def _certify(folder: Path, seq: int, today: dt.date) -> None:
    count, findings = check(folder)
    trail = FileAuditLog(folder)
    _, problems = verify(trail.lines(), trail.head(), trail.open_other)
    bad = [f for f in findings if f.fatal]
    if bad or problems:
        where = bad[0].path if bad else str(folder / AUDIT_FILE)
        raise StoreError("err.backup.bad", path=where, detail=bad[0].code if bad else problems[0].code)
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
    root = data_dir / BACKUP_DIR
    if not root.is_dir():
        return None
    records = [r for r in map(read_record, root.iterdir()) if r is not None]
    return max(records, key=lambda r: (r.day, r.folder.name), default=None)


def daily(store: JournalStore, day: str, keep: int) -> Path | None:
    """The day's automatic backup, once a day. Older ones beyond `keep` are removed, but
    never the newest one that passed its check: a run of failed days cannot rotate away
    the last good copy."""
    root = store.data_dir / BACKUP_DIR
    made = None
    if not (root / f"{DAILY_PREFIX}{day}").exists():
        made = backup(store, root, f"{DAILY_PREFIX}{day}")
    dailies = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith(DAILY_PREFIX))
    good = [p for p in dailies if read_record(p) is not None]
    kept = set(dailies[-keep:]) | set(good[-1:])
    for old in dailies:
        if old not in kept:
            shutil.rmtree(old, ignore_errors=True)
    return made


# -- check ---------------------------------------------------------------------------


def check(folder: Path) -> tuple[int, list[Finding]]:
    """Read every file of a data directory (or a backup) as a start would, and more.

    Returns the number of documents seen and what was found; `fatal` ones mean the
    data cannot be trusted as it is. Nothing is created or changed.
    """
    try:
        existing_dir(folder)
        manifest = read_manifest(folder / MANIFEST)
    except (StoreCorrupt, StoreError) as exc:
        return 0, [Finding(str(folder / MANIFEST), exc.code, exc.params)]
    findings: list[Finding] = []
    if manifest.seq is None:
        findings.append(Finding(str(folder / MANIFEST), "check.old_format", fatal=False))
    documents = 0
    for name, gen in sorted(manifest.sets.items()):
        documents += _check_snapshot(snapshot_file(folder, name, gen), name, findings)
        _check_keys(folder / f"{name}.{gen}.keys.json", findings)
    documents += _check_journal(folder, manifest, findings)
    _check_later_files(folder, manifest.generation, findings)
    return documents, findings


def snapshot_file(folder: Path, name: str, gen: int) -> Path:
    """A set's snapshot: `.snap` (this format), or `.json` written by an earlier release."""
    snap = folder / f"{name}.{gen}.snap"
    return snap if snap.exists() or not (folder / f"{name}.{gen}.json").exists() else folder / f"{name}.{gen}.json"


def _snapshot_docs(path: Path, name: str) -> Iterator[tuple[str, str, Any]]:
    """(table, id, document) of every row, decoding each one; StoreError if it cannot be read."""
    if not is_snapshot(path):
        for table, docs in load_snapshot(path, name).items():
            for key, doc in docs.items():
                yield table, key, doc
        return
    snapshot = Snapshot(path, name)
    try:
        for table in snapshot.meta.get("tables", []):
            rows = BaseRows(snapshot, table)
            if list(rows.ids) != sorted(set(rows.ids)):
                raise StoreCorrupt(path, f"table {table}: ids out of order")
            for n, doc_id in enumerate(rows.ids):
                try:
                    yield table, str(doc_id), journal.loads(rows.raw(n))
                except journal.DecodeError:
                    yield table, str(doc_id), None
    finally:
        snapshot.close()


def _check_snapshot(path: Path, name: str, findings: list[Finding]) -> int:
    count = 0
    try:
        for table, key, doc in _snapshot_docs(path, name):
            count += 1
            if not _well_formed(key, doc):
                findings.append(Finding(str(path), "check.document", {"table": table, "id": key}))
    except StoreError as exc:
        findings.append(Finding(str(path), exc.code, exc.params))
    return count


def _check_keys(path: Path, findings: list[Finding]) -> None:
    if not path.exists():
        return
    try:
        load_keys(path)
    except StoreError as exc:
        findings.append(Finding(str(path), "check.keys", {"detail": exc.params.get("detail", exc.code)}, fatal=False))


def _well_formed(key: str, doc: Any) -> bool:
    return (isinstance(doc, dict) and str(doc.get("id")) == key and isinstance(doc.get("rev"), int)
            and isinstance(doc.get("schema"), int))


def _check_journal(folder: Path, manifest: Any, findings: list[Finding]) -> int:
    path = folder / f"journal.{manifest.generation}.log"
    try:
        tail = journal.read(path, 0, manifest.seq)
    except StoreError as exc:
        findings.append(Finding(str(path), exc.code, exc.params))
        return 0
    if tail.torn:
        findings.append(Finding(str(path), "check.torn", {"bytes": tail.torn, "at": tail.end}, fatal=False))
    count = 0
    for _seq, writes in tail.entries:
        for table, doc_id, doc in writes:
            count += 1
            if doc is not None and not _well_formed(str(doc_id), doc):
                findings.append(Finding(str(path), "check.document", {"table": table, "id": doc_id}))
    if manifest.seq is not None:
        last = tail.entries[-1][0] if tail.entries else manifest.seq
        witnessed = witnessed_seq(folder)
        if witnessed > last:
            findings.append(Finding(str(path), "check.missing_saves",
                                    {"first": last + 1, "last": witnessed, "present": path.exists()}))
    return count


def _check_later_files(folder: Path, generation: int, findings: list[Finding]) -> None:
    """Store files of a generation the manifest has not reached: left by a checkpoint that
    never committed, or a sign the manifest was replaced by an older one."""
    for path in sorted(folder.iterdir()):
        found = file_generation(path.name)
        if found is not None and found > generation:
            findings.append(Finding(str(path), "check.later_file", {"generation": generation}, fatal=False))


# -- restore -------------------------------------------------------------------------


def _state_files(source: Path) -> list[Path]:
    """What a restore takes from a backup: the manifest, the files it names, its journal and
    the audit trail. Never lock files, or anything else that happens to lie there."""
    manifest = read_manifest(source / MANIFEST)
    names = [MANIFEST, f"journal.{manifest.generation}.log"]
    for name, gen in manifest.sets.items():
        names += [snapshot_file(source, name, gen).name, f"{name}.{gen}.keys.json"]
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
    count, findings = check(source)
    bad = [f for f in findings if f.fatal]
    trail = FileAuditLog(source)
    _, problems = verify(trail.lines(), trail.head(), trail.open_other)
    if bad or problems:
        detail = f"{bad[0].path}: {bad[0].code}" if bad else f"{AUDIT_FILE}: {problems[0].code}"
        raise StoreError("err.restore.bad", path=str(source), detail=detail)
    ensure_private_dir(data_dir)
    lock = ProcessLock(data_dir / LOCK_FILE, LOCK_WAIT_SECONDS)
    try:
        with held(lock, data_dir), audit.locked():
            aside = _swap_in(data_dir, source, stamp)
            replaced = link(FileAuditLog(aside))
            note(aside.name, replaced if replaced[0] else None)
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
        os.replace(staged / MANIFEST, data_dir / MANIFEST)  # last: the commit point
        fsync_dir(data_dir)
    except OSError as exc:
        raise _wrap(exc, data_dir) from exc
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return aside


def _is_state_file(name: str) -> bool:
    return name in (MANIFEST, AUDIT_FILE, HEAD_FILE) or is_store_file(name)


# -- repair --------------------------------------------------------------------------


def repair(data_dir: Path, stamp: str, today: Callable[[], dt.date]) -> RepairReport:
    """An administrator's explicit repair of journal damage; see `storage.engine.repair`.
    Manifest or snapshot damage is refused: only a restore brings those back."""
    _, findings = check(existing_dir(data_dir))
    unrepairable = [f for f in findings if f.fatal and not Path(f.path).name.startswith("journal.")]
    if unrepairable:
        raise StoreError("err.repair.restore", path=unrepairable[0].path)
    return repair_journal(data_dir, data_dir / f"{DAMAGED_PREFIX}{stamp}", today=today)
