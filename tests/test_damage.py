"""Damage to the data folder is noticed, never absorbed (issue #5, points 9 and 13).

The matrix: each kind of damage, what `desk check` says (exit status and the file it
names), and what opening the store does: refuse with StoreCorrupt, or repair silently
because it is only the torn tail of a save that never returned.
"""

from __future__ import annotations

import errno
import os
import random
from pathlib import Path

import pytest

import storage.engine as engine_module
from desk.audit import Auditor
from desk.services import Desk
from desk.store import StoreCorrupt, StoreError
from storage import FileAuditLog, open_store
from storage.manifest import MANIFEST, read_manifest
from tests.conftest import form
from tests.test_cli import Run, pinned_today

SAVES = 6


@pytest.fixture
def run(tmp_path):
    return Run(tmp_path)


def crashed_hall(data: Path, clock, registrations: int = SAVES):
    """A hall whose last saves are only in the journal: the desk was killed, never closed."""
    store = open_store(data, today=clock.today)
    desk = Desk(store, clock, rng=random.Random(1), audit=Auditor(FileAuditLog(data), clock, "w1"))
    admin = desk.add_operator("管理员", "admin", "admin-pass")
    clerk = desk.add_operator("王芳", "receptionist", "secret123", by=admin)
    receipts = [desk.register(form(name=f"张{n}", id_number=""), clerk) for n in range(registrations)]
    return store, receipts


def journal_of(data: Path) -> Path:
    return data / f"journal.{read_manifest(data / MANIFEST).generation}.log"


def snapshot_of(data: Path, name: str) -> Path:
    return data / f"{name}.{read_manifest(data / MANIFEST).gen(name)}.snap"


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def refused(data: Path, clock) -> StoreCorrupt:
    with pytest.raises(StoreCorrupt) as caught:
        open_store(data, today=clock.today)
    return caught.value


# -- the matrix ------------------------------------------------------------------------


def delete_journal(data: Path) -> None:
    journal_of(data).unlink()


def cut_journal_at_a_line(data: Path) -> None:
    path = journal_of(data)
    path.write_bytes(b"".join(lines_of(path)[:-3]))


def flip_a_byte_in_the_last_line(data: Path) -> None:
    path = journal_of(data)
    raw = bytearray(path.read_bytes())
    start = raw.rindex(b"\n", 0, len(raw) - 1) + 1
    raw[start + 40] ^= 0x01  # inside the JSON; the newline stays
    path.write_bytes(bytes(raw))


def repeat_a_line(data: Path) -> None:
    path = journal_of(data)
    lines = lines_of(path)
    path.write_bytes(b"".join(lines + [lines[-1]]))  # a whole, checking line, but out of sequence


def flip_a_digit_in_a_snapshot(data: Path) -> None:
    path = snapshot_of(data, "common")
    raw = path.read_bytes()
    at = raw.index(b'"failures":0')
    path.write_bytes(raw[:at] + b'"failures":9' + raw[at + 12:])


def delete_a_snapshot(data: Path) -> None:
    snapshot_of(data, "common").unlink()


def garble_the_manifest(data: Path) -> None:
    path = data / MANIFEST
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b'"generation":', b'"generatoin":'))


DAMAGE = {
    # name: (how, what `desk check` names, fixed by `desk repair`)
    "journal deleted": (delete_journal, "journal.", True),
    "journal cut at a line boundary": (cut_journal_at_a_line, "journal.", True),
    "a byte flipped in the last complete journal line": (flip_a_byte_in_the_last_line, "journal.", True),
    "a journal line repeated": (repeat_a_line, "journal.", True),
    "a digit flipped in a snapshot": (flip_a_digit_in_a_snapshot, "common.", False),
    "a snapshot deleted": (delete_a_snapshot, "common.", False),
    "the manifest garbled": (garble_the_manifest, MANIFEST, False),
}


def checkpointed(data: Path, clock) -> None:
    """Fold the journal once, so that snapshots exist, then make more saves."""
    store, _ = crashed_hall(data, clock, registrations=1)
    store.close()
    again = open_store(data, today=clock.today)
    desk = Desk(again, clock, rng=random.Random(2), audit=Auditor(FileAuditLog(data), clock, "w1"))
    clerk = next(o for o in desk.operators() if o.name == "王芳")
    for n in range(SAVES):
        desk.register(form(name=f"李{n}", id_number=""), clerk)


