"""The store: per-year snapshots plus one append-only journal, shared by several counters.

Files in the data directory:

- `manifest.json`: the journal generation, the number of the last save folded into the
  snapshots, and per file set its snapshot's generation and checksum (see
  `storage.manifest`). Replaced atomically; it is the commit point of a checkpoint.
- `<set>.<g>.snap`: a snapshot of one file set (`storage.snapshot`). Sets are `common`
  (operators, settings, counters), one per year for the yearly tables, and `legacy`
  for documents migrated from the single-file store. A yearly document's set is fixed
  by its id (`year * 10**7 + n`), so `get` never searches.
- `<set>.<g>.json`, `<set>.<g>.keys.json`: a snapshot of the first release and its keys,
  read and rewritten as `.snap` at the next checkpoint.
- `journal.<g>.log`: every save since the last checkpoint, one checked and numbered
  line each, fsynced before the save returns.

The manifest and snapshots carry checksums, and the manifest names each snapshot by its
checksum. Damage is refused, never absorbed: a file that does not check, a snapshot that
is not the one the manifest names, a journal line out of sequence or out of its chain, a
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
import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Any

from desk.audit import STORE_EPOCH, STORE_SEQ
from desk.store import COLUMNS, INDEXED, YEARLY_TABLES, Doc, StoreCorrupt, StoreError
from storage import journal
from storage.auditlog import HEAD_FILE, witnessed_seq
from storage.files import (
    atomic_write,
    atomic_write_with,
    ensure_private_dir,
    existing_dir,
    sweep_temp_dirs,
    sweep_temp_files,
)
from storage.fileset import FileSet, load_keys, load_legacy, load_snapshot
from storage.journal import Journal, Write
from storage.locks import ProcessLock, held
from storage.manifest import COMMON, LEGACY, MANIFEST, Manifest, file_generation, is_store_file
from storage.snapshot import Snapshot, is_snapshot
from storage.tinytable import Tables
from storage.transaction import Transaction

LOCK_FILE = "desk.lock"
LEGACY_FILE = "desk.json"  # the single-file store of the first release, migrated once
PENDING = "checkpoint.pending"  # the generation a checkpoint is writing, until it commits
RESTORING = "restore.pending"  # a restore under way: until it is done, the folder is no store
REPAIRING = "repair.pending"  # a repair under way; it holds the repair's report of lost saves
BACKUP_RECORD = "backup.json"  # in a backup folder, which is never opened as a live store
YEAR_SPAN = 10**7
LOCK_WAIT_SECONDS = 15.0
CHECKPOINT_BYTES = 8 << 20
# A bulk write (`desk import` of tens of thousands of rows) folds less often: every
# checkpoint rewrites the whole year it touches, so at 8 MiB a 50k-row import spent a
# fifth of its time rewriting the same year; the changes held meanwhile cost ~30 MiB more.
BULK_CHECKPOINT_BYTES = 16 << 20
STALE_TEMP_SECONDS = 60.0  # a live atomic write takes milliseconds
STALE_COPY_SECONDS = 3600.0  # a backup's copy is checked after the lock is let go: give it time

Witness = Callable[[str | None], int]  # epoch (None: any) -> highest save the audit trail records


def set_of(table: str, doc_id: int) -> str:
    if table not in YEARLY_TABLES:
        return COMMON
    year = doc_id // YEAR_SPAN
    return str(year) if year else LEGACY


def saves(first: int, last: int) -> str:
    """A run of save numbers as a message shows it: `37`, or `33-37`."""
    return str(first) if first == last else f"{first}-{last}"


def _stat_key(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def refuse_unusable(data_dir: Path, *, repairing: bool = False) -> None:
    """A backup's folder is copied from, never opened (a new day's checkpoint would change
    it); a folder a restore did not finish is neither the old hall nor the new one; one a
    repair did not finish has not yet told which saves it lost (only the repair opens it)."""
    if (data_dir / BACKUP_RECORD).exists():
        raise StoreError("err.store.backup_folder", path=str(data_dir))
    pending = data_dir / RESTORING
    if pending.exists():
        source = pending.read_text(encoding="utf-8", errors="replace").strip()
        raise StoreCorrupt(pending, "damage.restore_pending", source=source)
    if not repairing and (data_dir / REPAIRING).exists():
        raise StoreCorrupt(data_dir / REPAIRING, "damage.repair_pending")


class JournalStore:
    def __init__(self, data_dir: Path, *, today: Callable[[], dt.date], readonly: bool = False,
                 checkpoint_bytes: int = CHECKPOINT_BYTES, witness: Witness | None = None,
                 lock: ProcessLock | None = None) -> None:
        self.data_dir = existing_dir(Path(data_dir)) if readonly else ensure_private_dir(Path(data_dir))
        self._repairing = lock is not None  # only a repair hands its lock in
        refuse_unusable(self.data_dir, repairing=self._repairing)
        self.readonly = readonly
        self.today = today
        self.checkpoint_bytes = checkpoint_bytes
        self._witness: Witness = witness or (lambda epoch: witnessed_seq(self.data_dir, epoch))
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
        self._manifest = Manifest()
        self._manifest_stat: tuple[int, int, int] | None = None
        self._offset = 0
        self._seq: int | None = 0
        self._chain: int | None = None  # the CRC the next journal line starts from
        self._committed_here = threading.local()  # per thread: the save an audit entry follows
        self._damage: StoreCorrupt | None = None  # once seen, this desk saves nothing more
        # (highest save the trail records, highest it recorded at the last checkpoint) when
        # the trail was cut back or replaced by an older one; the app tells it at login
        self.trail_behind: tuple[int, int] | None = None
        with self._locked():
            self._start()
            self._load()
            self._check_witness()
            self._open_window()
            if not readonly:
                self._sweep()
                if self._manifest.legacy or self._manifest.day != self.today().isoformat():
                    # the first start of the day folds yesterday's journal; a store of the
                    # first release gets checksums and numbered saves
                    self._checkpoint()

    # -- files -------------------------------------------------------------------

    def _path(self, name: str) -> Path:
        return self.data_dir / name

    def _snapshot_path(self, name: str, gen: int) -> Path:
        """A set's snapshot: `.snap`, or `.json` under a manifest of the first release."""
        return self._path(f"{name}.{gen}.{'json' if self._manifest.legacy else 'snap'}")

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
        refuse_unusable(self.data_dir, repairing=self._repairing)  # again, with the lock: a restore may have begun
        if self._path(MANIFEST).exists():
            return
        if self.readonly:
            raise StoreError("err.store.missing", path=str(self._path(MANIFEST)))
        if any(is_store_file(p.name) for p in self.data_dir.iterdir()):
            # Records without their manifest: never start an empty store over them.
            raise StoreCorrupt(self._path(MANIFEST), "damage.manifest_gone")
        legacy = self._path(LEGACY_FILE)
        manifest = self._migrate(legacy) if legacy.exists() else Manifest(0, {}, "")
        atomic_write(self._path(MANIFEST), manifest.to_bytes())

    def _migrate(self, legacy: Path) -> Manifest:
        tables = load_legacy(legacy)
        sets: dict[str, Tables] = defaultdict(dict)
        for table, docs in tables.items():
            for key, doc in docs.items():
                sets[set_of(table, int(key))].setdefault(table, {})[key] = doc
        written = {name: {"gen": 1, "crc": self._write_set(FileSet(name, tables=t), 1, 0)} for name, t in sets.items()}
        # desk.json stays where it is, untouched: the manifest now takes precedence.
        return Manifest(1, written, "")

    def _sweep(self) -> None:
        """Leftovers of processes killed mid-write (with the lock held, so none is live):
        temp files, copies a killed backup or restore left, and the snapshots of the
        checkpoint `checkpoint.pending` names if it never committed. Files of a later
        generation with no such record are not ours to judge: `desk check` names them."""
        sweep_temp_files(self.data_dir, lambda n: n in (MANIFEST, PENDING) or is_store_file(n))
        sweep_temp_files(self.data_dir, lambda n: n == HEAD_FILE, STALE_TEMP_SECONDS)
        sweep_temp_files(self._path("drafts"), lambda n: True, STALE_TEMP_SECONDS)
        sweep_temp_dirs(self.data_dir, ".restore-", 0)
        sweep_temp_dirs(self._path("backups"), ".", STALE_COPY_SECONDS, suffix=".partial")
        pending = self._pending()
        if pending is not None:
            if pending > self._manifest.generation:
                for path in self.data_dir.iterdir():
                    if not path.name.startswith("journal.") and file_generation(path.name) == pending:
                        path.unlink(missing_ok=True)
            self._path(PENDING).unlink(missing_ok=True)

    def _pending(self) -> int | None:
        try:
            return int(journal.loads(self._path(PENDING).read_bytes())["generation"])
        except (OSError, ValueError, KeyError, TypeError, journal.DecodeError):
            return None

    # -- loading -------------------------------------------------------------------

    def _load(self) -> None:
        """Read the manifest, the sets every session needs, and the whole journal."""
        self._manifest_stat = _stat_key(self._path(MANIFEST))
        self._manifest = Manifest.read(self._path(MANIFEST))
        self._damage = None
        if self._journal_file is not None:  # a restore may reuse the name for another file
            self._journal_file.close()
            self._journal_file = None
        self._drop_sets(self._sets)
        self._waiting.clear()
        self._keys.clear()
        self._touched.clear()
        self._seq = self._manifest.seq
        self._chain = None if self._manifest.legacy else self._manifest.chain_seed()
        if COMMON in self._manifest.sets:
            self._load_set(COMMON)  # small: operators and settings, all a login needs
        self._offset = 0
        self._catch_up()

    def _check_witness(self) -> None:
        """Every save the audit trail recorded must be here: a journal deleted or cut at a
        line boundary leaves no trace in itself, but the trail remembers. And the trail
        must still hold what it held at the last checkpoint."""
        if self._manifest.legacy:
            if self._witness(None):  # numbered saves exist: this manifest was put back from before
                raise StoreCorrupt(self._manifest_path, "damage.old_manifest")
            return
        witnessed = self._witness(self._manifest.epoch)
        if witnessed > self.seq:
            raise StoreCorrupt(self._journal().path, "damage.witness", saves=saves(self.seq + 1, witnessed))
        behind = witnessed < self._manifest.witnessed
        self.trail_behind = (witnessed, self._manifest.witnessed) if behind else None

    def _open_window(self) -> None:
        """Map and check the sets of this year and last at open: cheap for snapshots of this
        format, and damage in them is found before anything is saved. Older formats are
        read whole, so they wait for `preload`."""
        for name in self._window_names():
            gen = self._manifest.gen(name)
            if gen is None or name in self._sets:
                continue
            # A manifest of this format names snapshots of this format only: one that does not
            # end like one (cut, missing) is damage, found now, not after the login.
            if not self._manifest.legacy or is_snapshot(self._snapshot_path(name, gen)):
                self._load_set(name)

    def _window_names(self) -> list[str]:
        current = self._year()
        return [LEGACY, str(current - 1), str(current)]

    def preload(self) -> None:
        """Read the years a session works in (last year and this one): for a store of the
        first release, whole, so the app does it after the login screen is up."""
        with self._mutex:
            for name in self._window_names():
                if name in self._manifest.sets or name in self._waiting:
                    self._set(name)

    def _year(self) -> int:
        return self.today().year

    def _load_set(self, name: str) -> FileSet:
        """Map a set's snapshot (nothing is parsed), after checking it is the very file the
        manifest names; one of the first release is read whole and rewritten at the next
        checkpoint."""
        gen = self._manifest.gen(name)
        try:
            fileset = self._open_set(name, gen) if gen is not None else FileSet(name)
        except StoreCorrupt as exc:
            self._damage = exc
            raise
        self._sets[name] = fileset
        for (table, doc_id), doc in self._waiting.pop(name, {}).items():
            fileset.apply(table, doc_id, doc)
        self._keys.pop(name, None)
        return fileset

    def _open_set(self, name: str, gen: int) -> FileSet:
        path = self._snapshot_path(name, gen)
        if self._manifest.legacy:
            if not self.readonly:
                self._touched.add(name)
            return FileSet(name, tables=load_snapshot(path, name))
        snapshot = Snapshot(path, name)
        if snapshot.crc != self._manifest.crc(name):
            snapshot.close()
            raise StoreCorrupt(path, "damage.not_named")
        return FileSet(name, snapshot)

    def _write_set(self, fileset: FileSet, gen: int, seq: int) -> str:
        """Stream a set's next snapshot; return its checksum, by which the manifest names it."""
        crc = ""

        def write(handle: Any) -> None:
            nonlocal crc
            crc = fileset.write(handle, gen, seq)

        atomic_write_with(self._path(f"{fileset.name}.{gen}.snap"), write)
        return crc

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
                raise StoreCorrupt(current.path, "damage.journal_gone", bytes=self._offset)
            return False
        inode, size = found
        if self._journal_ino is not None and inode != self._journal_ino:
            raise StoreCorrupt(current.path, "damage.journal_replaced")
        if size < self._offset:
            raise StoreCorrupt(current.path, "damage.journal_cut", was=self._offset, now=size)
        self._journal_ino = inode
        if size == self._offset:
            return False
        tail = journal.read(current.path, self._offset, self._seq, self._chain)
        for seq, writes in tail.entries:
            self._apply(writes)
            self._seq = seq if self._seq is not None else None
        self._offset, self._chain = tail.end, tail.chain
        return bool(tail.entries)

    def refresh(self) -> bool:
        """Pick up what other counters saved. True when anything changed. Something that
        looks like damage is looked at again with the lock held, where no checkpoint or
        restore can be midway, before it is reported; once reported, this desk saves no
        more until the folder is restored or repaired."""
        with self._mutex:
            try:
                if self._lock.held:
                    return self._refresh()
                try:
                    return self._refresh()
                except StoreCorrupt:
                    with self._locked():
                        return self._refresh()
            except StoreCorrupt as exc:
                self._damage = exc
                raise

    def _refresh(self) -> bool:
        stat = _stat_key(self._manifest_path)
        if stat == self._manifest_stat:
            return self._catch_up()
        manifest = Manifest.read(self._path(MANIFEST))
        old = self._journal().path
        if manifest.follows(self._manifest) and old.exists():
            self._catch_up()  # finish the old generation: the new snapshots hold exactly that
            same = _stat_key(self._manifest_path) == stat  # else a second checkpoint may have removed it
            if same and manifest.seq == self._seq:
                self._follow(manifest, stat)
                return True
        with self._locked():
            self._load()  # restored from a backup, repaired, or more than one checkpoint behind
            self._check_witness()
        return True

    def _follow(self, manifest: Manifest, stat: tuple[int, int, int] | None) -> None:
        """Another desk's checkpoint holds exactly what this desk has: map its snapshots
        instead of keeping the changes in memory, and read on in its journal."""
        self._drop_sets(n for n in self._sets if manifest.sets.get(n) != self._manifest.sets.get(n))
        self._manifest, self._manifest_stat = manifest, stat
        self._offset, self._chain = 0, manifest.chain_seed()
        self._touched.clear()
        self._waiting.clear()
        self._keys.clear()
        self._catch_up()

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
        """Whether a set not loaded may hold a match. A snapshot of this format is mapped and
        asked (that costs little); one of the first release is judged by its keys file, and
        opened when the keys file cannot be read."""
        if self._waiting.get(name) or field not in INDEXED.get(table, ()) or not self._manifest.legacy:
            return True
        keys = self._keys.get(name)
        if keys is None:
            try:
                raw = load_keys(self._keys_path(name, self._manifest.gen(name)))
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

    def columns(self, table: str, years: Iterable[int] | None = None,
                where: Mapping[str, Collection[Any]] | None = None,
                fields: Sequence[str] | None = None) -> Iterator[Doc]:
        """The declared columns of every document of the window, never the documents."""
        with self._mutex:
            rows = [row for name in self._window(table, years)
                    for row in self._set(name).columns(table, where, fields)]
        return iter(rows)

    def lists(self, table: str, years: Iterable[int] | None = None,
              where: Mapping[str, Collection[Any]] | None = None,
              fields: Sequence[str] | None = None) -> dict[str, list[Any]]:
        """The declared columns of every document of the window, one list per field."""
        with self._mutex:
            found: dict[str, list[Any]] = {}
            for name in self._window(table, years):
                for field, values in self._set(name).lists(table, where, fields).items():
                    found.setdefault(field, []).extend(values)
            return found or {"id": [], **{f: [] for f in (COLUMNS.get(table, ()) if fields is None else fields)}}

    def next_id(self, table: str, year: int | None = None) -> int:
        """The next id of `table`; for a yearly table, in `year` (default this year), whose
        set is opened (or begun) for it."""
        if year is not None and not 1 <= year <= 9999:
            raise StoreError("err.store.year", year=year)
        name = COMMON if table not in YEARLY_TABLES else str(year or self._year())
        fileset = self._sets.get(name) or self._set(name)
        floor = 0 if name == COMMON else int(name) * YEAR_SPAN
        return max(fileset.max_id(table), floor) + 1

    @property
    def seq(self) -> int:
        """The number of the last save this desk has read or made."""
        return self._seq or 0

    def take_committed(self) -> dict[str, Any] | None:
        """The save this thread made last, once: its number and the store's epoch, which the
        audit entry that tells of it records, so the trail witnesses every save."""
        seq = getattr(self._committed_here, "seq", None)
        self._committed_here.seq = None
        return {STORE_SEQ: seq, STORE_EPOCH: self._manifest.epoch} if seq is not None else None

    # -- writing -------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Nested calls join the outer transaction; the outermost lands it."""
        if self.readonly:
            raise StoreError("err.store.readonly", path=str(self.data_dir))
        with self._mutex:
            if self._open_txn is not None:
                yield self._open_txn
                return
            with self._locked():
                self.refresh()
                if self._damage is not None:  # seen since the last (re)load: nothing more is saved
                    raise self._damage
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
        current, line = self._journal(), journal.encode(seq, writes, self._chain or 0)
        self._offset = current.append(line, self._offset)
        self._journal_ino, self._chain = current.inode(), journal.crc_of(line)
        self._seq = txn.seq = self._committed_here.seq = seq
        self._apply(writes)
        if self._offset >= self.checkpoint_bytes:
            self._checkpoint()

    @contextmanager
    def bulk(self, checkpoint_bytes: int = BULK_CHECKPOINT_BYTES) -> Iterator[None]:
        """Many saves in a row: the journal is folded at `checkpoint_bytes` instead."""
        with self._mutex:
            before, self.checkpoint_bytes = self.checkpoint_bytes, max(self.checkpoint_bytes, checkpoint_bytes)
        try:
            yield
        finally:
            with self._mutex:
                self.checkpoint_bytes = before

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
        A store of the first release rewrites every set, so that all of them carry a checksum.
        `checkpoint.pending` says which files are this checkpoint's until it commits."""
        names = set(self._manifest.sets) if self._manifest.legacy else self._touched | set(self._waiting)
        # Never lowered: a trail found cut back stays told at every open, not folded away.
        witnessed = 0 if self._manifest.legacy else max(self._witness(self._manifest.epoch),
                                                          self._manifest.witnessed)
        manifest = self._manifest.succeeding(self.today().isoformat(), self.seq, witnessed, after)
        atomic_write(self._path(PENDING), journal.dumps({"generation": manifest.generation}))
        written: list[Path] = []
        try:
            for name in sorted(names):
                fileset = self._sets.get(name) or self._load_set(name)
                written.append(self._path(f"{name}.{manifest.generation}.snap"))
                crc = self._write_set(fileset, manifest.generation, self.seq)
                manifest.sets[name] = {"gen": manifest.generation, "crc": crc}
            atomic_write(self._path(MANIFEST), manifest.to_bytes())
        except StoreError:
            if not self._committed(manifest):
                for path in (*written, self._path(PENDING)):  # never named by a manifest
                    path.unlink(missing_ok=True)
                raise
        self._path(PENDING).unlink(missing_ok=True)
        self._drop_sets(names)  # mapped again from the new snapshots: the changes leave memory
        self._manifest, self._manifest_stat = manifest, _stat_key(self._path(MANIFEST))
        self._offset, self._chain = 0, manifest.chain_seed()
        self._touched.clear()
        self._waiting.clear()
        self._keys.clear()
        self._tidy()

    def _committed(self, manifest: Manifest) -> bool:
        """Whether a manifest whose write reported failure is on disk after all (the
        rename done, the directory sync failed): then its snapshots must stay."""
        try:
            return Manifest.read(self._path(MANIFEST)).uid == manifest.uid
        except StoreError:
            return False

    def _tidy(self) -> None:
        """Remove files of earlier generations no manifest names. The previous journal
        stays for readers catching up; files of later generations are left to `desk check`."""
        gen = self._manifest.generation
        keep = {f"journal.{gen}.log", f"journal.{gen - 1}.log"}
        for name, entry in self._manifest.sets.items():
            keep |= {f"{name}.{entry['gen']}.snap"}
        for path in self.data_dir.iterdir():
            found = file_generation(path.name)
            if found is not None and found < gen and path.name not in keep:
                try:
                    path.unlink()
                except OSError:
                    pass  # left for the next checkpoint

    def close(self) -> None:
        with self._mutex:
            if not self.readonly and (self._offset > 0 or self._touched) and self._damage is None:
                try:
                    self.checkpoint(if_needed=True)
                except StoreError:
                    pass  # the journal holds every save; the next start folds it in
            if self._journal_file is not None:
                self._journal_file.close()
            self._drop_sets(self._sets)
            self._lock.close()

    # -- for `desk check`, backups and repair --------------------------------------

    @property
    def epoch(self) -> str:
        return self._manifest.epoch

    def files(self) -> list[Path]:
        """The files that make up the current state: manifest, snapshots, keys, journal."""
        with self._mutex:
            names = [MANIFEST]
            for name, gen in sorted((n, self._manifest.gen(n)) for n in self._manifest.sets):
                names.append(self._snapshot_path(name, gen).name)
                if self._manifest.legacy and self._keys_path(name, gen).exists():
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


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def open_store(data_dir: Path, *, today: Callable[[], dt.date], readonly: bool = False,
               **options: Any) -> JournalStore:
    """`today` has no default: the store's idea of the year and the day must come from the
    injected clock, never the wall clock, or tests rot and two desks disagree."""
    return JournalStore(data_dir, readonly=readonly, today=today, **options)
