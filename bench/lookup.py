"""How long a lookup takes, by kind, on a real-shaped hall (after `desk demo`).

Opens the store as the app does (preload included), then times `desk.lookup.lookup` for
keys taken from the hall itself: a full ID number, a mobile, a case number, a query
code, a name, pinyin initials, the last digits of a phone; and the matters list (F4)
with its default filter. Reports the median and the slowest of many runs. Usage:

    python bench/lookup.py DATA_DIR [--runs 50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from pathlib import Path

from desk.lookup import lookup
from desk.matters import MatterFilter, list_matters
from desk.settings import load_settings
from storage import open_store


def _time(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, max(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    store = open_store(args.data, today=dt.date.today, readonly=True)
    started = time.perf_counter()
    store.preload()
    print(f"preload: {(time.perf_counter() - started) * 1000:.1f} ms")
    rng = random.Random(1)
    visitors = [v for v in store.scan("visitors") if v.get("id_number") and v.get("phone")]
    matters = list(store.scan("matters"))
    person, matter = rng.choice(visitors), rng.choice(matters)
    today, settings = dt.date.today(), load_settings(store)
    cases = {
        "ID number": person["id_number"],
        "mobile": person["phone"],
        "case number": matter["number"],
        "query code": matter["query_code"],
        "name": person["name"][:2],
        "pinyin initials": person["name_initials"][0][:2],
        "last 4 digits of a phone": person["phone"][-4:],
    }
    for label, text in cases.items():
        found = len(lookup(store, text, today, settings))
        median, worst = _time(lambda text=text: lookup(store, text, today, settings), args.runs)
        print(f"{label:26} {text!r:22} {found:3} found  median {median:7.2f} ms  max {worst:7.2f} ms")
    median, worst = _time(lambda: list_matters(store, MatterFilter(), today, settings), max(3, args.runs // 10))
    print(f"{'matters list (F4)':26} {'':22} {'':9} median {median:7.2f} ms  max {worst:7.2f} ms")
    store.close()


if __name__ == "__main__":
    main()
