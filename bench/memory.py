"""A desk's memory and its first lookup, as a receptionist meets them.

Builds real-shaped halls with `desk demo` (10k and 50k visits unless told otherwise),
starts the real `desk` in a pseudo-terminal, logs in, looks a visitor up by ID number as
soon as the lookup screen shows, and reports the time from the lookup screen to the answer
and the process's peak resident memory (VmHWM) after it, with medians over several runs.
Also the `desk demo` run that built the hall: its peak memory and time. Usage:

    python bench/memory.py                         # 10k and 50k halls, 3 runs each
    python bench/memory.py --visits 50000 --runs 5 --keep /tmp/halls
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
import sys
import tempfile
import time
from pathlib import Path

LOGIN = "登录接待台".encode()
LOOKUP = "拼音首字母".encode()  # the lookup field's placeholder: the lookup screen is up
ANSWER = re.compile("找到 \\d+ 人".encode())
PASSWORD = "demo1234"


def build(hall: Path, visits: int) -> tuple[float, float]:
    """`desk demo` into `hall`; (seconds, peak MiB) of that command."""
    started = time.perf_counter()
    child = subprocess.Popen([_desk(), "demo", "--data", str(hall), "--visits", str(visits), "--seed", "1"],
                             stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if status:
        raise RuntimeError(f"desk demo failed: {status}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def an_id_number(hall: Path) -> str:
    """A visitor's ID number, found the way an operator would not: by reading the hall's keys."""
    out = subprocess.run([sys.executable, "-c", _FIND_ID, str(hall)], check=True, capture_output=True, text=True)
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


def _desk() -> str:
    return shutil.which("desk") or "desk"


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


def once(hall: Path, id_number: str) -> tuple[float, float, float]:
    """(seconds from the lookup screen to the answer, VmHWM MiB, VmRSS MiB)."""
    term = Terminal([_desk(), "--data", str(hall)])
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, action="append", help="hall size (repeatable); default 10000 and 50000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build halls here and reuse them on later runs")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="desk-bench-"))
    for visits in args.visits or [10000, 50000]:
        hall = root / f"hall-{visits}"
        if not (hall / "manifest.json").exists():
            seconds, peak = build(hall, visits)
            print(f"desk demo --visits {visits}: {seconds:.1f} s, peak {peak:.0f} MiB")
        id_number = an_id_number(hall)
        runs = [once(hall, id_number) for _ in range(args.runs)]
        answer, hwm, rss = (statistics.median(r[i] for r in runs) for i in range(3))
        print(f"{visits} visits: first lookup {answer:.3f} s after the lookup screen, peak {hwm:.0f} MiB, "
              f"then {rss:.0f} MiB (medians of {len(runs)}; answers {', '.join(f'{r[0]:.2f}' for r in runs)})")
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
