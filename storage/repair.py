"""An administrator's explicit repair of a damaged journal.

The journal is copied aside (never deleted, never moved first: a repair killed midway
leaves it where it was), every line that still checks is kept, a line the damage took is
replaced by an empty one that says so (the numbering stays whole), and the saves up to
the last one the audit trail witnessed are accounted for. A checkpoint then folds it, so
the store opens again. A damaged manifest or snapshot is not repaired here: that needs a
restore from a backup.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desk.store import StoreCorrupt, StoreError
from storage import journal
from storage.auditlog import witnessed_seq
from storage.engine import LOCK_FILE, LOCK_WAIT_SECONDS, JournalStore
from storage.files import atomic_write, ensure_private_dir
from storage.locks import ProcessLock, held
from storage.manifest import MANIFEST, Manifest


@dataclass
class RepairReport:
    """What a repair did: the journal it copied aside, the saves it kept, and the save
    numbers that are not in the store (the damage took them, or they were never there)."""

    moved: list[str] = field(default_factory=list)
    kept: int = 0
    lost: list[int] = field(default_factory=list)
    bad_lines: list[int] = field(default_factory=list)
    needed: bool = True
    epoch: str = ""  # the store's: which audit entries tell of the lost saves


def repair(data_dir: Path, aside: Path, *, today: Callable[[], dt.date]) -> RepairReport:
    data_dir = Path(data_dir)
    lock = ProcessLock(data_dir / LOCK_FILE, LOCK_WAIT_SECONDS)
    try:
        with held(lock, data_dir):
            return _repair_locked(data_dir, aside, today, lock)
    finally:
        lock.close()


def _intact(path: Path, manifest: Manifest, witnessed: int) -> bool:
    try:
        tail = journal.read(path, 0, manifest.seq, manifest.chain_seed())
    except StoreError:
        return False
    last = tail.entries[-1][0] if tail.entries else manifest.seq
    return last >= witnessed


def _repair_locked(data_dir: Path, aside: Path, today: Callable[[], dt.date], lock: ProcessLock) -> RepairReport:
    manifest = Manifest.read(data_dir / MANIFEST)
    if manifest.legacy:
        raise StoreError("err.repair.restore", path=str(data_dir / MANIFEST))
    path = data_dir / f"journal.{manifest.generation}.log"
    witnessed = witnessed_seq(data_dir, manifest.epoch)
    if _intact(path, manifest, witnessed):
        return RepairReport(needed=False)
    report = RepairReport(epoch=manifest.epoch)
    entries, report.bad_lines = journal.salvage(path, manifest.seq, manifest.chain_seed())
    if path.exists():
        ensure_private_dir(aside)
        shutil.copyfile(path, aside / path.name)
        report.moved.append(str(aside / path.name))
    found = dict(entries)
    last = max([witnessed, *found])
    report.lost = [n for n in range(manifest.seq + 1, last + 1) if n not in found]
    report.kept = len(found)
    atomic_write(path, _rewritten(manifest, found, last))
    try:
        store = JournalStore(data_dir, today=today, lock=lock)
    except StoreCorrupt:
        raise StoreError("err.repair.restore", path=str(path)) from None
    with store._mutex:
        store._checkpoint(after="")  # not a successor: open desks reload the repaired state
        if store._journal_file is not None:
            store._journal_file.close()
    return report


def _rewritten(manifest: Manifest, found: dict, last: int) -> bytes:
    """Every save from the manifest's on, in order and chained; an empty line where one
    was lost, so the numbering the audit trail knows stays whole."""
    lines, chain = [], manifest.chain_seed()
    for n in range(manifest.seq + 1, last + 1):
        line = journal.encode(n, found.get(n, []), chain)
        lines.append(line)
        chain = journal.crc_of(line)
    return b"".join(lines)
