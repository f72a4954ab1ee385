"""The store: per-year snapshots plus one append-only journal, shared by several counters.

Files in the data directory:

- `manifest.json`: the journal generation, the number of the last save folded into the
  snapshots (`seq`), and per file set the generation of its snapshot. Replaced
  atomically; it is the commit point of a checkpoint.
- `<set>.<g>.json`: a snapshot of one file set. Sets are `common` (operators,
  settings, counters), one per year for the yearly tables, and `legacy` for
  documents migrated from the single-file store. A yearly document's set is fixed by
  its id (`year * 10**7 + n`), so `get` never searches.
- `<set>.<g>.keys.json`: that year's index values, the cross-year index: a lookup by
  ID number, phone or name opens an old year only when it holds a match.
- `journal.<g>.log`: every save since the last checkpoint, one checked and numbered
  line each, fsynced before the save returns.

Manifest, snapshots and keys files carry a checksum (`storage.checked`). Damage is
refused, never absorbed: a file that does not check, a journal line out of sequence, a
journal shorter than what was read from it, or one that ends before the last save the
audit trail witnessed (`storage.auditlog.witnessed_seq`) stops the store with the file
and what is missing. Only a torn last line, a save that never returned, is dropped.

A save takes the inter-process lock, catches up on lines other counters appended,
checks revisions, appends, applies the change to the live tables in place, and lets
go. Readers call `refresh` (the app does so every second) to pick up other counters'
saves without the lock.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from desk.store import INDEXED, YEARLY_TABLES, Doc, StoreCorrupt, StoreError
from storage import checked, journal
from storage.auditlog import HEAD_FILE, witnessed_seq
from storage.files import (
    atomic_write,
    atomic_write_with,
    ensure_private_dir,
    existing_dir,
    sweep_temp_files,
)
from storage.fileset import FileSet, load_keys, load_legacy, load_snapshot
from storage.journal import Journal, Write
from storage.locks import ProcessLock, held
from storage.snapshot import Snapshot, is_snapshot
from storage.tinytable import Tables
from storage.transaction import Transaction

MANIFEST = "manifest.json"
LOCK_FILE = "desk.lock"
LEGACY_FILE = "desk.json"  # the single-file store of the first release, migrated once
COMMON = "common"
LEGACY = "legacy"
YEAR_SPAN = 10**7
LOCK_WAIT_SECONDS = 15.0
CHECKPOINT_BYTES = 8 << 20
STALE_TEMP_SECONDS = 60.0  # a live atomic write takes milliseconds


def set_of(table: str, doc_id: int) -> str:
    if table not in YEARLY_TABLES:
        return COMMON
    year = doc_id // YEAR_SPAN
    return str(year) if year else LEGACY


class _Manifest:
    """`uid` names this checkpoint and `after` the one it followed: a desk that sees a
    manifest following its own may read on; any other change (a restore) reloads.
    `seq` is None for a manifest of the first format, whose journal lines carry no number."""

    def __init__(self, generation: int = 0, sets: dict[str, int] | None = None, day: str = "",
                 uid: str = "", after: str = "", seq: int | None = 0) -> None:
        self.generation = generation
        self.sets = dict(sets or {})
        self.day = day
        self.uid = uid or secrets.token_hex(8)
        self.after = after
        self.seq = seq

    def to_bytes(self) -> bytes:
        body = {"generation": self.generation, "seq": self.seq, "sets": self.sets, "day": self.day,
                "uid": self.uid, "after": self.after}
        return checked.frame("manifest", journal.dumps(body))

    def follows(self, other: _Manifest) -> bool:
        return self.after == other.uid and self.generation == other.generation + 1

    @classmethod
    def read(cls, path: Path) -> _Manifest:
        header, data = checked.read(path, "manifest")
        try:
            seq = int(data["seq"]) if header["format"] > 1 else None
            return cls(int(data["generation"]), {str(k): int(v) for k, v in data["sets"].items()},
                       str(data.get("day", "")), str(data.get("uid", "")), str(data.get("after", "")), seq)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StoreCorrupt(path, str(exc) or type(exc).__name__) from None


def _stat_key(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


@dataclass
class RepairReport:
    """What an explicit repair did: the journal it set aside, the saves it kept from it,
    and the save numbers that could not be recovered."""

    moved: list[str] = field(default_factory=list)
    kept: int = 0
    lost: list[int] = field(default_factory=list)
    bad_lines: list[int] = field(default_factory=list)


class JournalStore:
    def __init__(self, data_dir: Path, *, today: Callable[[], dt.date], readonly: bool = False,
                 checkpoint_bytes: int = CHECKPOINT_BYTES, witness: Callable[[], int] | None = None,
                 lock: ProcessLock | None = None) -> None:
        self.data_dir = existing_dir(Path(data_dir)) if readonly else ensure_private_dir(Path(data_dir))
        self.readonly = readonly
        self.today = today
        self.checkpoint_bytes = checkpoint_bytes
        self._witness = witness or (lambda: witnessed_seq(self.data_dir))
        self._lock = lock or ProcessLock(self.data_dir / LOCK_FILE, LOCK_WAIT_SECONDS)
        self._manifest_path = self._path(MANIFEST)
        self._journal_file: Journal | None = None
        self._journal_ino: int | None = None  # the file read from: a replaced one is damage
        self._mutex = threading.RLock()
        self._open_txn: Transaction | None = None
        self._sets: dict[str, FileSet] = {}
        self._waiting: dict[str, dict[tuple[str, int], Doc | None]] = defaultdict(dict)  # for sets not loaded
        self._keys: dict[str, dict[str, dict[str, dict[Any, list[int]]]]] = {}
        self._touched: set[str] = set()
        self._manifest = _Manifest()
        self._manifest_stat: tuple[int, int, int] | None = None
        self._offset = 0
        self._seq: int | None = 0
        self._committed_here = threading.local()  # per thread: the save an audit entry follows
        self._damage: StoreCorrupt | None = None  # once seen, this desk saves nothing more
        with self._locked():
            self._start()
            self._load()
            self._check_witness()
            self._open_window()
            if not readonly:
                self._sweep()
                if self._manifest.seq is None or self._manifest.day != self.today().isoformat():
                    # the first start of the day folds yesterday's journal; a store of the
                    # first format gets checksums and numbered saves
                    self._checkpoint()

    # -- files -------------------------------------------------------------------

    def _path(self, name: str) -> Path:
        return self.data_dir / name

    def _snapshot_path(self, name: str, gen: int) -> Path:
        """Where a set's snapshot of this format is written (`.snap`); `.json` for older ones."""
        snap = self._path(f"{name}.{gen}.snap")
        old = self._path(f"{name}.{gen}.json")
        return old if old.exists() and not snap.exists() else snap

    def _keys_path(self, name: str, gen: int) -> Path:
        return self._path(f"{name}.{gen}.keys.json")

    def _journal(self) -> Journal:
        """The current generation's journal, kept open while the generation lasts."""
        name = f"journal.{self._manifest.generation}.log"
        if self._journal_file is None or self._journal_file.path.name != name:
            if self._journal_file is not None:
                self._journal_file.close()
            self._journal_file = Journal(self._path(name))
            self._journal_ino = None
        return self._journal_file

    def _locked(self) -> AbstractContextManager[None]:
        return held(self._lock, self.data_dir)

    def _start(self) -> None:
        """A new directory gets an empty manifest; a first-release `desk.json` is migrated."""
        if self._path(MANIFEST).exists():
            return
        if self.readonly:
            raise StoreError("err.store.missing", path=str(self._path(MANIFEST)))
        if any(is_store_file(p.name) for p in self.data_dir.iterdir()):
            # Records without their manifest: never start an empty store over them.
            raise StoreCorrupt(self._path(MANIFEST), "missing, while data files are present")
        legacy = self._path(LEGACY_FILE)
        manifest = _Manifest(0, {}, "")
        if legacy.exists():
            manifest = self._migrate(legacy)
        atomic_write(self._path(MANIFEST), manifest.to_bytes())

    def _migrate(self, legacy: Path) -> _Manifest:
        tables = load_legacy(legacy)
        sets: dict[str, Tables] = defaultdict(dict)
        for table, docs in tables.items():
            for key, doc in docs.items():
                sets[set_of(table, int(key))].setdefault(table, {})[key] = doc
        for name, set_tables in sets.items():
            self._write_set(FileSet(name, tables=set_tables), 1, 0)
        # desk.json stays where it is, untouched: the manifest now takes precedence.
        return _Manifest(1, {name: 1 for name in sets}, "")

    def _sweep(self) -> None:
        """Leftovers of processes killed mid-write (with the lock held, so none is live):
        temp files of store files, and the snapshots of a checkpoint that never committed.
        Files of a later generation than that are not ours to judge: `desk check` names them."""
        sweep_temp_files(self.data_dir, lambda n: n == MANIFEST or is_store_file(n))
        sweep_temp_files(self.data_dir, lambda n: n == HEAD_FILE, STALE_TEMP_SECONDS)
        sweep_temp_files(self._path("drafts"), lambda n: True, STALE_TEMP_SECONDS)
        uncommitted = self._manifest.generation + 1
        for path in self.data_dir.iterdir():
            if not path.name.startswith("journal.") and file_generation(path.name) == uncommitted:
                path.unlink(missing_ok=True)

    # -- loading -------------------------------------------------------------------

    def _load(self) -> None:
        """Read the manifest, the sets every session needs, and the whole journal."""
        self._manifest_stat = _stat_key(self._path(MANIFEST))
        self._manifest = _Manifest.read(self._path(MANIFEST))
        self._damage = None
        if self._journal_file is not None:  # a restore may reuse the name for another file
            self._journal_file.close()
            self._journal_file = None
        self._drop_sets(self._sets)
        self._waiting.clear()
        self._keys.clear()
        self._touched.clear()
        self._seq = self._manifest.seq
        if COMMON in self._manifest.sets:
            self._load_set(COMMON)  # small: operators and settings, all a login needs
        self._offset = 0
        self._catch_up()

    def _check_witness(self) -> None:
        """Every save the audit trail recorded must be here: a journal deleted or cut at a
        line boundary leaves no trace in itself, but the trail remembers."""
        if self._seq is None:
            return
        witnessed = self._witness()
        if witnessed > self._seq:
            raise StoreCorrupt(self._journal().path, f"the audit trail records save {witnessed}, the store ends "
                                                     f"at save {self._seq}: saves {self._seq + 1} to {witnessed} are missing")

    def _open_window(self) -> None:
        """Map and check the sets of this year and last at open: cheap for snapshots of this
        format, and damage in them is found before anything is saved. Older formats are
        read whole, so they wait for `preload`."""
        for name in self._window_names():
            gen = self._manifest.sets.get(name)
            if gen is not None and name not in self._sets and is_snapshot(self._snapshot_path(name, gen)):
                self._load_set(name)

    def _window_names(self) -> list[str]:
        current = self._year()
        return [LEGACY, str(current - 1), str(current)]

    def preload(self) -> None:
        """Read the years a session works in (last year and this one). At 50,000 visits
        this takes about a second, so the app does it after the login screen is up."""
        with self._mutex:
            for name in self._window_names():
                if name in self._manifest.sets or name in self._waiting:
                    self._set(name)

    def _year(self) -> int:
        return self.today().year

    def _load_set(self, name: str) -> FileSet:
        """Map a set's snapshot (nothing is parsed); one of an older format is read whole
        and marked to be written in this format at the next checkpoint."""
        gen = self._manifest.sets.get(name)
        path = self._snapshot_path(name, gen) if gen is not None else None
        try:
            if path is None:
                fileset = FileSet(name)
            elif is_snapshot(path):
                fileset = FileSet(name, Snapshot(path, name))
            else:
                fileset = FileSet(name, tables=load_snapshot(path, name))
                if not self.readonly:
                    self._touched.add(name)
        except StoreCorrupt as exc:
            self._damage = exc
            raise
        self._sets[name] = fileset
        for (table, doc_id), doc in self._waiting.pop(name, {}).items():
            fileset.apply(table, doc_id, doc)
        self._keys.pop(name, None)
        return fileset

    def _write_set(self, fileset: FileSet, gen: int, seq: int) -> Path:
        path = self._path(f"{fileset.name}.{gen}.snap")
        atomic_write_with(path, lambda handle: fileset.write(handle, gen, seq))
        return path

    def _drop_sets(self, names: Iterable[str]) -> None:
        """Forget loaded sets; they are mapped again from their snapshots when next needed."""
        for name in list(names):
            fileset = self._sets.pop(name, None)
            if fileset is not None:
                fileset.close()

    def _set(self, name: str) -> FileSet:
        """A set, loaded on first need; loading takes the lock so no checkpoint is midway."""
        fileset = self._sets.get(name)
        if fileset is not None:
            return fileset
        with self._locked():
            self.refresh()
            return self._sets.get(name) or self._load_set(name)

    def _apply(self, writes: list[Write]) -> None:
        for table, doc_id, doc in writes:
            name = set_of(table, doc_id)
            self._touched.add(name)
            fileset = self._sets.get(name)
            if fileset is not None:
                fileset.apply(table, doc_id, doc)
            else:
                self._waiting[name][(table, doc_id)] = doc
                self._keys.pop(name, None)

    def _catch_up(self) -> bool:
        """Apply the lines appended since last time. The file must still be the one read,
        at least as long as what was read from it."""
        current = self._journal()
        found = current.on_disk()
        if found is None:
            if self._offset:
                raise StoreCorrupt(current.path, f"missing, after {self._offset} bytes of saves were read from it")
            return False
        inode, size = found
        if self._journal_ino is not None and inode != self._journal_ino:
            raise StoreCorrupt(current.path, "replaced by another file while in use")
        if size < self._offset:
            raise StoreCorrupt(current.path, f"cut from {self._offset} to {size} bytes: saves are missing")
        self._journal_ino = inode
        if size == self._offset:
            return False
        tail = journal.read(current.path, self._offset, self._seq)
        for seq, writes in tail.entries:
            self._apply(writes)
            self._seq = seq if self._seq is not None else None
        self._offset = tail.end
        return bool(tail.entries)

    def refresh(self) -> bool:
        """Pick up what other counters saved. True when anything changed. Something that
        looks like damage is looked at again with the lock held, where no checkpoint or
        restore can be midway, before it is reported."""
        with self._mutex:
            if self._lock.held:
                return self._refresh()
            try:
                return self._refresh()
            except StoreCorrupt:
                with self._locked():
                    return self._refresh()

    def _refresh(self) -> bool:
        stat = _stat_key(self._manifest_path)
        if stat == self._manifest_stat:
            return self._catch_up()
        manifest = _Manifest.read(self._path(MANIFEST))
        old = self._journal().path
        if manifest.follows(self._manifest) and old.exists():
            self._catch_up()  # finish the old generation: the new snapshots hold exactly that
            same = _stat_key(self._manifest_path) == stat  # else a second checkpoint may have removed it
            if same and manifest.seq == self._seq:
                # The new snapshots hold exactly what this desk has: map them instead of
                # keeping the changes in memory.
                self._drop_sets(n for n in self._sets if manifest.sets.get(n) != self._manifest.sets.get(n))
                self._manifest, self._manifest_stat = manifest, stat
                self._offset = 0
                self._touched.clear()
                self._waiting.clear()
                self._keys.clear()
                self._catch_up()
                return True
        with self._locked():
            self._load()  # restored from a backup, repaired, or more than one checkpoint behind
            self._check_witness()
        return True

    # -- reading -------------------------------------------------------------------

    def _window(self, table: str, years: Iterable[int] | None) -> list[str]:
        if table not in YEARLY_TABLES:
            return [COMMON]
        current = self._year()
        wanted = [current - 1, current] if years is None else sorted(set(years))
        names = [LEGACY] + [str(y) for y in wanted]
        return [n for n in names if n in self._manifest.sets or n in self._sets or n in self._waiting]

    def _all_sets(self, table: str) -> list[str]:
        """The sets that hold documents of `table`, loaded or not (none in a new store)."""
        names = set(self._manifest.sets) | set(self._sets) | set(self._waiting)
        if table not in YEARLY_TABLES:
            return [COMMON] if COMMON in names else []
        return sorted(n for n in names if n != COMMON)

    def get(self, table: str, doc_id: int) -> Doc | None:
        with self._mutex:
            name = set_of(table, doc_id)
            if name not in self._sets and name not in self._manifest.sets and name not in self._waiting:
                return None
            doc = self._set(name).get(table, doc_id)
            return dict(doc) if doc is not None else None

    def scan(self, table: str, years: Iterable[int] | None = None) -> Iterator[Doc]:
        """Documents as read-only mappings. Yearly tables: last year and this one unless
        `years` names others; lookups by key reach every year through `find`."""
        with self._mutex:
            docs = [doc for name in self._window(table, years) for doc in self._set(name).docs(table)]
        return map(MappingProxyType, docs)  # type: ignore[arg-type]

    def find(self, table: str, field: str, value: Any) -> list[Doc]:
        with self._mutex:
            found: list[Doc] = []
            for name in self._all_sets(table):
                if name not in self._sets and not self._may_hold(name, table, field, value):
                    continue
                found += map(dict, self._set(name).find(table, field, value))
            return sorted(found, key=lambda doc: doc["id"])

    def _may_hold(self, name: str, table: str, field: str, value: Any) -> bool:
        """Whether a set not loaded may hold a match, judged by its keys file. A keys file
        that does not check is not trusted: the set itself is opened (and checked)."""
        if self._waiting.get(name) or field not in INDEXED.get(table, ()):
            return True
        if self._snapshot_path(name, self._manifest.sets[name]).suffix == ".snap":
            return True  # mapping the set costs little more than reading a keys file
        keys = self._keys.get(name)
        if keys is None:
            try:
                raw = load_keys(self._keys_path(name, self._manifest.sets[name]))
            except StoreError:
                return True
            keys = self._keys[name] = {
                t: {f: {_hashable(v): ids for v, ids in pairs} for f, pairs in fields.items()}
                for t, fields in raw.items()
            }
        return value in keys.get(table, {}).get(field, {})

    def search(self, table: str, field: str, text: str, limit: int) -> list[int]:
        """Ids whose `field` contains (or starts with) `text`, over last year and this one,
        the newest year first; from the search text of each set, never a scan."""
        with self._mutex:
            found: list[int] = []
            for name in reversed(self._window(table, None)):
                found += self._set(name).search(table, field, text, limit - len(found))
                if len(found) >= limit:
                    break
            return found

    def columns(self, table: str, years: Iterable[int] | None = None) -> Iterator[Doc]:
        """The declared columns of every document of the window, never the documents."""
        with self._mutex:
            rows = [row for name in self._window(table, years) for row in self._set(name).columns(table)]
        return iter(rows)

    def next_id(self, table: str) -> int:
        name = COMMON if table not in YEARLY_TABLES else str(self._year())
        fileset = self._sets.get(name) or self._set(name)
        floor = 0 if name == COMMON else int(name) * YEAR_SPAN
        return max(fileset.max_id(table), floor) + 1

    @property
    def seq(self) -> int:
        """The number of the last save this desk has read or made."""
        return self._seq or 0

    def take_committed(self) -> int | None:
        """The number of the save this thread made last, once: the audit entry that
        follows it records it, so the trail witnesses every save it tells of."""
        seq = getattr(self._committed_here, "seq", None)
        self._committed_here.seq = None
        return seq

    # -- writing -------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Nested calls join the outer transaction; the outermost lands it."""
        if self.readonly:
            raise StoreError("err.store.readonly", path=str(self.data_dir))
        if self._damage is not None:  # seen in a file read since the last (re)load
            raise self._damage
        with self._mutex:
            if self._open_txn is not None:
                yield self._open_txn
                return
            with self._locked():
                self.refresh()
                self._drop_torn_tail()
                txn = self._open_txn = Transaction(self)
                try:
                    yield txn
                    self._commit(txn)
                finally:
                    self._open_txn = None

    def _drop_torn_tail(self) -> None:
        """With the lock held and caught up, bytes past the last good line are a torn write."""
        current = self._journal()
        if current.size() > self._offset:
            current.cut(self._offset)

    def _commit(self, txn: Transaction) -> None:
        writes = txn.writes()
        if not writes:
            return
        seq = self.seq + 1
        current = self._journal()
        self._offset = current.append(journal.encode(seq, writes), self._offset)
        self._journal_ino = current.inode()
        self._seq = txn.seq = self._committed_here.seq = seq
        self._apply(writes)
        if self._offset >= self.checkpoint_bytes:
            self._checkpoint()

    def checkpoint(self, *, if_needed: bool = False) -> None:
        """Fold the journal into new snapshots. `if_needed`: only when it holds saves
        (another desk may have folded them already)."""
        if self.readonly:
            return
        with self._mutex, self._locked():
            self.refresh()
            if not if_needed or self._offset or self._touched:
                self._checkpoint()

    def _checkpoint(self, *, after: str | None = None) -> None:
        """New snapshots of the changed sets, then the manifest (the commit point), then tidy.
        A store of the first format rewrites every set, so that all of them carry a checksum."""
        gen, seq = self._manifest.generation + 1, self.seq
        names = set(self._manifest.sets) if self._manifest.seq is None else self._touched | set(self._waiting)
        manifest = _Manifest(gen, self._manifest.sets, self.today().isoformat(), seq=seq,
                             after=self._manifest.uid if after is None else after)
        written: list[Path] = []
        try:
            for name in sorted(names):
                fileset = self._sets.get(name) or self._load_set(name)
                written.append(self._path(f"{name}.{gen}.snap"))
                self._write_set(fileset, gen, seq)
                manifest.sets[name] = gen
            atomic_write(self._path(MANIFEST), manifest.to_bytes())
        except StoreError:
            if not self._committed(manifest):
                for path in written:  # never named by a manifest: nobody reads them
                    path.unlink(missing_ok=True)
                raise
        self._drop_sets(names)  # mapped again from the new snapshots: the changes leave memory
        self._manifest, self._manifest_stat = manifest, _stat_key(self._path(MANIFEST))
        self._offset = 0
        self._touched.clear()
        self._waiting.clear()
        self._keys.clear()
        self._tidy()

    def _committed(self, manifest: _Manifest) -> bool:
        """Whether a manifest whose write reported failure is on disk after all (the
        rename done, the directory sync failed): then its snapshots must stay."""
        try:
            return _Manifest.read(self._path(MANIFEST)).uid == manifest.uid
        except StoreError:
            return False

    def _tidy(self) -> None:
        """Remove files of earlier generations no manifest names. The previous journal
        stays for readers catching up; files of later generations are left to `desk check`."""
        gen = self._manifest.generation
        keep = {f"journal.{gen}.log", f"journal.{gen - 1}.log"}
        for name, set_gen in self._manifest.sets.items():
            keep |= {f"{name}.{set_gen}.snap", f"{name}.{set_gen}.json", f"{name}.{set_gen}.keys.json"}
        for path in self.data_dir.iterdir():
            found = file_generation(path.name)
            if found is not None and found < gen and path.name not in keep:
                try:
                    path.unlink()
                except OSError:
                    pass  # left for the next checkpoint

    def close(self) -> None:
        with self._mutex:
            if not self.readonly and (self._offset > 0 or self._touched):
                try:
                    self.checkpoint(if_needed=True)
                except StoreError:
                    pass  # the journal holds every save; the next start folds it in
            if self._journal_file is not None:
                self._journal_file.close()
            self._drop_sets(self._sets)
            self._lock.close()

    # -- for `desk check`, backups and repair --------------------------------------

    def files(self) -> list[Path]:
        """The files that make up the current state: manifest, snapshots, keys, journal."""
        with self._mutex:
            names = [MANIFEST]
            for name, gen in sorted(self._manifest.sets.items()):
                names.append(self._snapshot_path(name, gen).name)
                if self._keys_path(name, gen).exists():
                    names.append(f"{name}.{gen}.keys.json")
            if self._journal().path.exists():
                names.append(self._journal().path.name)
            return [self._path(n) for n in names]

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """Hold the write lock, caught up, so the files can be copied as one state."""
        with self._mutex, self._locked():
            self.refresh()
            self._drop_torn_tail()
            yield


