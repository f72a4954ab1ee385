"""Kill a writing process with SIGKILL at random moments, many times, and count.

The test suite runs 50 of these trials (tests/test_durability.py); this harness runs
as many as asked and prints the counts. From the project root:

    python bench/crashes.py                # 1000 trials
    python bench/crashes.py --trials 200
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.torture import crash_trial  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="desk-crash-"))
    acked = failed = 0
    started = time.perf_counter()
    try:
        for trial in range(args.trials):
            folder = root / f"t{trial}"
            result = crash_trial(folder, seed=args.seed + trial)
            acked += result.acked
            if result.lost:
                failed += 1
                print(f"trial {trial}: {result.lost[:3]}", flush=True)
            shutil.rmtree(folder, ignore_errors=True)
            if (trial + 1) % 100 == 0:
                print(f"{trial + 1} trials, {acked} acknowledged saves, {failed} with a lost save", flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"trials: {args.trials}; acknowledged saves checked: {acked}; trials with a lost or changed save: {failed}; "
          f"{time.perf_counter() - started:.0f} s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
