"""The ledger and the tally written as files a spreadsheet opens: `.csv` (UTF-8 with a BOM
and CRLF, which Excel and WPS read as UTF-8) and `.xlsx` (xlsxwriter, streaming: a row
is written out as it comes, so 50k rows never sit in memory).

Every file is made through `create_new`: a temp file beside the target, renamed to a name
not yet taken, never over an existing file.

Who made a ledger and when is inside the file (LEDGER.md's readers, `desk import`
included, rely on this layout):

- `.xlsx`: the document properties (author, created, title, subject = the period) and a
  second sheet, 说明, with 导出人, 导出时间, 导出期间, 行数. The ledger is the FIRST sheet,
  named 来访登记台账, header in row 1 and nothing else above or beside the table: an
  importer reads the first sheet and passes over 说明.
- `.csv`: no line other than the header and the rows (a title line or a trailing comment
  is not a row of the table); the two columns `ledger.PROVENANCE` (导出人, 导出时间) at the
  right of every row, which `desk import` passes over.

Cells hold what `desk import` reads back: dates `2026-11-22` (real date cells in `.xlsx`,
number format yyyy-mm-dd), 登记时间 `09:30` as text, ID numbers and phones as text (an
18-digit number would lose its last digits as a number), 人数 a number, words from
`desk.tally.ledger`.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any

from desk.documents.render import create_new
from desk.i18n import Catalog
from desk.tally import formats, ledger
from desk.tally.ledger_rows import Row
from desk.tally.report import Period

# The ledger is a Chinese document whatever the desk's language (see ledger.py): its sheet
# names and the 说明 sheet's labels are part of it, like its headers.
LEDGER_SHEET = "来访登记台账"
NOTE_SHEET = "说明"
NOTE = ("导出人", "导出时间", "导出期间", "行数")
GROUPING = "每行一次来访；事项编号相同的各行是同一事项的各次来访；受理、答复、评价、办结日期是导出时事项的状态，写在该事项的每一行。"

DATE_CELL = "yyyy-mm-dd"
TEXT_CELL = "@"  # an ID number typed over stays text
TEXT_COLUMNS = ("事项编号", "身份证号", "联系电话", "登记时间")
NUMBER_COLUMNS = ("人数",)
SAMPLE_ROWS = 200  # column widths are fitted to the header and the first rows
WIDEST, NARROWEST = 60, 6


@dataclass(frozen=True)
class Stamp:
    """Who made a file, when, and of which period: written inside it."""

    by: str
    at: dt.datetime
    period: Period

    @property
    def at_text(self) -> str:
        return self.at.strftime(ledger.EXPORTED_AT_FORMAT)

    @property
    def period_text(self) -> str:
        return f"{self.period.start.isoformat()} ~ {self.period.end.isoformat()}"


def width(value: Any) -> int:
    """Columns a value takes on screen: a CJK character counts double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in _text(value))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime(ledger.DATE_FORMAT)
    return str(value)


# ---- CSV -------------------------------------------------------------------------------

def ledger_csv(path: Path, rows: Iterable[Row], stamp: Stamp) -> int:
    """Write the ledger to the new file `path` as CSV; how many rows it has."""
    def fill(tmp: str) -> int:
        count = 0
        mark = [stamp.by, stamp.at_text]
        with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:  # utf-8-sig: the BOM
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow([*ledger.COLUMNS, *ledger.PROVENANCE])
            for count, row in enumerate(rows, 1):  # noqa: B007 - the count is the last index
                writer.writerow([*map(_text, row), *mark])
        return count
    return create_new(path, fill)


# ---- xlsx ------------------------------------------------------------------------------

def _workbook(tmp: str) -> Any:
    import xlsxwriter  # only when a spreadsheet is written, not at the desk's start

    # constant_memory: each row goes to disk when the next begins (50k rows in little memory);
    # strings are stored inline, which every reader (Excel, WPS, openpyxl, calamine) takes.
    return xlsxwriter.Workbook(tmp, {"constant_memory": True, "strings_to_numbers": False,
                                     "strings_to_formulas": False, "strings_to_urls": False})