def repair(data_dir: Path, aside: Path, *, today: Callable[[], dt.date],
           witness: Callable[[], int] | None = None) -> RepairReport:
    """An administrator's explicit repair of a damaged journal: the journal is moved into
    `aside` (never deleted), every line of it that still checks is kept, and a checkpoint
    numbers the next save after the last one the audit trail witnessed, so the store opens
    again. What could not be kept is reported. A damaged manifest or snapshot is not
    repaired here: that needs a restore from a backup."""
    data_dir = Path(data_dir)
    witness = witness or (lambda: witnessed_seq(data_dir))
    lock = ProcessLock(data_dir / LOCK_FILE, LOCK_WAIT_SECONDS)
    try:
        with held(lock, data_dir):
            return _repair_locked(data_dir, aside, today, witness, lock)
    finally:
        lock.close()


def _repair_locked(data_dir: Path, aside: Path, today: Callable[[], dt.date],
                   witness: Callable[[], int], lock: ProcessLock) -> RepairReport:
    manifest = _Manifest.read(data_dir / MANIFEST)
    path = data_dir / f"journal.{manifest.generation}.log"
    report = RepairReport()
    entries, report.bad_lines = journal.salvage(path, manifest.seq or 0)
    if path.exists():
        ensure_private_dir(aside)
        os.replace(path, aside / path.name)
        report.moved.append(str(aside / path.name))
    if entries:
        atomic_write(path, b"".join(journal.encode(seq, writes) for seq, writes in entries))
    report.kept = len(entries)
    store = JournalStore(data_dir, today=today, witness=lambda: 0, lock=lock)  # what is left, as it is
    kept = {seq for seq, _ in entries}
    last = max(store.seq, witness())
    report.lost = [n for n in range((manifest.seq or 0) + 1, last + 1) if n not in kept]
    with store._mutex:
        store._seq = last
        store._checkpoint(after="")  # not a successor: open desks reload the repaired state
        if store._journal_file is not None:
            store._journal_file.close()
    return report


def file_generation(name: str) -> int | None:
    """The generation in a store file's name (`2026.5.json`, `journal.5.log`), else None."""
    if not is_store_file(name):
        return None
    parts = name.split(".")
    return int(parts[1]) if parts[1].isdigit() else None


def is_store_file(name: str) -> bool:
    parts = name.split(".")
    if name.startswith("journal.") and name.endswith(".log"):
        return len(parts) == 3 and parts[1].isdigit()
    return len(parts) >= 3 and parts[-1] in ("json", "snap") and parts[1].isdigit() and (
        parts[0] in (COMMON, LEGACY) or parts[0].isdigit())


def read_manifest(path: Path) -> _Manifest:
    return _Manifest.read(path)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def open_store(data_dir: Path, *, today: Callable[[], dt.date], readonly: bool = False,
               **options: Any) -> JournalStore:
    """`today` has no default: the store's idea of the year and the day must come from the
    injected clock, never the wall clock, or tests rot and two desks disagree."""
    return JournalStore(data_dir, readonly=readonly, today=today, **options)
