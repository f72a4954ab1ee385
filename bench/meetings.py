"""The agenda and the supervision list on a busy hall (issue #12): each ≤ 100 ms.

    python bench/meetings.py HALL [--runs 20]

HALL is copied first (a hall made by `desk demo --visits 50000`, whose complex matters
hold their meetings and supervision). Measured, as medians of `--runs`, as the screens
ask for them (the whole read, rows made, nothing drawn):

- the agenda of today, and of this week (Monday to Sunday), across the hall; every
  earlier meeting still not held (overdue) comes with it;
- "my meetings" this week for the `leader` login (those of the matters they own, attend
  or planned);
- the supervision list for the `supervisor` login: every open supervised matter with its
  next step, due date and colour.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import open_desk

from desk.operators import find_operator
from desk.services import Desk


def _ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:7.2f} ms  max {max(samples) * 1000:7.2f} ms"


def _timed(runs: int, work: Callable[[], Any]) -> tuple[list[float], Any]:
    samples, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        samples.append(time.perf_counter() - started)
    return samples, result


def agenda(desk: Desk, runs: int) -> None:
    today = desk.clock.today()
    monday = today - dt.timedelta(days=today.weekday())
    sunday = monday + dt.timedelta(days=6)
    boss, leader = find_operator(desk.store, "supervisor"), find_operator(desk.store, "leader")
    total = sum(1 for _ in desk.store.scan("meetings"))
    for label, start, end, who, mine in (("today", today, today, boss, False),
                                         ("this week", monday, sunday, boss, False),
                                         ("mine this week, leader", monday, sunday, leader, True)):
        samples, rows = _timed(runs, lambda s=start, e=end, w=who, m=mine: desk.meetings.agenda(s, e, w, mine=m))
        overdue = sum(r.overdue for r in rows)
        print(f"agenda {label:<24} {len(rows):4} rows ({overdue:3} overdue) of {total} meetings  {_ms(samples)}")


def supervision(desk: Desk, runs: int) -> None:
    boss = find_operator(desk.store, "supervisor")
    total = sum(1 for _ in desk.store.scan("supervisions"))
    samples, rows = _timed(runs, lambda: desk.meetings.supervision_list(boss))
    overdue = sum(r.overdue for r in rows)
    print(f"supervision list   {len(rows):4} matters ({overdue:3} overdue) of {total} entries  {_ms(samples)}")


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
        agenda(desk, args.runs)
        supervision(desk, args.runs)
        desk.store.close()


if __name__ == "__main__":
    main()
