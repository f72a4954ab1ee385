"""`desk check`: read every file of a data folder (or a backup) as a start would, and more.

Each finding names the file and what is wrong with it; `fatal` ones mean the data cannot
be trusted as it is. Nothing is created or changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desk.store import StoreCorrupt, StoreError
from storage import journal
from storage.auditlog import witnessed_seq
from storage.engine import RESTORING, saves
from storage.files import folder_problem
from storage.fileset import load_keys, load_snapshot
from storage.manifest import MANIFEST, Manifest, file_generation, is_store_file
from storage.rows import BaseRows
from storage.snapshot import Snapshot


@dataclass(frozen=True)
class Finding:
    path: str
    code: str  # catalog key
    params: dict[str, Any] = field(default_factory=dict)
    fatal: bool = True


def check(folder: Path) -> tuple[int, list[Finding]]:
    """(documents read, findings)."""
    opened = _open(folder)
    if isinstance(opened, Finding):
        return 0, [opened]
    manifest, findings = opened, _folder_findings(folder)
    documents = 0
    for name in sorted(manifest.sets):
        documents += _check_set(folder, manifest, name, findings)
    documents += _check_journal(folder, manifest, findings)
    _check_trail(folder, manifest, findings)
    _check_leftovers(folder, manifest.generation, findings)
    return documents, findings


def _open(folder: Path) -> Manifest | Finding:
    if not folder.is_dir():
        return Finding(str(folder), "err.store.no_dir", {"path": str(folder)})
    if (folder / RESTORING).exists():
        source = (folder / RESTORING).read_text(encoding="utf-8", errors="replace").strip()
        return Finding(str(folder / RESTORING), "damage.restore_pending", {"source": source})
    if not (folder / MANIFEST).exists():
        if any(is_store_file(p.name) for p in folder.iterdir()):
            return Finding(str(folder / MANIFEST), "damage.manifest_gone")
        return Finding(str(folder), "check.not_data")
    try:
        return Manifest.read(folder / MANIFEST)
    except StoreError as exc:
        return Finding(str(folder / MANIFEST), exc.code, exc.params)


def _folder_findings(folder: Path) -> list[Finding]:
    """A folder anybody may write in, or somebody else's, is refused at open: say so here too."""
    problem = folder_problem(folder)
    return [Finding(str(folder), problem.code, problem.params)] if problem else []


def snapshot_file(folder: Path, manifest: Manifest, name: str) -> Path:
    return folder / f"{name}.{manifest.gen(name)}.{'json' if manifest.legacy else 'snap'}"


def _check_set(folder: Path, manifest: Manifest, name: str, findings: list[Finding]) -> int:
    path = snapshot_file(folder, manifest, name)
    count = 0
    try:
        for table, key, doc in _snapshot_docs(path, manifest, name):
            count += 1
            if not _well_formed(key, doc):
                findings.append(Finding(str(path), "check.document", {"table": table, "id": key}))
    except StoreError as exc:
        findings.append(Finding(str(path), exc.code, exc.params))
    if manifest.legacy:
        _check_keys(folder / f"{name}.{manifest.gen(name)}.keys.json", findings)
    return count


def _snapshot_docs(path: Path, manifest: Manifest, name: str) -> Iterator[tuple[str, str, Any]]:
    """(table, id, document) of every row, decoding each one; StoreError if it cannot be read."""
    if manifest.legacy:
        for table, docs in load_snapshot(path, name).items():
            for key, doc in docs.items():
                yield table, key, doc
        return
    snapshot = Snapshot(path, name)
    try:
        if snapshot.crc != manifest.crc(name):
            raise StoreCorrupt(path, "damage.not_named")
        for table in snapshot.meta.get("tables", []):
            rows = BaseRows(snapshot, table)
            if list(rows.ids) != sorted(set(rows.ids)):
                raise StoreCorrupt(path, "damage.rows", table=table)
            for n, doc_id in enumerate(rows.ids):
                try:
                    yield table, str(doc_id), journal.loads(rows.raw(n))
                except journal.DecodeError:
                    yield table, str(doc_id), None
    finally:
        snapshot.close()


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


def _check_journal(folder: Path, manifest: Manifest, findings: list[Finding]) -> int:
    path = folder / f"journal.{manifest.generation}.log"
    chain = None if manifest.legacy else manifest.chain_seed()
    try:
        tail = journal.read(path, 0, manifest.seq, chain)
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
    if not manifest.legacy:
        last = tail.entries[-1][0] if tail.entries else manifest.seq
        witnessed = witnessed_seq(folder, manifest.epoch)
        if witnessed > last:
            code = "check.missing_saves" if path.exists() else "check.missing_journal"
            findings.append(Finding(str(path), code, {"saves": saves(last + 1, witnessed)}))
    return count


def _check_trail(folder: Path, manifest: Manifest, findings: list[Finding]) -> None:
    """The trail must still hold what it held at the last checkpoint; and a manifest of the
    first release beside a trail that records numbered saves was put back from before."""
    if manifest.legacy:
        if witnessed_seq(folder, None):
            findings.append(Finding(str(folder / MANIFEST), "damage.old_manifest"))
        else:
            findings.append(Finding(str(folder / MANIFEST), "check.old_format", fatal=False))
        return
    witnessed = witnessed_seq(folder, manifest.epoch)
    if witnessed < manifest.witnessed:
        findings.append(Finding(str(folder / "audit.log"), "check.trail_behind",
                                {"found": witnessed, "expected": manifest.witnessed}))


def _check_leftovers(folder: Path, generation: int, findings: list[Finding]) -> None:
    """Store files of a generation the manifest has not reached (a checkpoint that never
    committed, or a manifest replaced by an older one), and copies a killed backup or
    restore left behind."""
    for path in sorted(folder.iterdir()):
        found = file_generation(path.name)
        if found is not None and found > generation:
            findings.append(Finding(str(path), "check.later_file", {"generation": generation}, fatal=False))
        elif path.name.startswith(".restore-") and path.is_dir():
            findings.append(Finding(str(path), "check.leftover", fatal=False))
    backups = folder / "backups"
    if backups.is_dir():
        for path in sorted(backups.iterdir()):
            if path.name.startswith(".") and path.name.endswith(".partial"):
                findings.append(Finding(str(path), "check.leftover", fatal=False))
