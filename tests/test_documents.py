"""Documents: the receipt and the referral slip written as .docx from templates (the data
folder's overriding the packaged ones), a broken template refused by name with nothing
left behind, the timeline's entry and the audit entry, and the system opener's honesty."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document

from desk.documents import PACKAGED, RECEIPT, SLIP, How, SystemOpener, told
from desk.documents.content import receipt_context, slip_context
from desk.documents.make_templates import MADE
from desk.errors import DeskError
from desk.i18n import catalog
from desk.referral import StationKind
from tests.conftest import VALID_ID, RecordingOpener, form

ROOT = Path(__file__).resolve().parent.parent


def text_of(path: Path) -> str:
    """Every paragraph and table cell of a .docx, as python-docx reads it (as WPS or Word would)."""
    doc = Document(str(path))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.fixture
def judge(desk):
    desk.referrals.ensure_stations()
    return next(s for s in desk.referrals.stations() if s.kind is StationKind.JUDGE)


@pytest.fixture
def referred(desk, operator, judge):
    """A registration referred to the judge's station in the same save."""
    return desk.register(form(station=str(judge.id)), operator)


def written(data_dir: Path) -> list[Path]:
    folder = data_dir / "documents"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_receipt_is_written_with_its_chinese_text(desk, operator, data_dir):
    receipt = desk.register(form(), operator)
    printed = desk.documents.print_receipt(receipt.matter.id, operator, How.FILE)
    assert printed.path.parent == data_dir / "documents"
    assert printed.path.name.startswith(f"{receipt.matter.number}-receipt-20261122-100000")
    text = text_of(printed.path)
    for expected in ("信访事项受理回执", "事项编号", receipt.matter.number, "查询码", receipt.matter.query_code,
                     "张三", "王芳", "土地", "宅基地界址争议", "****002X"):
        assert expected in text
    assert VALID_ID not in text  # a receipt is carried about: the ID number only masked
    assert "分流" not in text  # not referred: no line telling where to go


def test_a_slip_says_ticket_station_window_what_to_bring_and_first_responder(desk, operator, referred, judge):
    printed = desk.documents.print_slip(referred.referred.referral.id, operator, How.FILE)
    text = text_of(printed.path)
    assert judge.bring and judge.window
    for expected in ("分流单", "J001", judge.name, judge.window, judge.bring, referred.matter.number, "首问责任人",
                     "王芳", "该驻点今天无人值班"):  # nobody is on duty at the judge's station today
        assert expected in text
    assert printed.path.name.startswith(f"{referred.matter.number}-referral_slip-")


def test_the_receipt_of_a_referred_matter_says_where_to_go(desk, operator, referred, judge):
    text = text_of(desk.documents.print_receipt(referred.matter.id, operator, How.FILE).path)
    assert "请持号票 J001 到 " + judge.window in text


def test_a_name_that_looks_like_markup_stays_text(desk, operator):
    receipt = desk.register(form(name="张<b>&三"), operator)
    assert "张<b>&三" in text_of(desk.documents.print_receipt(receipt.matter.id, operator, How.FILE).path)


def test_each_print_is_a_new_file_never_an_overwrite(desk, operator, data_dir):
    matter = desk.register(form(), operator).matter
    first = desk.documents.print_receipt(matter.id, operator, How.FILE).path
    before = first.read_bytes()
    second = desk.documents.print_receipt(matter.id, operator, How.FILE).path  # the same second: the clock is pinned
    assert second != first and second.name.endswith("-2.docx")
    assert first.read_bytes() == before
    assert written(data_dir) == sorted([first, second])


def test_the_data_folders_template_overrides_the_packaged_one(desk, operator, data_dir):
    matter = desk.register(form(), operator).matter
    own = data_dir / "templates"
    own.mkdir()
    doc = Document()
    doc.add_paragraph("城关县信访接待中心 回执 {{ number }} {{ visitor }}")
    doc.save(str(own / "receipt.docx"))
    text = text_of(desk.documents.print_receipt(matter.id, operator, How.FILE).path)
    assert text.strip() == f"城关县信访接待中心 回执 {matter.number} 张三"


def test_a_broken_template_is_refused_by_name_and_leaves_nothing(desk, operator, data_dir):
    matter = desk.register(form(), operator).matter
    own = data_dir / "templates"
    own.mkdir()
    doc = Document()
    doc.add_paragraph("{{ number ")  # a tag never closed
    doc.save(str(own / "receipt.docx"))
    with pytest.raises(DeskError) as caught:
        desk.documents.print_receipt(matter.id, operator, How.FILE)
    assert caught.value.code == "err.document.template"
    assert caught.value.params["name"] == "receipt.docx"
    assert caught.value.params["path"] == str(own / "receipt.docx")
    message = catalog("zh")(caught.value.code, **caught.value.params)
    assert "receipt.docx" in message and "没有生成文件" in message
    assert written(data_dir) == []  # not even a temp file
    assert [e.kind for e in desk.matter_detail(matter.id, operator).events] == ["registered"]


