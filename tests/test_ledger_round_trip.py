"""The round trip of issue #13: a demo hall exported as a ledger (`desk export`), imported
into an empty hall (`desk import`), and the tally of both the same for every day of the
period on every number the ledger carries. The export is of the whole history, so every
matter's first visit is in it, and every row reads back (a visit after a matter's closing
too, as a repeat visit on the closed matter).

What a ledger cannot carry, and so cannot agree:
- meetings and supervisions: no column for them;
- warnings: a department's deadline, an approved extension, a review under way are not in it;
- evaluations by day: the ledger has no evaluation date, it is recorded on the reply date
  (LEDGER.md), so evaluated, satisfied ... and the two rates fall on another day;
- replied, on-time closing and resolution at one time: answers to reviews and
  re-examinations, and extensions, are not in it;
- referrals: the export carries one per visit, so a second one at a visit, or one made on a
  day its matter had no visit, is not in the ledger (the imported ones are exactly those
  the ledger's 分流去向 names, checked below).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter

from desk.clock import fixed
from desk.context import Context
from desk.tally import ledger
from desk.tally.report import Period, tally
from storage import open_store
from tests.conftest import PINNED
from tests.test_cli import Run

AGREE = ("batches", "persons", "first_visits", "repeat_visits", "group_batches", "group_persons", "skip_level_visits",
         "new_matters", "by_category", "by_track", "accepted", "accepted_on_time", "closed", "closed_same_day",
         "timely_acceptance_rate")


def test_a_demo_hall_exported_and_imported_into_an_empty_one_tallies_the_same(tmp_path):
    run = Run(tmp_path)
    hall, empty = str(tmp_path / "hall"), str(tmp_path / "empty")
    assert run("demo", "--data", hall, "--visits", "500", "--seed", "3")[0] == 0
    ledger_file = tmp_path / "台账.csv"  # the whole history, from before the demo's first day
    code, _, err = run("export", "--data", hall, "--from", "2000-01-01", "--to", "2026-11-22", "--format", "csv",
                       "--out", str(ledger_file), "--as", "supervisor", "--password-stdin", stdin="demo1234\n")
    assert (code, err) == (0, "")
    assert run("user", "add", "管理员", "--role", "admin", "--password-stdin", "--data", empty,
               stdin="admin-pass\n")[0] == 0
    code, out, err = run("import", str(ledger_file), "--data", empty, "--as", "管理员", "--password-stdin",
                         stdin="admin-pass\n")
    assert (code, err) == (0, "") and "导入 500 次来访" in out and "不认识的列" not in out

    rows = list(csv.DictReader(ledger_file.read_text(encoding="utf-8-sig").splitlines()))
    # a re-examined matter visited after its closing (不再受理): a repeat visit on the closed matter
    assert [r for r in rows if r["办结日期"] and r["登记日期"] > r["办结日期"]]
    first = min(dt.date.fromisoformat(r["登记日期"]) for r in rows)
    referred = Counter((r["登记日期"], ledger.REFERRALS[r["分流去向"]].value) for r in rows if r["分流去向"])
    clock = fixed(PINNED)
    before, after = (open_store(tmp_path / name, today=clock.today, readonly=True) for name in ("hall", "empty"))
    try:
        rules_before, rules_after = Context(before, clock).rules(), Context(after, clock).rules()
        day, busy = first, 0
        while day <= clock.today():
            old = tally(before, Period(day, day), rules_before, clock.today())
            new = tally(after, Period(day, day), rules_after, clock.today())
            assert {k: old[k] for k in AGREE} == {k: new[k] for k in AGREE}, day
            assert {k: n for k, n in new["referrals"].items() if n} == {
                kind: n for (d, kind), n in referred.items() if d == day.isoformat()}, day
            busy += old["batches"] > 0 and old["accepted"] + old["closed"] > 0
            day += dt.timedelta(days=1)
        assert busy > 30  # the comparison compared something
    finally:
        before.close()
        after.close()


def test_a_periods_export_whose_matters_began_before_it_says_the_first_visit_is_missing(tmp_path):
    """Once per matter, in words a clerk can act on; the rows it takes down, one line too."""
    run = Run(tmp_path)
    hall, empty = str(tmp_path / "hall"), str(tmp_path / "empty")
    assert run("demo", "--data", hall, "--visits", "200", "--seed", "3")[0] == 0
    ledger_file = tmp_path / "十月.csv"
    assert run("export", "--data", hall, "--from", "2026-10-01", "--to", "2026-11-22", "--out", str(ledger_file),
               "--as", "supervisor", "--password-stdin", stdin="demo1234\n")[0] == 0
    assert run("user", "add", "管理员", "--role", "admin", "--password-stdin", "--data", empty,
               stdin="admin-pass\n")[0] == 0
    code, out, err = run("import", str(ledger_file), "--data", empty, "--as", "管理员", "--password-stdin",
                         stdin="admin-pass\n")
    rows = list(csv.DictReader(ledger_file.read_text(encoding="utf-8-sig").splitlines()))
    by_matter: dict[str, list[dict]] = {}
    for r in rows:
        by_matter.setdefault(r["事项编号"], []).append(r)
    began_before = {n for n, rs in by_matter.items()
                    if min((r[c] for r in rs for c in ("受理日期", "答复日期", "办结日期") if r[c]), default="9999") <
                    min(r["登记日期"] for r in rs)}
    missing = [line for line in out.splitlines() if "台账里没有它的首次来访" in line]
    assert code == 1 and began_before and len(missing) == len(began_before), out
    assert "请从它首次来访那天起导出台账，或导出全部历史再导入" in missing[0] and "早于首次来访" not in out
    taken_down = [line for line in out.splitlines() if "整个事项都没有导入" in line]
    assert len(taken_down) <= len(began_before)  # one line a matter, however many rows it has
