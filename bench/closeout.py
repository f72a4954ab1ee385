"""The day close-out (日结) on a busy hall: what a supervisor waits for at 17:30.

    python bench/closeout.py HALL [--runs 10]

HALL is copied first (a hall made by `desk demo --visits 50000`). In one desk (the store
opened once, as at a counter), medians of `--runs`:

- closing a day (count + members in the transaction that stores the record, the audit
  entry): each run closes a different past day, as each day is closed once;
- `report` of a closed day (the signed numbers, the seal checked);
- `changes_since` of a closed day (a recount and the members compared);
- `verify_closeouts` over all the days closed (the audit trail read once);
- the 日报 .docx written (once: a file per run).
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

from common import open_desk

from desk.documents.deliver import How
from desk.operators import find_operator


def _median(run: Callable[[int], object], runs: int) -> tuple[float, float]:
    samples = []
    for n in range(runs):
        started = time.perf_counter()
        run(n)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000, max(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hall", type=Path)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "hall"
        shutil.copytree(args.hall, folder)
        desk = open_desk(folder)
        boss = find_operator(desk.store, "supervisor")
        today = desk.clock.today()
        days = [today - dt.timedelta(days=n + 1) for n in range(args.runs)]
        desk.tally.recount(today, None, boss)  # the first read maps the columns
        figures = {
            "close a day": _median(lambda n: desk.tally.close_day(days[n], boss), args.runs),
            "report, closed day": _median(lambda n: desk.tally.report(days[n], None, boss), args.runs),
            "changes since": _median(lambda n: desk.tally.changes_since(days[n], boss), args.runs),
            "verify all": _median(lambda n: desk.tally.verify_closeouts(boss), args.runs),
            "print the 日报": _median(lambda n: desk.tally.print_day(days[n], boss, How.FILE), 1),
        }
        for name, (median, most) in figures.items():
            print(f"{name:20} median {median:8.1f} ms  max {most:8.1f} ms")
        print(f"({desk.tally.closeout(days[0], boss).numbers['batches']} visits on {days[0]})")
        desk.store.close()


if __name__ == "__main__":
    main()
