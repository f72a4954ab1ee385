"""The day close-out (日结): a day's tally frozen and sealed; what changed since is listed,
never folded into the signed numbers; the 日报; tampering noticed."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from desk.audit import parse_code
from desk.errors import DeskError
from desk.i18n import catalog
from desk.meetings.service import written_entry
from desk.tally import formats
from desk.tally.closeout import CloseOut
from tests.conftest import at, form

D21, D22 = dt.date(2026, 11, 21), dt.date(2026, 11, 22)


@pytest.fixture
def day(desk, operator):
    """22 Nov: A (general, land) and B (complex, labour) registered; B's visit had 2 persons."""
    at(desk, "2026-11-22T09:00:00")
    a = desk.register(form(), operator).matter
    b = desk.register(form(id_number="", name="李四", track="complex", category="labour", persons="2"),
                      operator).matter
    return a, b


def close(desk, boss, when: str = "2026-11-22T17:30:00", day: dt.date = D22):
    at(desk, when)
    return desk.tally.close_day(day, boss)


def test_a_close_out_holds_who_when_the_numbers_and_the_head_code(desk, boss, day):
    before = desk.tally.recount(D22, None, boss)
    head = desk.audit.head()
    record = close(desk, boss)
    assert (record.day, record.closed_by, record.role) == (D22, "钱主任", "supervisor")
    assert record.closed_at.isoformat().startswith("2026-11-22T17:30:00")
    assert record.numbers == before and record.numbers["batches"] == 2 and record.numbers["persons"] == 3
    assert parse_code(record.audit_head) == (head[0], head[1][:12])
    assert record.members["batches"].table == "visits" and len(record.members["batches"].ids) == 2
    assert record.intact
    entry = desk.audit.entries()[-1]
    assert (entry.action, entry.target, entry.operator) == ("close_day", "2026-11-22", "钱主任")
    assert entry.detail["seal"] == record.seal and entry.detail["audit_head"] == record.audit_head
    assert desk.tally.closeout(D22, boss) == record
    assert desk.tally.verify_closeout(D22, boss) == []


def test_reporting_a_closed_day_again_gives_the_signed_numbers(desk, boss, operator, day):
    record = close(desk, boss)
    at(desk, "2026-11-23T09:00:00")
    desk.register(form(id_number="", name="赵六"), operator)  # the next day: not the 22nd's
    assert desk.tally.report(D22, None, boss) == record.numbers
    assert desk.tally.report(D22, D22, boss) == record.numbers
    assert desk.tally.changes_since(D22, boss) == []
    copy = desk.tally.report(D22, None, boss)
    copy["batches"] = 99  # a caller changing its copy does not change the record
    assert desk.tally.report(D22, None, boss)["batches"] == 2


def test_a_supervision_entry_dated_the_closed_day_is_a_change_since_not_a_signed_number(desk, boss, day):
    """A supervision entry carries the day it was made; one written up the next morning for
    the 22nd lands in the closed day. Listed as a change, the signed numbers stay."""
    _, b = day
    record = close(desk, boss)
    at(desk, "2026-11-23T09:00:00")
    entry = desk.meetings.supervise(b.id, written_entry(D22, "钱主任", "刘干事", "加快办理", dt.date(2026, 12, 1)),
                                    boss)
    assert desk.tally.recount(D22, None, boss)["supervisions"]["written"] == 1
    assert desk.tally.report(D22, None, boss) == record.numbers  # still the signed ones
    assert record.numbers["supervisions"]["written"] == 0
    [change] = desk.tally.changes_since(D22, boss)
    assert (change.key, change.signed, change.now) == ("supervisions.written", 0, 1)
    [member] = change.entered
    assert (member.table, member.id, member.number, member.name) == ("supervisions", entry.id, b.number, "李四")
    lines = formats.change_lines(catalog("zh"), [change])
    assert lines[0] == "督办：书面督办　日结时 0，现在 1"
    assert f"+督办 {b.number}（李四）" in lines[1]


