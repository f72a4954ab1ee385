"""A station's queue on a busy hall (issue #7): refreshing the queue with 100 tickets
waiting, and calling next and finishing, each one durable save.

    python bench/queue.py HALL [--waiting 100] [--runs 20]

HALL is copied first (a hall made by `desk demo --visits 50000`); the copy gets a roster
for today and `--waiting` referrals to the judge's station, then each step is timed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from common import open_desk

from desk.matters import MatterFilter
from desk.operators import find_operator
from desk.referral import Finish, Outcome, ReferralForm, Staffing
from desk.referral.lifecycle import Move


def _ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:7.2f} ms  max {max(samples) * 1000:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("hall", type=Path)
    parser.add_argument("--waiting", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "hall"
        shutil.copytree(args.hall, folder, ignore=shutil.ignore_patterns("backups", "*.lock"))
        desk = open_desk(folder)
        admin, officer = find_operator(desk.store, "admin"), find_operator(desk.store, "station")
        clerk = find_operator(desk.store, "demo")
        desk.referrals.ensure_stations()
        judge = next(s for s in desk.referrals.stations() if s.kind == "judge")
        desk.referrals.set_roster([desk.clock.today()], judge.name, [officer.name], Staffing.RESIDENT, admin)
        rows = desk.matters(MatterFilter(), clerk, limit=args.waiting * 3)
        open_ids = [r.matter.id for r in rows if r.matter.status.value not in ("closed", "not_accepted")]
        for matter_id in open_ids[:args.waiting]:
            desk.referrals.refer(matter_id, ReferralForm(station_id=judge.id, reason="bench"), clerk)
        waiting = len(desk.referrals.queue(judge.id, officer))
        refresh, call, finish = [], [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            desk.referrals.queue(judge.id, officer)
            refresh.append(time.perf_counter() - started)
        for _ in range(min(args.runs, waiting)):
            started = time.perf_counter()
            called = desk.referrals.call_next(judge.id, officer)
            call.append(time.perf_counter() - started)
            desk.referrals.move(called.id, Move.SERVE, officer)
            started = time.perf_counter()
            desk.referrals.finish(called.id, Finish(Outcome.ANSWERED, note="bench"), officer)
            finish.append(time.perf_counter() - started)
        desk.store.close()
    print(f"queue of {waiting} waiting   refresh   {_ms(refresh)}")
    print(f"call next (one durable save)  {_ms(call)}")
    print(f"finish (one durable save)     {_ms(finish)}")


if __name__ == "__main__":
    main()
