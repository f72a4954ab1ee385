"""Backups that count only when checked, restores that leave locks and evidence alone,
and an audit trail with witnesses outside the data folder (issue #5, points 10, 11, 14, 15)."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import time
from pathlib import Path

import pytest

from desk.audit import AuditEntry, Auditor, chain, head_code
from desk.clock import fixed
from desk.services import Desk
from desk.store import StoreError
from storage import FileAuditLog, maintenance, open_store
from storage.manifest import MANIFEST, read_manifest
from tests.conftest import PINNED, form
from tests.test_cli import Run
from tests.test_damage import checkpointed, flip_a_digit_in_a_snapshot
from tests.test_maintenance import add


@pytest.fixture
def run(tmp_path):
    return Run(tmp_path)


def backup(run, to: Path) -> Path:
    code, out, err = run("backup", "--data", str(run.data), "--to", str(to))
    assert code == 0, err
    return max(to.iterdir())


def trail_lines(folder: Path) -> list[str]:
    return (folder / "audit.log").read_text(encoding="utf-8").splitlines()


# -- point 10: a backup is verified before it counts ----------------------------------------


def test_a_backup_records_its_check_the_last_save_and_the_trails_head(run, tmp_path):
    add(run, "王芳")
    made = backup(run, tmp_path / "usb")
    record = maintenance.read_record(made)
    assert record is not None and record.day == "2026-11-22" and record.documents >= 1
    last = json.loads(trail_lines(made)[-1])
    assert record.audit_code == head_code(last["seq"], last["hash"])
    assert not list(made.glob("*.lock"))


def test_a_backup_of_damaged_data_is_refused_and_never_counts(run, tmp_path, clock):
    checkpointed(run.data, clock)
    live = open_store(run.data, today=clock.today)
    live.checkpoint()
    flip_a_digit_in_a_snapshot(run.data)  # damaged after the desk read it: only the copy can tell
    with pytest.raises(StoreError) as caught:
        maintenance.backup(live, tmp_path / "b", "x")
    assert caught.value.code == "err.backup.bad"
    assert list((tmp_path / "b").iterdir()) == []  # no partial copy left to be mistaken for one
    live.close()


def test_rotation_never_removes_the_newest_good_backup(run):
    add(run, "王芳")
    run("settings", "set", "backup_keep", "2", "--data", str(run.data))
    root = run.data / "backups"
    for day in range(1, 4):
        run.wiring = run.wiring.__class__(**{**run.wiring.__dict__, "clock": fixed(f"2026-11-{day:02d}T08:00:00")})
        assert run("--data", str(run.data))[0] == 0
    good = root / "daily-2026-11-03"
    for day in range(4, 7):  # days whose backups, made before backups were checked, never count
        (root / f"daily-2026-11-{day:02d}").mkdir()
    run.wiring = run.wiring.__class__(**{**run.wiring.__dict__, "clock": fixed("2026-11-07T08:00:00")})
    (run.data / "backups" / "daily-2026-11-07").mkdir()  # today's exists already: none made
    assert run("--data", str(run.data))[0] == 0
    names = sorted(p.name for p in root.iterdir())
    assert good.name in names and names[-2:] == ["daily-2026-11-06", "daily-2026-11-07"]


def test_check_reports_the_age_of_the_newest_good_backup(run):
    add(run, "王芳")
    code, out, _ = run("check", "--data", str(run.data))
    assert "没有经过检查的完好备份" in out
    run.wiring = run.wiring.__class__(**{**run.wiring.__dict__, "clock": fixed("2026-11-20T08:00:00")})
    run("--data", str(run.data))  # the first start of the day makes the daily backup
    run.wiring = run.wiring.__class__(**{**run.wiring.__dict__, "clock": fixed(PINNED)})
    code, out, _ = run("check", "--data", str(run.data))
    assert code == 0 and "daily-2026-11-20" in out and "2 天前" in out


# -- point 11: restore ------------------------------------------------------------------------


def test_restore_from_a_plain_copy_brings_no_lock_files_along(run, tmp_path):
    add(run, "王芳")
    copy = tmp_path / "copy"
    shutil.copytree(run.data, copy)
    (copy / "desk.lock").write_bytes(b"from another PC")
    lock_inode = (run.data / "desk.lock").stat().st_ino
    code, _, err = run("restore", str(copy), "--data", str(run.data))
    assert code == 0, err
    assert (run.data / "desk.lock").stat().st_ino == lock_inode
    assert (run.data / "desk.lock").read_bytes() != b"from another PC"


def test_restoring_the_data_folder_onto_itself_is_refused(run):
    add(run, "王芳")
    code, _, err = run("restore", str(run.data), "--data", str(run.data))
    assert code == 1 and "不能用它恢复自己" in err


def _register_forever(data: str, clock_iso: str, acked, stop) -> None:
    clock = fixed(clock_iso)
    store = open_store(Path(data), today=clock.today)
    desk = Desk(store, clock, rng=random.Random(os.getpid()), audit=Auditor(FileAuditLog(Path(data)), clock, "w2"))
    clerk = next(o for o in desk.operators() if o.name == "王芳")
    n = 0
    while not stop.is_set():
        n += 1
        receipt = desk.register(form(name=f"并发{n}", id_number="", phone=""), clerk)
        acked.put((receipt.matter.id, receipt.matter.number, f"并发{n}"))
    store.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks a writer")
def test_a_desk_writing_during_a_restore_loses_nothing_and_forks_no_trail(run, tmp_path):
    add(run, "王芳")
    made = backup(run, tmp_path / "b")
    ctx = multiprocessing.get_context("fork")
    acked, stop = ctx.Queue(), ctx.Event()
    writer = ctx.Process(target=_register_forever, args=(str(run.data), PINNED, acked, stop))
    writer.start()
    time.sleep(0.5)
    code, _, err = run("restore", str(made), "--data", str(run.data))
    time.sleep(0.5)
    stop.set()
    writer.join(20)
    assert code == 0, err
    saves = []
    while not acked.empty():
        saves.append(acked.get())
    assert len(saves) > 5
    (aside,) = run.data.glob("replaced-*")
    live, before = _matters(run.data), _matters(aside)
    kept = {(i, *v) for i, v in live.items()} | {(i, *v) for i, v in before.items()}
    # Each acknowledged save is kept whole: before the swap in the replaced files, after it in
    # the restored ones (where numbers start again from the backup's), never overwritten.
    assert [s for s in saves if s not in kept] == []
    assert len({n for n, _ in live.values()}) == len(live)  # no case number used twice
    assert run("audit", "verify", "--data", str(run.data))[0] == 0
    assert run("check", "--data", str(run.data))[0] == 0


def _matters(folder: Path) -> dict[int, tuple[str, str]]:
    store = open_store(folder, today=fixed(PINNED).today, readonly=True)
    try:
        visitors = {d["id"]: d["name"] for d in store.scan("visitors")}
        return {d["id"]: (d["number"], visitors[d["visitor_id"]]) for d in store.scan("matters")}
    finally:
        store.close()


# -- point 14: a restore accounts for the trail it replaced -----------------------------------------


def test_a_restore_numbers_its_entry_after_the_replaced_trail_and_verify_accounts_for_it(run, tmp_path):
    add(run, "王芳")
    made = backup(run, tmp_path / "b")
    add(run, "李娜")
    add(run, "赵磊")
    replaced_last = json.loads(trail_lines(run.data)[-1])
    assert run("restore", str(made), "--data", str(run.data))[0] == 0
    entry = json.loads(trail_lines(run.data)[-1])
    assert entry["action"] == "restore"
    assert entry["seq"] == replaced_last["seq"] + 1  # no number is used twice
    assert entry["detail"]["replaced_head"] == {"seq": replaced_last["seq"], "hash": replaced_last["hash"]}
    (aside,) = run.data.glob("replaced-*")
    assert entry["detail"]["aside"] == aside.name
    code, out, _ = run("audit", "verify", "--data", str(run.data))
    assert code == 0, out
    lines = trail_lines(aside)
    (aside / "audit.log").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    (aside / "audit.head").unlink()
    code, out, _ = run("audit", "verify", "--data", str(run.data))
    assert code == 1 and aside.name in out


# -- point 15: witnesses outside the folder ------------------------------------------------------------


def test_a_head_code_written_down_proves_a_rewritten_trail(run, clock):
    for name in ("王芳", "李娜", "赵磊"):
        add(run, name)
    code, out, _ = run("audit", "head", "--data", str(run.data))
    signed = out.split("：")[-1].strip()
    assert code == 0 and signed.count("-") == 3
    assert run("audit", "verify", "--against", signed, "--data", str(run.data))[0] == 0
    # Someone who read the code rewrites entry 2 and re-hashes everything after it, head included:
    lines = trail_lines(run.data)
    docs = [json.loads(line) for line in lines]
    docs[1]["target"] = "孙七"
    rebuilt, last = [], None
    for doc in docs:
        fields = {k: doc[k] for k in ("operator", "role", "counter", "action", "target", "detail")}
        entry = chain(last, at=AuditEntry.from_doc(doc).at, **fields)
        rebuilt.append(json.dumps(entry.to_doc(), ensure_ascii=False))
        last = (entry.seq, entry.hash)
    (run.data / "audit.log").write_text("\n".join(rebuilt) + "\n", encoding="utf-8")
    (run.data / "audit.head").write_text(json.dumps({"seq": last[0], "hash": last[1]}), encoding="utf-8")
    assert run("audit", "verify", "--data", str(run.data))[0] == 0  # consistent on its own
    code, out, _ = run("audit", "verify", "--against", signed, "--data", str(run.data))
    assert code == 1 and "没有记录头" in out and "核对短码是否抄对" in out  # a typo is named first


def test_a_backup_is_a_witness_of_the_trail(run, tmp_path):
    add(run, "王芳")
    add(run, "李娜")
    made = backup(run, tmp_path / "b")
    add(run, "赵磊")
    assert run("audit", "verify", "--against", str(made), "--data", str(run.data))[0] == 0
    lines = trail_lines(run.data)
    (run.data / "audit.log").write_text("\n".join(lines[:1]) + "\n", encoding="utf-8")
    (run.data / "audit.head").unlink()
    code, out, _ = run("audit", "verify", "--data", str(run.data))
    assert code == 1 and "audit.head 不见了" in out  # a head gone is itself told
    first = json.loads(lines[0])  # cut off, with a head forged to match what is left
    (run.data / "audit.head").write_text(json.dumps({"seq": first["seq"], "hash": first["hash"]}))
    code, out, _ = run("audit", "verify", "--data", str(run.data))
    assert code == 1 and "被截短" in out  # the store's last checkpoint remembers how far it reached
    code, out, _ = run("audit", "verify", "--against", str(made), "--data", str(run.data))
    assert code == 1 and "没有记录头" in out  # and the backup holds the head it no longer has


def test_a_code_that_is_not_one_is_refused(run, tmp_path):
    add(run, "王芳")
    code, _, err = run("audit", "verify", "--against", "12-XYZ", "--data", str(run.data))
    assert code == 1 and "不是记录头短码" in err
    code, _, err = run("audit", "verify", "--against", str(tmp_path / "no-such-backup"), "--data", str(run.data))
    assert code == 1 and "找不到备份目录" in err


def test_a_backup_and_restore_keep_the_trails_earlier_restores_set_aside(run, tmp_path):
    add(run, "王芳")
    first = backup(run, tmp_path / "b")
    add(run, "李娜")
    assert run("restore", str(first), "--data", str(run.data))[0] == 0
    second = backup(run, tmp_path / "c")
    assert list(second.glob("replaced-*/audit.log"))
    fresh = tmp_path / "new-pc"
    code, _, err = run("restore", str(second), "--data", str(fresh))
    assert code == 0, err
    assert run("audit", "verify", "--data", str(fresh))[0] == 0
    assert read_manifest(fresh / MANIFEST).generation >= 1


def test_a_backup_taken_while_a_desk_has_unfolded_saves_restores_to_a_hall_that_checks(run, tmp_path, clock):
    """The backup carries a journal still to fold: its chain starts from the backup's own
    manifest, and the restored manifest must keep that start."""
    add(run, "王芳")
    store = open_store(run.data, today=clock.today)
    desk = Desk(store, clock, rng=random.Random(3), audit=Auditor(FileAuditLog(run.data), clock, "w1"))
    clerk = next(o for o in desk.operators() if o.name == "王芳")
    receipt = desk.register(form(name="赵六", id_number=""), clerk)  # only in the journal yet
    made = backup(run, tmp_path / "b")
    store.close()
    code, out, err = run("restore", str(made), "--data", str(run.data))
    assert code == 0, err
    code, out, _ = run("check", "--data", str(run.data))
    assert code == 0, out
    assert receipt.matter.number in {n for n, _ in _matters(run.data).values()}


def test_two_restores_at_once_each_keep_what_they_replaced(run, tmp_path):
    add(run, "王芳")
    made = backup(run, tmp_path / "b")
    add(run, "李娜")
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=run, args=("restore", str(made), "--data", str(run.data))) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    asides = sorted(run.data.glob("replaced-*"))
    assert len(asides) == 2  # the second restore never moves its files over the first's
    assert any((a / MANIFEST).exists() and "李娜" in (a / "audit.log").read_text(encoding="utf-8") for a in asides)
    code, out, _ = run("audit", "verify", "--data", str(run.data))
    assert code == 0, out
    assert run("check", "--data", str(run.data))[0] == 0


def test_a_trail_deleted_whole_is_not_called_intact(run):
    add(run, "王芳")
    add(run, "李娜")  # each command closes its store: a checkpoint records how far the trail reached
    (run.data / "audit.log").unlink()
    (run.data / "audit.head").unlink()
    code, out, _ = run("audit", "verify", "--data", str(run.data))
    assert code == 1 and "审计记录被截短或换成了以前的" in out
