"""The compact store (issue #6): snapshots mapped, not parsed; indexes, search text and
columns as arrays; the changes since the snapshot on top. Every answer must equal what a
plain scan of the documents gives, before and after checkpoints, and across formats."""

from __future__ import annotations

import datetime as dt
import random

import orjson
import pytest

import desk.store as config
from desk.store import StoreCorrupt
from storage import open_store
from storage.manifest import MANIFEST, read_manifest

TODAY = dt.date(2026, 11, 22)
SURNAMES = "张王李赵刘陈"
TOWNS = ("城关镇", "新华乡", "太平镇")


def today():
    return TODAY


def visitor(rng: random.Random, n: int) -> dict:
    name = rng.choice(SURNAMES) + rng.choice("三四五六七")
    return {"name": name, "id_number": f"4307221980{n:06d}1X"[:18] if rng.random() < 0.8 else "",
            "phone": f"138{rng.randrange(10**8):08d}" if rng.random() < 0.7 else "",
            "township": rng.choice(TOWNS), "name_initials": ["zs", "zsan"] if name.startswith("张") else ["x"],
            "township_initials": ["cgz"]}


def matter(rng: random.Random, n: int, visitor_id: int) -> dict:
    return {"number": f"2026-{n:05d}", "query_code": f"Q{n:05d}", "visitor_id": visitor_id,
            "registered_at": f"2026-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d}T09:00:00+08:00",
            "status": rng.choice(("registered", "closed")), "track": rng.choice(("simple", "general")),
            "category": rng.choice(("land", "labour")), "first_responder": rng.choice(("王芳", "李娜")), "summary": "x",
            # a structured column: the same list from a snapshot as from the changes since
            "clocks": rng.choice(([], [{"kind": "acceptance", "start": "2026-11-01", "days": 15, "unit": "calendar"}],
                                  [{"kind": "handling", "start": f"2026-10-{rng.randrange(1, 29):02d}", "days": 60,
                                    "unit": "working"}])),
            "acceptance_due": "2026-11-16", "hand_over_to": rng.choice(("", "李娜")),
            "extension_pending": rng.random() < 0.3, "department_id": rng.choice((None, 1, 2)),
            "owner_leader": rng.choice(("", "赵局长"))}


def event(rng: random.Random, matter_id: int) -> dict:
    """Columns of a time's date (`at[:10]`) and of fields inside fields (`data.was.status`)."""
    data = rng.choice(({}, {"status": "accepted", "was": {"status": "registered", "clocks": []}},
                       {"status": "closed", "stopped_due": {"handling": "2026-12-01"}, "inputs": {"evaluation": "x"}}))
    return {"matter_id": matter_id, "kind": rng.choice(("accept", "close", "note")), "data": data,
            "at": f"2026-11-{rng.randrange(1, 4):02d}T09:{rng.randrange(60):02d}:00+08:00"}


def nested(doc: dict, field: str):
    if field.endswith("[:10]"):
        return (nested(doc, field[:-5]) or "")[:10]
    for name in field.split("."):
        doc = doc.get(name) if isinstance(doc, dict) else None
    return doc


class Upto:
    """A `where` that is not a list: a range of days."""

    def __init__(self, day: str) -> None:
        self.day = day

    def __contains__(self, value) -> bool:
        return isinstance(value, str) and value <= self.day


def fill(store, rng: random.Random, count: int) -> None:
    for n in range(count):
        with store.transaction() as txn:
            v = txn.insert("visitors", visitor(rng, n))
            m = txn.insert("matters", matter(rng, n, v["id"]))
            txn.insert("events", event(rng, m["id"]))
        if rng.random() < 0.2:  # some change later: the old values must leave the indexes
            with store.transaction() as txn:
                doc = txn.get("visitors", v["id"])
                txn.update("visitors", {**doc, "phone": "", "name": doc["name"] + "丰"})


def brute(store, table: str) -> list[dict]:
    return [dict(d) for d in store.scan(table)]