def test_a_record_changed_in_the_store_shows_as_a_change_even_with_no_member_moving(desk, boss, day):
    """A visit's head count corrected after the close-out (here by a direct edit, as a repair
    or an import would): persons changes though no visit entered or left."""
    record = close(desk, boss)
    visit_id = record.members["batches"].ids[-1]
    with desk.store.transaction() as txn:
        doc = txn.get("visits", visit_id)
        txn.update("visits", {**doc, "persons": 6})
    changes = {c.key: c for c in desk.tally.changes_since(D22, boss)}
    assert (changes["persons"].signed, changes["persons"].now) == (3, 7)
    assert not changes["persons"].entered and not changes["persons"].left
    assert desk.tally.report(D22, None, boss)["persons"] == 3


def test_a_day_is_closed_once(desk, boss, admin, day):
    close(desk, boss)
    other = desk.add_operator("孙领导", "leader", "secret123", by=admin)
    at(desk, "2026-11-22T18:00:00")
    with pytest.raises(DeskError) as refused:
        desk.tally.close_day(D22, other)
    assert refused.value.code == "err.closeout.closed"
    assert refused.value.params == {"day": "2026-11-22", "by": "钱主任", "at": "2026-11-22 17:30"}
    assert len(desk.tally.closeouts(None, None, boss)) == 1


def test_who_may_close_and_which_days(desk, boss, operator, admin, day):
    at(desk, "2026-11-22T17:30:00")
    for refused_role in (operator, admin):
        with pytest.raises(DeskError) as refused:
            desk.tally.close_day(D22, refused_role)
        assert refused.value.code == "err.permission"
    with pytest.raises(DeskError) as future:
        desk.tally.close_day(dt.date(2026, 11, 23), boss)
    assert future.value.code == "err.closeout.future"
    assert desk.tally.closeout(D22, boss) is None
    leader = desk.add_operator("孙领导", "leader", "secret123", by=admin)
    assert desk.tally.close_day(D21, leader).closed_by == "孙领导"  # a past day, and a leader may


def test_tampering_with_the_stored_record_is_noticed(desk, boss, day):
    record = close(desk, boss)
    with desk.store.transaction() as txn:
        doc = txn.get("closeouts", record.id)
        txn.update("closeouts", {**doc, "numbers": {**doc["numbers"], "batches": 1}})
    assert desk.tally.verify_closeout(D22, boss) == ["closeout.bad_seal"]
    with pytest.raises(DeskError) as damaged:
        desk.tally.report(D22, None, boss)
    assert damaged.value.code == "err.closeout.damaged"
    # resealed by whoever changed it: the seal no longer matches the one in the trail
    forged = CloseOut.from_doc({**doc, "numbers": {**doc["numbers"], "batches": 1}})
    from desk.tally.closeout import seal_of
    with desk.store.transaction() as txn:
        now = txn.get("closeouts", record.id)
        txn.update("closeouts", {**now, "numbers": forged.numbers, "seal": seal_of(forged.body())})
    assert desk.tally.verify_closeout(D22, boss) == ["closeout.seal_differs"]
    with pytest.raises(DeskError) as damaged:  # read as signed nowhere: not by report, nor the screens
        desk.tally.report(D22, None, boss)
    assert damaged.value.code == "err.closeout.damaged"
    [(listed, holds)] = desk.tally.closeouts(None, None, boss)  # nor by the list
    assert listed.numbers["batches"] == 1 and not holds


def test_a_day_before_any_halls_records_is_not_closed(desk, boss):
    with pytest.raises(DeskError) as refused:
        desk.tally.close_day(dt.date(1, 1, 1), boss)
    assert refused.value.code == "err.report.too_early"