@pytest.mark.parametrize("kind", DAMAGE)
def test_each_damage_is_found_by_check_and_refused_at_open(kind, run, clock):
    checkpointed(run.data, clock)
    how, named, _ = DAMAGE[kind]
    how(run.data)
    before = {p.name: p.read_bytes() for p in run.data.iterdir() if p.is_file()}
    code, out, _ = run("check", "--data", str(run.data))
    assert code == 1 and "数据有问题" in out and "数据完好" not in out, out
    assert any(named in line and "错误" in line for line in out.splitlines()), out
    refused(run.data, clock)
    code, _, err = run("user", "list", "--data", str(run.data))
    assert code == 1 and "已损坏" in err
    after = {p.name: p.read_bytes() for p in run.data.iterdir() if p.is_file() and p.name in before}
    assert after == before  # the evidence is left exactly as it was


def test_a_torn_last_line_is_the_one_damage_repaired_silently(run, clock):
    checkpointed(run.data, clock)
    path = journal_of(run.data)
    good = path.read_bytes()
    path.write_bytes(good + good[-200:-20])  # no newline: a save that never returned
    code, out, _ = run("check", "--data", str(run.data))
    assert code == 0 and "未写完" in out
    store = open_store(run.data, today=clock.today)
    with store.transaction() as txn:
        txn.insert("visitors", {"name": "赵六"})
    store.close()
    assert run("check", "--data", str(run.data))[0] == 0


@pytest.mark.parametrize("kind", [k for k, (_, _, repairable) in DAMAGE.items() if repairable])
def test_repair_moves_the_damaged_journal_aside_and_lists_what_is_lost(kind, run, clock):
    checkpointed(run.data, clock)
    how, _, _ = DAMAGE[kind]
    how(run.data)
    damaged = journal_of(run.data).read_bytes() if journal_of(run.data).exists() else None
    code, out, err = run("repair", "--data", str(run.data))
    assert code == 0, err
    if damaged is not None:
        (aside,) = run.data.glob("damaged-*/journal.*.log")
        assert aside.read_bytes() == damaged  # moved, not deleted
    code, out2, _ = run("check", "--data", str(run.data))
    assert code == 0, out2
    if kind != "a journal line repeated":
        assert "当前数据中没有的保存" in out and "需要重新录入" in out  # the lost registrations are named
    code, trail, _ = run("audit", "verify", "--data", str(run.data))
    assert code == 0, trail
    store = open_store(run.data, today=clock.today)  # and the desk writes again
    with store.transaction() as txn:
        txn.insert("visitors", {"name": "赵六"})
    store.close()


def test_repair_refuses_snapshot_damage_and_points_to_restore(run, clock):
    checkpointed(run.data, clock)
    flip_a_digit_in_a_snapshot(run.data)
    code, _, err = run("repair", "--data", str(run.data))
    assert code == 1 and "desk restore" in err


# -- damage while a desk is open -----------------------------------------------------------


def test_a_journal_deleted_under_an_open_desk_stops_its_saves(data_dir, clock):
    store, _ = crashed_hall(data_dir, clock)
    journal_of(data_dir).unlink()
    with pytest.raises(StoreCorrupt):
        with store.transaction() as txn:
            txn.insert("visitors", {"name": "赵六"})  # never into the deleted file
    assert not journal_of(data_dir).exists()


def test_a_journal_cut_under_an_open_desk_stops_its_saves(data_dir, clock):
    store, _ = crashed_hall(data_dir, clock)
    cut_journal_at_a_line(data_dir)
    cut = journal_of(data_dir).read_bytes()
    with pytest.raises(StoreCorrupt):
        store.refresh()
    with pytest.raises(StoreCorrupt):
        with store.transaction() as txn:
            txn.insert("visitors", {"name": "赵六"})
    assert journal_of(data_dir).read_bytes() == cut  # the next save did not write over the damage


# -- leftovers of kills and failed checkpoints ---------------------------------------------------


def test_leftovers_of_killed_writes_are_swept_at_open_and_a_later_generation_is_only_named(run, clock):
    checkpointed(run.data, clock)
    gen = read_manifest(run.data / MANIFEST).generation
    leftovers = [f".{MANIFEST}.k1x.tmp", f".2026.{gen + 1}.snap.abc.tmp", f"2026.{gen + 1}.snap",
                 f"2026.{gen + 1}.keys.json"]
    for name in leftovers:
        (run.data / name).write_bytes(b"x" * 1000)
    (run.data / "checkpoint.pending").write_bytes(b'{"generation": %d}' % (gen + 1))  # as a killed checkpoint leaves it
    stranger = run.data / f"2026.{gen + 5}.snap"
    stranger.write_bytes(b"{}")
    store = open_store(run.data, today=clock.today)
    assert not [n for n in leftovers if (run.data / n).exists()]
    store.close()
    assert stranger.exists()  # not ours to judge
    code, out, _ = run("check", "--data", str(run.data))
    assert str(stranger) in out and "更新的一代" in out