def agree(store) -> None:
    """Every find, search and column equals a plain scan of the documents."""
    visitors, matters = brute(store, "visitors"), brute(store, "matters")
    for field in ("id_number", "phone", "name"):
        for value in {v[field] for v in visitors if v[field]}:
            assert {d["id"] for d in store.find("visitors", field, value)} == {
                v["id"] for v in visitors if v[field] == value}, (field, value)
    for value in ("2026-00003", "Q00007", "nothing"):
        assert {d["id"] for d in store.find("matters", "number", value)} == {
            m["id"] for m in matters if m["number"] == value}
    for text in ("张", "三丰", "城关", "9", "1380"):
        for field in ("name", "township", "phone"):
            expected = {v["id"] for v in visitors if text in v[field]}
            assert set(store.search("visitors", field, text, 10**6)) == expected, (field, text)
    for text in ("zs", "x", "cg"):
        expected = {v["id"] for v in visitors if any(i.startswith(text) for i in v["name_initials"])}
        assert set(store.search("visitors", "name_initials", text, 10**6)) == expected
    assert set(store.search("matters", "number", "2026-0001", 10**6)) == {
        m["id"] for m in matters if m["number"].startswith("2026-0001")}
    columns = {r["id"]: r for r in store.columns("matters")}
    assert columns == {m["id"]: {"id": m["id"], **{f: m[f] for f in config.COLUMNS["matters"]}} for m in matters}
    for wanted in ({"registered"}, {"closed", "handling"}, set()):
        chosen = {r["id"]: r for r in store.columns("matters", where={"status": wanted})}
        assert chosen == {i: r for i, r in columns.items() if r["status"] in wanted}, wanted
    # An indexed field asked for a few values (its index), with a second field, a subset of fields.
    numbers = {"2026-00003", "2026-00011", "2026-00042", "none"}
    chosen = list(store.columns("matters", where={"number": numbers, "status": ["closed"]}, fields=("track",)))
    assert chosen == [{"id": m["id"], "track": m["track"]} for m in matters
                      if m["number"] in numbers and m["status"] == "closed"]
    some = {m["id"] for m in matters[::3]} | {10**12}
    assert list(store.columns("matters", where={"id": some}, fields=("status",))) == [
        {"id": m["id"], "status": m["status"]} for m in matters if m["id"] in some]
    events = brute(store, "events")
    fields = config.COLUMNS["events"]
    assert list(store.columns("events")) == [{"id": e["id"], **{f: nested(e, f) for f in fields}} for e in events]
    for where in ({"at[:10]": {"2026-11-02"}}, {"at[:10]": Upto("2026-11-02"), "data.was.status": ["registered"]},
                  {"kind": ("close",), "at[:10]": {"2026-11-01", "2026-11-03"}}):
        got = list(store.columns("events", where=where, fields=("matter_id", "data.stopped_due")))
        assert got == [{"id": e["id"], "matter_id": e["matter_id"], "data.stopped_due": nested(e, "data.stopped_due")}
                       for e in events if all(nested(e, f) in w for f, w in where.items())], where
        lists = store.lists("events", where=where, fields=("matter_id", "data.stopped_due"))
        assert lists == {k: [row[k] for row in got] for k in ("id", "matter_id", "data.stopped_due")}


def test_finds_searches_and_columns_equal_a_scan_before_and_after_checkpoints(data_dir):
    rng = random.Random(5)
    store = open_store(data_dir, today=today)
    fill(store, rng, 60)
    agree(store)  # all of it still in the change layer
    store.checkpoint()
    agree(store)  # all of it in the snapshot
    fill(store, rng, 40)
    agree(store)  # both
    store.close()
    again = open_store(data_dir, today=today)
    agree(again)
    again.close()


def test_a_search_stops_at_its_limit(data_dir):
    store = open_store(data_dir, today=today)
    fill(store, random.Random(1), 30)
    store.checkpoint()
    assert len(store.search("visitors", "township", "镇", 7)) == 7
    store.close()