def test_a_close_out_moved_away_from_its_day_is_noticed(desk, boss, day):
    """The store has no delete; a record edited onto another day leaves its own day without
    one, which the trail still tells of."""
    record = close(desk, boss)
    with desk.store.transaction() as txn:
        doc = txn.get("closeouts", record.id)
        txn.update("closeouts", {**doc, "day": "2026-11-20"})
    found = desk.tally.verify_closeouts(boss)
    assert found[D22] == ["closeout.record_missing"]
    assert found[dt.date(2026, 11, 20)] == ["closeout.bad_seal", "closeout.no_entry"]
    assert desk.tally.verify_closeout(D22, boss) == ["closeout.record_missing"]


def test_the_daily_report_docx_has_the_numbers_and_the_changes(desk, boss, day, opener):
    from docx import Document

    _, b = day
    record = close(desk, boss)
    at(desk, "2026-11-23T09:00:00")
    desk.meetings.supervise(b.id, written_entry(D22, "钱主任", "刘干事", "加快办理", dt.date(2026, 12, 1)), boss)
    written = desk.tally.print_day(D22, boss)
    assert written.path.name.startswith("2026-11-22-daily_report-") and written.path.suffix == ".docx"
    doc = Document(str(written.path))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    assert "信访接待中心来访接待日报" in text and "2026年11月22日" in text
    assert ["来访批次", "2"] in cells and ["来访人次", "3"] in cells and ["【来访】", ""] in cells
    assert ["及时受理率", "-"] in cells  # nothing to divide: a dash, not 0%
    assert ["督办：书面督办", "0"] in cells  # the signed number, not the recount
    assert "钱主任" in text and record.audit_head in text and record.seal in text
    assert "督办：书面督办　日结时 0，现在 1" in text and b.number in text
    assert desk.audit.entries()[-1].detail["document"] == "daily_report"


def test_a_day_not_closed_is_reported_as_counted_and_has_no_close_out(desk, boss, day):
    assert desk.tally.report(D22, None, boss) == desk.tally.recount(D22, None, boss)
    with pytest.raises(DeskError) as none:
        desk.tally.print_day(D22, boss)
    assert none.value.code == "err.closeout.none"


def test_the_record_is_stored_as_json_the_seal_covers(desk, boss, day):
    record = close(desk, boss)
    doc = desk.store.find("closeouts", "day", "2026-11-22")[0]
    assert json.loads(json.dumps(doc["numbers"])) == record.numbers
    assert CloseOut.from_doc(doc) == record


def test_desk_closeout_on_the_command_line(tmp_path):
    """Closed by a supervisor who signs with a password; the report of that day then ends
    with who closed it (table, CSV) or tells it on stderr (JSON stays TALLY.md's object)."""
    import csv

    from tests.test_cli import Run

    run = Run(tmp_path)
    data = str(run.data)
    assert run("demo", "--data", data, "--visits", "60", "--seed", "5")[0] == 0
    day = "2026-11-21"
    code, _, err = run("closeout", day, "--data", data)
    assert code != 0 and "--as" in err  # the command line's administrator signs nothing
    code, _, err = run("closeout", day, "--data", data, "--as", "王芳", "--password-stdin", stdin="demo1234\n")
    assert code != 0 and "没有这项权限" in err
    code, out, err = run("closeout", day, "--data", data, "--as", "supervisor", "--password-stdin",
                         stdin="demo1234\n")
    assert (code, err) == (0, "") and f"{day} 已日结：supervisor" in out
    code, _, err = run("closeout", day, "--data", data, "--as", "supervisor", "--password-stdin", stdin="demo1234\n")
    assert code != 0 and "一天只日结一次" in err
    code, out, err = run("report", "--data", data, "--from", day, "--format", "json")
    assert code == 0 and json.loads(out)["period"]["from"] == day and "本日已日结：supervisor" in err
    code, table, _ = run("report", "--data", data, "--from", day)
    assert table.rstrip().endswith("日结后没有变动") and "本日已日结：supervisor" in table
    target = tmp_path / "day.csv"
    assert run("report", "--data", data, "--from", day, "--format", "csv", "--out", str(target))[0] == 0
    rows = [r for r in csv.reader(target.read_text("utf-8-sig").splitlines()) if r]
    assert all(len(r) == 2 for r in rows) and rows[-1] == ["日结后没有变动", ""]
    code, out, _ = run("closeout", "list", "--data", data)
    assert code == 0 and out.splitlines()[0] == "日期\t日结人\t日结时间\t留痕头码\t来访批次"
    assert out.splitlines()[1].startswith(f"{day}\tsupervisor\t")
    code, out, _ = run("closeout", "show", day, "--data", data)
    assert code == 0 and "来访批次" in out and "校验码" in out
    assert run("closeout", "verify", day, "--data", data)[:2] == (0, f"{day} 的日结记录完好：与校验码和留痕一致\n")
    code, out, _ = run("check", "--data", data)
    assert code == 0 and "日结" not in out
    code, out, _ = run("closeout", "print", day, "--data", data)
    assert code == 0 and "daily_report" in out
    code, _, err = run("closeout", "2026-11-23", "--data", data, "--as", "supervisor", "--password-stdin",
                       stdin="demo1234\n")
    assert code != 0 and "还没到" in err


