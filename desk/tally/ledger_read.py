"""Reading a ledger file as a sheet of text cells: `.csv` in UTF-8 (with or without BOM)
or GB18030, or `.xlsx`. Nothing is judged here but the file itself; what the cells say is
`ledger_check`'s to judge."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from desk.errors import DeskError

# Encodings tried in order, strictly: UTF-8 (a BOM is dropped), then what WPS and older
# Excel write on a Chinese Windows. GB18030 decodes almost any bytes, so it comes last.
ENCODINGS = ("utf-8-sig", "gb18030")
# A 50,000-row ledger unpacks to ~40 MiB of sheet XML; ten times that is no ledger. Nor is
# a sheet of more rows or columns than these (a sheet can declare a million rows in 8 KB),
# nor a CSV file larger than this.
MAX_UNPACKED = 400 * 2**20
MAX_ROWS, MAX_COLUMNS = 500_000, 200
MAX_CSV_BYTES = 400 * 2**20


@dataclass(frozen=True)
class Sheet:
    """The header cells (stripped) and the data rows, read as they are walked (once), each
    with its number as the spreadsheet shows it (the header is row 1). Blank rows are left
    out but keep their place."""

    headers: tuple[str, ...]
    rows: Iterator[tuple[int, tuple[str, ...]]]
    encoding: str = ""


def read_sheet(path: Path) -> Sheet:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if path.stat().st_size > MAX_CSV_BYTES:
            raise DeskError("err.ledger.too_big", path=str(path), size=path.stat().st_size // 2**20,
                            most=MAX_CSV_BYTES // 2**20)
        return _csv_sheet(path.read_bytes())
    if suffix == ".xlsx":
        return _xlsx_sheet(path)
    raise DeskError("err.ledger.kind", path=str(path))


def decode(data: bytes) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise DeskError("err.ledger.encoding")


def _csv_sheet(data: bytes) -> Sheet:
    text, encoding = decode(data)
    del data
    # Strict: a quote left open would otherwise swallow the rest of the file into one cell.
    return _sheet(_told(csv.reader(io.StringIO(text, newline=""), strict=True)), encoding)


def _told(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    """The rows, a file that is not CSV past some line told with the line, not a traceback."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DeskError("err.ledger.csv", line=reader.line_num, detail=str(exc)) from None  # type: ignore[attr-defined]
        yield row


def _sheet(rows: Iterable[list[str]], encoding: str = "") -> Sheet:
    walk = iter(rows)
    header = next(walk, None)
    if header is None:
        raise DeskError("err.ledger.empty")
    body = ((n, tuple(row)) for n, row in enumerate(walk, start=2) if any(c.strip() for c in row))
    return Sheet(tuple(cell.strip() for cell in header), body, encoding)


def cell_text(value: object) -> str:
    """A spreadsheet cell as the ledger's text: a date cell as 2026-11-22, a time cell as
    09:30, a whole number without `.0`."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _refuse_a_bomb(path: Path) -> None:
    """An .xlsx is a zip: one that unpacks to more than a ledger ever holds is refused before
    it is read (a small file unpacking to gigabytes would fill the counter PC's memory)."""
    try:
        with zipfile.ZipFile(path) as packed:
            unpacked = sum(info.file_size for info in packed.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise DeskError("err.ledger.xlsx", path=str(path), detail=str(exc)) from None
    if unpacked > MAX_UNPACKED:
        raise DeskError("err.ledger.too_big", path=str(path), size=unpacked // 2**20, most=MAX_UNPACKED // 2**20)


def _xlsx_sheet(path: Path) -> Sheet:
    from openpyxl import load_workbook  # only an xlsx import pays for it
    from openpyxl.utils.exceptions import InvalidFileException

    _refuse_a_bomb(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise DeskError("err.ledger.xlsx", path=str(path), detail=str(exc)) from None

    sheet = book.worksheets[0]
    if (sheet.max_row or 0) > MAX_ROWS or (sheet.max_column or 0) > MAX_COLUMNS:
        book.close()
        raise DeskError("err.ledger.too_many", path=str(path), rows=sheet.max_row, columns=sheet.max_column,
                        most_rows=MAX_ROWS, most_columns=MAX_COLUMNS)

    def rows() -> Iterator[list[str]]:
        try:  # bounded even when the sheet's own dimension does not tell the truth
            for n, row in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS, max_row=MAX_ROWS + 1)):
                if n >= MAX_ROWS:
                    raise DeskError("err.ledger.too_many", path=str(path), rows=f"{MAX_ROWS}+", columns="-",
                                    most_rows=MAX_ROWS, most_columns=MAX_COLUMNS)
                yield [cell_text(v) for v in row]
        finally:
            book.close()

    return _sheet(rows(), "xlsx")
