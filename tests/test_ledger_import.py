"""`desk import` (LEDGER.md): every problem named with its row, all or nothing, the rejects
file, a second import adding nothing, the encodings and the spreadsheet, matters over
several rows, people matched only by ID number, records filed in their own year, and the
tally counting an imported matter as if the hall had done it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from desk.errors import DeskError
from desk.lifecycle.table import Act, Inputs
from desk.matters import MatterFilter
from desk.models import Matter, Role, Visit, Visitor
from desk.permissions import PERMISSIONS, Action
from desk.referral import ReferralForm
from desk.tally import ledger
from desk.tally.ledger_check import parse_date
from desk.tally.report import Period, tally
from tests.conftest import VALID_ID, VALID_ID_MALE, form

HEAD = ("登记日期", "登记时间", "事项编号", "姓名", "身份证号", "联系电话", "人数", "问题类别", "诉求内容", "越级",
        "处理方式", "分流去向", "首问责任人", "受理日期", "答复日期", "评价", "办结日期")


def row(**cells: str) -> dict[str, str]:
    base = {"登记日期": "2024-03-01", "登记时间": "09:30", "姓名": "张三", "问题类别": "土地", "诉求内容": "宅基地界址争议"}
    return {**base, **cells}


def write_csv(path: Path, rows: list[dict[str, str]], head: tuple[str, ...] = HEAD, encoding: str = "utf-8-sig") -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(head)
    writer.writerows([[r.get(h, "") for h in head] for r in rows])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[dict[str, str]], head: tuple[str, ...] = HEAD) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(head))
    for r in rows:
        cells: list[object] = []
        for h in head:
            value = r.get(h, "")
            if h in ledger.DATE_COLUMNS and value:  # real date cells, as Excel keeps them
                cells.append(dt.datetime.combine(parse_date(value)[0], dt.time(0)))
            elif h == "人数" and value:
                cells.append(int(value))
            else:
                cells.append(value or None)
        sheet.append(cells)
    book.save(path)
    return path


def problems(result) -> set[tuple[int, str, str]]:
    return {(p.row, p.column, p.code) for p in result.checked.problems}


def visits(desk) -> list[Visit]:
    return [Visit.from_doc(d) for d in desk.store.scan("visits", range(2000, 2027))]


# -- problems -----------------------------------------------------------------------------


BAD = [
    row(登记日期="2024-13-01"),  # 2
    row(身份证号="110105194912310021"),  # 3: bad check digit
    row(联系电话="12345"),  # 4
    row(诉求内容=""),  # 5
    row(人数="0"),  # 6
    row(处理方式="快办", 分流去向="律师", 评价="还行", 越级="也许"),  # 7
    row(受理日期="2024-02-28"),  # 8: accepted before the visit
    row(受理日期="2024-03-02", 答复日期="2024-02-01"),  # 9: a reply before the visit
    row(受理日期="2024-03-02", 答复日期="2024-03-05", 评价="满意", 办结日期="2024-02-20"),  # 10: closing before the visit
    row(评价="满意"),  # 11: an evaluation without a reply date
    row(答复日期="2024-03-05"),  # 12: a reply without acceptance
    row(办结日期="2024-03-01"),  # 13: a general matter closed without acceptance and reply
    row(受理日期="2024-03-02", 答复日期="2024-03-05", 办结日期="2024-03-10"),  # 14: closed before the evaluation
    row(登记时间="9点半"),  # 15
    row(登记日期="2027-01-01"),  # 16: after today
    row(事项编号="M1"),  # 17: good, but its matter's other row is bad
    row(事项编号="M1", 登记日期="2024-03-04", 人数="x"),  # 18
    row(姓名="  "),  # 19: no name
]
EXPECTED = {
    (2, "登记日期", "err.ledger.date"), (3, "身份证号", "err.id.check"), (4, "联系电话", "err.ledger.phone"),
    (5, "诉求内容", "err.ledger.required"), (6, "人数", "err.ledger.persons"), (7, "处理方式", "err.ledger.word"),
    (7, "分流去向", "err.ledger.word"), (7, "评价", "err.ledger.word"), (7, "越级", "err.ledger.word"),
    (8, "受理日期", "err.ledger.first_visit_missing"), (9, "答复日期", "err.ledger.first_visit_missing"),
    (9, "答复日期", "err.ledger.reply_before_accept"), (10, "办结日期", "err.ledger.first_visit_missing"),
    (10, "办结日期", "err.ledger.close_before_reply"), (11, "评价", "err.ledger.evaluation_unreplied"),
    (12, "受理日期", "err.ledger.reply_unaccepted"), (13, "办结日期", "err.life.close_not_simple"),
    (14, "办结日期", "err.life.close_unevaluated"), (15, "登记时间", "err.ledger.time"),
    (16, "登记日期", "err.ledger.future"), (17, "事项编号", "err.ledger.matter_rejected"),
    (18, "人数", "err.ledger.persons"), (19, "姓名", "err.ledger.required"),
}


def test_every_kind_of_problem_is_named_with_its_row_and_column_and_nothing_is_written(desk, admin, tmp_path):
    good = row(姓名="李四", 身份证号=VALID_ID_MALE)
    path = write_csv(tmp_path / "ledger.csv", [*BAD, good])
    result = desk.ledger_import.run(path, admin)
    assert problems(result) == EXPECTED
    assert not result.written and visits(desk) == [] and not (tmp_path / "ledger.rejects.csv").exists()
    rejected = next(p for p in result.checked.problems if p.row == 17)
    assert rejected.params == {"number": "M1", "row": 18}  # says which row took it down


def test_a_missing_required_column_refuses_the_whole_file(desk, admin, tmp_path):
    head = tuple(h for h in HEAD if h not in ("姓名", "诉求内容"))
    path = write_csv(tmp_path / "ledger.csv", [row()], head)
    with pytest.raises(DeskError) as refused:
        desk.ledger_import.run(path, admin)
    assert refused.value.code == "err.ledger.missing_columns" and refused.value.params["columns"] == "姓名、诉求内容"


def test_unknown_columns_are_ignored_and_told_once(desk, admin, tmp_path):
    path = write_csv(tmp_path / "ledger.csv", [row(备注="x"), row(姓名="李四", 备注="y")], (*HEAD, "备注", "序号"))
    result = desk.ledger_import.run(path, admin)
    assert result.written and result.visits == 2 and result.checked.unknown_columns == ["备注", "序号"]


def test_skip_bad_imports_the_good_rows_and_writes_the_bad_ones_beside_the_input(desk, admin, tmp_path):
    good = row(姓名="李四", 身份证号=VALID_ID_MALE)
    path = write_csv(tmp_path / "ledger.csv", [*BAD, good])
    result = desk.ledger_import.run(path, admin, skip_bad=True)
    assert result.written and (result.visits, result.matters) == (1, 1)
    assert result.rejects_file == tmp_path / "ledger.rejects.csv"
    raw = result.rejects_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert table[0] == [*HEAD, "原因"] and len(table) == 1 + 18
    assert table[1][0] == "2024-13-01" and table[1][-1].startswith("登记日期: ")
    assert "校验码" in table[2][-1]
    assert "第 18 行" in table[16][-1]  # row 17's reason: its matter's other row
    again = desk.ledger_import.run(path, admin, skip_bad=True)  # the good row is in: only the bad ones again
    assert again.visits == 0 and again.checked.already == 1
    assert again.rejects_file == tmp_path / "ledger.rejects.2.csv" and result.rejects_file.read_bytes() == raw


def test_a_second_import_adds_nothing(desk, admin, tmp_path):
    rows = [row(), row(姓名="李四"), row(姓名="李四")]  # two identical rows are two visits
    path = write_csv(tmp_path / "ledger.csv", rows)
    first = desk.ledger_import.run(path, admin)
    assert (first.visits, first.matters) == (3, 3)
    second = desk.ledger_import.run(path, admin)
    assert (second.visits, second.matters, second.checked.already) == (0, 0, 3) and len(visits(desk)) == 3
    more = write_csv(tmp_path / "more.csv", [*rows, row(姓名="王五")])  # the ledger grew: only the new row
    assert desk.ledger_import.run(more, admin).visits == 1 and len(visits(desk)) == 4


def test_an_interrupted_import_is_finished_by_running_it_again(desk, admin, tmp_path, monkeypatch):
    from desk.tally import ledger_import

    path = write_csv(tmp_path / "ledger.csv", [row(姓名=f"来访人{n}") for n in range(7)])
    monkeypatch.setattr(ledger_import, "BATCH_ROWS", 3)
    real = ledger_import.Writer.group
    calls = []

    def crash_in_the_third_batch(self, txn, group):
        calls.append(group)
        if len(calls) == 7:
            raise OSError("power cut")
        return real(self, txn, group)

    monkeypatch.setattr(ledger_import.Writer, "group", crash_in_the_third_batch)
    with pytest.raises(OSError):
        desk.ledger_import.run(path, admin)
    assert len(visits(desk)) == 6  # two whole batches landed, the third not at all
    monkeypatch.setattr(ledger_import.Writer, "group", real)
    again = desk.ledger_import.run(path, admin)
    assert (again.visits, again.checked.already) == (1, 6) and len(visits(desk)) == 7


# -- reading ------------------------------------------------------------------------------


LEDGER = [
    row(事项编号="A1", 身份证号=VALID_ID, 联系电话="13800138000", 受理日期="2024/03/02", 答复日期="2024年3月20日",
        评价="满意", 办结日期="2024-03-25", 首问责任人="王芳"),
    row(事项编号="A1", 登记日期="2024-03-05", 登记时间="10:00", 人数="2", 越级="是", 分流去向="调解"),
    row(姓名="王五", 人数="6", 问题类别="物业费", 处理方式="马上办", 办结日期="2024-03-01", 登记时间="11:00"),
]


@pytest.mark.parametrize("kind", ["utf-8", "utf-8-sig", "gb18030", "xlsx"])
def test_csv_in_utf8_with_or_without_bom_or_gb18030_and_xlsx_read_alike(desk, admin, tmp_path, kind):
    path = (write_xlsx(tmp_path / "ledger.xlsx", LEDGER) if kind == "xlsx"
            else write_csv(tmp_path / "ledger.csv", LEDGER, encoding=kind))
    result = desk.ledger_import.run(path, admin)
    assert (result.visits, result.matters, result.checked.problems) == (3, 2, [])
    csv_path = write_csv(tmp_path / "same.csv", LEDGER)
    assert desk.ledger_import.run(csv_path, admin).checked.already == 3  # the same rows, whatever the file


def test_a_file_that_is_no_ledger_is_refused(desk, admin, tmp_path):
    path = tmp_path / "ledger.txt"
    path.write_text("x")
    with pytest.raises(DeskError) as refused:
        desk.ledger_import.run(path, admin)
    assert refused.value.code == "err.ledger.kind"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DeskError) as refused:
        desk.ledger_import.run(empty, admin)
    assert refused.value.code == "err.ledger.empty"


# -- matters and people ---------------------------------------------------------------------


def test_rows_sharing_a_matter_number_are_one_matter_whose_later_rows_update_it(desk, admin, tmp_path):
    rows = [
        row(事项编号="A1", 登记日期="2024-03-05", 登记时间="10:00", 答复日期="2024-03-20"),  # listed first, visited later
        row(事项编号="A1", 受理日期="2024-03-02", 身份证号=VALID_ID),
        row(事项编号="A1", 登记日期="2024-03-22", 评价="基本满意", 办结日期="2024-03-25"),
    ]
    desk.ledger_import.run(write_csv(tmp_path / "ledger.csv", rows), admin)
    found = sorted(visits(desk), key=lambda v: v.at)
    assert [(v.at.isoformat(), v.kind.value) for v in found] == [
        ("2024-03-01T09:30:00+08:00", "first"), ("2024-03-05T10:00:00+08:00", "repeat"),
        ("2024-03-22T09:30:00+08:00", "repeat")]
    matter = Matter.from_doc(desk.store.get("matters", found[0].matter_id))
    assert {v.matter_id for v in found} == {matter.id} and matter.status.value == "closed"
    assert matter.accepted_at.date() == dt.date(2024, 3, 2) and matter.replies[0].day == dt.date(2024, 3, 20)
    assert matter.evaluated.value.value == "basically_satisfied" and matter.closed_at.date() == dt.date(2024, 3, 25)
    assert matter.number.startswith("2024-")


def test_a_visit_after_the_closing_is_a_repeat_visit_on_the_closed_matter(desk, admin, tmp_path):
    """The desk records such visits itself (a re-examined matter visited again), so its own
    export has them: the row reads back as a repeat visit of its day; the matter stays closed."""
    closed = dict(受理日期="2024-03-02", 答复日期="2024-03-05", 评价="满意", 办结日期="2024-03-08")
    rows = [row(事项编号="A1", **closed), row(事项编号="A1", 登记日期="2024-03-12", 登记时间="10:00", 人数="2", **closed)]
    result = desk.ledger_import.run(write_csv(tmp_path / "ledger.csv", rows), admin)
    assert (result.visits, result.matters, result.checked.problems) == (2, 1, [])
    first, later = sorted(visits(desk), key=lambda v: v.at)
    assert (later.kind.value, later.matter_id) == ("repeat", first.matter_id)
    matter = Matter.from_doc(desk.store.get("matters", first.matter_id))
    assert matter.status.value == "closed" and matter.closed_at.date() == dt.date(2024, 3, 8)
    day = tally(desk.store, Period(dt.date(2024, 3, 12), dt.date(2024, 3, 12)), desk.rules(), desk.clock.today())
    assert (day["batches"], day["persons"], day["repeat_visits"], day["first_visits"], day["new_matters"]) == (
        1, 2, 1, 0, 0)
    assert tally(desk.store, Period(dt.date(2024, 3, 8), dt.date(2024, 3, 8)), desk.rules(),
                 desk.clock.today())["closed"] == 1  # closed once, on its day


def test_a_referral_after_the_closing_is_refused(desk, admin, tmp_path):
    closed = dict(受理日期="2024-03-02", 答复日期="2024-03-05", 评价="满意", 办结日期="2024-03-08")
    rows = [row(事项编号="A1", **closed), row(事项编号="A1", 登记日期="2024-03-12", 分流去向="调解", **closed)]
    result = desk.ledger_import.run(write_csv(tmp_path / "ledger.csv", rows), admin)
    assert not result.written and (3, "分流去向", "err.ledger.referral_after_close") in problems(result)


def test_rows_of_one_matter_name_one_person(desk, admin, tmp_path):
    rows = [row(事项编号="A1"), row(事项编号="A1", 姓名="李四", 登记日期="2024-03-02")]
    result = desk.ledger_import.run(write_csv(tmp_path / "ledger.csv", rows), admin)
    assert (3, "姓名", "err.ledger.other_person") in problems(result)


def test_a_person_is_matched_only_by_id_number_and_never_renamed(desk, admin, operator, tmp_path):
    known = desk.register(form(), operator).visitor  # 张三, VALID_ID, on file
    rows = [
        row(身份证号=VALID_ID),  # 2: the same person: matched
        row(姓名="张三丰", 身份证号=VALID_ID),  # 3: the number is 张三's: a problem, never a rename
        row(姓名="张三"),  # 4: no number: a new person, even with the same name
        row(姓名="李四", 身份证号=VALID_ID_MALE), row(姓名="李四", 身份证号=VALID_ID_MALE),  # 5, 6: one new person
        row(姓名="李四四", 身份证号=VALID_ID_MALE),  # 7: the number went with 李四 earlier in the file
        row(事项编号="B", 姓名="赵六"), row(事项编号="B", 姓名="赵六", 登记日期="2024-03-03"),  # 8, 9: one person
    ]
    result = desk.ledger_import.run(write_csv(tmp_path / "ledger.csv", rows), admin, skip_bad=True)
    assert problems(result) == {(3, "身份证号", "err.ledger.id_name"), (7, "身份证号", "err.ledger.id_name")}
    imported = {v.import_key: v for v in visits(desk)}
    people = {Visitor.from_doc(desk.store.get("visitors", v.visitor_id)).name: [] for v in imported.values()}
    for v in imported.values():
        people[Visitor.from_doc(desk.store.get("visitors", v.visitor_id)).name].append(v.visitor_id)
    assert known.id in people["张三"] and len(set(people["张三"])) == 2  # the one on file, and a new 张三
    assert len(set(people["李四"])) == 1 and len(set(people["赵六"])) == 1
    assert Visitor.from_doc(desk.store.get("visitors", known.id)) == known  # nothing about them changed


def test_unknown_categories_are_added_and_told(desk, admin, tmp_path):
    rows = [row(问题类别="物业费"), row(问题类别="医疗"), row(问题类别="物业费", 姓名="李四")]
    result = desk.ledger_import.run(write_csv(tmp_path / "ledger.csv", rows), admin)
    assert result.checked.new_categories == ["物业费"]
    assert desk.settings().categories[-1] == "物业费" and "medical" in desk.settings().categories
    categories = {Matter.from_doc(d).category for d in desk.store.scan("matters", [2024])}
    assert categories == {"物业费", "medical"}


def test_first_responders_not_on_the_staff_are_recorded_as_given_and_told(desk, admin, operator, tmp_path):
    rows = [row(首问责任人="王芳"), row(首问责任人="老周", 姓名="李四"), row(姓名="王五")]
    result = desk.ledger_import.run(write_csv(tmp_path / "ledger.csv", rows), admin)
    assert result.checked.unknown_responders == ["老周"]
    responders = sorted(Matter.from_doc(d).first_responder for d in desk.store.scan("matters", [2024]))
    assert responders == sorted(["王芳", "老周", admin.name])


def test_import_is_for_admins_and_supervisors(desk, admin, operator, tmp_path):
    assert Action.IMPORT in PERMISSIONS[Role.SUPERVISOR] and Action.IMPORT in PERMISSIONS[Role.ADMIN]
    path = write_csv(tmp_path / "ledger.csv", [row()])
    with pytest.raises(DeskError) as refused:
        desk.ledger_import.run(path, operator)
    assert refused.value.code == "err.permission" and visits(desk) == []


def test_one_audit_entry_per_import(desk, admin, tmp_path):
    path = write_csv(tmp_path / "ledger.csv", LEDGER)
    desk.ledger_import.run(path, admin)
    entries = [e for e in desk.audit.entries() if e.action == "ledger_import"]
    assert len(entries) == 1
    detail = entries[0].detail
    assert (detail["rows"], detail["imported"], detail["rejected"], detail["categories"]) == (3, 3, 0, ["物业费"])


# -- years ----------------------------------------------------------------------------------


def test_a_2024_ledger_lands_in_2024_and_is_found_there(desk, admin, tmp_path):
    desk.ledger_import.run(write_csv(tmp_path / "ledger.csv", LEDGER), admin)
    for table in ("visitors", "visits", "matters", "events", "referrals"):
        ids = [d["id"] for d in desk.store.scan(table, [2024])]
        assert ids and all(i // 10**7 == 2024 for i in ids), table
        assert list(desk.store.scan(table)) == []  # this year and last hold none of them
    assert desk.store.find("visitors", "id_number", VALID_ID)  # a lookup reaches every year
    rows = desk.matters(MatterFilter(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 12, 31)), admin)
    assert len(rows) == 2
    assert tally(desk.store, Period(dt.date(2024, 3, 1), dt.date(2024, 3, 1)), desk.rules(),
                 desk.clock.today())["batches"] == 2


ADMIN = ("--as", "管理员", "--password-stdin")


def test_desk_import_and_report_on_the_command_line(tmp_path):
    from tests.test_cli import Run

    run = Run(tmp_path)
    data = str(run.data)
    assert run("user", "add", "管理员", "--role", "admin", "--password-stdin", "--data", data, stdin="admin-pass\n")[0] == 0
    path = write_csv(tmp_path / "ledger.csv", LEDGER)
    code, out, err = run("import", str(path), "--data", data, *ADMIN, stdin="admin-pass\n")
    assert (code, err) == (0, "")
    assert "导入 3 次来访，新建 2 个事项" in out and "新增问题类别：物业费" in out and "王芳" in out
    code, out, _ = run("import", str(path), "--data", data, *ADMIN, stdin="admin-pass\n")
    assert code == 0 and "3 行以前已经导入过" in out
    code, out, _ = run("report", "--data", data, "--from", "2024-03-01", "--format", "json")
    report = json.loads(out)
    assert (report["batches"], report["persons"], report["accepted"]) == (2, 7, 0)
    bad = write_csv(tmp_path / "bad.csv", [row(人数="0")])
    code, out, err = run("import", str(bad), "--data", data, *ADMIN, stdin="admin-pass\n")
    assert code == 1 and "第 2 行 人数：" in out and "什么都没有导入" in err
    code, out, err = run("import", str(bad), "--data", data, "--skip-bad", *ADMIN, stdin="admin-pass\n")
    assert code == 1 and "bad.rejects.csv" in out and "没有一行可以导入" in err  # every row bad: no success


def _imports(data) -> list:
    from desk.audit import read_entries
    from storage import FileAuditLog

    return [e for e in read_entries(FileAuditLog(data).lines()) if e.action.startswith("ledger_import")]


def test_desk_import_names_the_supervisor_in_the_audit(tmp_path):
    from tests.test_cli import Run

    run = Run(tmp_path)
    assert run("user", "add", "钱主任", "--role", "supervisor", "--password-stdin", "--data", str(run.data),
               stdin="boss-pass\n")[0] == 0
    path = write_csv(tmp_path / "ledger.csv", LEDGER)
    code, out, err = run("import", str(path), "--data", str(run.data), "--as", "钱主任", "--password-stdin",
                         stdin="boss-pass\n")
    assert (code, err) == (0, "") and "导入 3 次来访" in out
    assert [(e.operator, e.role, e.detail["imported"]) for e in _imports(run.data)] == [("钱主任", "supervisor", 3)]


@pytest.mark.parametrize(("who", "password", "said"), [
    ((), "", "导入台账要写明是谁导入（主管或管理员）：请用 --as 姓名"),
    (("--as", "小李", "--password-stdin"), "desk-pass\n", "接待员没有这项权限：导入"),
    (("--as", "钱主任", "--password-stdin"), "wrong-pass\n", "操作员或密码不对"),
])
def test_desk_import_is_refused_without_a_supervisor_or_administrator(tmp_path, who, password, said):
    from tests.test_cli import Run

    run = Run(tmp_path)
    data = str(run.data)
    assert run("user", "add", "钱主任", "--role", "supervisor", "--password-stdin", "--data", data,
               stdin="boss-pass\n")[0] == 0
    assert run("user", "add", "小李", "--role", "receptionist", "--password-stdin", "--data", data,
               stdin="desk-pass\n")[0] == 0
    code, out, err = run("import", str(write_csv(tmp_path / "ledger.csv", LEDGER)), "--data", data, *who,
                         stdin=password)
    assert (code, out) == (1, "") and said in err and not _imports(run.data)
    assert json.loads(run("report", "--data", data, "--from", "2024-03-01", "--format", "json")[1])["batches"] == 0


# -- the tally ------------------------------------------------------------------------------


def test_the_tally_counts_an_imported_ledger_as_if_the_hall_had_done_it(desk, admin, tmp_path):
    """Hand-counted for 2024-03-20: A (registered 1 March) replied and evaluated that day,
    dissatisfied; B registered by 5, skip-level, labour, accepted that day and referred to
    the judge; C simple, 物业费, closed on the spot; E (complex, registered 10 February)
    visited again by 2 and accepted that day, after its 15-day limit; F closed that day,
    after its handling deadline (accepted 6 January, replied 1 February: due 6 March)."""
    rows = [
        row(事项编号="A", 登记日期="2024-03-01", 受理日期="2024-03-04", 答复日期="2024-03-20", 评价="不满意"),
        row(事项编号="B", 登记日期="2024-03-20", 姓名="李四", 人数="5", 越级="是", 问题类别="劳资",
            受理日期="2024-03-20", 分流去向="法官"),
        row(登记日期="2024-03-20", 姓名="王五", 问题类别="物业费", 处理方式="马上办", 办结日期="2024-03-20"),
        row(事项编号="E", 登记日期="2024-02-10", 姓名="赵六", 处理方式="监督办", 受理日期="2024-03-20"),
        row(事项编号="E", 登记日期="2024-03-20", 登记时间="15:00", 姓名="赵六", 人数="2"),
        row(事项编号="F", 登记日期="2024-01-05", 姓名="孙七", 受理日期="2024-01-06", 答复日期="2024-02-01",
            评价="满意", 办结日期="2024-03-20"),
    ]
    result = desk.ledger_import.run(write_csv(tmp_path / "ledger.csv", rows), admin)
    assert result.checked.problems == [] and result.visits == 6
    day = dt.date(2024, 3, 20)
    counted = tally(desk.store, Period(day, day), desk.rules(), desk.clock.today())
    expected = {
        "batches": 3, "persons": 8, "first_visits": 2, "repeat_visits": 1, "group_batches": 1, "group_persons": 5,
        "skip_level_visits": 1, "new_matters": 2, "by_category": {"labour": 1, "land": 1, "物业费": 1},
        "by_track": {"simple": 1, "general": 1, "complex": 0},
        "referrals": {"judge": 1, "prosecutor": 0, "police": 0, "legal_aid": 0, "mediation": 0, "counselling": 0},
        "accepted": 2, "accepted_on_time": 1, "closed": 2, "closed_same_day": 1, "closed_on_time": 1,
        "replied": 1, "evaluated": 1, "satisfied": 0, "basically_satisfied": 0, "dissatisfied": 1,
        "timely_acceptance_rate": 0.5, "on_time_closing_rate": 0.5, "evaluation_rate": 1.0,
        "satisfaction_rate": 0.0, "one_time_resolution_rate": 1.0,
    }
    assert {k: counted[k] for k in expected} == expected


def test_an_imported_open_matter_goes_on_with_the_desks_own_acts(desk, admin, operator, tmp_path):
    """Its times are the hall's, like every time the desk records: a repeat visit, a referral
    and an act today sort and count beside the ledger's."""
    rows = [row(事项编号="A", 登记日期="2026-11-02", 身份证号=VALID_ID, 受理日期="2026-11-03", 分流去向="调解")]
    desk.ledger_import.run(write_csv(tmp_path / "ledger.csv", rows), admin)
    (visit,) = visits(desk)
    assert visit.at.utcoffset() == dt.timedelta(hours=8)
    again = desk.register(form(visitor_id=visit.visitor_id, matter_id=visit.matter_id, category="", summary="",
                               demands=""), operator)
    assert again.repeat and again.matter.id == visit.matter_id
    desk.referrals.ensure_stations()
    judge = next(s for s in desk.referrals.stations() if s.kind.value == "judge")
    desk.referrals.refer(visit.matter_id, ReferralForm(judge.id), operator)
    done = desk.life.act(visit.matter_id, Act.REPLY, Inputs(day=dt.date(2026, 11, 22), answer="已答复",
                                                            reference="x", replier="y"), operator)
    assert done.matter.status.value == "replied"
    detail = desk.matter_detail(visit.matter_id, admin)
    assert [e.kind for e in detail.events] == ["registered", "referred", "referral_outcome", "accept", "repeat_visit",
                                               "referred", "reply"]