def test_a_template_that_is_not_a_docx_is_refused_by_name(desk, operator, data_dir):
    matter = desk.register(form(), operator).matter
    (data_dir / "templates").mkdir()
    (data_dir / "templates" / "receipt.docx").write_text("not a document", encoding="utf-8")
    with pytest.raises(DeskError) as caught:
        desk.documents.print_receipt(matter.id, operator, How.FILE)
    assert caught.value.code == "err.document.template" and caught.value.params["name"] == "receipt.docx"
    assert written(data_dir) == []


def test_a_folder_that_cannot_be_written_is_said_and_leaves_nothing(desk, operator, data_dir):
    matter = desk.register(form(), operator).matter
    (data_dir / "documents").write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(DeskError) as caught:
        desk.documents.print_receipt(matter.id, operator, How.FILE)
    assert caught.value.code == "err.document.write"


def test_printing_puts_the_document_on_the_timeline_and_in_the_audit_trail(desk, operator, referred, opener,
                                                                            admin):
    printed = desk.documents.print_slip(referred.referred.referral.id, operator, How.PRINT)
    assert opener.asked == [("print", printed.path)]
    events = desk.matter_detail(referred.matter.id, operator).events
    assert events[-1].kind == "document" and events[-1].operator == "王芳"
    assert events[-1].note == printed.path.name
    assert events[-1].data["document"] == SLIP and events[-1].data["file"] == printed.path.name
    assert events[-1].data["how"] == "print" and events[-1].data["delivered"] is True
    assert events[-1].data["ticket"] == "J001"
    entries = [e for e in desk.audit_entries(admin) if e.action == "document"]
    assert [(e.target, e.operator) for e in entries] == [(referred.matter.number, "王芳")]
    assert entries[0].detail["document"] == SLIP and entries[0].detail["file"] == printed.path.name
    assert entries[0].detail["how"] == "print" and entries[0].detail["delivered"] is True


def test_a_printer_that_fails_is_told_as_written_not_printed(desk, operator, opener, data_dir):
    opener.works = False
    matter = desk.register(form(), operator).matter
    printed = desk.documents.print_receipt(matter.id, operator, How.PRINT)
    assert printed.path.exists() and not printed.delivery.done
    message = told(catalog("zh"), printed)
    assert "没有打印" in message and "已发送" not in message and str(printed.path) in message
    assert "no default destination" in message
    assert desk.matter_detail(matter.id, operator).events[-1].data["delivered"] is False


def test_opening_asks_the_opener_to_open(desk, operator, opener):
    matter = desk.register(form(), operator).matter
    printed = desk.documents.print_receipt(matter.id, operator, How.OPEN)
    assert opener.asked == [("open", printed.path)]
    assert told(catalog("en"), printed).startswith("Receipt handed to the default program (test)")


def test_only_writing_asks_the_opener_nothing(desk, operator, opener):
    matter = desk.register(form(), operator).matter
    printed = desk.documents.print_receipt(matter.id, operator, How.FILE)
    assert opener.asked == [] and told(catalog("zh"), printed) == f"受理回执已保存：{printed.path}"


def test_who_may_print(desk, operator, admin):
    matter = desk.register(form(), operator).matter
    with pytest.raises(DeskError) as caught:
        desk.documents.print_receipt(matter.id, admin, How.FILE)  # an administrator does no casework
    assert caught.value.code == "err.permission"
    supervisor = desk.add_operator("督查员", "supervisor", "password1", by=admin)
    assert desk.documents.print_receipt(matter.id, supervisor, How.FILE).path.exists()


def test_a_desk_without_a_data_folder_refuses_to_write(desk, operator):
    matter = desk.register(form(), operator).matter
    desk.folder = None
    with pytest.raises(DeskError) as caught:
        desk.documents.print_receipt(matter.id, operator, How.FILE)
    assert caught.value.code == "err.document.no_folder"


# -- the packaged templates ---------------------------------------------------------------


@pytest.mark.parametrize("kind", [RECEIPT, SLIP])
def test_the_packaged_templates_use_only_names_the_context_gives(kind, desk, operator, referred):
    from docxtpl import DocxTemplate

    t = catalog("zh")
    ref, station = referred.referred.referral, referred.referred.station
    args = (t, referred.matter, referred.visitor)
    now = desk.clock.now()
    context = (receipt_context(*args, referred.visit, ref, station, False, now, "王芳") if kind == RECEIPT
               else slip_context(*args, ref, station, False, now, "王芳"))
    names = DocxTemplate(str(PACKAGED / f"{kind}.docx")).get_undeclared_template_variables()
    assert names and names <= set(context)


