"""Documents filed under a year they were not saved in (an old ledger imported now): the
store keys them by id, so a past year's set is begun, checkpointed, backed up, checked and
found like any other, and opened only when something asks for it."""

from __future__ import annotations

import datetime as dt

import pytest

from desk.store import StoreError
from storage import maintenance, open_store
from storage.check import check
from storage.snapshot import Snapshot

TODAY = dt.date(2026, 11, 22)


def reopen(data_dir):
    return open_store(data_dir, today=lambda: TODAY)


def test_insert_files_a_yearly_document_under_the_year_given(store):
    with store.transaction() as txn:
        old = txn.insert("visits", {"at": "2024-03-01T09:00:00"}, year=2024)
        older = txn.insert("visits", {"at": "2024-03-02T09:00:00"}, year=2024)
        now = txn.insert("visits", {"at": "2026-11-22T09:00:00"})
        with txn.filed_in(2019):
            oldest = txn.insert("visits", {"at": "2019-05-05T09:00:00"})
            common = txn.insert("operators", {"name": "王芳"})  # not a yearly table: unaffected
        after = txn.insert("visits", {"at": "2026-11-22T10:00:00"})  # the block's year ends with it
    assert (old["id"], older["id"]) == (2024 * 10**7 + 1, 2024 * 10**7 + 2)
    assert now["id"] // 10**7 == 2026 and after["id"] == now["id"] + 1
    assert oldest["id"] == 2019 * 10**7 + 1 and common["id"] < 10**7
    with store.transaction() as txn:  # the next id of a past year follows what it holds
        assert txn.insert("visits", {"at": "2024-04-01T09:00:00"}, year=2024)["id"] == 2024 * 10**7 + 3


def test_a_year_out_of_range_is_refused(store):
    with pytest.raises(StoreError) as refused, store.transaction() as txn:
        txn.insert("visits", {"at": "x"}, year=10**7)
    assert refused.value.code == "err.store.year"


def test_a_past_year_is_found_by_find_and_by_naming_it_not_in_the_window(data_dir, store):
    with store.transaction() as txn:
        doc = txn.insert("visitors", {"name": "张三", "id_number": "X1"}, year=2020)
    assert [d["id"] for d in store.find("visitors", "id_number", "X1")] == [doc["id"]]
    assert list(store.scan("visitors")) == [] and [d["id"] for d in store.scan("visitors", [2020])] == [doc["id"]]
    store.close()
    again = reopen(data_dir)
    assert "2020" in again._manifest.sets and "2020" not in again._sets  # not opened at the start
    assert again.get("visitors", doc["id"])["name"] == "张三"
    assert [d["id"] for d in again.find("visitors", "id_number", "X1")] == [doc["id"]]
    again.close()


def test_check_and_backup_take_a_past_years_set_made_today(data_dir, store, tmp_path):
    with store.transaction() as txn:
        txn.insert("visits", {"at": "2023-01-02T09:00:00", "matter_id": 1}, year=2023)
    with store.transaction() as txn:
        txn.insert("visits", {"at": "2023-01-03T09:00:00", "matter_id": 1}, year=2023)
    documents, findings = check(data_dir)  # both still in the journal
    assert findings == [] and documents >= 2
    store.checkpoint()
    documents, findings = check(data_dir)
    assert findings == [] and documents >= 2
    made = maintenance.backup(store, tmp_path / "backups", "b")
    assert any(p.name.startswith("2023.") for p in made.iterdir())
    assert check(made)[1] == []


def test_a_checkpoint_lets_go_of_the_mapped_rows_it_copied(data_dir, store, monkeypatch):
    released = []
    monkeypatch.setattr(Snapshot, "release", lambda self: released.append(self.path.name))
    with store.transaction() as txn:
        txn.insert("visits", {"at": "2025-01-02T09:00:00"}, year=2025)
    store.checkpoint()
    with store.transaction() as txn:
        txn.insert("visits", {"at": "2025-01-03T09:00:00"}, year=2025)
    store.checkpoint()  # copies the first row from the mapped snapshot of the last one
    assert any(name.startswith("2025.") for name in released)
    assert len(list(store.scan("visits", [2025]))) == 2


def test_released_pages_are_read_again(data_dir, store):
    with store.transaction() as txn:
        doc = txn.insert("visits", {"at": "2025-01-02T09:00:00", "note": "甲" * 5000}, year=2025)
    store.checkpoint()
    assert store.get("visits", doc["id"])["note"] == "甲" * 5000
    fileset = store._sets.get("2025") or store._set("2025")
    fileset.snapshot.release()
    assert store.get("visits", doc["id"])["note"] == "甲" * 5000


def test_bulk_folds_the_journal_less_often_and_only_meanwhile(store):
    assert store.checkpoint_bytes == 8 << 20
    with store.bulk(32 << 20):
        assert store.checkpoint_bytes == 32 << 20
    assert store.checkpoint_bytes == 8 << 20
    with pytest.raises(RuntimeError), store.bulk():
        raise RuntimeError
    assert store.checkpoint_bytes == 8 << 20