def test_a_refusal_partway_says_what_was_imported_and_audits_it(desk, admin, tmp_path, monkeypatch):
    from desk.tally import ledger_import

    path = write_csv(tmp_path / "ledger.csv", [row(姓名=f"来访人{n}") for n in range(5)])
    monkeypatch.setattr(ledger_import, "BATCH_ROWS", 2)
    real = ledger_import.Writer.group
    calls = []

    def refused_in_the_second_batch(self, txn, group):
        calls.append(group)
        if len(calls) == 3:
            raise DeskError("err.matter.missing", id=0)
        return real(self, txn, group)

    monkeypatch.setattr(ledger_import.Writer, "group", refused_in_the_second_batch)
    with pytest.raises(DeskError) as stopped:
        desk.ledger_import.run(path, admin)
    assert stopped.value.code == "err.ledger.interrupted" and stopped.value.params == {"visits": 2, "matters": 2}
    assert [e.detail["imported"] for e in desk.audit.entries() if e.action == "ledger_import_interrupted"] == [2]



def test_a_halls_own_export_is_not_imported_into_it_again(tmp_path, desk, operator, admin):
    """Its 事项编号 are the hall's own matters: read back, every visit would be there twice."""
    matter = desk.register(form(), operator).matter
    target = tmp_path / "own.csv"
    desk.tally.export(desk.clock.today(), None, "csv", target, admin)
    result = desk.ledger_import.run(target, admin)
    assert problems(result) == {(2, "事项编号", "err.ledger.own_matter")} and not result.written
    assert result.checked.problems[0].params == {"number": matter.number} and len(visits(desk)) == 1


