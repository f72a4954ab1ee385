"""What the tally screen's worker does for one choice of period, on a busy hall: the
period's report, the period before, the same days last year and the charts; then opening
one number (members, and the rows of the visits counted).

    python bench/tally_screen.py HALL [--runs 5]

HALL is copied first (a hall made by `desk demo --visits 50000`, e.g. /tmp/h50l); the
periods are those holding today (the demo's visits run up to the day it was made). The
first report also reads the year's files: run more than once, the median leaves it out.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from desk.clock import SystemClock
from desk.operators import find_operator
from desk.services import Desk
from desk.tally.periods import Unit, counted, last_year, previous, span
from storage import FileDraftBox, open_store


def _timed(runs: int, work) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("hall", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "hall"
        shutil.copytree(args.hall, folder, ignore=shutil.ignore_patterns("backups", "*.lock"))
        clock = SystemClock()
        store = open_store(folder, today=clock.today)
        desk = Desk(store, clock, FileDraftBox(folder / "drafts"), random.Random(1))
        desk.preload()
        boss = find_operator(store, "supervisor")
        today = clock.today()
        for unit in (Unit.DAY, Unit.WEEK, Unit.MONTH):
            chosen = span(unit, today)
            now, before, ago = counted(chosen, today), previous(chosen, today), last_year(chosen, today)

            def screen(now=now, before=before, ago=ago) -> None:
                for p in (now, before, ago):
                    desk.tally.report(p.start, p.end, boss)
                desk.tally.charts(now.start, now.end, boss)

            def drill(now=now) -> int:
                found = desk.tally.members(now.start, now.end, boss)["batches"]
                return len(desk.tally.member_rows(found, boss))

            print(f"{unit.value:6} numbers+comparisons+charts  median {_timed(args.runs, screen) * 1000:8.1f} ms   "
                  f"drill into batches ({drill()} rows)  median {_timed(args.runs, drill) * 1000:8.1f} ms")
        year = (today.replace(month=1, day=1), today)
        print(f"year   report alone                 median "
              f"{_timed(args.runs, lambda: desk.tally.report(*year, boss)) * 1000:8.1f} ms")
        store.close()


if __name__ == "__main__":
    main()
