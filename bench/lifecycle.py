"""A matter's life on a busy hall (issue #11): the colour of every open matter, my work,
and each act one durable save.

    python bench/lifecycle.py HALL [--runs 20]

HALL is copied first (a hall made by `desk demo --visits 50000`). Measured, as medians of
`--runs`:

- the colour of every open matter from the store's columns (`row_warning`, what the lists
  and my work colour with), and through the matters list as the screen asks for it;
- `my_work` for a receptionist, and a supervisor's view of everyone's;
- each act on `--runs` registered matters taken through a general matter's life, with the
  saves (journal appends) and data syncs it cost: one of each is one durable save.
  The audit entry that follows each act is its own append and fsync, counted apart.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import open_desk

import storage.journal
from desk.deadlines import OPEN_STATUSES, row_warning
from desk.lifecycle.records import Evaluation
from desk.lifecycle.table import Act, Inputs
from desk.matters import MatterFilter
from desk.models import Status
from desk.operators import find_operator
from desk.services import Desk


class Syncs:
    """Counts journal appends and data syncs, and every other fsync (the audit trail's)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        journal_sync, fsync, append = storage.journal._sync, os.fsync, storage.journal.Journal.append

        def counted_sync(fd: int) -> None:
            self.counts["journal_sync"] += 1
            journal_sync(fd)

        def counted_fsync(fd: int) -> None:
            self.counts["other_fsync"] += 1
            fsync(fd)

        def counted_append(journal: Any, line: bytes, at: int) -> int:
            self.counts["save"] += 1
            return append(journal, line, at)

        storage.journal._sync = counted_sync
        os.fsync = counted_fsync
        storage.journal.Journal.append = counted_append

    def take(self) -> Counter[str]:
        taken, self.counts = self.counts, Counter()
        return taken




def _ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:7.2f} ms  max {max(samples) * 1000:7.2f} ms"


def _timed(runs: int, work: Callable[[], Any]) -> tuple[list[float], Any]:
    samples, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        samples.append(time.perf_counter() - started)
    return samples, result


def colours(desk: Desk, runs: int) -> None:
    today, store = desk.clock.today(), desk.store

    def every_row() -> int:
        rules = desk.rules()  # read once per refresh, as a screen does
        return sum(1 for r in store.columns("matters") if row_warning(r, today, rules) is not None)

    def open_rows() -> int:
        rules = desk.rules()
        return sum(1 for r in store.columns("matters", where={"status": OPEN_STATUSES})
                   if row_warning(r, today, rules) is not None)

    total = sum(1 for _ in store.columns("matters"))
    samples, count = _timed(runs, open_rows)
    print(f"colour of every open matter ({count} of {total}), open columns   {_ms(samples)}")
    samples, count = _timed(runs, every_row)
    print(f"the same over every row's columns                          {_ms(samples)}")
    clerk = find_operator(store, "demo")
    samples, rows = _timed(runs, lambda: desk.matters(MatterFilter(), clerk, limit=500))
    print(f"matters list, {len(rows)} rows with colours (the screen's read)      {_ms(samples)}")
    samples, rows = _timed(runs, lambda: desk.matters(MatterFilter(status=Status.HANDLING), clerk, limit=500))
    print(f"matters list, handling only, {len(rows)} rows                       {_ms(samples)}")


def my_work(desk: Desk, runs: int) -> None:
    clerk, boss = find_operator(desk.store, "demo"), find_operator(desk.store, "supervisor")
    samples, (count, _) = _timed(runs, lambda: desk.life.my_work(clerk))
    print(f"my work, receptionist demo ({count} matters)                     {_ms(samples)}")
    samples, (count, _) = _timed(runs, lambda: desk.life.my_work(boss, everyone=True))
    print(f"my work, supervisor, everyone ({count} matters)                {_ms(samples)}")


def acts(desk: Desk, runs: int, syncs: Syncs) -> None:
    store, today = desk.store, desk.clock.today()
    clerk, leader = find_operator(store, "demo"), find_operator(store, "leader")
    other = find_operator(store, "王芳")
    department = desk.life.departments(active_only=True)[0]
    registered = [r["id"] for r in store.columns("matters")
                  if r["status"] == "registered" and r["track"] == "general"][:runs]  # complex: meetings first
    answer = {"day": today, "answer": "经核查已处理", "reference": "〔2026〕1号", "replier": department.name}
    life: list[tuple[Act, Any, dict[str, Any]]] = [
        (Act.ACCEPT, clerk, {}),
        (Act.ASSIGN, clerk, {"department_id": department.id, "due": today.replace(day=28)}),
        (Act.REQUEST_EXTENSION, clerk, {"days": 15, "cause": "情况复杂"}),
        (Act.APPROVE_EXTENSION, leader, {}),
        (Act.REPLY, clerk, answer),
        (Act.REQUEST_REVIEW, clerk, {"day": today}),
        (Act.ANSWER_REVIEW, clerk, answer),
        (Act.EVALUATE, clerk, {"evaluation": Evaluation.SATISFIED}),
        (Act.CLOSE, clerk, {}),
        (Act.HAND_OVER, None, {"cause": "工作调整"}),
        (Act.TAKE_OVER, None, {}),
    ]
    timings: dict[Act, list[float]] = {a: [] for a, _, _ in life}
    costs: dict[Act, Counter[str]] = {a: Counter() for a, _, _ in life}
    spare = [r["id"] for r in store.columns("matters") if r["status"] == "handling" and not r["hand_over_to"]][:runs]
    for n, matter_id in enumerate(registered):
        holder = find_operator(store, store.get("matters", spare[n])["first_responder"])
        receiver = clerk if holder.name == other.name else other
        for act, who, given in life:
            target = matter_id
            if act is Act.HAND_OVER:  # on an open matter, by its first responder
                target, who, given = spare[n], holder, {**given, "to": receiver.name}
            elif act is Act.TAKE_OVER:
                target, who = spare[n], receiver
            syncs.take()
            started = time.perf_counter()
            desk.life.act(target, act, Inputs(**given), who)
            timings[act].append(time.perf_counter() - started)
            costs[act] += syncs.take()
    print(f"acts on {len(registered)} matters (saves, journal syncs, audit fsyncs per act):")
    for act, samples in timings.items():
        c, k = costs[act], len(samples)
        print(f"  {act.value:<18} {c['save'] / k:.0f} save  {c['journal_sync'] / k:.0f} sync  "
              f"{c['other_fsync'] / k:.0f} audit   {_ms(samples)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("hall", type=Path)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "hall"
        shutil.copytree(args.hall, folder, ignore=shutil.ignore_patterns("backups", "*.lock"))
        desk = open_desk(folder)
        desk.preload()
        syncs = Syncs()
        colours(desk, args.runs)
        my_work(desk, args.runs)
        acts(desk, args.runs, syncs)
        desk.store.close()


if __name__ == "__main__":
    main()
