"""`desk export` of a 50k-visit year, as an administrator runs it (issue #13: 50k rows to
.xlsx in at most 30 s, within the desk's 300 MiB peak).

    python bench/ledger_export.py HALL [--from 2026-01-01 --to 2026-12-31] [--runs 3] [--as supervisor]

The export is signed by a named supervisor or administrator (`--as`, default a demo hall's
`supervisor`, whose password is read from DESK_BENCH_PASSWORD or is the demo's); the
password's scrypt check is part of the time measured, as it is of the command.

HALL is a hall with a year of visits (`desk demo --data HALL --visits 50000`, or a copy of
one); it is copied first, so nothing is written into it (the export is audited). Each run
is the real `desk export` command in its own process: open the hall, read the year's
visits, matters, visitors and referrals, write the file through a temp file and a rename,
and the audit entry. Reported: rows, the median wall time and the median peak resident
memory (ru_maxrss) per format.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import desk_command


def export(desk: str, hall: Path, out: Path, start: str, end: str, signer: str) -> tuple[float, float, str]:
    """One `desk export`; (seconds, peak MiB, what it printed)."""
    password = os.environ.get("DESK_BENCH_PASSWORD", "demo1234")
    started = time.perf_counter()
    child = subprocess.Popen([desk, "export", "--data", str(hall), "--from", start, "--to", end, "--out", str(out),
                              "--as", signer, "--password-stdin"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdin.write(f"{password}\n".encode())
    child.stdin.close()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    said = child.stdout.read().decode() + child.stderr.read().decode()
    if status:
        raise RuntimeError(f"desk export failed: {said}")
    return seconds, usage.ru_maxrss / 1024, said.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("hall", type=Path)
    parser.add_argument("--from", dest="start", default="2026-01-01")
    parser.add_argument("--to", dest="end", default="2026-12-31")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--as", dest="signer", default="supervisor")
    args = parser.parse_args()
    desk = desk_command()
    with tempfile.TemporaryDirectory() as tmp:
        hall = Path(tmp) / "hall"
        shutil.copytree(args.hall, hall, ignore=shutil.ignore_patterns("backups", "*.lock", "documents"))
        for form in ("xlsx", "csv"):
            times, peaks = [], []
            for run in range(args.runs):
                out = Path(tmp) / f"ledger-{run}.{form}"
                seconds, peak, said = export(desk, hall, out, args.start, args.end, args.signer)
                times.append(seconds)
                peaks.append(peak)
                size = out.stat().st_size / 2**20
                print(f"{form} run {run + 1}: {seconds:.1f} s, peak {peak:.0f} MiB, {size:.1f} MiB file ({said})")
            print(f"{form}: median {statistics.median(times):.1f} s, median peak {statistics.median(peaks):.0f} MiB "
                  f"over {args.runs} runs")


if __name__ == "__main__":
    main()
