"""`desk check`, `desk backup`, `desk restore` and the daily backup, through the command line."""

import orjson
import pytest

from desk.clock import fixed
from storage import open_store
from storage.manifest import read_manifest
from tests.test_cli import Run, pinned_today


@pytest.fixture
def run(tmp_path):
    return Run(tmp_path)


def add(run, name):
    code, _, err = run("user", "add", name, "--role", "receptionist", "--password-stdin",
                       "--data", str(run.data), stdin="secret123\n")
    assert code == 0, err


def operator_names(data):
    store = open_store(data, today=pinned_today)
    try:
        return sorted(d["name"] for d in store.scan("operators"))
    finally:
        store.close()


def test_check_passes_on_sound_data_and_fails_naming_the_damaged_file(run):
    add(run, "王芳")
    code, out, _ = run("check", "--data", str(run.data))
    assert code == 0 and "数据完好" in out and "审计" not in out
    snapshot = next(run.data.glob("common.*[0-9].snap"))
    snapshot.write_bytes(snapshot.read_bytes()[:-5])
    code, out, _ = run("check", "--data", str(run.data))
    assert code == 1 and str(snapshot) in out and "数据有问题" in out


def test_check_reports_a_torn_journal_tail_without_failing_and_a_bad_middle_line_as_an_error(run):
    add(run, "王芳")
    store = open_store(run.data, today=pinned_today)  # a second desk keeps saving, so the journal is not folded away
    with store.transaction() as txn:
        txn.insert("visitors", {"name": "张三"})
    with store.transaction() as txn:
        txn.insert("visitors", {"name": "李四"})
    generation = read_manifest(run.data / "manifest.json").generation
    journal = run.data / f"journal.{generation}.log"
    good = journal.read_bytes()
    journal.write_bytes(good + b"0000abcd {\"w\": [")
    code, out, _ = run("check", "--data", str(run.data))
    assert code == 0 and "未写完" in out
    journal.write_bytes(good.replace("张三".encode(), "张叁".encode()))
    code, out, _ = run("check", "--data", str(run.data))
    assert code == 1 and "第 0 字节处的一行校验不符" in out
    journal.write_bytes(good)
    store.close()


def test_check_finds_an_altered_audit_trail(run):
    add(run, "王芳")
    trail = run.data / "audit.log"
    trail.write_text(trail.read_text(encoding="utf-8").replace("王芳", "王方"), encoding="utf-8")
    code, out, _ = run("check", "--data", str(run.data))
    assert code == 1


def test_backup_then_restore_brings_back_the_state_and_keeps_what_it_replaced(run, tmp_path):
    add(run, "王芳")
    code, out, err = run("backup", "--data", str(run.data), "--to", str(tmp_path / "usb"))
    assert code == 0, err
    (made,) = (tmp_path / "usb").iterdir()
    assert str(made) in out
    code, out, _ = run("check", str(made))
    assert code == 0
    add(run, "李娜")  # saved after the backup
    assert operator_names(run.data) == ["李娜", "王芳"]
    code, out, err = run("restore", str(made), "--data", str(run.data))
    assert code == 0, err
    assert operator_names(run.data) == ["王芳"]
    (aside,) = run.data.glob("replaced-*")
    assert any(aside.glob("common.*.snap")) or any(aside.glob("journal.*.log"))  # nothing deleted
    code, out, _ = run("check", "--data", str(run.data))
    assert code == 0, out  # the restored audit trail with the restore entry still verifies
    entries = [orjson.loads(line) for line in (run.data / "audit.log").read_text(encoding="utf-8").splitlines()]
    assert entries[-1]["action"] == "restore"


def test_a_damaged_backup_is_not_restored_and_the_data_stays(run, tmp_path):
    add(run, "王芳")
    run("backup", "--data", str(run.data), "--to", str(tmp_path / "b"))
    (made,) = (tmp_path / "b").iterdir()
    (made / "manifest.json").write_bytes(b"{")
    code, _, err = run("restore", str(made), "--data", str(run.data))
    assert code == 1 and "检查未通过" in err
    assert operator_names(run.data) == ["王芳"]


def test_a_desk_open_during_a_restore_reads_the_restored_state(run, tmp_path):
    add(run, "王芳")
    run("backup", "--data", str(run.data), "--to", str(tmp_path / "b"))
    (made,) = (tmp_path / "b").iterdir()
    open_desk = open_store(run.data, today=pinned_today)
    add(run, "李娜")
    open_desk.refresh()
    assert sorted(d["name"] for d in open_desk.scan("operators")) == ["李娜", "王芳"]
    assert run("restore", str(made), "--data", str(run.data))[0] == 0
    open_desk.refresh()
    assert [d["name"] for d in open_desk.scan("operators")] == ["王芳"]
    with open_desk.transaction() as txn:  # and its next save lands in the restored files
        txn.insert("operators", {"name": "赵磊"})
    open_desk.close()
    assert operator_names(run.data) == ["王芳", "赵磊"]


def test_the_first_start_of_each_day_keeps_a_backup_and_only_the_newest_are_kept(run):
    add(run, "王芳")
    run("settings", "set", "backup_keep", "3", "--data", str(run.data))
    for day in range(1, 6):
        run.wiring = run.wiring.__class__(**{**run.wiring.__dict__, "clock": fixed(f"2026-11-{day:02d}T08:00:00")})
        assert run("--data", str(run.data))[0] == 0  # starts the app (faked here)
        assert run("--data", str(run.data))[0] == 0  # a second start that day makes no second backup
    dailies = sorted(p.name for p in (run.data / "backups").iterdir())
    assert dailies == ["daily-2026-11-03", "daily-2026-11-04", "daily-2026-11-05"]
    code, out, _ = run("check", str(run.data / "backups" / "daily-2026-11-05"))
    assert code == 0, out


def test_a_desk_that_saved_before_a_restore_saves_into_the_restored_files_after_it(run, tmp_path):
    add(run, "王芳")
    run("backup", "--data", str(run.data), "--to", str(tmp_path / "b"))
    (made,) = (tmp_path / "b").iterdir()
    open_desk = open_store(run.data, today=pinned_today)
    with open_desk.transaction() as txn:  # its journal is open, under the same name the backup has
        txn.insert("operators", {"name": "李娜"})
    assert run("restore", str(made), "--data", str(run.data))[0] == 0
    with open_desk.transaction() as txn:
        txn.insert("operators", {"name": "赵磊"})
    assert sorted(d["name"] for d in open_desk.scan("operators")) == ["王芳", "赵磊"]
    assert operator_names(run.data) == ["王芳", "赵磊"]  # on disk already, not only at close
    open_desk.close()
    (aside,) = run.data.glob("replaced-*")
    assert "李娜".encode() in b"".join(p.read_bytes() for p in aside.glob("journal.*.log"))
