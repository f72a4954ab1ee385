"""`desk export`: the visit ledger of LEDGER.md as CSV and xlsx, and `desk report --format
xlsx`, on a small hall whose every cell is known by hand."""

from __future__ import annotations

import csv
import datetime as dt
import json

import openpyxl
import pytest

from desk.audit import read_entries
from desk.errors import DeskError
from desk.i18n import catalog
from desk.lifecycle.departments import DepartmentForm
from desk.lifecycle.records import Evaluation
from desk.lifecycle.table import Act, Inputs
from desk.referral import ReferralForm, StationKind
from desk.tally import formats, ledger
from desk.tally.sheets import width
from storage import FileAuditLog
from tests.conftest import VALID_ID, VALID_ID_MALE, at, form
from tests.test_cli import Run

D21, D22 = dt.date(2026, 11, 21), dt.date(2026, 11, 22)
ANSWER = dict(answer="已答复", reference="城信复〔2026〕3号", replier="城关镇人民政府")
HEADERS = list(ledger.COLUMNS)


@pytest.fixture
def hall(desk, operator, admin):
    """21 Nov 09:00: A (general, land, 张三 with an all-digit ID number) registered.
    22 Nov: 09:00 B (simple, 6 persons, skip-level) registered and closed on the spot;
    09:30 C (complex, labour) registered and referred to the judge; 10:00 A visited again
    by 2, accepted, assigned to 城关镇人民政府, replied, evaluated and closed."""
    department = desk.life.save_department(DepartmentForm("城关镇人民政府", "刘干事", "0736-1234567"), admin)
    at(desk, "2026-11-21T09:00:00")
    a = desk.register(form(id_number=VALID_ID_MALE), operator).matter
    at(desk, "2026-11-22T09:00:00")
    b = desk.register(form(id_number=VALID_ID, name="李四", track="simple", persons="6", skip_level=True,
                           category="medical"), operator).matter
    desk.close_on_spot(b.id, "当场答复", operator)
    at(desk, "2026-11-22T09:30:00")
    c = desk.register(form(id_number="", phone="", name="王五", track="complex", category="labour"), operator).matter
    desk.referrals.ensure_stations()
    judge = next(s for s in desk.referrals.stations() if s.kind is StationKind.JUDGE)
    desk.referrals.refer(c.id, ReferralForm(judge.id), operator)
    at(desk, "2026-11-22T10:00:00")
    desk.register(form(visitor_id=a.visitor_id, matter_id=a.id, id_number=VALID_ID_MALE, persons="2",
                       category="", summary="", demands=""), operator)
    for what, inputs in ((Act.ACCEPT, Inputs()), (Act.ASSIGN, Inputs(department_id=department.id, due=D22)),
                         (Act.REPLY, Inputs(day=D22, **ANSWER)),
                         (Act.EVALUATE, Inputs(evaluation=Evaluation.BASICALLY_SATISFIED)), (Act.CLOSE, Inputs())):
        desk.life.act(a.id, what, inputs, operator)
    at(desk, "2026-11-22T16:00:00")
    return a, b, c


def csv_rows(path) -> list[list[str]]:
    return list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))


def by_header(row: list) -> dict:
    return dict(zip(HEADERS, row, strict=False))


def test_csv_has_the_ledger_columns_one_row_per_visit_in_time_order(desk, hall, boss, tmp_path):
    a, b, c = hall
    target = tmp_path / "台账.csv"
    assert desk.tally.export(D21, D22, "csv", target, boss) == 4
    header, *rows = csv_rows(target)
    assert header == [*HEADERS, "导出人", "导出时间"]  # LEDGER.md's order; who and when at the right
    cells = [by_header(r) for r in rows]
    assert [(r["登记日期"], r["登记时间"], r["姓名"]) for r in cells] == [
        ("2026-11-21", "09:00", "张三"), ("2026-11-22", "09:00", "李四"), ("2026-11-22", "09:30", "王五"),
        ("2026-11-22", "10:00", "张三")]
    assert [r["事项编号"] for r in cells] == [a.number, b.number, c.number, a.number]  # A's two visits share it
    assert len({a.number, b.number, c.number}) == 3
    assert all(r[-2:] == ["钱主任", "2026-11-22 16:00:00"] for r in rows)  # on every row


