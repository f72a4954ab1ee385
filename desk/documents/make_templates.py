"""Makes the packaged templates (`desk/documents/templates/*.docx`) from code, so that
they can be read, reviewed and made again:

    python -m desk.documents.make_templates [FOLDER]

A hall that wants its own (its name at the top, a seal, other wording) copies one into
its data folder's `templates/`, edits it in WPS or Word, and keeps the `{{ name }}` tags
it needs (content.py lists them). Made with python-docx, which docxtpl installs."""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from desk.documents.content import (
    ACCEPTANCE,
    ASSIGNMENT,
    DAILY_REPORT,
    EXTENSION,
    MINUTES,
    NON_ACCEPTANCE,
    RECEIPT,
    SLIP,
    SUPERVISION,
    TRANSFER,
    template_name,
)
from desk.documents.render import PACKAGED

FONT = "宋体"  # SimSun: on every Chinese Windows, and WPS maps it on Linux
HEADING_FONT = "黑体"

# (label, tag): one row of the table each. A tag of None is a heading row.
RECEIPT_ROWS = [
    ("事项编号", "number"),
    ("查询码", "query_code"),
    ("来访人", "visitor"),
    ("身份证号", "id_number"),
    ("来访人数", "persons"),
    ("登记时间", "registered"),
    ("问题类别", "category"),
    ("办理方式", "track"),
    ("受理期限", "acceptance_due"),
    ("当前状态", "status"),
    ("首问责任人", "first_responder"),
    ("事项摘要", "summary"),
]
SLIP_ROWS = [
    ("号票", "ticket"),
    ("请到", "window"),
    ("驻点", "station"),
    ("请携带", "bring"),
    ("事项编号", "number"),
    ("来访人", "visitor"),
    ("问题类别", "category"),
    ("分流时间", "referred_at"),
    ("分流原因", "reason"),
    ("导入法定程序", "legal_route"),
    ("优先", "priority"),
    ("首问责任人", "first_responder"),
]


def _fonts(doc) -> None:
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)


def _run(paragraph, text: str, size: float | None = None, bold: bool = False, font: str = FONT):
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    run.font.name = font
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return run


def _title(doc, text: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, text, size=18, bold=True, font=HEADING_FONT)


def _table(doc, rows: list[tuple[str, str]], big: str = "") -> None:
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row, (label, tag) in zip(table.rows, rows, strict=True):
        row.cells[0].width, row.cells[1].width = Cm(3.5), Cm(11.5)
        _run(row.cells[0].paragraphs[0], label, bold=True)
        _run(row.cells[1].paragraphs[0], "{{ " + tag + " }}", size=16 if tag == big else None, bold=tag == big)


def _line(doc, text: str, size: float = 10.5) -> None:
    _run(doc.add_paragraph(), text, size=size)


def receipt():
    doc = Document()
    _fonts(doc)
    _title(doc, "信访事项受理回执")
    _line(doc, "请妥善保管本回执，凭事项编号和查询码查询办理进度。", 11)
    _table(doc, RECEIPT_ROWS, big="number")
    _line(doc, "")
    _line(doc, "{%p if ticket %}")
    p = doc.add_paragraph()
    _run(p, "分流：请持号票 ", 12)
    _run(p, "{{ ticket }}", 16, bold=True)
    _run(p, " 到 {{ window }} {{ station }} 等候叫号。{% if bring %}请携带：{{ bring }}。{% endif %}", 12)
    _line(doc, "{%p if nobody_on_duty %}")
    _line(doc, "注意：{{ nobody_on_duty }}", 12)
    _line(doc, "{%p endif %}")
    _line(doc, "{%p endif %}")
    _line(doc, "出具：{{ printed_by }}　{{ printed_at }}", 10.5)
    return doc


def slip():
    doc = Document()
    _fonts(doc)
    _title(doc, "分流单")
    _table(doc, SLIP_ROWS, big="ticket")
    _line(doc, "")
    _line(doc, "{%p if nobody_on_duty %}")
    _line(doc, "注意：{{ nobody_on_duty }}", 12)
    _line(doc, "{%p endif %}")
    _line(doc, "请在等候区留意叫号；过号未到请回接待窗口。", 11)
    _line(doc, "出具：{{ printed_by }}　{{ printed_at }}", 10.5)
    return doc


def _number(doc) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "{{ document_number }}", 12)


def _body(doc, *paragraphs: str) -> None:
    for text in paragraphs:
        _run(doc.add_paragraph(), text, 12)


def _sign(doc, signer: str = "信访接待中心（盖章）") -> None:
    for text in ("", signer, "{{ decided }}"):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(p, text, 12)
    _line(doc, "经办：{{ decided_by }}　出具：{{ printed_by }}　{{ printed_at }}", 9)


def _letter(title: str, *paragraphs: str):
    """A notice to the visitor: title, number, addressee, body, seal and date."""
    doc = Document()
    _fonts(doc)
    _title(doc, title)
    _number(doc)
    _body(doc, "{{ visitor }}：", *("　　" + p for p in paragraphs))
    _sign(doc)
    return doc


_ABOUT = "你（你们）于{{ registered }}提出的信访事项（事项编号 {{ number }}，{{ summary }}）"


def acceptance():
    return _letter("信访事项受理告知书",
                   _ABOUT + "，经审查，符合受理条件，本机关决定予以受理，并将在{{ handling_due }}前办理完毕、书面答复。",
                   "可凭事项编号和查询码 {{ query_code }} 查询办理进度。首问责任人：{{ first_responder }}。")


