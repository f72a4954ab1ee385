"""Crash and concurrency trials for the store, shared by the test suite and `bench/`.

Children are forked (no interpreter start-up per trial) and write through the real
store. They report each save only after it returned, so the parent knows exactly
which saves the store promised to keep.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import select
import signal
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from desk.store import ConflictError
from storage import open_store

TODAY = dt.date(2026, 11, 22)
TABLE = "matters"


def _today() -> dt.date:
    return TODAY


def _open(data_dir: Path, **options):
    return open_store(data_dir, today=_today, **options)


def _body(n: int, rng: random.Random) -> dict:
    """About 1.5 KB of Chinese text, like a real matter."""
    return {"n": n, "summary": "因土地承包合同纠纷多次协商未果，请求依法处理。" * rng.randint(10, 40)}


# -- crash trials -----------------------------------------------------------------


def _crash_writer(data_dir: Path, out: int, seed: int, checkpoint_bytes: int) -> None:
    """Write until killed; report `id rev n` after each save returns."""
    store = _open(data_dir, checkpoint_bytes=checkpoint_bytes)
    rng = random.Random(seed)
    ids: list[int] = []
    n = 0
    while True:
        n += 1
        if not ids or rng.random() < 0.4:
            with store.transaction() as txn:
                doc = txn.insert(TABLE, _body(n, rng))
            ids.append(doc["id"])
        else:
            current = store.get(TABLE, rng.choice(ids))
            with store.transaction() as txn:
                doc = txn.update(TABLE, {**current, **_body(n, rng)})
        if rng.random() < 0.03:
            store.checkpoint()
        os.write(out, b"%d %d %d\n" % (doc["id"], doc["rev"], n))


@dataclass
class CrashResult:
    acked: int = 0  # saves that returned before the kill
    lost: list[str] = field(default_factory=list)  # any entry here is a failure


def crash_trial(data_dir: Path, seed: int, *, checkpoint_bytes: int = 48 << 10) -> CrashResult:
    """Start a writer, SIGKILL it at a random moment, reopen and check every returned save."""
    rng = random.Random(seed)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        os.close(read_end)
        try:
            _crash_writer(data_dir, write_end, seed, checkpoint_bytes)
        finally:
            os._exit(1)
    os.close(write_end)
    acks = _read_until(read_end, time.monotonic() + rng.uniform(0.02, 0.35))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    acks += _read_until(read_end, None)
    os.close(read_end)
    return _check_crash(data_dir, acks)


def _read_until(fd: int, deadline: float | None) -> bytes:
    chunks = []
    while True:
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            return b"".join(chunks)
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _check_crash(data_dir: Path, acks: bytes) -> CrashResult:
    last: dict[int, tuple[int, int]] = {}
    result = CrashResult()
    for line in acks.splitlines():
        doc_id, rev, n = map(int, line.split())
        last[doc_id] = (rev, n)
        result.acked += 1
    store = _open(data_dir)
    try:
        for doc_id, (rev, n) in last.items():
            doc = store.get(TABLE, doc_id)
            if doc is None:
                result.lost.append(f"{doc_id} missing (acked rev {rev})")
            elif doc["rev"] == rev and doc["n"] != n:
                result.lost.append(f"{doc_id} rev {rev} holds save {doc['n']}, not {n}")
            elif not rev <= doc["rev"] <= rev + 1:  # +1: the save in flight when killed may have landed
                result.lost.append(f"{doc_id} at rev {doc['rev']}, acked rev {rev}")
    finally:
        store.close()
    return result


# -- concurrency trials ------------------------------------------------------------


def _contender(data_dir: Path, me: int, writes: int, shared: list[int], out: Path) -> None:
    store = _open(data_dir)
    rng = random.Random(me)
    accepted: list[list] = []  # [doc id, new rev, tag, inserted?]
    conflicts = 0
    for i in range(writes):
        tag = f"{me}:{i}"
        if rng.random() < 0.15:
            with store.transaction() as txn:
                doc = txn.insert(TABLE, {"log": [tag]})
            accepted.append([doc["id"], doc["rev"], tag, True])
            continue
        if rng.random() < 0.5:
            store.refresh()
        seen = store.get(TABLE, rng.choice(shared))  # may already be stale: others write too
        if i % 50 == 49:  # a guaranteed conflict: our own save makes `seen` stale
            with store.transaction() as txn:  # read under the lock: this one always lands
                fresh = txn.get(TABLE, seen["id"])
                doc = txn.update(TABLE, {**fresh, "log": fresh["log"] + [tag]})
            accepted.append([doc["id"], doc["rev"], tag, False])
            tag += "x"
        try:
            with store.transaction() as txn:
                doc = txn.update(TABLE, {**seen, "log": seen["log"] + [tag]})
            accepted.append([doc["id"], doc["rev"], tag, False])
        except ConflictError:
            conflicts += 1
    out.write_bytes(orjson.dumps({"accepted": accepted, "conflicts": conflicts}))


@dataclass
class ContentionResult:
    accepted: int
    conflicts: int
    problems: list[str]
    reader_refreshes: int


def contention_trial(data_dir: Path, processes: int = 3, writes: int = 350, docs: int = 8) -> ContentionResult:
    """Several processes update shared documents; check against a serial replay."""
    setup = _open(data_dir)
    with setup.transaction() as txn:
        shared = [txn.insert(TABLE, {"log": []})["id"] for _ in range(docs)]
    setup.close()
    reader = _open(data_dir)  # stays open, refreshing, as another counter's screen would
    pids = []
    for me in range(processes):
        pid = os.fork()
        if pid == 0:  # pragma: no cover
            code = 1
            try:
                _contender(data_dir, me, writes, shared, data_dir / f"result.{me}.json")
                code = 0
            except BaseException:
                (data_dir / f"result.{me}.err").write_text(traceback.format_exc())
            finally:
                os._exit(code)
        pids.append(pid)
    refreshes, running, failed = 0, set(pids), []
    while running:
        reader.refresh()
        refreshes += 1
        time.sleep(0.05)
        for pid in list(running):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                running.discard(pid)
                if os.waitstatus_to_exitcode(status) != 0:
                    failed.append(pid)
    if failed:
        reader.close()
        errors = [p.read_text() for p in sorted(data_dir.glob("result.*.err"))]
        return ContentionResult(0, 0, [f"{len(failed)} writer process(es) failed", *errors], refreshes)
    results = [orjson.loads((data_dir / f"result.{me}.json").read_bytes()) for me in range(processes)]
    reader.refresh()
    problems = _check_contention(reader, shared, results)
    reader.close()
    accepted = sum(len(r["accepted"]) for r in results)
    return ContentionResult(accepted, sum(r["conflicts"] for r in results), problems, refreshes)


def _check_contention(store, shared: list[int], results: list[dict]) -> list[str]:
    """Replay the accepted writes one by one, in revision order, and compare."""
    problems = []
    by_doc: dict[int, list[tuple[int, str]]] = defaultdict(list)
    inserted: dict[int, str] = {}
    for result in results:
        for doc_id, rev, tag, was_insert in result["accepted"]:
            if was_insert:
                if doc_id in inserted:
                    problems.append(f"id {doc_id} handed out twice")
                inserted[doc_id] = tag
            else:
                by_doc[doc_id].append((rev, tag))
    for doc_id in shared:
        writes = sorted(by_doc[doc_id])
        if [rev for rev, _ in writes] != list(range(2, len(writes) + 2)):
            problems.append(f"{doc_id}: accepted revisions {[rev for rev, _ in writes]} are not 2..n")
        replay = [tag for _, tag in writes]
        doc = store.get(TABLE, doc_id)
        if doc is None or doc["log"] != replay or doc["rev"] != len(writes) + 1:
            problems.append(f"{doc_id}: stored {doc and (doc['rev'], doc['log'][-3:])} != replay of {len(replay)} writes")
    for doc_id, tag in inserted.items():
        doc = store.get(TABLE, doc_id)
        if doc is None or doc["log"] != [tag]:
            problems.append(f"inserted {doc_id} ({tag}) is {doc}")
    return problems