def test_every_cell_of_a_row_in_the_ledger_words(desk, hall, boss, tmp_path):
    target = tmp_path / "台账.csv"
    desk.tally.export(D21, D22, "csv", target, boss)
    first_a, b, c, again_a = (by_header(r) for r in csv_rows(target)[1:])
    assert first_a == {
        "登记日期": "2026-11-21", "登记时间": "09:00", "事项编号": first_a["事项编号"], "姓名": "张三",
        "身份证号": VALID_ID_MALE, "联系电话": "13800138000", "人数": "1", "问题类别": "土地", "所属乡镇": "城关镇",
        "诉求内容": "宅基地界址争议", "越级": "否", "处理方式": "快速办", "分流去向": "", "责任单位": "城关镇人民政府",
        "首问责任人": "王芳", "受理日期": "2026-11-22", "答复日期": "2026-11-22", "评价": "基本满意",
        "办结日期": "2026-11-22"}
    # the matter as it stands now, on every row of it, not only its latest
    assert {k: again_a[k] for k in ("受理日期", "答复日期", "评价", "办结日期", "责任单位")} == {
        k: first_a[k] for k in ("受理日期", "答复日期", "评价", "办结日期", "责任单位")}
    assert (again_a["人数"], again_a["越级"]) == ("2", "否")
    assert (b["人数"], b["越级"], b["处理方式"], b["问题类别"], b["办结日期"]) == ("6", "是", "马上办", "医疗", "2026-11-22")
    assert (b["受理日期"], b["答复日期"], b["评价"]) == ("", "", "")
    assert (c["分流去向"], c["处理方式"], c["身份证号"], c["联系电话"]) == ("法官", "监督办", "", "")
    assert first_a["分流去向"] == again_a["分流去向"] == b["分流去向"] == ""  # only the visit it was made on


def test_a_hall_category_by_its_own_name(desk, operator, admin, boss, tmp_path):
    code = desk.change_categories(admin, add="移民安置")
    at(desk, "2026-11-22T09:00:00")
    desk.register(form(category=code), operator)
    target = tmp_path / "台账.csv"
    desk.tally.export(D22, D22, "csv", target, boss)
    (row,) = (by_header(r) for r in csv_rows(target)[1:])
    assert row["问题类别"] == "移民安置"


def test_a_period_holds_its_own_visits_and_the_matter_as_it_stands(desk, hall, boss, tmp_path):
    a, _, _ = hall
    target = tmp_path / "one-day.csv"
    assert desk.tally.export(D21, None, "csv", target, boss) == 1  # --to left out: one day
    (row,) = (by_header(r) for r in csv_rows(target)[1:])
    assert (row["事项编号"], row["登记日期"], row["办结日期"]) == (a.number, "2026-11-21", "2026-11-22")


def test_csv_is_utf8_with_a_bom_and_crlf(desk, hall, boss, tmp_path):
    target = tmp_path / "台账.csv"
    desk.tally.export(D21, D22, "csv", target, boss)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + "登记日期,".encode())
    assert raw.count(b"\r\n") == 5 and b"\n" not in raw.replace(b"\r\n", b"")


def test_xlsx_cells_dates_text_numbers_and_a_frozen_header(desk, hall, boss, tmp_path):
    a, _, _ = hall
    target = tmp_path / "台账.xlsx"
    assert desk.tally.export(D21, D22, "xlsx", target, boss) == 4
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["来访登记台账", "说明"]  # the ledger first
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == HEADERS
    first = {h: c for h, c in zip(HEADERS, sheet[2], strict=True)}
    for header in ledger.DATE_COLUMNS:
        assert isinstance(first[header].value, dt.datetime) and first[header].number_format == "yyyy-mm-dd"
    assert first["登记日期"].value == dt.datetime(2026, 11, 21) and first["办结日期"].value == dt.datetime(2026, 11, 22)
    id_cell = first["身份证号"]
    assert id_cell.value == VALID_ID_MALE and id_cell.data_type == "s" and len(id_cell.value) == 18
    assert id_cell.number_format == "@"  # stays text when someone types over it
    assert first["联系电话"].value == "13800138000" and first["联系电话"].data_type == "s"
    assert first["人数"].value == 1 and first["事项编号"].value == a.number and first["登记时间"].value == "09:00"
    assert [r[2].value for r in sheet.iter_rows(min_row=2)] == [a.number, *[r[2].value for r in sheet.iter_rows(min_row=3, max_row=4)], a.number]
    assert sheet.max_row == 5


