"""Where the data may live (issue #5, point 16), and the first save of a single-document
record (point 12, the store's half)."""

from __future__ import annotations

import os
import stat

import pytest

from desk.store import ConflictError, StoreError
from storage import open_store
from storage.files import ensure_local, ensure_private_dir
from tests.test_cli import Run


@pytest.fixture
def run(tmp_path):
    return Run(tmp_path)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("bits", [0o1777, 0o777, 0o757])
def test_a_folder_anybody_may_write_in_is_refused_and_left_alone(tmp_path, clock, bits):
    data = tmp_path / "shared"
    data.mkdir()
    os.chmod(data, bits)
    with pytest.raises(StoreError) as caught:
        open_store(data, today=clock.today)
    assert caught.value.code == "err.store.world_writable" and caught.value.params["path"] == str(data)
    assert mode(data) == bits and list(data.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs to give a folder away")
def test_a_folder_owned_by_another_user_is_refused(tmp_path, clock):
    data = tmp_path / "theirs"
    data.mkdir(mode=0o700)
    os.chown(data, 4321, 4321)
    with pytest.raises(StoreError) as caught:
        open_store(data, today=clock.today)
    assert caught.value.code == "err.store.foreign"
    assert list(data.iterdir()) == []


def test_an_existing_folder_of_our_own_is_used_as_it_is_never_chmodded(tmp_path, clock):
    data = tmp_path / "mine"
    data.mkdir(mode=0o755)
    open_store(data, today=clock.today).close()
    assert mode(data) == 0o755  # `--data /home` as root must not lock the system's folders down
    assert all(mode(p) == 0o600 for p in data.iterdir() if p.is_file())


def test_a_find_on_a_new_store_finds_nothing(data_dir, clock):
    store = open_store(data_dir, today=clock.today)
    assert store.find("operators", "name", "王芳") == [] and store.find("visitors", "phone", "1") == []
    store.close()


def test_missing_parents_are_created_owner_only(tmp_path, clock):
    data = tmp_path / "a" / "b" / "data"
    open_store(data, today=clock.today).close()
    for level in (tmp_path / "a", tmp_path / "a" / "b", data):
        assert mode(level) == 0o700, level


def test_an_empty_data_folder_name_is_refused(run, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where '' would have put the data
    with pytest.raises(SystemExit) as caught:
        run("user", "list", "--data", "")
    assert caught.value.code == 2 and "--data 不能为空" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["fuse.gvfsd-fuse", "nfs4", "cifs", "fuse.sshfs", "proc", "sysfs", "9p"])
def test_only_local_file_systems_are_allowed(tmp_path, kind):
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\nshare {tmp_path} {kind} rw 0 0\n")
    with pytest.raises(StoreError) as caught:
        ensure_local(tmp_path / "data", mounts)
    assert caught.value.code == "err.store.network" and caught.value.params["kind"] == kind


@pytest.mark.parametrize("kind", ["ext4", "xfs", "btrfs", "vfat", "ntfs3", "fuseblk"])
def test_local_file_systems_pass(tmp_path, kind):
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 {tmp_path} {kind} rw 0 0\n")
    ensure_local(tmp_path / "data", mounts)


@pytest.mark.parametrize("where", ["/proc/desk", "/sys/kernel/desk"])
def test_proc_and_sys_are_refused_before_anything_is_made(run, where):
    code, _, err = run("settings", "set", "idle_lock_minutes", "1", "--data", where)
    assert code == 1 and "不在本机磁盘上" in err and "Traceback" not in err


def test_the_file_system_is_checked_before_the_folder_is_made(tmp_path, monkeypatch):
    import storage.files as files

    def refuse(path, mounts=None):
        raise StoreError("err.store.network", path=str(path), kind="nfs4")

    monkeypatch.setattr(files, "ensure_local", refuse)
    with pytest.raises(StoreError):
        ensure_private_dir(tmp_path / "new" / "data")
    assert not (tmp_path / "new").exists()


def test_the_first_save_of_a_single_document_record_is_conflict_checked(data_dir, clock):
    first, second = open_store(data_dir, today=clock.today), open_store(data_dir, today=clock.today)
    with first.transaction() as txn:
        txn.update("settings", {"id": 1, "rev": 0, "categories": ["land"]})
    with pytest.raises(ConflictError):
        with second.transaction() as txn:
            txn.update("settings", {"id": 1, "rev": 0, "categories": ["labour"]})  # it read "none yet"
    assert [d["categories"] for d in second.scan("settings")] == [["land"]]
    first.close()
    second.close()