def non_acceptance():
    return _letter("信访事项不予受理告知书",
                   _ABOUT + "，经审查，决定不予受理。"
                   "理由：{{ reason }}{% if reason_text %}（{{ reason_text }}）{% endif %}。",
                   "如对本告知有异议，可以向本机关提出。首问责任人：{{ first_responder }}。")


def extension():
    return _letter("信访事项延期办理告知书",
                   _ABOUT + "，因{{ extension_reason }}，经{{ approved_by }}批准，"
                   "办理期限延长{{ extension_days }}日，至{{ handling_due }}。",
                   "首问责任人：{{ first_responder }}。")


SENT_ROWS = [
    ("事项编号", "number"),
    ("来访人", "visitor"),
    ("联系电话", "phone"),
    ("登记日期", "registered"),
    ("问题类别", "category"),
    ("诉求摘要", "summary"),
    ("具体诉求", "demands"),
    ("办理期限", "department_due"),
    ("首问责任人", "first_responder"),
]


def _sent(title: str, ask: str):
    """A slip to a responsible department: who, what, by when."""
    doc = Document()
    _fonts(doc)
    _title(doc, title)
    _number(doc)
    _body(doc, "{{ department }}（{{ contact }} {{ contact_phone }}）：", "　　" + ask)
    _table(doc, SENT_ROWS, big="department_due")
    _sign(doc)
    return doc


def assignment():
    return _sent("信访事项交办单", "现将以下信访事项交由你单位办理，请于{{ department_due }}前办理完毕，"
                 "并将办理结果书面报送本机关。")


def transfer():
    return _sent("信访事项转送单", "按照属地管理、分级负责的原则，现将以下信访事项转送你单位，请依法处理，"
                 "并于{{ department_due }}前将处理情况告知本机关。")


MINUTES_ROWS = [
    ("事项编号", "number"),
    ("来访人", "visitor"),
    ("事项摘要", "summary"),
    ("见面", "meeting_kind"),
    ("时间", "when"),
    ("地点", "place"),
    ("参加人员", "participants"),
    ("包案领导", "owner_leader"),
    ("查明的情况", "facts"),
    ("商定的办理思路", "approach"),
    ("来访人意见", "visitor_said"),
    ("记录人", "recorded_by"),
]


def minutes():
    doc = Document()
    _fonts(doc)
    _title(doc, "信访事项{{ meeting_kind }}记录")
    _table(doc, MINUTES_ROWS)
    _line(doc, "")
    _line(doc, "参加人员签字：", 12)
    _line(doc, "")
    _line(doc, "出具：{{ printed_by }}　{{ printed_at }}", 9)
    return doc


def supervision():
    return _sent("信访事项督办单", "你单位承办的以下信访事项{{ demand }}。请于{{ due }}前将办理情况书面报告本机关。"
                 "（督办联系人：{{ to }}）")


def _loop_table(doc, cells: tuple[str, str]) -> None:
    """A table whose middle row docxtpl repeats once per item of `rows` (`{%tr %}` rows
    are dropped from the output)."""
    table = doc.add_table(rows=3, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _run(table.rows[0].cells[0].paragraphs[0], "{%tr for r in rows %}")
    for cell, text in zip(table.rows[1].cells, cells, strict=True):
        _run(cell.paragraphs[0], text)
    _run(table.rows[2].cells[0].paragraphs[0], "{%tr endfor %}")
    for row in table.rows:
        row.cells[0].width, row.cells[1].width = Cm(9), Cm(6)


def daily_report():
    """The day close-out's 日报. The hall's name is in the title: a hall puts its own in
    its copy of this template (DATA/templates/daily_report.docx)."""
    doc = Document()
    _fonts(doc)
    _title(doc, "信访接待中心来访接待日报")
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "{{ day }}", size=12)
    # a group's heading row is marked 【】: one template row serves every line
    _loop_table(doc, ("{% if r.heading %}【{{ r.label }}】{% else %}{{ r.label }}{% endif %}", "{{ r.value }}"))
    _line(doc, "")
    _line(doc, "日结人：{{ closed_by }}　日结时间：{{ closed_at }}", 11)
    _line(doc, "留痕头码：{{ audit_head }}", 11)
    _line(doc, "校验码：{{ seal }}", 9)
    _line(doc, "日结后的变动（打印时）：", 11)
    _line(doc, "{%p for line in changes %}")
    _line(doc, "{{ line }}", 10.5)
    _line(doc, "{%p endfor %}")
    _line(doc, "")
    _line(doc, "日结人签字：", 12)
    _line(doc, "")
    _line(doc, "出具：{{ printed_by }}　{{ printed_at }}", 9)
    return doc


MADE = {template_name(RECEIPT): receipt, template_name(SLIP): slip, template_name(ACCEPTANCE): acceptance,
        template_name(NON_ACCEPTANCE): non_acceptance, template_name(ASSIGNMENT): assignment,
        template_name(TRANSFER): transfer, template_name(EXTENSION): extension, template_name(MINUTES): minutes,
        template_name(SUPERVISION): supervision, template_name(DAILY_REPORT): daily_report}


def make(folder: Path = PACKAGED) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in MADE.items():
        build().save(folder / name)
        written.append(folder / name)
    return written


if __name__ == "__main__":
    for path in make(Path(sys.argv[1]) if len(sys.argv) > 1 else PACKAGED):
        print(path)