def test_a_ledger_with_a_date_filled_in_since_adds_no_visit_twice(tmp_path, desk, admin):
    """The key is the visit's, not the matter's dates: the same ledger with a 受理日期 added."""
    first = write_csv(tmp_path / "v1.csv", [row(事项编号="Q1")])
    desk.ledger_import.run(first, admin)
    later = write_csv(tmp_path / "v2.csv", [row(事项编号="Q1", 受理日期="2024-03-02")])
    assert desk.ledger_import.run(later, admin).visits == 0 and len(visits(desk)) == 1


def test_the_same_ledger_imported_by_another_operator_adds_nothing(tmp_path, desk, admin):
    """An empty 首问责任人 stands for whoever imports: not part of what makes a row the same."""
    path = write_csv(tmp_path / "ledger.csv", [row(首问责任人="")])
    assert desk.ledger_import.run(path, admin).visits == 1
    other = desk.add_operator("钱主任", "supervisor", "secret123", by=admin)
    assert desk.ledger_import.run(path, other).visits == 0 and len(visits(desk)) == 1


@pytest.mark.parametrize("body", ['"张三,2024-03-01\n李四,2024-03-02\n', "x" * 200_000 + "\n"])
def test_a_file_that_is_not_csv_past_some_line_is_told_with_the_line(tmp_path, desk, admin, body):
    """A quote left open would swallow the rest of the file; a cell of 200,000 characters."""
    path = tmp_path / "ledger.csv"
    path.write_text(",".join(HEAD) + "\n" + body, encoding="utf-8")
    with pytest.raises(DeskError) as refused:
        desk.ledger_import.run(path, admin)
    assert refused.value.code == "err.ledger.csv" and refused.value.params["line"] >= 2
    assert visits(desk) == []