def test_xlsx_column_widths_count_chinese_double(desk, hall, boss, tmp_path):
    assert width("宅基地") == 6 and width("09:30") == 5
    target = tmp_path / "台账.xlsx"
    desk.tally.export(D21, D22, "xlsx", target, boss)
    widths = {c: d.width for c, d in openpyxl.load_workbook(target).worksheets[0].column_dimensions.items()}
    assert widths["E"] >= 20  # 身份证号: 18 characters
    assert widths["J"] >= width("宅基地界址争议") + 2 > widths["B"]  # 诉求内容 wider than 登记时间


def test_xlsx_says_who_made_it_and_when_inside(desk, hall, boss, tmp_path):
    target = tmp_path / "台账.xlsx"
    desk.tally.export(D21, D22, "xlsx", target, boss)
    book = openpyxl.load_workbook(target)
    assert book.properties.creator == "钱主任"
    assert book.properties.created == dt.datetime(2026, 11, 22, 8, 0)  # 16:00 in the hall is 08:00 UTC
    note = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True) if r[1] is not None}
    assert note == {"导出人": "钱主任", "导出时间": "2026-11-22 16:00:00", "导出期间": "2026-11-21 ~ 2026-11-22",
                    "行数": 4}


@pytest.mark.parametrize("role", ["receptionist", "station", "leader"])
def test_refused_to_anyone_but_supervisors_and_administrators(desk, hall, admin, role, tmp_path):
    someone = desk.add_operator("孙某", role, "secret123", by=admin)
    target = tmp_path / "台账.csv"
    with pytest.raises(DeskError) as refused:
        desk.tally.export(D21, D22, "csv", target, someone)
    assert refused.value.code == "err.permission" and not target.exists()
    assert desk.tally.export(D21, D22, "csv", target, admin) == 4


def test_refused_on_an_existing_file_which_stays_as_it_was(desk, hall, boss, tmp_path):
    for form_, name in (("csv", "old.csv"), ("xlsx", "old.xlsx")):
        target = tmp_path / name
        target.write_bytes(b"a hall's only copy")
        with pytest.raises(DeskError) as refused:
            desk.tally.export(D21, D22, form_, target, boss)
        assert refused.value.code == "err.report.exists" and target.read_bytes() == b"a hall's only copy"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("old") or p.name.startswith(".tmp")) == [
        "old.csv", "old.xlsx"]  # no temp file left beside them
    assert not [e for e in desk.audit_entries(boss) if e.action == "ledger_export"]  # nothing exported, nothing told


def test_audited_once_with_who_the_period_the_format_and_the_rows(desk, hall, boss, tmp_path):
    target = tmp_path / "台账.xlsx"
    desk.tally.export(D21, D22, "xlsx", target, boss)
    (entry,) = [e for e in desk.audit_entries(boss) if e.action == "ledger_export"]
    assert (entry.operator, entry.role, entry.target) == ("钱主任", "supervisor", "台账.xlsx")
    assert {k: entry.detail[k] for k in ("start", "end", "format", "rows", "path")} == {
        "start": "2026-11-21", "end": "2026-11-22", "format": "xlsx", "rows": 4, "path": str(target)}


SUPERVISOR = ("--as", "supervisor", "--password-stdin")  # a demo hall's supervisor
DEMO_PASSWORD = "demo1234\n"


def test_desk_export_on_the_command_line(tmp_path):
    run = Run(tmp_path)
    data = str(run.data)
    assert run("demo", "--data", data, "--visits", "60", "--seed", "5")[0] == 0
    code, out, err = run("export", "--data", data, "--from", "2026-01-01", "--to", "2026-11-22",
                         "--out", str(tmp_path / "台账.xlsx"), *SUPERVISOR, stdin=DEMO_PASSWORD)  # the format from the name
    assert (code, err) == (0, "") and "已导出 60 行" in out
    code, out, err = run("export", "--data", data, "--from", "2026-01-01", "--to", "2026-11-22",
                         "--format", "csv", "--out", str(tmp_path / "台账.txt"), *SUPERVISOR, stdin=DEMO_PASSWORD)
    assert code == 0 and len(csv_rows(tmp_path / "台账.txt")) == 61
    code, _, err = run("export", "--data", data, "--from", "2026-11-01", "--out", str(tmp_path / "台账"),
                       *SUPERVISOR, stdin=DEMO_PASSWORD)
    assert code != 0 and "--format csv" in err
    code, _, err = run("export", "--data", data, "--from", "2026-11-01", "--out", str(tmp_path / "台账.xlsx"),
                       *SUPERVISOR, stdin=DEMO_PASSWORD)
    assert code != 0 and "已经存在" in err


def _exports(data) -> list:
    return [e for e in read_entries(FileAuditLog(data).lines()) if e.action == "ledger_export"]


