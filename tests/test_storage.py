import os
import stat

import orjson
import pytest

import storage.files as files
from desk.store import ConflictError, StoreCorrupt, StoreError, StoreLocked
from storage import FileDraftBox, open_store
from storage.files import atomic_write
from storage.tinystore import DB_FILE


def test_data_directory_and_files_are_owner_only(data_dir, store):
    with store.transaction() as txn:
        txn.insert("visitors", {"name": "张三"})
    assert stat.S_IMODE(os.stat(data_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(data_dir / DB_FILE).st_mode) == 0o600
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


def test_a_transaction_lands_whole_or_not_at_all(data_dir, store, monkeypatch):
    with store.transaction() as txn:
        txn.insert("visitors", {"name": "张三"})
    with pytest.raises(RuntimeError):
        with store.transaction() as txn:
            txn.insert("visitors", {"name": "李四"})
            txn.insert("matters", {"number": "2026-00001"})
            raise RuntimeError("power cut")
    assert [d["name"] for d in store.scan("visitors")] == ["张三"]
    assert list(store.scan("matters")) == []
    on_disk = orjson.loads((data_dir / DB_FILE).read_bytes())
    assert [d["name"] for d in on_disk["visitors"].values()] == ["张三"]


def test_reads_inside_a_transaction_see_its_writes(store):
    with store.transaction() as txn:
        doc = txn.insert("visitors", {"name": "张三", "phone": "1"})
        assert txn.get("visitors", doc["id"])["name"] == "张三"
        assert [d["name"] for d in txn.find("visitors", "phone", "1")] == ["张三"]
        assert store.get("visitors", doc["id"]) is None  # not landed yet


def test_a_corrupt_file_is_refused_and_left_as_it_was(data_dir, store):
    store.close()
    damaged = b'{"visitors": {"1": {"name": "\xe5\xbc\xa0'  # cut off mid-character
    (data_dir / DB_FILE).write_bytes(damaged)
    with pytest.raises(StoreCorrupt) as caught:
        open_store(data_dir)
    assert caught.value.params["path"].endswith(DB_FILE)
    assert (data_dir / DB_FILE).read_bytes() == damaged
    (data_dir / DB_FILE).write_bytes(b"")  # an empty file is damage too, never "a new store"
    with pytest.raises(StoreCorrupt):
        open_store(data_dir)
    assert (data_dir / DB_FILE).read_bytes() == b""


def test_a_second_writer_is_told_the_directory_is_in_use(data_dir, store):
    with pytest.raises(StoreLocked) as caught:
        open_store(data_dir)
    assert caught.value.params["path"] == str(data_dir)
    store.close()
    open_store(data_dir).close()  # free again once the first one closed


def test_a_stale_revision_is_refused(store):
    with store.transaction() as txn:
        doc = txn.insert("visitors", {"name": "张三"})
    with store.transaction() as txn:
        txn.update("visitors", {**doc, "name": "张三丰"})
    with pytest.raises(ConflictError):
        with store.transaction() as txn:
            txn.update("visitors", {**doc, "name": "张叁"})  # based on rev 1, stored is rev 2
    assert store.get("visitors", doc["id"])["name"] == "张三丰"


def test_indexes_follow_updates(store):
    with store.transaction() as txn:
        doc = txn.insert("visitors", {"name": "张三", "phone": "111"})
    assert store.find("visitors", "phone", "111")
    with store.transaction() as txn:
        txn.update("visitors", {**doc, "phone": "222"})
    assert store.find("visitors", "phone", "111") == []
    assert [d["id"] for d in store.find("visitors", "phone", "222")] == [doc["id"]]


def test_every_document_carries_schema_and_revision(data_dir, store):
    with store.transaction() as txn:
        txn.insert("visitors", {"name": "张三"})
    on_disk = orjson.loads((data_dir / DB_FILE).read_bytes())
    assert on_disk["visitors"]["1"] == {"name": "张三", "id": 1, "rev": 1, "schema": 1}


def test_invalid_utf8_in_the_store_is_refused_and_kept(data_dir, store):
    store.close()
    (data_dir / DB_FILE).write_bytes(b'{"visitors": {"1": {"name": "\xff\xfe"}}}')
    with pytest.raises(StoreCorrupt):
        open_store(data_dir)
    assert (data_dir / DB_FILE).read_bytes().startswith(b'{"visitors"')


def test_an_unreadable_draft_is_ignored_not_fatal(data_dir):
    box = FileDraftBox(data_dir / "drafts")
    box.save("k", {"a": 1})
    (data_dir / "drafts" / "k.json").write_bytes(b"\xff\x00 not json")
    assert box.load("k") is None