def test_the_script_makes_the_templates_that_ship(tmp_path):
    """The shipped .docx files are what the script in the repository makes (their text)."""
    from desk.documents.make_templates import make

    made = make(tmp_path)
    assert sorted(p.name for p in made) == sorted(MADE) == sorted(p.name for p in PACKAGED.glob("*.docx"))
    for path in made:
        with zipfile.ZipFile(path) as new, zipfile.ZipFile(PACKAGED / path.name) as shipped:
            assert new.read("word/document.xml") == shipped.read("word/document.xml")


def test_the_templates_ship_with_the_package():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"desk.documents" = ["templates/*.docx"]' in text


def test_the_desk_starts_without_loading_docxtpl():
    code = ("import sys, desk.services, desk.cli, screens.app, screens.receipt;"
            "print(sorted(m for m in ('docxtpl', 'docx', 'jinja2', 'lxml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- the system opener: never claims what it did not do -------------------------------------


class Runs:
    def __init__(self, code: int | None = 0, err: str = "") -> None:
        self.code, self.err, self.argv = code, err, []

    def __call__(self, argv):
        self.argv.append(argv)
        return self.code, self.err


def which_of(*present):
    return lambda name: f"/usr/bin/{name}" if name in present else None


def test_linux_opens_with_xdg_open():
    run = Runs()
    d = SystemOpener("linux", which_of("xdg-open"), run).open(Path("/d/a.docx"))
    assert d.done and d.via == "xdg-open" and run.argv == [["xdg-open", "/d/a.docx"]]


def test_linux_without_xdg_open_says_so():
    run = Runs()
    d = SystemOpener("linux", which_of(), run).open(Path("/d/a.docx"))
    assert not d.done and d.problem == "doc.reason.no_opener" and run.argv == []


def test_linux_prints_with_libreoffice_before_lp():
    run = Runs()
    d = SystemOpener("linux", which_of("lp", "soffice"), run).print(Path("/d/a.docx"))
    assert d.done and d.via == "soffice" and run.argv == [["/usr/bin/soffice", "--headless", "-p", "/d/a.docx"]]


def test_linux_prints_with_lp_and_a_refusal_is_not_a_print():
    run = Runs(1, "lp: Unsupported document-format")
    d = SystemOpener("linux", which_of("lp", "lpr"), run).print(Path("/d/a.docx"))
    assert not d.done and d.via == "lp" and d.detail == "lp: Unsupported document-format"
    assert run.argv == [["/usr/bin/lp", "/d/a.docx"]]


def test_linux_without_any_printing_program_says_so():
    d = SystemOpener("linux", which_of("xdg-open"), Runs()).print(Path("/d/a.docx"))
    assert not d.done and d.problem == "doc.reason.no_printer" and "lp" in d.detail
    message = catalog("zh")(d.problem, detail=d.detail)
    assert "没有可用的打印程序" in message


def test_windows_prints_and_opens_with_startfile():
    calls = []
    opener = SystemOpener("win32", which_of(), Runs(), startfile=lambda *a: calls.append(a))
    assert opener.print(Path("a.docx")).done and opener.open(Path("a.docx")).done
    assert calls == [("a.docx", "print"), ("a.docx",)]


def test_windows_without_a_program_for_docx_says_so():
    def refuse(*args):
        raise OSError(1155, "No application is associated with the specified file")

    d = SystemOpener("win32", which_of(), Runs(), startfile=refuse).print(Path("a.docx"))
    assert not d.done and d.problem == "doc.reason.failed" and "No application" in d.detail


def test_a_program_still_running_after_the_wait_has_started():
    d = SystemOpener("linux", which_of("xdg-open"), Runs(None)).open(Path("/d/a.docx"))
    assert d.done


def test_the_detached_runner_reports_exit_code_and_error_text():
    from desk.documents.deliver import run_detached

    code, err = run_detached([sys.executable, "-c", "import sys; sys.stderr.write('no printer'); sys.exit(3)"])
    assert (code, err) == (3, "no printer")
    assert run_detached(["/no/such/program"])[0] == 127
    assert run_detached([sys.executable, "-c", "import time; time.sleep(5)"], wait=0.2)[0] is None


def test_every_kind_has_a_label_in_both_catalogs():
    for lang in ("zh", "en"):
        t = catalog(lang)
        assert all(t.has(f"document.{k}") for k in (RECEIPT, SLIP))
        assert t.has("event.document") and t.has("audit_action.document") and t.has("action.print")


def test_recording_opener_is_what_the_desk_fixture_uses(desk, opener):
    assert isinstance(desk.opener, RecordingOpener) and desk.opener is opener