def test_an_xlsx_that_is_no_zip_or_unpacks_to_gigabytes_is_refused_before_it_is_read(tmp_path, desk, admin,
                                                                                     monkeypatch):
    import desk.tally.ledger_read as reading

    fake = tmp_path / "ledger.xlsx"
    fake.write_bytes(b"not a zip at all")
    with pytest.raises(DeskError) as refused:
        desk.ledger_import.run(fake, admin)
    assert refused.value.code == "err.ledger.xlsx"
    real = write_xlsx(tmp_path / "real.xlsx", [row()])
    monkeypatch.setattr(reading, "MAX_UNPACKED", 1000)  # as a bomb is to the real limit
    with pytest.raises(DeskError) as refused:
        desk.ledger_import.run(real, admin)
    assert refused.value.code == "err.ledger.too_big" and visits(desk) == []


def test_a_date_before_any_halls_records_is_a_problem(tmp_path, desk, admin):
    """1900-01-01 is what a blank date cell often shows: it would open a year 1900 for good."""
    path = write_csv(tmp_path / "ledger.csv", [row(登记日期="1900-01-01")])
    assert problems(desk.ledger_import.run(path, admin)) == {(2, "登记日期", "err.ledger.too_early")}


def test_rows_landing_in_a_closed_day_are_told_and_show_as_changes_since(tmp_path, desk, admin):
    """A day already closed out keeps its signed numbers; the import says which days it
    reached, and the close-out lists what it added."""
    boss = desk.add_operator("钱主任", "supervisor", "secret123", by=admin)
    path = write_csv(tmp_path / "ledger.csv", [row()])
    day = parse_date(row()["登记日期"])[0]
    desk.tally.close_day(day, boss)
    done = desk.ledger_import.run(path, admin)
    assert done.visits == 1 and done.closed_days == (day,)
    assert desk.tally.report(day, None, boss)["batches"] == 0
    assert any(c.key == "batches" and c.now == 1 for c in desk.tally.changes_since(day, boss))


