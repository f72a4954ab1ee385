"""Time from starting `desk` to its login screen being on the terminal.

Runs the real command in a pseudo-terminal and stops the clock when the login title
has been written. Usage:

    python bench/startup.py                  # desk --demo, 5 runs
    python bench/startup.py --data DIR       # desk --data DIR (e.g. after `desk demo --visits 50000`)
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import signal
import statistics
import time

from common import desk_command

MARK = "登录接待台".encode()


def once(argv: list[str], timeout: float = 60.0) -> float:
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(COLUMNS="100", LINES="30", TERM="xterm-256color")
        os.execvp(argv[0], argv)
    seen = b""
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
                if MARK in seen:
                    return time.perf_counter() - started
        raise RuntimeError(f"login screen not seen; output tail: {seen[-300:]!r}")
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", help="open this data directory instead of --demo")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    desk = desk_command()
    argv = [desk, "--data", args.data] if args.data else [desk, "--demo"]
    times = [once(argv) for _ in range(args.runs)]
    print(f"{' '.join(argv[1:])}: median {statistics.median(times):.3f} s over {len(times)} runs "
          f"(min {min(times):.3f}, max {max(times):.3f})")


if __name__ == "__main__":
    main()