def test_desk_export_names_the_supervisor_in_the_file_and_the_audit(tmp_path):
    run = Run(tmp_path)
    assert run("demo", "--data", str(run.data), "--visits", "30", "--seed", "2")[0] == 0
    period = ("--data", str(run.data), "--from", "2026-01-01", "--to", "2026-11-22")
    assert run("export", *period, "--out", str(tmp_path / "a.csv"), *SUPERVISOR, stdin=DEMO_PASSWORD)[0] == 0
    assert run("export", *period, "--out", str(tmp_path / "a.xlsx"), *SUPERVISOR, stdin=DEMO_PASSWORD)[0] == 0
    header, first = csv_rows(tmp_path / "a.csv")[:2]
    assert first[header.index("导出人")] == "supervisor"
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    note = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True) if r[1] is not None}
    assert note["导出人"] == "supervisor" and book.properties.creator == "supervisor"
    assert [(e.operator, e.role) for e in _exports(run.data)] == [("supervisor", "supervisor")] * 2
    assert "cli:" not in (tmp_path / "a.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(("who", "password", "said"), [
    ((), "", "--as"),  # nobody named: refused before the hall is read
    (("--as", "demo", "--password-stdin"), DEMO_PASSWORD, "err.permission"),  # a receptionist
    (("--as", "supervisor", "--password-stdin"), "wrong\n", "login"),  # the wrong password
])
def test_desk_export_is_refused_without_a_supervisor_or_administrator(tmp_path, who, password, said):
    run = Run(tmp_path)
    assert run("demo", "--data", str(run.data), "--visits", "20", "--seed", "2")[0] == 0
    target = tmp_path / "a.csv"
    code, out, err = run("export", "--data", str(run.data), "--from", "2026-01-01", "--to", "2026-11-22",
                         "--out", str(target), *who, stdin=password)
    assert code == 1 and not target.exists() and not _exports(run.data) and out == ""
    refusal = {"--as": catalog("zh")("cli.export.needs_as"), "err.permission": "接待员没有这项权限：导出",
               "login": catalog("zh")("err.login.failed")}[said]
    assert refusal in err, err


def test_report_xlsx_needs_out(tmp_path):
    run = Run(tmp_path)
    code, _, err = run("report", "--data", str(run.data), "--from", "2026-11-22", "--format", "xlsx")
    assert code != 0 and "--out" in err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_four_report_formats_agree_on_every_number(tmp_path, lang):
    run = Run(tmp_path)
    data = str(run.data)
    assert run("demo", "--data", data, "--visits", "120", "--seed", "3")[0] == 0
    period = ("--data", data, "--from", "2026-10-01", "--to", "2026-11-22", "--lang", lang)
    report = json.loads(run("report", *period, "--format", "json")[1])
    table = dict(line.split("\t") for line in run("report", *period, "--format", "table")[1].splitlines() if line)
    assert run("report", *period, "--format", "csv", "--out", str(tmp_path / "r.csv"))[0] == 0
    assert run("report", *period, "--format", "xlsx", "--out", str(tmp_path / "r.xlsx"))[0] == 0
    sheet_csv = dict(r for r in csv_rows(tmp_path / "r.csv")[1:] if r)
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx").worksheets[0]
    assert "2026-10-01" in sheet["A1"].value and "2026-11-22" in sheet["A1"].value  # the period on top
    assert sheet.freeze_panes == "A3"
    cells = {r[0].value: r[1] for r in sheet.iter_rows(min_row=3)}
    expected = formats.items(catalog(lang), report)
    assert len(expected) == len(table) == len(sheet_csv) == len(cells) > 40
    for label, value in expected:
        assert table[label] == sheet_csv[label] == formats.text(value), label
        cell = cells[label]
        if isinstance(value, formats.Rate) and value.value is not None:
            assert (cell.value, cell.number_format) == (value.value, "0.00%"), label  # a real percentage
        elif isinstance(value, int):
            assert cell.value == value and cell.data_type == "n", label
        else:
            assert cell.value == formats.text(value), label
    assert any(isinstance(v, formats.Rate) and v.value is not None for _, v in expected)  # a rate was compared


def test_a_ledger_to_the_end_of_the_year_holds_the_visits_so_far(tmp_path, desk, admin, hall):
    """An export's end after today stops at today (a report's is refused: it would guess)."""
    target = tmp_path / "year.csv"
    today = desk.clock.today()
    assert desk.tally.export(today.replace(month=1, day=1), today.replace(month=12, day=31), "csv", target, admin) > 0
