"""The audit trail's hash chain: each kind of tampering is found and named."""

from __future__ import annotations

import json

import pytest

from desk.audit import Auditor, chain, verify
from storage import FileAuditLog


@pytest.fixture
def trail(tmp_path, clock):
    log = FileAuditLog(tmp_path)
    auditor = Auditor(log, clock, "窗口1")
    for n in range(1, 7):
        auditor.record("王芳", "receptionist", "register", f"2026-{n:05d}", {"visit": n})
    return log


def lines(log: FileAuditLog) -> list[str]:
    return log.path.read_text(encoding="utf-8").splitlines()


def rewrite(log: FileAuditLog, new_lines: list[str]) -> None:
    log.path.write_text("\n".join(new_lines) + "\n", encoding="utf-8")


def problems(log):
    return [(p.line, p.code, p.params) for p in verify(log.lines(), log.head())[1]]


def test_an_intact_trail_verifies(trail):
    assert verify(trail.lines(), trail.head()) == (6, [])


def test_a_line_edited_by_hand_is_found(trail):
    text = lines(trail)
    text[2] = text[2].replace("王芳", "李娜")
    rewrite(trail, text)
    assert problems(trail) == [(3, "audit.altered", {"seq": 3})]


def test_a_removed_entry_is_found(trail):
    text = lines(trail)
    del text[3]
    rewrite(trail, text)
    assert problems(trail) == [(4, "audit.removed", {"first": 4, "last": 4})]


def test_an_inserted_entry_is_found_even_with_a_correct_hash_of_its_own(trail, clock):
    text = lines(trail)
    forged = chain((2, json.loads(text[1])["hash"]), at=clock.now(), operator="x", role="admin",
                   counter="?", action="register", target="2026-99999")
    forged = json.dumps({**forged.to_doc(), "seq": 3}, ensure_ascii=False)
    rewrite(trail, text[:2] + [forged] + text[2:])
    found = problems(trail)
    assert found[0][:2] == (4, "audit.inserted")  # the real entry 3 no longer links


def test_a_cut_off_end_is_found_from_the_head(trail):
    rewrite(trail, lines(trail)[:4])
    assert problems(trail) == [(5, "audit.truncated", {"first": 5, "last": 6})]


def test_a_garbled_line_is_found(trail):
    text = lines(trail)
    text[0] = text[0][:20]
    rewrite(trail, text)
    assert problems(trail)[0][:2] == (1, "audit.unreadable")


def test_appending_continues_the_chain_after_a_restart(trail, clock):
    Auditor(trail, clock, "窗口2").record("李娜", "receptionist", "login")
    assert verify(trail.lines(), trail.head()) == (7, [])


def test_a_missing_head_is_reported_when_the_trail_has_entries(trail):
    trail.head_path.unlink()
    assert problems(trail) == [(6, "audit.head_missing", {})]


@pytest.mark.parametrize("damage", ["folder", b"garbage", b'{"seq": "6", "hash": 1}', b"[6]"])
def test_a_head_that_is_not_a_head_is_reported_never_a_crash(trail, damage):
    trail.head_path.unlink()
    if damage == "folder":
        trail.head_path.mkdir()
    else:
        trail.head_path.write_bytes(damage)
    assert problems(trail) == [(6, "audit.head_unreadable", {})]


def test_a_set_aside_trail_that_names_itself_is_reported_not_walked_forever(tmp_path, clock):
    data = tmp_path / "data"
    aside = data / "replaced-1"
    aside.mkdir(parents=True)
    log = FileAuditLog(data)
    auditor = Auditor(log, clock, "窗口1")
    auditor.record("王芳", "admin", "login")
    head = {"seq": 1, "hash": json.loads(lines(log)[0])["hash"]}
    auditor.record("王芳", "admin", "restore", "b", {"aside": "replaced-1", "replaced_head": head})
    for name in ("audit.log", "audit.head"):  # the trail set aside holds that same restore entry
        (aside / name).write_bytes((data / name).read_bytes())
    found = [(p.line, p.code) for p in verify(log.lines(), log.head(), log.open_other)[1]]
    assert (2, "audit.replaced_damaged") in found
