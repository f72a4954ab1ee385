"""Median time of one durable registration (visitor + visit + matter + event + counter)
and of one lookup by ID number, on a data directory filled by `desk demo`.

    desk demo --data /tmp/hall --visits 50000 --seed 1
    python bench/save_latency.py /tmp/hall --saves 20

It writes into the directory: use a throwaway copy.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from desk.clock import SystemClock
from desk.demo import demo_id_number
from desk.operators import list_operators
from desk.permissions import Action, allowed
from desk.registration import RegistrationForm
from desk.services import Desk
from storage import open_store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--saves", type=int, default=20)
    args = parser.parse_args()
    started = time.perf_counter()
    store = open_store(args.data, today=SystemClock().today)
    opened = time.perf_counter() - started
    desk = Desk(store, SystemClock(), rng=random.Random(1))
    clerk = next(o for o in list_operators(store) if allowed(o, Action.REGISTER))
    rng = random.Random(2)
    saves, lookups = [], []
    for n in range(args.saves):
        number = demo_id_number(rng, SystemClock().today().replace(year=1980), male=bool(n % 2))
        form = RegistrationForm(name="测试", id_number=number, category="land", summary="基准测试" * 40)
        t = time.perf_counter()
        desk.register(form, clerk)
        saves.append(time.perf_counter() - t)
        t = time.perf_counter()
        desk.lookup(number, clerk)
        lookups.append(time.perf_counter() - t)
    store.close()
    size = sum(f.stat().st_size for f in args.data.iterdir() if f.is_file()) / 2**20
    print(f"{args.data}: {size:.1f} MiB on disk; open {opened * 1000:.0f} ms; "
          f"save median {statistics.median(saves) * 1000:.1f} ms; "
          f"lookup by ID median {statistics.median(lookups) * 1000:.2f} ms ({args.saves} each)")


if __name__ == "__main__":
    main()
