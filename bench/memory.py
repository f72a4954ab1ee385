"""A desk's memory and its first lookup, as a receptionist meets them.

Builds real-shaped halls with `desk demo` (10k and 50k visits unless told otherwise),
starts the real `desk` in a pseudo-terminal, logs in, looks a visitor up by ID number as
soon as the lookup screen shows, and reports the time from the lookup screen to the answer
and the process's peak resident memory (VmHWM) after it, with medians over several runs.
Also the `desk demo` run that built the hall: its peak memory and time. Usage:

    python bench/memory.py                         # 10k and 50k halls, 3 runs each
    python bench/memory.py --visits 50000 --runs 5 --keep /tmp/halls
    python bench/memory.py --reference /path/to/old/.venv/bin/desk   # the figures before, beside

With `--reference`, the same is measured with another release's `desk` command (each
builds its own hall from the same seed; the formats differ) and the ratios are printed.
"""

from __future__ import annotations

import argparse
import os
import pty
import re
import select
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import desk_command

LOGIN = "登录接待台".encode()
LOOKUP = "拼音首字母".encode()  # the lookup field's placeholder: the lookup screen is up
ANSWER = re.compile("找到 \\d+ 人".encode())
PASSWORD = "demo1234"


def build(desk: str, hall: Path, visits: int) -> tuple[float, float]:
    """`desk demo` into `hall`; (seconds, peak MiB) of that command."""
    started = time.perf_counter()
    child = subprocess.Popen([desk, "demo", "--data", str(hall), "--visits", str(visits), "--seed", "1"],
                             stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if status:
        raise RuntimeError(f"desk demo failed: {status}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def an_id_number(desk: str, hall: Path) -> str:
    """A visitor's ID number, read with the Python of the release that wrote the hall."""
    python = str(Path(desk).with_name("python"))
    out = subprocess.run([python, "-c", _FIND_ID, str(hall)], check=True, capture_output=True, text=True)
    return out.stdout.strip()


_FIND_ID = """
import sys, datetime as dt
from pathlib import Path
from storage import open_store
store = open_store(Path(sys.argv[1]), today=dt.date.today, readonly=True)
for doc in store.scan("visitors"):
    if doc.get("id_number"):
        print(doc["id_number"]); break
"""


def _status(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Terminal:
    def __init__(self, argv: list[str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ.update(COLUMNS="100", LINES="30", TERM="xterm-256color")
            os.execvp(argv[0], argv)
        self.seen = b""

    def wait_for(self, pattern: bytes | re.Pattern[bytes], timeout: float = 120.0) -> float:
        """Read until `pattern` shows in what was written since the last call; return when."""
        self.seen = b""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.02)
            if ready:
                self.seen += os.read(self.fd, 1 << 16)
                found = pattern.search(self.seen) if isinstance(pattern, re.Pattern) else pattern in self.seen
                if found:
                    return time.perf_counter()
        raise RuntimeError(f"not seen: {pattern!r}; tail {self.seen[-300:]!r}")

    def type(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def close(self) -> None:
        os.kill(self.pid, signal.SIGTERM)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def once(desk: str, hall: Path, id_number: str) -> tuple[float, float, float]:
    """(seconds from the lookup screen to the answer, VmHWM MiB, VmRSS MiB)."""
    term = Terminal([desk, "--data", str(hall)])
    try:
        term.wait_for(LOGIN)
        term.type("demo\r")
        time.sleep(0.2)
        term.type(PASSWORD + "\r")
        shown = term.wait_for(LOOKUP)
        term.type(id_number)
        answered = term.wait_for(ANSWER)
        time.sleep(0.5)  # let the screen settle before reading the peak
        return answered - shown, _status(term.pid, "VmHWM"), _status(term.pid, "VmRSS")
    finally:
        term.close()


def measure(desk: str, root: Path, visits: int, runs: int) -> dict[str, float]:
    hall = root / f"hall-{visits}"
    built: dict[str, float] = {}
    if not (hall / "manifest.json").exists():
        built["demo_s"], built["demo_mib"] = build(desk, hall, visits)
    id_number = an_id_number(desk, hall)
    results = [once(desk, hall, id_number) for _ in range(runs)]
    answer, hwm, rss = (statistics.median(r[i] for r in results) for i in range(3))
    return {**built, "answer_s": answer, "peak_mib": hwm, "rss_mib": rss}


def _row(label: str, figures: dict[str, float]) -> str:
    demo = f"demo {figures['demo_s']:.1f} s / {figures['demo_mib']:.0f} MiB, " if "demo_s" in figures else ""
    return (f"{label}: {demo}first lookup {figures['answer_s']:.3f} s after the lookup screen, "
            f"peak {figures['peak_mib']:.0f} MiB, then {figures['rss_mib']:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, action="append", help="hall size (repeatable); default 10000 and 50000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build halls here and reuse them on later runs")
    parser.add_argument("--reference", help="another release's desk command, measured the same way")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="desk-bench-"))
    for visits in args.visits or [10000, 50000]:
        now = measure(desk_command(), root / "this", visits, args.runs)
        print(_row(f"{visits} visits, this release (median of {args.runs})", now))
        if args.reference:
            before = measure(args.reference, root / "reference", visits, args.runs)
            print(_row(f"{visits} visits, reference", before))
            ratios = ", ".join(f"{k} {now[k] / before[k]:.2f}x" for k in now if k in before and before[k])
            print(f"{visits} visits, this / reference: {ratios}")
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
