"""The tally of TALLY.md, each definition against a small hall counted by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from desk.errors import DeskError
from desk.lifecycle.records import Evaluation
from desk.lifecycle.table import Act, Inputs
from desk.meetings.records import MeetingKind, Rung
from desk.meetings.service import MeetingForm, phone_entry, written_entry
from desk.referral import ReferralForm, StationKind
from desk.tally.report import Period, rate, tally
from tests.conftest import at, form

ANSWER = dict(answer="已答复", reference="城信复〔2026〕3号", replier="城关镇人民政府")
D21, D22 = dt.date(2026, 11, 21), dt.date(2026, 11, 22)


def count(desk, start: dt.date, end: dt.date | None = None) -> dict:
    return tally(desk.store, Period(start, end or start), desk.rules(), desk.clock.today())


@pytest.fixture
def hall(desk, operator):
    """21 Nov: A (general, land) registered. 22 Nov: A visited again by 2 and accepted; B
    (simple, 6 persons, skip-level, medical) registered and closed on the spot; C (complex,
    labour) registered and referred to the judge."""
    at(desk, "2026-11-21T09:00:00")
    a = desk.register(form(), operator).matter
    at(desk, "2026-11-22T09:00:00")
    desk.register(form(visitor_id=a.visitor_id, matter_id=a.id, persons="2", category="", summary="", demands=""),
                  operator)
    desk.life.act(a.id, Act.ACCEPT, Inputs(), operator)
    b = desk.register(form(id_number="", name="李四", track="simple", persons="6", skip_level=True,
                           category="medical"), operator).matter
    desk.close_on_spot(b.id, "当场答复", operator)
    c = desk.register(form(id_number="", name="王五", track="complex", category="labour"), operator).matter
    desk.referrals.ensure_stations()
    judge = next(s for s in desk.referrals.stations() if s.kind is StationKind.JUDGE)
    desk.referrals.refer(c.id, ReferralForm(judge.id), operator)
    return a, b, c


def test_one_day_counted_by_hand(desk, hall):
    got = count(desk, D22)
    assert got["period"] == {"from": "2026-11-22", "to": "2026-11-22"}
    assert (got["batches"], got["persons"], got["first_visits"], got["repeat_visits"]) == (3, 9, 2, 1)
    assert (got["group_batches"], got["group_persons"], got["skip_level_visits"]) == (1, 6, 1)
    assert got["new_matters"] == 2
    assert got["by_category"] == {"labour": 1, "land": 1, "medical": 1}  # the repeat visit under its matter's
    assert got["by_track"] == {"simple": 1, "general": 0, "complex": 1}
    assert got["referrals"] == {"judge": 1, "prosecutor": 0, "police": 0, "legal_aid": 0, "mediation": 0,
                                "counselling": 0}
    assert (got["accepted"], got["accepted_on_time"]) == (1, 1)
    assert (got["closed"], got["closed_same_day"], got["closed_on_time"]) == (1, 1, 1)
    assert got["warnings"] == {"red": 0, "yellow": 0, "green": 2}  # A and C open
    assert got["meetings"] == {"due": 0, "done": 0, "overdue": 0}
    assert got["supervisions"] == {"written": 0, "phone": 0}
    assert (got["replied"], got["evaluated"]) == (0, 0)
    assert got["timely_acceptance_rate"] == 1.0 and got["on_time_closing_rate"] == 1.0
    assert got["evaluation_rate"] is None and got["satisfaction_rate"] is None  # nothing to divide by
    assert got["one_time_resolution_rate"] == 1.0
    assert list(got) == ["period", "batches", "persons", "first_visits", "repeat_visits", "group_batches",
                         "group_persons", "skip_level_visits", "new_matters", "by_category", "by_track", "referrals",
                         "accepted", "accepted_on_time", "closed", "closed_same_day", "closed_on_time", "warnings",
                         "meetings", "supervisions", "replied", "evaluated", "satisfied", "basically_satisfied",
                         "dissatisfied", "timely_acceptance_rate", "on_time_closing_rate", "evaluation_rate",
                         "satisfaction_rate", "one_time_resolution_rate"]


def test_the_day_before_is_counted_as_it_stood_at_its_end(desk, hall):
    """A was accepted on the 22nd: at the end of the 21st it was registered and not accepted."""
    got = count(desk, D21)
    assert (got["batches"], got["first_visits"], got["new_matters"], got["accepted"]) == (1, 1, 1, 0)
    assert got["warnings"] == {"red": 0, "yellow": 0, "green": 1}
    both = count(desk, D21, D22)
    assert (both["batches"], both["first_visits"], both["repeat_visits"], both["new_matters"]) == (4, 3, 1, 3)


def test_colours_at_the_end_of_the_period(desk, operator):
    at(desk, "2026-11-01T09:00:00")
    desk.register(form(), operator)  # acceptance due 16 Nov: red on the 22nd
    at(desk, "2026-11-10T09:00:00")
    desk.register(form(id_number="", name="李四"), operator)  # due 25 Nov: 3 days left, yellow
    at(desk, "2026-11-22T09:00:00")
    assert count(desk, D22)["warnings"] == {"red": 1, "yellow": 1, "green": 0}
    assert count(desk, dt.date(2026, 11, 12))["warnings"] == {"red": 0, "yellow": 0, "green": 2}


def test_replies_evaluations_and_resolution_at_one_time(desk, operator, hall):
    a, _, _ = hall
    at(desk, "2026-11-22T15:00:00")
    desk.life.act(a.id, Act.REPLY, Inputs(day=D22, **ANSWER), operator)
    desk.life.act(a.id, Act.EVALUATE, Inputs(evaluation=Evaluation.BASICALLY_SATISFIED), operator)
    desk.life.act(a.id, Act.CLOSE, Inputs(), operator)
    got = count(desk, D22)
    assert (got["replied"], got["evaluated"], got["basically_satisfied"]) == (1, 1, 1)
    assert got["satisfaction_rate"] == 1.0 and got["evaluation_rate"] == 1.0
    # A had a repeat visit: closed, but not resolved at one time; B was
    assert (got["closed"], got["closed_same_day"]) == (2, 1)
    assert got["closed_on_time"] == 2 and got["one_time_resolution_rate"] == 0.5
    assert got["warnings"] == {"red": 0, "yellow": 0, "green": 1}


def test_meetings_and_supervision_entries(desk, operator, admin, hall):
    _, _, c = hall
    boss = desk.add_operator("钱主任", "supervisor", "secret123", by=admin)
    people = (("刘干事", "城关镇"),)
    held = desk.meetings.plan(c.id, MeetingForm(MeetingKind.HUDDLE, "2026-11-22", "08:30", "会议室", people), operator)
    desk.meetings.record(held.id, "情况", "", "", operator)
    desk.meetings.plan(c.id, MeetingForm(MeetingKind.AT_ACCEPTANCE, "2026-11-22", "09:00", "会议室", people), operator)
    desk.meetings.supervise(c.id, written_entry(D22, "钱主任", "刘干事", "加快办理", dt.date(2026, 12, 1)), boss)
    desk.meetings.supervise(c.id, phone_entry(D22, "钱主任", "刘干事", Rung.STAFF), boss)
    got = count(desk, D22)
    assert got["meetings"] == {"due": 2, "done": 1, "overdue": 1}  # the second not held by the day's end
    assert got["supervisions"] == {"written": 1, "phone": 1}


def test_rates_are_rounded_to_four_places_and_null_on_nothing():
    assert rate(2, 3) == 0.6667 and rate(0, 5) == 0.0 and rate(3, 0) is None


def test_desk_report_prints_json_table_and_csv_that_agree(tmp_path):
    import csv
    import json

    from tests.test_cli import Run

    run = Run(tmp_path)
    data = str(run.data)
    assert run("demo", "--data", data, "--visits", "60", "--seed", "5")[0] == 0
    code, out, err = run("report", "--data", data, "--from", "2026-11-01", "--to", "2026-11-22", "--format", "json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["period"] == {"from": "2026-11-01", "to": "2026-11-22"} and report["batches"] > 0
    code, table, _ = run("report", "--data", data, "--from", "2026-11-01", "--to", "2026-11-22")
    assert f"来访批次\t{report['batches']}" in table and f"受理\t{report['accepted']}" in table
    target = tmp_path / "日报.csv"
    code, out, _ = run("report", "--data", data, "--from", "2026-11-01", "--to", "2026-11-22", "--format", "csv",
                       "--out", str(target))
    raw = target.read_bytes()
    assert code == 0 and raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM for Excel and WPS
    cells = dict(row for row in csv.reader(raw.decode("utf-8-sig").splitlines()) if row)
    assert cells["来访人次"] == str(report["persons"]) and cells["期末在办事项预警：红"] == str(report["warnings"]["red"])
    code, _, err = run("report", "--data", data, "--from", "2026-11-01", "--format", "csv", "--out", str(target))
    assert code != 0 and "已经存在" in err and target.read_bytes() == raw  # never overwritten
    for odd in ("20261122", "2026-W47-7"):  # read by fromisoformat, not the YYYY-MM-DD asked for
        assert run("report", "--data", data, "--from", odd)[0] == 1
    code, _, err = run("report", "--data", data, "--from", "2026-11-22", "--to", "2026-11-01")
    assert code != 0 and "早于" in err


def test_each_number_is_the_size_of_what_it_counts(desk, hall, admin):
    """Members: the visits, matters, referrals or entries behind each number, so a number
    can be opened; the counts are their sizes, persons their head counts."""
    a, b, c = hall
    found = desk.tally.members(D22, None, admin)
    got = count(desk, D22)
    assert found["accepted"].table == "matters" and found["accepted"].ids == (a.id,)
    assert found["closed"].ids == found["closed_same_day"].ids == found["resolved_at_once"].ids == (b.id,)
    assert found["new_matters"].ids == tuple(sorted((b.id, c.id)))
    assert found["by_category.medical"].table == "visits" and len(found["by_category.medical"]) == 1
    assert found["referrals.judge"].table == "referrals" and len(found["referrals.judge"]) == 1
    assert found["warnings.green"].ids == tuple(sorted((a.id, c.id)))
    for key, value in got.items():
        if isinstance(value, dict) and key != "period":
            assert {k: len(found[f"{key}.{k}"]) for k in value} == value
        elif isinstance(value, int) and not key.endswith("persons"):
            assert len(found[key]) == value, key



@pytest.mark.parametrize(("start", "end", "code"), [
    ("2026-11-22", "2026-12-31", "err.report.future_end"), ("2026-11-22", "9999-12-31", "err.report.future_end"),
    ("0001-01-01", "2026-11-01", "err.report.too_early")])
def test_a_period_not_yet_lived_or_before_any_hall_is_refused(desk, admin, start, end, code):
    """Colours and overdue meetings at a day to come would be guesses; year 1 a slip."""
    with pytest.raises(DeskError) as refused:
        desk.tally.report(dt.date.fromisoformat(start), dt.date.fromisoformat(end), admin)
    assert refused.value.code == code