def test_a_sheet_wider_than_any_ledger_is_refused_before_its_rows_are_walked(tmp_path, desk, admin):
    """A sheet can declare a million rows of 16,384 columns in a few kilobytes."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(list(HEAD))
    book.active.cell(row=3, column=300, value="x")
    path = tmp_path / "wide.xlsx"
    book.save(path)
    with pytest.raises(DeskError) as refused:
        desk.ledger_import.run(path, admin)
    assert refused.value.code == "err.ledger.too_many" and visits(desk) == []


def test_a_halls_own_export_with_its_numbers_blanked_is_not_imported_again(tmp_path, desk, operator, admin):
    """The same name at the same minute is a visit on file, numbered or not."""
    matter = desk.register(form(), operator).matter
    target = tmp_path / "own.csv"
    desk.tally.export(desk.clock.today(), None, "csv", target, admin)
    lines = target.read_text("utf-8-sig").splitlines()
    head = lines[0].split(",")
    blanked = [",".join("" if head[i] == "事项编号" else c for i, c in enumerate(line.split(","))) for line in lines[1:]]
    target.write_text("\ufeff" + "\n".join([lines[0], *blanked]) + "\n", encoding="utf-8")
    result = desk.ledger_import.run(target, admin)
    assert problems(result) == {(2, "登记时间", "err.ledger.visit_on_file")} and not result.written
    assert result.checked.problems[0].params == {"number": matter.number} and len(visits(desk)) == 1
