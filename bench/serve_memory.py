"""The host's memory with every seat of a hall served: `desk serve` and one desk per seat.

Starts the real `desk serve` on a hall built by `desk demo` (10k and 50k visits unless told
otherwise), opens N seats (8 by default) as a browser does (a websocket each; the browsers
themselves run on the seats' PCs, not here), logs each in as a receptionist and looks a
visitor up by ID number, then sums the resident memory of the server and every desk process
under it: RSS (what `top` shows, shared pages counted in each process) and PSS (shared
pages divided among the processes sharing them: the honest total). Medians over the runs.

    python bench/serve_memory.py                        # 10k and 50k, 8 seats, 3 runs
    python bench/serve_memory.py --visits 50000 --seats 8 --runs 3 --keep /tmp/halls

Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import aiohttp
from common import desk_command
from memory import PASSWORD, an_id_number, build

LOGIN = "登录接待台".encode()
LOOKUP = "拼音首字母".encode()
ANSWER = re.compile("找到 \\d+ 人".encode())
RECEPTIONISTS = ("demo", "王芳", "李娜")  # the demo hall's; seats beyond three share them


def _kib(path: Path, field: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += _children(p)
    return out


def resident(pid: int) -> tuple[float, float, int]:
    """(RSS MiB, PSS MiB, processes) of `pid` and everything under it."""
    pids = tree(pid)
    rss = sum(_kib(Path(f"/proc/{p}/status"), "VmRSS") for p in pids)
    pss = sum(_kib(Path(f"/proc/{p}/smaps_rollup"), "Pss") for p in pids)
    return rss / 1024, pss / 1024, len(pids)


class Seat:
    def __init__(self, ws) -> None:
        self.ws, self.seen = ws, b""

    async def wait_for(self, pattern: bytes | re.Pattern[bytes], timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while not (pattern.search(self.seen) if isinstance(pattern, re.Pattern) else pattern in self.seen):
            msg = await asyncio.wait_for(self.ws.receive(), max(0.1, deadline - time.monotonic()))
            if msg.type != aiohttp.WSMsgType.BINARY:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    raise RuntimeError(f"seat closed while waiting for {pattern!r}")
                continue
            self.seen = (self.seen + msg.data)[-200_000:]
        self.seen = b""

    async def keys(self, text: str) -> None:
        pieces = [text] if not text.isascii() else list(text)
        for piece in pieces:
            await self.ws.send_str(json.dumps(["stdin", piece]))


async def open_seat(http: aiohttp.ClientSession, url: str, name: str, id_number: str) -> Seat:
    seat = Seat(await http.ws_connect(url, max_msg_size=0))
    await seat.wait_for(LOGIN)
    await seat.ws.send_str(json.dumps(["focus"]))
    await seat.keys(name)
    await asyncio.sleep(0.3)
    await seat.keys("\t")
    await asyncio.sleep(0.5)  # the focus moves once the Tab has gone through
    await seat.keys(PASSWORD + "\r")
    await seat.wait_for(LOOKUP)
    await seat.keys(id_number)
    await seat.wait_for(ANSWER)
    return seat


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def once(desk: str, hall: Path, seats: int, id_number: str) -> dict[str, float]:
    port = _free_port()
    server = subprocess.Popen([desk, "serve", "--data", str(hall), "--port", str(port)], stdout=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        idle_rss, idle_pss, _ = resident(server.pid)
        url = f"http://127.0.0.1:{port}/ws?width=120&height=40"
        started = time.perf_counter()
        async with aiohttp.ClientSession() as http:
            opened = [await open_seat(http, url, RECEPTIONISTS[i % len(RECEPTIONISTS)], id_number)
                      for i in range(seats)]
            seconds = time.perf_counter() - started
            await asyncio.sleep(2.0)  # settled
            rss, pss, processes = resident(server.pid)
            for seat in opened:
                await seat.ws.close()
        return {"rss": rss, "pss": pss, "processes": processes, "server_rss": idle_rss, "server_pss": idle_pss,
                "per_seat_pss": (pss - idle_pss) / seats, "per_seat_rss": (rss - idle_rss) / seats,
                "open_seconds": seconds}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, action="append", help="hall size (repeatable); default 10000 and 50000")
    parser.add_argument("--seats", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build halls here and reuse them on later runs")
    args = parser.parse_args()
    desk = desk_command()
    root = args.keep or Path(tempfile.mkdtemp(prefix="desk-serve-bench-"))
    for visits in args.visits or [10_000, 50_000]:
        hall = root / f"hall-{visits}"
        if not hall.exists():
            print(f"building a {visits}-visit hall in {hall} ...", flush=True)
            build(desk, hall, visits)
        id_number = an_id_number(desk, hall)
        runs = [asyncio.run(once(desk, hall, args.seats, id_number)) for _ in range(args.runs)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"{visits} visits, {args.seats} seats logged in and one lookup each ({args.runs} runs, medians):")
        print(f"  host total  RSS {med['rss']:.0f} MiB  PSS {med['pss']:.0f} MiB  ({med['processes']:.0f} processes)")
        print(f"  server alone  RSS {med['server_rss']:.0f} MiB  PSS {med['server_pss']:.0f} MiB")
        print(f"  per seat  RSS {med['per_seat_rss']:.0f} MiB  PSS {med['per_seat_pss']:.0f} MiB;"
              f"  {args.seats} seats opened in {med['open_seconds']:.1f} s", flush=True)


if __name__ == "__main__":
    main()
