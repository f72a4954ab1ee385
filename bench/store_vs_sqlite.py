"""This store against sqlite3 (WAL, synchronous=FULL, indexed), side by side.

Realistic records (Chinese text, about 1.5 KB each) at 1k, 10k and 50k. Each
measurement runs in a fresh child process, so cold open and peak RSS are honest.
Run by hand from the project root:

    python bench/store_vs_sqlite.py                # 1000 10000 50000
    python bench/store_vs_sqlite.py --sizes 1000   # quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR = 2026
TODAY = dt.date(YEAR, 11, 22)
TABLE = "visitors"  # declared indexes: id_number, phone, name
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
TEXT = ("村民反映本组土地承包经营权流转合同到期后，村委会未按约定返还承包地，多次协商未果，"
        "要求依法处理并赔偿损失。另称邻居建房占用其宅基地约十五平方米，镇司法所曾组织调解，"
        "双方未达成一致意见。")
OPS = 200  # durable inserts and updates measured
LOOKUPS = 1000


def record(n: int, rng: random.Random) -> dict:
    day = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(326))  # up to 22 November
    return {
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
        "id_number": f"{rng.randrange(110000, 659000)}{rng.randrange(1940, 2005)}{rng.randrange(1, 13):02d}"
                     f"{rng.randrange(1, 29):02d}{n % 1000:03d}{rng.choice('0123456789X')}",
        "phone": f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
        "township": rng.choice(["城关镇", "石门乡", "河口镇", "新田乡"]),
        "address": f"{rng.choice(['东', '西', '南', '北'])}街{rng.randrange(1, 300)}号",
        "category": rng.choice(["land", "labour", "housing", "medical", "marriage_family", "other"]),
        "at": f"{day.isoformat()}T{rng.randrange(8, 18):02d}:{rng.randrange(60):02d}:00+08:00",
        "summary": TEXT * 3 + f"（第{n}号）",
        "status": "registered",
    }


def day_of(doc: dict) -> str:
    return doc["at"][:10]


# -- the two engines, behind the same five operations ---------------------------------


class Ours:
    def __init__(self, folder: Path) -> None:
        from storage import open_store

        self.store = open_store(folder, today=lambda: TODAY)
        self.store.preload()  # cold open means the year's records are in memory, as after a login

    def bulk(self, docs: list[dict]) -> None:
        for start in range(0, len(docs), 1000):
            with self.store.transaction() as txn:
                for doc in docs[start:start + 1000]:
                    txn.insert(TABLE, doc)
        self.store.checkpoint()

    def insert(self, doc: dict) -> int:
        with self.store.transaction() as txn:
            return txn.insert(TABLE, doc)["id"]

    def update(self, doc_id: int, status: str) -> None:
        doc = self.store.get(TABLE, doc_id)
        with self.store.transaction() as txn:
            txn.update(TABLE, {**doc, "status": status})

    def lookup(self, id_number: str) -> list[dict]:
        return self.store.find(TABLE, "id_number", id_number)

    def tally(self, day: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for doc in self.store.find(TABLE, "at[:10]", day):
            counts[doc["category"]] = counts.get(doc["category"], 0) + 1
        return counts

    def ids(self) -> list[int]:
        return [d["id"] for d in self.store.scan(TABLE)]

    def close(self) -> None:
        self.store.close()


class Sqlite:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(folder / "bench.db", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("CREATE TABLE IF NOT EXISTS visitors (id INTEGER PRIMARY KEY, id_number TEXT, day TEXT, doc TEXT)")
        self.db.execute("CREATE INDEX IF NOT EXISTS by_id_number ON visitors (id_number)")
        self.db.execute("CREATE INDEX IF NOT EXISTS by_day ON visitors (day)")

    def bulk(self, docs: list[dict]) -> None:
        self.db.execute("BEGIN")
        self.db.executemany("INSERT INTO visitors (id_number, day, doc) VALUES (?, ?, ?)",
                            [(d["id_number"], day_of(d), orjson.dumps(d).decode()) for d in docs])
        self.db.execute("COMMIT")

    def insert(self, doc: dict) -> int:
        self.db.execute("BEGIN IMMEDIATE")
        cur = self.db.execute("INSERT INTO visitors (id_number, day, doc) VALUES (?, ?, ?)",
                              (doc["id_number"], day_of(doc), orjson.dumps(doc).decode()))
        self.db.execute("COMMIT")
        return cur.lastrowid

    def update(self, doc_id: int, status: str) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        (raw,) = self.db.execute("SELECT doc FROM visitors WHERE id = ?", (doc_id,)).fetchone()
        doc = {**orjson.loads(raw), "status": status}
        self.db.execute("UPDATE visitors SET doc = ? WHERE id = ?", (orjson.dumps(doc).decode(), doc_id))
        self.db.execute("COMMIT")

    def lookup(self, id_number: str) -> list[dict]:
        rows = self.db.execute("SELECT doc FROM visitors WHERE id_number = ?", (id_number,)).fetchall()
        return [orjson.loads(raw) for (raw,) in rows]

    def tally(self, day: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for (raw,) in self.db.execute("SELECT doc FROM visitors WHERE day = ?", (day,)):
            category = orjson.loads(raw)["category"]
            counts[category] = counts.get(category, 0) + 1
        return counts

    def ids(self) -> list[int]:
        return [i for (i,) in self.db.execute("SELECT id FROM visitors")]

    def close(self) -> None:
        self.db.close()


ENGINES = {"desk": Ours, "sqlite": Sqlite}


# -- one child per measurement ------------------------------------------------------


def _timed(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - started) * 1000


def child_build(engine: str, folder: Path, size: int) -> dict:
    rng = random.Random(size)
    docs = [record(n, rng) for n in range(size)]
    started = time.perf_counter()
    db = ENGINES[engine](folder)
    db.bulk(docs)
    db.close()
    return {"build_s": time.perf_counter() - started}


def child_measure(engine: str, folder: Path, size: int) -> dict:
    rng = random.Random(size)  # the same records as the build, to know their ID numbers
    known = [record(n, rng)["id_number"] for n in range(size)]
    started = time.perf_counter()
    db = ENGINES[engine](folder)
    cold_open = (time.perf_counter() - started) * 1000
    first_lookup = _timed(db.lookup, known[0])  # ours builds the ID-number index here
    pick = random.Random(1)
    lookups = [_timed(db.lookup, pick.choice(known)) for _ in range(LOOKUPS)]
    days = [(TODAY - dt.timedelta(days=d)).isoformat() for d in range(1, 21)]
    tallies = [_timed(db.tally, day) for day in days]
    fresh = random.Random(99)
    inserts = [_timed(db.insert, record(size + n, fresh)) for n in range(OPS)]
    ids = db.ids()
    updates = [_timed(db.update, pick.choice(ids), f"s{n}") for n in range(OPS)]
    db.close()
    return {
        "cold_open_ms": cold_open,
        "first_lookup_ms": first_lookup,
        "lookup_ms": statistics.median(lookups),
        "tally_ms": statistics.median(tallies),
        "insert_ms": statistics.median(inserts),
        "update_ms": statistics.median(updates),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--child", nargs=4, metavar=("WHAT", "ENGINE", "FOLDER", "SIZE"))
    args = parser.parse_args()
    if args.child:
        what, engine, folder, size = args.child
        fn = child_build if what == "build" else child_measure
        print(json.dumps(fn(engine, Path(folder), int(size))))
        return
    rows = []
    for size in args.sizes:
        for engine in ENGINES:
            folder = Path(tempfile.mkdtemp(prefix=f"bench-{engine}-{size}-"))
            try:
                built = run_child("build", engine, str(folder / "data"), str(size))
                measured = run_child("measure", engine, str(folder / "data"), str(size))
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            rows.append({"size": size, "engine": engine, **built, **measured})
            print(json.dumps(rows[-1]), file=sys.stderr)
    _table(rows)


def _table(rows: list[dict]) -> None:
    keys = ["insert_ms", "update_ms", "lookup_ms", "tally_ms", "cold_open_ms", "first_lookup_ms", "peak_rss_mib"]
    print("| records | engine | " + " | ".join(keys) + " |")
    print("|---|---|" + "---|" * len(keys))
    for row in rows:
        print(f"| {row['size']} | {row['engine']} | " + " | ".join(f"{row[k]:.2f}" for k in keys) + " |")
    by = {(r["size"], r["engine"]): r for r in rows}
    for size in sorted({r["size"] for r in rows}):
        ours, lite = by[(size, "desk")], by[(size, "sqlite")]
        ratios = ", ".join(f"{k} {ours[k] / lite[k]:.2f}x" for k in ("insert_ms", "update_ms", "lookup_ms", "tally_ms"))
        print(f"{size}: desk/sqlite {ratios}")


if __name__ == "__main__":
    main()
