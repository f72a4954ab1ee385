"""A referral slip printed to .docx (issue #7: at most 0.5 s), on a demo hall.

    python bench/documents.py HALL [--visits 2000] [--runs 20]

HALL is made first with `desk demo --data HALL --visits N` when it does not exist, then
copied; in the copy a clerk refers an open matter to the judge's station and prints its
slip `--runs` times (How.FILE: written, not sent to a printer). Each print is the whole
use case: read the records, render the template, write the file through a temp file and
a rename, the timeline's event (one durable save) and the audit entry. The first print
is reported apart: it loads docxtpl, which the desk does not load at start.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import desk_command, open_desk

from desk.documents import How
from desk.matters import MatterFilter
from desk.operators import find_operator
from desk.referral import ReferralForm


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("hall", type=Path)
    parser.add_argument("--visits", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if not args.hall.exists():
        subprocess.run([desk_command(), "demo", "--data", str(args.hall), "--visits", str(args.visits)], check=True,
                       stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "hall"
        shutil.copytree(args.hall, folder, ignore=shutil.ignore_patterns("backups", "*.lock", "documents"))
        desk = open_desk(folder)
        clerk = find_operator(desk.store, "demo")
        desk.referrals.ensure_stations()
        judge = next(s for s in desk.referrals.stations() if s.kind == "judge")
        rows = desk.matters(MatterFilter(), clerk, limit=200)
        matter = next(r.matter for r in rows if r.matter.is_open)
        referral = desk.referrals.refer(matter.id, ReferralForm(station_id=judge.id, reason="bench"), clerk).referral
        started = time.perf_counter()
        desk.documents.print_slip(referral.id, clerk, How.FILE)
        first = time.perf_counter() - started
        samples = []
        for _ in range(args.runs):
            started = time.perf_counter()
            desk.documents.print_slip(referral.id, clerk, How.FILE)
            samples.append(time.perf_counter() - started)
        written = len(list((folder / "documents").iterdir()))
        desk.store.close()
    print(f"slip to .docx, first (loads docxtpl)  {first * 1000:7.1f} ms")
    print(f"slip to .docx, {args.runs} runs  median {statistics.median(samples) * 1000:7.1f} ms"
          f"  max {max(samples) * 1000:7.1f} ms  ({written} files written)")


if __name__ == "__main__":
    main()
