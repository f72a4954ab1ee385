"""The tally on a busy hall (issue #13): one day ≤ 50 ms, a whole year ≤ 1 s.

    python bench/tally.py HALL [--runs 20]

HALL is copied first (a hall made by `desk demo --visits 50000`: a year of visits with
every act of a matter's life, meetings and supervision). Measured, as medians of `--runs`
in one desk (the store opened once, as at a counter), the report as `desk report` and the
tally screen ask for it: the object of TALLY.md with every number's members gathered.

- today; yesterday; a day in the middle of the year (its states and colours are taken as
  they stood at its end, from the acts since);
- a month (the last full one); the whole year to date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from common import open_desk

from desk.operators import find_operator


def periods(today: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - dt.timedelta(days=1)
    return {
        "today": (today, today),
        "yesterday": (today - dt.timedelta(days=1),) * 2,
        "a day in June": (today.replace(month=6, day=10),) * 2,
        "last month": (last_month_end.replace(day=1), last_month_end),
        "the year to date": (today.replace(month=1, day=1), today),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hall", type=Path)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "hall"
        shutil.copytree(args.hall, folder)
        desk = open_desk(folder)
        supervisor = find_operator(desk.store, "supervisor")
        for name, (start, end) in periods(desk.clock.today()).items():
            report = desk.tally.report(start, end, supervisor)  # the first read maps the columns
            samples = []
            for _ in range(args.runs):
                started = time.perf_counter()
                desk.tally.report(start, end, supervisor)
                samples.append(time.perf_counter() - started)
            print(f"{name:18} {start}..{end}  median {statistics.median(samples) * 1000:8.1f} ms  "
                  f"max {max(samples) * 1000:8.1f} ms  ({report['batches']} visits, {report['closed']} closed)")
        desk.store.close()


if __name__ == "__main__":
    main()