def test_opening_a_year_reads_no_document(data_dir):
    store = open_store(data_dir, today=today)
    fill(store, random.Random(2), 50)
    store.close()
    again = open_store(data_dir, today=today)
    again.preload()
    fileset = again._sets["2026"]
    assert fileset.changed == 0 and len(fileset.layers["visitors"].base) == 50
    again.close()


@pytest.mark.parametrize("declared", ["INDEXED", "SEARCHED", "COLUMNS"])
def test_a_field_declared_after_the_snapshot_was_written_is_built_from_its_rows(data_dir, monkeypatch, declared):
    store = open_store(data_dir, today=today)
    fill(store, random.Random(3), 40)
    full = getattr(config, declared)
    import storage.fileset as fileset_module

    monkeypatch.setattr(fileset_module, declared, {})  # a snapshot written without them
    store.checkpoint()
    monkeypatch.setattr(fileset_module, declared, full)
    store.close()
    again = open_store(data_dir, today=today)
    agree(again)
    again.close()


def test_a_store_of_the_first_release_is_read_and_rewritten_in_this_format(data_dir):
    """Files exactly as the first release wrote them: plain JSON, unnumbered journal lines."""
    import zlib

    data_dir.mkdir(mode=0o700)
    visitor = {"id": 20260000001, "rev": 1, "schema": 1, "name": "张三", "id_number": "11010519491231002X",
               "phone": "13800138000", "township": "城关镇", "name_initials": ["zs"], "township_initials": []}
    tables = {"2026": {"visitors": {"20260000001": visitor}},
              "common": {"operators": {"1": {"id": 1, "rev": 1, "schema": 1, "name": "王芳"}}}}
    for name, content in tables.items():
        (data_dir / f"{name}.1.json").write_bytes(orjson.dumps({"format": 1, "set": name, "generation": 1,
                                                                 "tables": content}))
    (data_dir / "2026.1.keys.json").write_bytes(orjson.dumps({"visitors": {"id_number": [["11010519491231002X", [20260000001]]]}}))
    (data_dir / MANIFEST).write_bytes(orjson.dumps({"format": 1, "generation": 1, "sets": {"2026": 1, "common": 1},
                                                    "day": "2026-11-21", "uid": "a", "after": ""}))
    body = orjson.dumps({"w": [["visitors", 20260000002, {**visitor, "id": 20260000002, "name": "李四",
                                                            "id_number": "", "phone": ""}]]})
    (data_dir / "journal.1.log").write_bytes(b"%08x " % zlib.crc32(body) + body + b"\n")
    store = open_store(data_dir, today=today)  # writes this format at once
    assert [d["name"] for d in store.find("visitors", "id_number", "11010519491231002X")] == ["张三"]
    assert sorted(store.search("visitors", "name", "四", 5) + store.search("visitors", "name", "张", 5)) == [
        20260000001, 20260000002]
    store.close()
    assert not read_manifest(data_dir / MANIFEST).legacy
    gen = read_manifest(data_dir / MANIFEST).generation
    assert (data_dir / f"2026.{gen}.snap").exists()
    assert not (data_dir / "2026.1.json").exists() and not (data_dir / "2026.1.keys.json").exists()
    again = open_store(data_dir, today=today)
    assert len(list(again.scan("visitors"))) == 2
    again.close()


def test_a_flipped_byte_in_any_section_is_refused(data_dir):
    store = open_store(data_dir, today=today)
    fill(store, random.Random(4), 20)
    store.close()
    gen = read_manifest(data_dir / MANIFEST).generation
    path = data_dir / f"2026.{gen}.snap"
    good = path.read_bytes()
    for at in (10, len(good) // 3, len(good) // 2, len(good) - 200):
        damaged = bytearray(good)
        damaged[at] ^= 0x04
        path.write_bytes(bytes(damaged))
        with pytest.raises(StoreCorrupt):
            open_store(data_dir, today=today).preload()
    path.write_bytes(good[:-5])
    with pytest.raises(StoreCorrupt):
        open_store(data_dir, today=today).preload()
    path.write_bytes(good)
    open_store(data_dir, today=today).close()
