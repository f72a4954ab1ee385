"""Moving a hall's ledger in (issue #13): `desk import` of a 10k-row and a 50k-row ledger
into a fresh hall, with the time and the peak memory of each.

    python bench/ledger_import.py [--rows 10000 50000] [--runs 3] [--keep DIR]

Each ledger is made once (realistic rows: a year of visits, repeat visits sharing a
事项编号, ID numbers with valid check digits and people coming back, every track,
referrals, acceptance, reply, evaluation and closing dates the lifecycle allows), written
as UTF-8 CSV with BOM. Each run imports it into a new empty hall in a child process, timed
from the command's start to its end (reading, checking, writing, the audit entry; a
child's start-up is not counted), with the CPU time it took (on a loaded machine the wall
time says more about the neighbours) and the child's peak RSS. Medians of `--runs`.
Targets: 10k rows <= 10 s, 50k rows <= 60 s, peak RSS <= 300 MiB.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from desk.idcard import check_digit
from desk.tally import ledger

CATEGORIES = ("土地", "林地", "劳资", "住建物业", "征地拆迁", "医疗", "婚姻家庭", "其他", "物业费", "环境保护")
TOWNS = ("城关镇", "河口镇", "石门乡", "龙潭镇", "新街乡", "白沙镇")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰涛明超兰霞平刚桂"
DEPARTMENTS = ("县自然资源局", "县人社局", "县住建局", "县卫健委", "城关镇人民政府", "")
RESPONDERS = ("李娜", "王强", "陈静", "赵军")


def _id_number(rng: random.Random, taken: set[str]) -> str:
    """A valid number nobody else in the ledger has (two people never share one)."""
    while True:
        birth = dt.date(1945, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))
        first17 = f"430722{birth:%Y%m%d}{rng.randrange(1000):03d}"
        if first17 not in taken:
            taken.add(first17)
            return first17 + check_digit(first17)


def _person(rng: random.Random, people: list[tuple[str, str, str]], taken: set[str]) -> tuple[str, str, str]:
    """A visitor: one who came before (a third of the time), else a new one, most with an ID."""
    if people and rng.random() < 0.3:
        return rng.choice(people)
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    number = _id_number(rng, taken) if rng.random() < 0.7 else ""
    person = (name, number, f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" if rng.random() < 0.8 else "")
    if number:
        people.append(person)
    return person


def _life(rng: random.Random, track: str, first: dt.date, today: dt.date) -> list[str]:
    """受理, 答复, 评价, 办结 as the lifecycle allows them (a reply left without an evaluation
    is closed only after the 30-day window)."""
    if track == "马上办":
        return ["", "", "", first.isoformat() if rng.random() < 0.9 else ""]
    accepted = first + dt.timedelta(days=rng.randrange(0, 10))
    if accepted > today or rng.random() < 0.1:
        return ["", "", "", ""]
    replied = accepted + dt.timedelta(days=rng.randrange(5, 55))
    if replied > today or rng.random() < 0.15:
        return [accepted.isoformat(), "", "", ""]
    evaluation = rng.choice(("满意", "满意", "基本满意", "不满意", ""))
    closed = replied + dt.timedelta(days=rng.randrange(0, 10) if evaluation else 31 + rng.randrange(10))
    close = closed.isoformat() if closed <= today and (evaluation != "不满意") and rng.random() < 0.8 else ""
    return [accepted.isoformat(), replied.isoformat(), evaluation, close]


def make_ledger(path: Path, rows: int, seed: int = 1, year: int = 2025) -> None:
    rng = random.Random(seed)
    today = dt.date(year, 12, 31)
    people: list[tuple[str, str, str]] = []
    taken: set[str] = set()
    out: list[list[str]] = []
    number = 0
    while len(out) < rows:
        number += 1
        first = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(300))
        name, id_number, phone = _person(rng, people, taken)
        track = rng.choices(("马上办", "快速办", "监督办"), (3, 6, 1))[0]
        accepted, replied, evaluation, closed = _life(rng, track, first, today)
        visits = 1 if track == "马上办" else rng.choices((1, 2, 3), (7, 2, 1))[0]
        category, town = rng.choice(CATEGORIES), rng.choice(TOWNS)
        responder, department = rng.choice(RESPONDERS), rng.choice(DEPARTMENTS)
        summary = f"反映{category}问题，要求{rng.choice(('尽快处理', '依法解决', '给予答复', '协调赔偿'))}（{number}）"
        end = dt.date.fromisoformat(closed) if closed else first + dt.timedelta(days=60)
        days = sorted(first + dt.timedelta(days=rng.randrange(1, max(2, (end - first).days)))
                      for _ in range(visits - 1))
        for n, day in enumerate([first, *[d for d in days if d <= end]]):
            persons = rng.choices((1, 2, 3, 6, 12), (70, 15, 8, 5, 2))[0]
            referral = rng.choice(tuple(ledger.REFERRALS)) if rng.random() < 0.2 else ""
            out.append([day.isoformat(), f"{rng.randrange(8, 17):02d}:{rng.randrange(60):02d}", f"T{number:06d}",
                        name, id_number if n == 0 or rng.random() < 0.5 else "", phone, str(persons), category, town,
                        summary, rng.choice(("是", "否", "否", "否", "")), track, referral, department, responder,
                        accepted, replied, evaluation, closed])
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ledger.COLUMNS)
        writer.writerows(out[:rows])


def child(ledger_path: Path, data: Path) -> None:
    """One import into a new hall, as the command line does it (`desk import --as`): the
    hall's supervisor is made first, untimed; the timed part checks their password (scrypt,
    as the command does), then imports. Time and peak RSS printed."""
    from desk.audit import Auditor
    from desk.clock import fixed
    from desk.services import Desk, command_line_operator
    from storage import FileAuditLog, FileDraftBox, open_store

    clock = fixed("2026-11-22T10:00:00")
    store = open_store(data, today=clock.today)
    desk = Desk(store, clock, FileDraftBox(data / "drafts"), audit=Auditor(FileAuditLog(data), clock, "bench"),
                folder=data)
    desk.add_operator("钱主任", "supervisor", "bench-pass", by=command_line_operator("bench"))
    started = time.perf_counter()
    done = desk.ledger_import.run(ledger_path, desk.authenticate("钱主任", "bench-pass"))
    store.close()
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    assert done.written and not done.checked.problems, done.checked.problems[:5]
    print(f"{elapsed:.3f} {usage.ru_maxrss / 1024:.1f} {done.visits} {done.matters} {usage.ru_utime + usage.ru_stime:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10000, 50000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the ledgers here")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    work = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    try:
        for rows in args.rows:
            path = (args.keep or work) / f"ledger-{rows}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            make_ledger(path, rows)
            times, peaks, cpus = [], [], []
            for run in range(args.runs):
                data = work / f"hall-{rows}-{run}"
                line = subprocess.run([sys.executable, __file__, "--child", str(path), str(data)], check=True,
                                      capture_output=True, text=True).stdout.split()
                times.append(float(line[0]))
                peaks.append(float(line[1]))
                cpus.append(float(line[4]))
                shutil.rmtree(data)
                print(f"  {rows} rows, run {run + 1}: {line[0]} s ({line[4]} s of CPU), peak RSS {line[1]} MiB, "
                      f"{line[2]} visits in {line[3]} matters", flush=True)
            print(f"{rows} rows: median {statistics.median(times):.2f} s ({statistics.median(cpus):.2f} s of CPU), "
                  f"peak RSS median {statistics.median(peaks):.0f} MiB (max {max(peaks):.0f})", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
