import datetime as dt
import errno
import os
import stat

import orjson
import pytest

import storage.files as files
import storage.journal as journal_module
from desk.store import ConflictError, StoreCorrupt, StoreError
from storage import FileDraftBox, open_store
from storage.files import atomic_write, ensure_local
from storage.manifest import MANIFEST, read_manifest
from storage.rows import BaseRows
from storage.snapshot import Snapshot

TODAY = dt.date(2026, 11, 22)


def at(day: dt.date):
    return lambda: day


def reopen(data_dir, day=TODAY, **options):
    return open_store(data_dir, today=at(day), **options)


def names(store, table="visitors"):
    return sorted(d["name"] for d in store.scan(table))


def journal_path(data_dir):
    (path,) = data_dir.glob("journal.*.log")
    return path


def snapshot_path(data_dir, name):
    (path,) = data_dir.glob(f"{name}.*[0-9].snap")
    return path


def test_data_directory_and_files_are_owner_only(data_dir, store):
    with store.transaction() as txn:
        txn.insert("visitors", {"name": "张三"})
    store.close()  # folds the journal into snapshots, so both kinds of file exist
    assert stat.S_IMODE(os.stat(data_dir).st_mode) == 0o700
    for path in data_dir.iterdir():
        if path.is_file() and path.suffix in (".json", ".snap", ".log"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    FileDraftBox(data_dir / "drafts").save("k", {"a": 1})
    assert stat.S_IMODE(os.stat(data_dir / "drafts").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(data_dir / "drafts" / "k.json").st_mode) == 0o600


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "f.json"
    atomic_write(target, b'{"old": true}')

    def fail(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", fail)
    with pytest.raises(StoreError) as caught:
        atomic_write(target, b'{"new": true}')
    assert caught.value.code == "err.store.write" and "No space" in caught.value.params["detail"]
    assert target.read_bytes() == b'{"old": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]  # no temp file left behind


def test_a_transaction_lands_whole_or_not_at_all(data_dir, store):
    with store.transaction() as txn:
        txn.insert("visitors", {"name": "张三"})
    with pytest.raises(RuntimeError):
        with store.transaction() as txn:
            txn.insert("visitors", {"name": "李四"})
            txn.insert("matters", {"number": "2026-00001"})
            raise RuntimeError("power cut")
    assert names(store) == ["张三"]
    assert list(store.scan("matters")) == []
    other = reopen(data_dir)
    assert names(other) == ["张三"] and list(other.scan("matters")) == []
    other.close()


def test_a_save_is_in_the_journal_before_it_returns(data_dir, store):
    with store.transaction() as txn:
        doc = txn.insert("visitors", {"name": "张三"})
    line = journal_path(data_dir).read_bytes()
    assert line.endswith(b"\n") and "张三".encode() in line
    assert doc["id"] == 2026 * 10**7 + 1  # a yearly document's id names its year


def test_reads_inside_a_transaction_see_its_writes(store):
    with store.transaction() as txn:
        doc = txn.insert("visitors", {"name": "张三", "phone": "1"})
        assert txn.get("visitors", doc["id"])["name"] == "张三"
        assert [d["name"] for d in txn.find("visitors", "phone", "1")] == ["张三"]
        assert store.get("visitors", doc["id"]) is None  # not landed yet


def test_scanned_documents_cannot_be_changed_by_accident(store):
    with store.transaction() as txn:
        txn.insert("visitors", {"name": "张三"})
    (doc,) = store.scan("visitors")
    with pytest.raises(TypeError):
        doc["name"] = "李四"  # type: ignore[index]


def test_a_checkpoint_folds_the_journal_and_reopening_gives_the_same_records(data_dir, store):
    with store.transaction() as txn:
        a = txn.insert("visitors", {"name": "张三", "phone": "111"})
        txn.insert("operators", {"name": "王芳"})
    with store.transaction() as txn:
        txn.update("visitors", {**a, "phone": "222"})
    store.close()
    generation = read_manifest(data_dir / MANIFEST).generation
    assert not (data_dir / f"journal.{generation}.log").exists()  # every save is in a snapshot now
    again = reopen(data_dir)
    assert again.get("visitors", a["id"])["phone"] == "222"
    assert [d["name"] for d in again.find("visitors", "phone", "222")] == ["张三"]
    assert [d["name"] for d in again.scan("operators")] == ["王芳"]
    again.close()


def test_the_first_start_of_a_day_folds_yesterdays_journal(data_dir):
    first = reopen(data_dir, TODAY)
    with first.transaction() as txn:
        txn.insert("visitors", {"name": "张三"})
    del first  # the PC was switched off: no clean close, no checkpoint
    manifest = read_manifest(data_dir / MANIFEST)
    second = reopen(data_dir, TODAY + dt.timedelta(days=1))
    after = read_manifest(data_dir / MANIFEST)
    assert after.generation == manifest.generation + 1 and after.day == "2026-11-23"
    assert names(second) == ["张三"]
    second.close()


def test_a_corrupt_snapshot_is_refused_and_left_as_it_was(data_dir, store):
    with store.transaction() as txn:
        txn.insert("operators", {"name": "王芳"})
    store.close()
    path = snapshot_path(data_dir, "common")
    damaged = b'{"format":1,"set":"common","tables":{"operators":{"1":{"name":"\xe5\xbc\xa0'
    path.write_bytes(damaged)
    with pytest.raises(StoreCorrupt) as caught:
        reopen(data_dir)
    assert caught.value.params["path"] == str(path)
    assert path.read_bytes() == damaged
    path.write_bytes(b"")  # an empty file is damage too, never "a new store"
    with pytest.raises(StoreCorrupt):
        reopen(data_dir)
    assert path.read_bytes() == b""


def test_a_corrupt_manifest_is_refused_and_left_as_it_was(data_dir, store):
    store.close()
    (data_dir / MANIFEST).write_bytes(b'{"generation": ')
    with pytest.raises(StoreCorrupt):
        reopen(data_dir)
    assert (data_dir / MANIFEST).read_bytes() == b'{"generation": '


def test_a_torn_last_journal_line_is_dropped_and_only_that(data_dir, store):
    with store.transaction() as txn:
        txn.insert("visitors", {"name": "张三"})
    path = journal_path(data_dir)
    good = path.read_bytes()
    path.write_bytes(good + good[: len(good) // 2])  # the power went while the next line was written
    again = reopen(data_dir)
    assert names(again) == ["张三"]
    with again.transaction() as txn:
        txn.insert("visitors", {"name": "李四"})  # appends after the good line, not after the torn bytes
    assert names(reopen(data_dir, readonly=True)) == ["张三", "李四"]
    again.close()


def test_a_bad_line_in_the_middle_of_the_journal_is_reported_with_its_place(data_dir, store):
    for name in ("张三", "李四"):
        with store.transaction() as txn:
            txn.insert("visitors", {"name": name})
    path = journal_path(data_dir)
    data = bytearray(path.read_bytes())
    data[12] ^= 0x01  # one flipped bit in the first line
    path.write_bytes(bytes(data))
    with pytest.raises(StoreCorrupt) as caught:
        reopen(data_dir)
    assert caught.value.params["path"] == str(path)
    assert (caught.value.params["detail"], caught.value.params["at"]) == ("damage.bad_line", 0)
    assert path.read_bytes() == bytes(data)


def test_a_full_disk_leaves_the_records_and_the_journal_as_they_were(data_dir, store, monkeypatch):
    with store.transaction() as txn:
        txn.insert("visitors", {"name": "张三"})
    before = journal_path(data_dir).read_bytes()

    def full(fd, data, pos):
        os.ftruncate(fd, pos + 7)  # part of the line reached the disk
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(journal_module.os, "pwrite", full)
    with pytest.raises(StoreError) as caught:
        with store.transaction() as txn:
            txn.insert("visitors", {"name": "李四"})
    monkeypatch.undo()
    assert caught.value.code == "err.store.write" and "No space" in caught.value.params["detail"]
    assert names(store) == ["张三"]
    assert journal_path(data_dir).read_bytes() == before
    with store.transaction() as txn:
        txn.insert("visitors", {"name": "王五"})
    assert names(reopen(data_dir, readonly=True)) == ["张三", "王五"]


def test_two_desks_on_one_directory_both_save_and_see_each_other(data_dir, store):
    other = reopen(data_dir)
    with store.transaction() as txn:
        a = txn.insert("visitors", {"name": "张三"})
    with other.transaction() as txn:  # catches up first, so its ids follow the first desk's
        b = txn.insert("visitors", {"name": "李四"})
    assert b["id"] == a["id"] + 1
    assert store.refresh() is True
    assert names(store) == names(other) == ["张三", "李四"]
    other.checkpoint()  # the other desk starts a new journal generation
    with other.transaction() as txn:
        txn.insert("visitors", {"name": "王五"})
    store.refresh()
    assert names(store) == ["张三", "李四", "王五"]
    other.close()


def test_a_stale_revision_is_refused(data_dir, store):
    with store.transaction() as txn:
        doc = txn.insert("visitors", {"name": "张三"})
    other = reopen(data_dir)
    with other.transaction() as txn:
        txn.update("visitors", {**doc, "name": "张三丰"})
    with pytest.raises(ConflictError):
        with store.transaction() as txn:
            txn.update("visitors", {**doc, "name": "张叁"})  # based on rev 1; the other desk made rev 2
    assert store.get("visitors", doc["id"])["name"] == "张三丰"
    other.close()


def test_indexes_follow_updates(store):
    with store.transaction() as txn:
        doc = txn.insert("visitors", {"name": "张三", "phone": "111"})
    assert store.find("visitors", "phone", "111")
    with store.transaction() as txn:
        txn.update("visitors", {**doc, "phone": "222"})
    assert store.find("visitors", "phone", "111") == []
    assert [d["id"] for d in store.find("visitors", "phone", "222")] == [doc["id"]]


def test_visits_of_one_day_are_found_through_the_date_index(store):
    with store.transaction() as txn:
        for day in ("2026-11-21", "2026-11-22", "2026-11-22"):
            txn.insert("visits", {"at": f"{day}T09:00:00+08:00", "visitor_id": 1})
    assert len(store.find("visits", "at[:10]", "2026-11-22")) == 2


def test_every_document_carries_schema_and_revision(data_dir, store):
    with store.transaction() as txn:
        doc = txn.insert("visitors", {"name": "张三"})
    store.close()
    snapshot = Snapshot(snapshot_path(data_dir, "2026"), "2026")
    on_disk = BaseRows(snapshot, "visitors")
    assert on_disk.get(doc["id"]) == {"name": "张三", "id": doc["id"], "rev": 1, "schema": 1}


def test_each_year_has_its_own_files_and_old_years_open_only_when_needed(data_dir):
    last_year = reopen(data_dir, dt.date(2024, 6, 1))
    with last_year.transaction() as txn:
        old = txn.insert("visitors", {"name": "张三", "id_number": "11010519491231002X"})
        txn.insert("matters", {"number": "2024-00001", "visitor_id": old["id"]})
    last_year.close()
    store = reopen(data_dir)
    with store.transaction() as txn:
        txn.insert("visitors", {"name": "李四"})
    assert "2024" not in store._sets  # not read at start
    assert names(store) == ["李四"]  # scans cover last year and this one
    assert sorted(d["name"] for d in store.scan("visitors", years=[2024, 2026])) == ["张三", "李四"]
    store.close()

    store = reopen(data_dir)
    assert [d["id"] for d in store.find("visitors", "id_number", "11010519491231002X")] == [old["id"]]
    assert "2024" in store._sets  # the cross-year index found a match there, so the year was opened
    assert store.find("visitors", "id_number", "110105194912310000") == []
    store.close()
    store = reopen(data_dir)
    assert store.find("visitors", "phone", "13800000000") == []
    # An old year is only mapped to answer a find (its index arrays read, no document):
    assert "2024" not in store._sets or store._sets["2024"].changed == 0
    with store.transaction() as txn:  # a January reply to last year's matter is saved in that year
        (matter,) = txn.find("matters", "number", "2024-00001")
        txn.update("matters", {**matter, "status": "replied"})
    store.close()
    assert reopen(data_dir).find("matters", "number", "2024-00001")[0]["status"] == "replied"


def test_the_single_file_store_of_the_first_release_is_migrated_and_kept(data_dir):
    data_dir.mkdir(mode=0o700)
    legacy = {"visitors": {"1": {"name": "张三", "id": 1, "rev": 1, "schema": 1, "phone": "111"}},
              "operators": {"1": {"name": "王芳", "id": 1, "rev": 1, "schema": 1}}}
    raw = orjson.dumps(legacy)
    (data_dir / "desk.json").write_bytes(raw)
    store = reopen(data_dir)
    assert store.get("visitors", 1)["name"] == "张三"
    assert [d["name"] for d in store.find("visitors", "phone", "111")] == ["张三"]
    with store.transaction() as txn:
        new = txn.insert("visitors", {"name": "李四"})
    assert new["id"] == 2026 * 10**7 + 1
    store.close()
    assert (data_dir / "desk.json").read_bytes() == raw
    assert names(reopen(data_dir)) == ["张三", "李四"]


def test_a_data_directory_on_a_network_share_is_refused(tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text(f"server:/export {tmp_path} nfs4 rw 0 0\n/dev/sda1 / ext4 rw 0 0\n")
    with pytest.raises(StoreError) as caught:
        ensure_local(tmp_path / "data", mounts)
    assert caught.value.code == "err.store.network" and caught.value.params["kind"] == "nfs4"
    ensure_local(tmp_path / "data", tmp_path / "no-such-mounts")  # where the OS cannot tell, no refusal


def test_an_unreadable_draft_is_ignored_not_fatal(data_dir):
    box = FileDraftBox(data_dir / "drafts")
    box.save("k", {"a": 1})
    (data_dir / "drafts" / "k.json").write_bytes(b"\xff\x00 not json")
    assert box.load("k") is None