def test_an_older_manifest_put_back_is_refused_and_the_newer_files_are_kept(run, clock):
    checkpointed(run.data, clock)
    old = (run.data / MANIFEST).read_bytes()
    store = open_store(run.data, today=clock.today)
    with store.transaction() as txn:
        txn.insert("visitors", {"name": "赵六"})
    store.close()  # a checkpoint: the current year is now in a newer generation
    newer = {p.name: p.read_bytes() for p in run.data.iterdir() if p.is_file()}
    (run.data / MANIFEST).write_bytes(old)
    refused(run.data, clock)
    code, out, _ = run("user", "list", "--data", str(run.data))
    assert code == 1
    for name, content in newer.items():
        if name != MANIFEST:
            assert (run.data / name).read_bytes() == content, name  # nothing deleted or rewritten


def test_a_snapshot_from_an_older_generation_or_another_hall_is_not_the_one_named(run, clock, tmp_path):
    checkpointed(run.data, clock)
    current = snapshot_of(run.data, "common")
    other = tmp_path / "other"
    checkpointed(other, clock)  # another hall, same shape
    current.write_bytes(snapshot_of(other, "common").read_bytes())
    assert refused(run.data, clock).params["detail"] == "damage.not_named"
    code, out, _ = run("check", "--data", str(run.data))
    assert code == 1 and "不是清单所记的那一份快照" in out


def test_a_journal_from_another_hall_does_not_check_even_when_whole(run, clock, tmp_path):
    checkpointed(run.data, clock)
    other = tmp_path / "other"
    checkpointed(other, clock)
    journal_of(run.data).write_bytes(journal_of(other).read_bytes())
    refused(run.data, clock)
    assert run("check", "--data", str(run.data))[0] == 1


def test_a_failed_checkpoint_leaves_no_unreferenced_snapshot(data_dir, clock, monkeypatch):
    store, _ = crashed_hall(data_dir, clock)
    real = engine_module.atomic_write

    def full_at_the_manifest(path, data):
        if path.name == MANIFEST:
            raise StoreError("err.store.write", path=str(path), detail="No space left on device")
        real(path, data)

    monkeypatch.setattr(engine_module, "atomic_write", full_at_the_manifest)
    before = sorted(p.name for p in data_dir.iterdir())
    with pytest.raises(StoreError):
        store.checkpoint()
    assert sorted(p.name for p in data_dir.iterdir()) == before
    monkeypatch.undo()
    with store.transaction() as txn:  # and the desk saves on, into the same journal
        txn.insert("visitors", {"name": "赵六"})
    store.close()
    assert open_store(data_dir, today=clock.today).find("visitors", "name", "赵六")


def test_a_manifest_written_though_its_directory_sync_failed_keeps_its_snapshots(data_dir, clock, monkeypatch):
    store, _ = crashed_hall(data_dir, clock)
    real = engine_module.atomic_write

    def synced_badly(path, data):
        real(path, data)
        if path.name == MANIFEST:
            raise StoreError("err.store.write", path=str(path), detail="Input/output error")

    monkeypatch.setattr(engine_module, "atomic_write", synced_badly)
    store.checkpoint()  # committed after all: no error to report, nothing to remove
    monkeypatch.undo()
    again = open_store(data_dir, today=clock.today)
    assert len(again.find("visitors", "name", "张0")) == 1
    again.close()


# -- a full disk and the audit trail ----------------------------------------------------------


def test_a_short_audit_write_on_a_full_disk_is_cut_back_and_the_chain_goes_on(data_dir, clock, monkeypatch):
    import storage.auditlog as auditlog

    log = FileAuditLog(data_dir)
    data_dir.mkdir()
    auditor = Auditor(log, clock, "w1")
    auditor.record("王芳", "receptionist", "login")
    before = log.path.read_bytes()
    real = os.pwrite

    def full(fd, data, pos):
        real(fd, bytes(data[:9]), pos)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(auditlog.os, "pwrite", full)
    with pytest.raises(StoreError):
        auditor.record("王芳", "receptionist", "logout")
    monkeypatch.undo()
    assert log.path.read_bytes() == before
    entry = auditor.record("王芳", "receptionist", "login")
    assert entry.seq == 2 and auditor.verify() == (2, [])