def _writers(book: Any) -> list[Callable[[Any, int, int, Any], None]]:
    """One cell writer per ledger column. Text goes through write_string always: `write`
    would make a summary starting with = a formula, and an ID number a number."""
    date, text = book.add_format({"num_format": DATE_CELL}), book.add_format({"num_format": TEXT_CELL})

    def a_date(sheet: Any, r: int, c: int, value: Any) -> None:
        if value is not None:
            sheet.write_datetime(r, c, value, date)

    def a_number(sheet: Any, r: int, c: int, value: Any) -> None:
        sheet.write_number(r, c, value)

    def a_text(sheet: Any, r: int, c: int, value: Any, cell: Any = None) -> None:
        if value:
            sheet.write_string(r, c, value, cell)

    def kept_text(sheet: Any, r: int, c: int, value: Any) -> None:
        a_text(sheet, r, c, value, text)

    def pick(header: str) -> Callable[[Any, int, int, Any], None]:
        if header in ledger.DATE_COLUMNS:
            return a_date
        if header in NUMBER_COLUMNS:
            return a_number
        return kept_text if header in TEXT_COLUMNS else a_text

    return [pick(header) for header in ledger.COLUMNS]


def _fit(sheet: Any, headers: Iterable[str], sample: list[tuple[Any, ...]]) -> None:
    for c, header in enumerate(headers):
        widest = max([width(header), *(width(row[c]) for row in sample)])
        sheet.set_column(c, c, min(max(widest + 2, NARROWEST), WIDEST))


def _properties(book: Any, stamp: Stamp, title: str) -> None:
    # xlsxwriter writes `created` as UTC (with a Z): the hall's time converted, not relabelled.
    created = stamp.at.astimezone(dt.UTC).replace(tzinfo=None) if stamp.at.tzinfo else stamp.at
    book.set_properties({"title": title, "subject": stamp.period_text, "author": stamp.by,
                         "created": created, "comments": f"{stamp.by} {stamp.at_text}"})


def ledger_xlsx(path: Path, rows: Iterable[Row], stamp: Stamp) -> int:
    """Write the ledger to the new file `path` as a spreadsheet; how many rows it has."""
    def fill(tmp: str) -> int:
        book = _workbook(tmp)
        _properties(book, stamp, LEDGER_SHEET)
        sheet = book.add_worksheet(LEDGER_SHEET)
        count = _ledger_sheet(book, sheet, iter(rows))
        _note_sheet(book, stamp, count)
        book.close()
        return count
    return create_new(path, fill)


def _ledger_sheet(book: Any, sheet: Any, rows: Iterator[Row]) -> int:
    bold = book.add_format({"bold": True})
    sample = list(islice(rows, SAMPLE_ROWS))
    _fit(sheet, ledger.COLUMNS, sample)
    sheet.freeze_panes(1, 0)  # the header stays in view
    for c, header in enumerate(ledger.COLUMNS):
        sheet.write_string(0, c, header, bold)
    writers = _writers(book)
    count = 0
    for count, row in enumerate(chain(sample, rows), 1):
        for c, (write, value) in enumerate(zip(writers, row, strict=True)):
            write(sheet, count, c, value)
    sheet.autofilter(0, 0, count, len(ledger.COLUMNS) - 1)
    return count


def _note_sheet(book: Any, stamp: Stamp, count: int) -> None:
    sheet = book.add_worksheet(NOTE_SHEET)
    values = (stamp.by, stamp.at_text, stamp.period_text, count)
    for r, (label, value) in enumerate(zip(NOTE, values, strict=True)):
        sheet.write_string(r, 0, label)
        if isinstance(value, int):
            sheet.write_number(r, 1, value)
        else:
            sheet.write_string(r, 1, value)
    sheet.write_string(len(NOTE) + 1, 0, GROUPING)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 24)


# ---- the tally -------------------------------------------------------------------------

def report_xlsx(path: Path, t: Catalog, report: dict[str, Any]) -> None:
    """The tally as a labelled sheet: a title with the period, then item and value; counts
    are numbers, rates percentage cells ("-" when there is nothing to divide)."""
    def fill(tmp: str) -> None:
        book = _workbook(tmp)
        sheet = book.add_worksheet(t("tally.sheet"))
        bold, rate = book.add_format({"bold": True}), book.add_format({"num_format": "0.00%"})
        period = report["period"]
        sheet.write_string(0, 0, t("tally.title", start=period["from"], end=period["to"]), bold)
        sheet.write_string(1, 0, t("tally.item"), bold)
        sheet.write_string(1, 1, t("tally.value"), bold)
        sheet.freeze_panes(2, 0)
        found = formats.items(t, report)
        for r, (label, value) in enumerate(found, 2):
            sheet.write_string(r, 0, label)
            if isinstance(value, formats.Rate) and value.value is not None:
                sheet.write_number(r, 1, value.value, rate)
            elif isinstance(value, int):
                sheet.write_number(r, 1, value)
            else:
                sheet.write_string(r, 1, formats.text(value))
        sheet.set_column(0, 0, min(max(width(label) for label, _ in found) + 2, WIDEST))
        sheet.set_column(1, 1, 24)
        book.close()
    create_new(path, fill)