async def test_closing_a_day_on_screen_and_seeing_a_change_since(desk, boss, day, opener):
    from screens.closeout import CloseOutScreen
    from tests.pilot import make_app, notices, screen_lines, settle, wait_for

    _, b = day
    at(desk, "2026-11-22T17:30:00")
    app = make_app(desk, logged_in="钱主任")
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_closeout()
        await settle(pilot)
        assert isinstance(app.screen, CloseOutScreen)
        text = "\n".join(screen_lines(app))
        assert "2026-11-22 还没有日结" in text and "来访批次" in text
        await pilot.press("c")  # asks first
        await pilot.press("y")
        await wait_for(pilot, lambda: desk.tally.closeout(D22, boss) is not None)
        await settle(pilot)
        assert any("2026-11-22 已日结" in n for n in notices(app))
        await pilot.press("y")  # print the 日报 now
        await wait_for(pilot, lambda: any("来访接待日报" in n for n in notices(app)))
        assert opener.asked[-1][0] == "print" and opener.asked[-1][1].name.startswith("2026-11-22-daily_report")
        desk.meetings.supervise(b.id, written_entry(D22, "钱主任", "刘干事", "加快办理", dt.date(2026, 12, 1)), boss)
        app.screen.reload()
        await settle(pilot)
        text = "\n".join(screen_lines(app))
        assert "本日已日结：钱主任" in text and "日结后有 1 个数字所统计的记录有变动" in text
        assert f"+督办 {b.number}" in text


async def test_a_receptionist_has_no_close_out(desk, operator, day):
    from tests.pilot import make_app, settle

    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.check_action("closeout", ()) is False
        assert "日结" not in [c.title for c in app.get_system_commands(app.screen)]


@pytest.fixture
def fixed_store_ids(monkeypatch):
    """The store's epoch is in every audit entry, so in the head code on screen."""
    import itertools

    from storage import manifest
    counter = itertools.count(1)
    monkeypatch.setattr(manifest, "new_id", lambda: f"{next(counter):016x}")


def test_close_out_snapshot(fixed_store_ids, snap_compare, desk, boss, day):
    from tests.pilot import make_app, settle

    close(desk, boss)

    async def run_before(pilot):
        pilot.app.action_closeout()
        await settle(pilot)

    assert snap_compare(make_app(desk, logged_in="钱主任"), terminal_size=(80, 24), run_before=run_before)