def test_a_torn_audit_line_is_moved_aside_told_and_the_chain_goes_on(data_dir, clock):
    data_dir.mkdir()
    log = FileAuditLog(data_dir)
    auditor = Auditor(log, clock, "w1")
    auditor.record("王芳", "receptionist", "login")
    with open(log.path, "ab") as handle:
        handle.write(b'{"seq":2,"at":"2026-11-22T10:')  # the power went mid-append
    auditor.record("王芳", "receptionist", "logout")
    assert auditor.verify() == (3, [])
    assert [e.action for e in auditor.entries()] == ["login", "audit_torn_tail", "logout"]
    assert b'{"seq":2,"at"' in (data_dir / "audit.torn").read_bytes()


def test_an_audit_trail_cut_off_at_the_end_is_numbered_on_from_its_head_not_restarted(data_dir, clock):
    data_dir.mkdir()
    log = FileAuditLog(data_dir)
    auditor = Auditor(log, clock, "w1")
    for _ in range(4):
        auditor.record("王芳", "receptionist", "login")
    log.path.write_bytes(b"".join(log.path.read_bytes().splitlines(keepends=True)[:2]))
    entry = auditor.record("王芳", "receptionist", "login")
    assert entry.seq == 5  # never 3 again: the removal stays visible
    codes = [p.code for p in auditor.verify()[1]]
    assert codes == ["audit.removed"]


def test_a_save_whose_audit_entry_cannot_be_written_is_reported_saved(desk, operator, monkeypatch):
    import storage.auditlog as auditlog

    def full(fd, line, end, path):
        raise StoreError("err.store.write", path=str(path), detail="No space left on device")

    monkeypatch.setattr(auditlog, "_write_all", full)  # the audit trail's disk is full, not the journal's
    receipt = desk.register(form(id_number=""), operator)  # saved: no exception, a receipt
    monkeypatch.undo()
    assert desk.store.get("matters", receipt.matter.id) is not None
    assert [e.code for e in desk.audit_failures] == ["err.store.write"]


def test_the_command_line_tells_saved_and_not_audited_both(run, monkeypatch):
    import storage.auditlog as auditlog

    def full(fd, line, end, path):
        raise StoreError("err.store.write", path=str(path), detail="No space left on device")

    monkeypatch.setattr(auditlog, "_write_all", full)  # the audit trail's disk is full, not the journal's
    code, out, err = run("user", "add", "王芳", "--role", "receptionist", "--password-stdin",
                         "--data", str(run.data), stdin="secret123\n")
    monkeypatch.undo()
    assert code == 0 and "已添加操作员 王芳" in out
    assert "审计记录没有写入" in err and "No space" in err
    code, out, _ = run("user", "list", "--data", str(run.data))
    assert "王芳" in out


def test_a_save_the_audit_trail_witnessed_counts_as_made_even_after_the_journal_folds(run, clock):
    store, receipts = crashed_hall(run.data, clock)
    store.close()
    again = open_store(run.data, today=clock.today)
    assert again.seq >= len(receipts)
    again.close()
    assert run("check", "--data", str(run.data))[0] == 0


def test_reading_a_folder_creates_and_changes_nothing(run, tmp_path, clock):
    crashed_hall(run.data, clock)[0].close()
    os.chmod(run.data, 0o750)
    listing = sorted(p.name for p in run.data.iterdir())
    assert run("check", "--data", str(run.data))[0] == 0
    assert run("audit", "verify", "--data", str(run.data))[0] == 0
    assert sorted(p.name for p in run.data.iterdir()) == listing
    assert os.stat(run.data).st_mode & 0o777 == 0o750
    missing = tmp_path / "nowhere"
    assert run("check", str(missing))[0] == 1
    assert run("audit", "verify", "--data", str(missing))[0] == 1
    assert not missing.exists()


def test_today_is_never_the_wall_clock():
    with pytest.raises(TypeError):
        open_store(Path("unused"))  # type: ignore[call-arg]
    assert pinned_today().isoformat() == "2026-11-22"


async def test_the_app_says_saved_and_not_audited_when_the_trail_cannot_be_written(desk, operator, monkeypatch):
    import storage.auditlog as auditlog
    from tests.pilot import make_app, notices

    def full(fd, line, end, path):
        raise StoreError("err.store.write", path=str(path), detail="No space left on device")

    app = make_app(desk, logged_in="王芳")
    async with app.run_test() as pilot:
        monkeypatch.setattr(auditlog, "_write_all", full)
        receipt = desk.register(form(id_number=""), operator)
        await pilot.pause()
        assert desk.store.get("matters", receipt.matter.id) is not None
        assert any("已保存" in n and "审计记录没有写入" in n for n in notices(app))