def test_desk_check_names_a_close_out_changed_after_it_was_signed(tmp_path):
    from desk.clock import fixed as pinned
    from storage import open_store
    from tests.conftest import PINNED
    from tests.test_cli import Run

    run = Run(tmp_path)
    data = str(run.data)
    assert run("demo", "--data", data, "--visits", "30", "--seed", "5")[0] == 0
    assert run("closeout", "2026-11-21", "--data", data, "--as", "supervisor", "--password-stdin",
               stdin="demo1234\n")[0] == 0
    store = open_store(run.data, today=pinned(PINNED).today)
    try:
        with store.transaction() as txn:
            doc = txn.find("closeouts", "day", "2026-11-21")[0]
            txn.update("closeouts", {**doc, "closed_by": "别人"})
    finally:
        store.close()
    code, out, _ = run("check", "--data", data)
    assert code != 0 and "2026-11-21 的日结：日结记录与它的校验码不符" in out
    code, out, _ = run("closeout", "verify", "2026-11-21", "--data", data)
    assert code != 0 and "校验码不符" in out
    code, _, err = run("report", "--data", data, "--from", "2026-11-21")
    assert code != 0 and "已被改动" in err  # never printed as signed


def test_a_meeting_planned_afterwards_for_the_closed_day_is_a_change_since(desk, boss, operator, day):
    """A meeting may be planned for any day from the matter's registration: one put down the
    next morning for the 22nd is due on the closed day (and overdue, not held by its end)."""
    from desk.meetings.records import MeetingKind
    from desk.meetings.service import MeetingForm

    _, b = day
    record = close(desk, boss)
    at(desk, "2026-11-23T09:00:00")
    meeting = desk.meetings.plan(b.id, MeetingForm(MeetingKind.HUDDLE, "2026-11-22", "16:00", "会议室",
                                                   (("刘干事", "城关镇"),)), operator)
    changes = {c.key: c for c in desk.tally.changes_since(D22, boss)}
    assert set(changes) == {"meetings.due", "meetings.overdue"}
    assert [(m.table, m.id, m.number) for m in changes["meetings.due"].entered] == [("meetings", meeting.id, b.number)]
    assert desk.tally.report(D22, None, boss)["meetings"] == record.numbers["meetings"] == {"due": 0, "done": 0,
                                                                                            "overdue": 0}


def test_a_matter_closed_after_the_close_out_on_the_closed_day_is_labelled_and_counted(desk, boss, operator, day):
    """Closing a matter later the same evening moves 办结 and the matters resolved at one
    time (a count the object shows only as a rate): each is labelled and counted."""
    record = close(desk, boss)
    simple = desk.register(form(id_number="", name="赵六", track="simple"), operator).matter
    at(desk, "2026-11-22T18:00:00")
    desk.close_on_spot(simple.id, "当场答复", operator)
    changes = {c.key: c for c in desk.tally.changes_since(D22, boss)}
    assert (changes["closed"].signed, changes["closed"].now) == (record.numbers["closed"], record.numbers["closed"] + 1)
    at_once = changes["resolved_at_once"]
    assert (at_once.signed, at_once.now) == (len(record.members["resolved_at_once"]),
                                             len(record.members["resolved_at_once"]) + 1)
    lines = formats.change_lines(catalog("zh"), [at_once])
    assert lines[0].startswith("一次性化解事项　日结时 ") and "tally." not in "".join(lines)


def test_a_close_signs_only_the_numbers_shown(desk, boss, operator, day):
    """A visit saved between reading the numbers and signing: the close is refused, not
    signed over numbers nobody saw."""
    shown = desk.tally.recount(D22, None, boss)
    desk.register(form(id_number="", name="赵六"), operator)
    with pytest.raises(DeskError) as refused:
        close_shown(desk, boss, shown)
    assert refused.value.code == "err.closeout.moved" and desk.tally.closeout(D22, boss) is None
    assert close_shown(desk, boss, desk.tally.recount(D22, None, boss)).numbers["batches"] == 3


def close_shown(desk, boss, shown):
    at(desk, "2026-11-22T17:30:00")
    return desk.tally.close_day(D22, boss, shown)
