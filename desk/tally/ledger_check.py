"""Judging a ledger before anything is written (docs/LEDGER.md): each row's cells, the
rows of one matter together, who each row names, and whether the matter's life as the row
dates tell it is one the desk's own lifecycle allows. Every problem is named with its row
and column; a bad row takes its matter's other rows with it, so no matter is half imported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from desk.errors import DeskError, FieldError, FormErrors
from desk.i18n.zh import MESSAGES as ZH
from desk.idcard import (
    IdNumberError,
    ascii_form,
    foreign_char,
    is_valid_phone,
    normalize_phone,
    parse_id_number,
)
from desk.lifecycle.records import Evaluation
from desk.models import Track
from desk.referral.records import StationKind
from desk.registration import MAX_PERSONS
from desk.tally import ledger
from desk.tally.ledger_read import Sheet
from desk.tally.report import EARLIEST
from desk.text import check_name, check_text

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T](\d{1,2}:\d{2}(?::\d{2})?))?$")
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")
DEFAULT_TIME = dt.time(9, 0)  # a row without 登记时间: the hall opens at nine


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: the row as the spreadsheet numbers it, the column ("" for the row as a
    whole), and why (a catalog key and its params)."""

    row: int
    column: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Row:
    """One row's clean values."""

    row: int
    at: dt.datetime
    matter_number: str
    name: str
    id_number: str
    phone: str
    persons: int
    category: str  # the hall's code: `land` for 土地, the name itself for a category of its own
    township: str
    summary: str
    skip_level: bool
    track: Track
    referral: StationKind | None
    department: str
    first_responder: str
    accepted_on: dt.date | None
    replied_on: dt.date | None
    evaluation: Evaluation | None
    closed_on: dt.date | None
    key: str = ""  # what makes the row imported once (see `row_keys`)
    responder_given: str = ""  # 首问责任人 as the ledger gives it ("": the importer stands in)


@dataclass(frozen=True, slots=True)
class Dated:
    """A date of the matter and the row it came from (a later row's date updates it)."""

    day: dt.date
    row: int


@dataclass(frozen=True, slots=True)
class Group:
    """The rows of one matter, the first visit first."""

    rows: tuple[Row, ...]
    accepted: Dated | None = None
    replied: Dated | None = None
    evaluation: tuple[Evaluation, int] | None = None
    closed: Dated | None = None

    @property
    def first(self) -> Row:
        return self.rows[0]

    @property
    def label(self) -> str:
        return self.first.matter_number or str(self.first.row)


# -- cells ---------------------------------------------------------------------------------


def parse_date(text: str) -> tuple[dt.date, dt.time | None]:
    found = _DATE.match(ascii_form(text).strip())
    if not found:
        raise ValueError(text)
    year, month, day, time = found.groups()
    return dt.date(int(year), int(month), int(day)), (parse_time(time) if time else None)


def parse_time(text: str) -> dt.time:
    found = _TIME.match(ascii_form(text).strip())
    if not found:
        raise ValueError(text)
    hour, minute, second = found.groups()
    return dt.time(int(hour), int(minute), int(second or 0))


def category_code(name: str, categories: tuple[str, ...]) -> str:
    """The hall's code for a ledger's category name: a built-in one by its Chinese label
    (土地 is `land`) or its code, a hall's own by its name."""
    folded = name.strip()
    if folded in categories:
        return folded
    return _BY_LABEL.get(folded, folded)


# Every category the desk has a Chinese label for, by that label.
_BY_LABEL = {label: key.removeprefix("category.") for key, label in ZH.items() if key.startswith("category.")}


class _Cells:
    """One row's cells by column, and the problems found in them."""

    def __init__(self, row: int, cells: tuple[str, ...], columns: dict[str, int], today: dt.date) -> None:
        self.row, self.cells, self.columns, self.today = row, cells, columns, today
        self.problems: list[Problem] = []

    def text(self, column: str) -> str:
        at = self.columns.get(column)
        return self.cells[at].strip() if at is not None and at < len(self.cells) else ""

    def bad(self, column: str, code: str, **params: Any) -> None:
        self.problems.append(Problem(self.row, column, code, params))

    def checked_text(self, column: str, required: bool = False, name: bool = False) -> str:
        value = self.text(column)
        if required and not value:
            self.bad(column, "err.ledger.required")
        problem = (check_name if name else check_text)(column, value)
        if problem is not None:
            self.bad(column, problem.code, **problem.params)
        return value

    def date(self, column: str, required: bool = False) -> tuple[dt.date | None, dt.time | None]:
        value = self.text(column)
        if not value:
            if required:
                self.bad(column, "err.ledger.required")
            return None, None
        try:
            day, time = parse_date(value)
        except ValueError:
            self.bad(column, "err.ledger.date", value=value)
            return None, None
        if day > self.today:
            self.bad(column, "err.ledger.future", value=day.isoformat())
        elif day < EARLIEST:  # 1900-01-01: a blank date cell's spreadsheet value, or a slip
            self.bad(column, "err.ledger.too_early", value=day.isoformat(), earliest=EARLIEST.isoformat())
        return day, time

    def word(self, column: str, words: Any, default: Any = None) -> Any:
        value = self.text(column)
        if not value:
            return default
        if value not in words:
            self.bad(column, "err.ledger.word", value=value, words=" / ".join(words))
            return default
        return words[value]


def _time(cells: _Cells, from_date: dt.time | None) -> dt.time:
    value = cells.text("登记时间")
    if not value:
        return from_date or DEFAULT_TIME
    try:
        return parse_time(value)
    except ValueError:
        cells.bad("登记时间", "err.ledger.time", value=value)
        return DEFAULT_TIME


def _id_number(cells: _Cells) -> str:
    value = cells.text("身份证号")
    if not value:
        return ""
    try:
        return parse_id_number(value, cells.today).id_number
    except IdNumberError as exc:
        cells.bad("身份证号", exc.code, **exc.params)
        return ""


def _phone(cells: _Cells) -> str:
    value = cells.text("联系电话")
    phone = normalize_phone(value)
    if value and (foreign_char(phone) or not is_valid_phone(value)):
        cells.bad("联系电话", "err.ledger.phone", value=value)
    return phone


def _persons(cells: _Cells) -> int:
    value = ascii_form(cells.text("人数"))
    if not value:
        return 1
    if value.endswith(".0"):  # a number cell written by a spreadsheet
        value = value[:-2]
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_PERSONS:
        cells.bad("人数", "err.ledger.persons", value=value, max=MAX_PERSONS)
        return 1
    return int(value)


def parse_row(row: int, cells: tuple[str, ...], columns: dict[str, int], today: dt.date,
              categories: tuple[str, ...], importer: str, tz: dt.tzinfo | None = None,
              ) -> tuple[Row | None, list[Problem]]:
    """A row's clean values, or None and every problem in it. Times are the hall's (`tz`),
    as every time the desk records."""
    c = _Cells(row, cells, columns, today)
    day, time_in_date = c.date("登记日期", required=True)
    at = dt.datetime.combine(day, _time(c, time_in_date), tzinfo=tz) if day else None
    skip = c.word("越级", {ledger.YES: True, ledger.NO: False}, False)
    values = dict(
        matter_number=c.checked_text("事项编号"),
        name=c.checked_text("姓名", required=True, name=True),
        id_number=_id_number(c),
        phone=_phone(c),
        persons=_persons(c),
        category=category_code(c.checked_text("问题类别", required=True, name=True), categories),
        township=c.checked_text("所属乡镇"),
        summary=c.checked_text("诉求内容", required=True),
        skip_level=skip,
        track=c.word("处理方式", ledger.TRACKS, ledger.DEFAULT_TRACK),
        referral=c.word("分流去向", ledger.REFERRALS),
        department=c.checked_text("责任单位"),
        first_responder=c.checked_text("首问责任人", name=True) or importer,
        responder_given=c.checked_text("首问责任人", name=True),
        accepted_on=c.date("受理日期")[0],
        replied_on=c.date("答复日期")[0],
        evaluation=c.word("评价", ledger.EVALUATIONS),
        closed_on=c.date("办结日期")[0],
    )
    if c.problems or at is None:
        return None, c.problems
    return Row(row, at, **values), []


# -- the rows of one matter ----------------------------------------------------------------


def group_rows(rows: list[Row]) -> list[Group]:
    """Rows sharing a 事项编号 are one matter, earliest first; a row without one is a matter
    of its own. Dates on later rows update the matter."""
    by_number: dict[str, list[Row]] = defaultdict(list)
    groups: list[list[Row]] = []
    for row in rows:
        if row.matter_number:
            if row.matter_number not in by_number:
                groups.append(by_number[row.matter_number])
            by_number[row.matter_number].append(row)
        else:
            groups.append([row])
    return [_group(sorted(g, key=lambda r: (r.at, r.row))) for g in groups]


def _latest(rows: tuple[Row, ...], name: str) -> Dated | None:
    found = [(getattr(r, name), r.row) for r in rows if getattr(r, name) is not None]
    return Dated(*found[-1]) if found else None


def _group(rows: list[Row]) -> Group:
    ordered = tuple(rows)
    evaluations = [(r.evaluation, r.row) for r in ordered if r.evaluation is not None]
    return Group(ordered, _latest(ordered, "accepted_on"), _latest(ordered, "replied_on"),
                 evaluations[-1] if evaluations else None, _latest(ordered, "closed_on"))


def group_problems(group: Group) -> list[Problem]:
    """What cannot be true of one matter: dates before its earliest row (its first visit is
    not in the ledger) or before the step before, an evaluation with no reply, a referral
    after the closing, rows naming another person.
    A visit after the closing is not one of them: the desk records such repeat visits too
    (a re-examined matter visited again), and the import records it on the closed matter."""
    problems: list[Problem] = []

    def before(dated: Dated | None, column: str, earlier: dt.date | None, code: str) -> None:
        if dated is not None and earlier is not None and dated.day < earlier:
            problems.append(Problem(dated.row, column, code, {"day": dated.day.isoformat(),
                                                                 "before": earlier.isoformat()}))

    problems += _first_visit_missing(group)
    before(group.replied, "答复日期", group.accepted.day if group.accepted else None, "err.ledger.reply_before_accept")
    before(group.closed, "办结日期", group.replied.day if group.replied else None, "err.ledger.close_before_reply")
    if group.replied is not None and group.accepted is None:
        problems.append(Problem(group.replied.row, "受理日期", "err.ledger.reply_unaccepted"))
    if group.evaluation is not None and group.replied is None:
        problems.append(Problem(group.evaluation[1], "评价", "err.ledger.evaluation_unreplied"))
    problems += _person_problems(group)
    if group.closed is not None:  # a later visit is a repeat visit on the closed matter; a referral needs it open
        problems += [Problem(r.row, "分流去向", "err.ledger.referral_after_close", {"day": group.closed.day.isoformat()})
                     for r in group.rows[1:] if r.at.date() > group.closed.day and r.referral is not None]
    return problems


def _first_visit_missing(group: Group) -> list[Problem]:
    """A matter whose acceptance, reply or closing is dated before its earliest row: most
    often a period's export of a matter that began before the period, so the ledger lacks
    its first visit. Said once for the matter, at its earliest such date, in those words."""
    first = group.first.at.date()
    early = [(d.day, column, attr, d.row) for d, column, attr in (
        (group.accepted, "受理日期", "accepted_on"), (group.replied, "答复日期", "replied_on"),
        (group.closed, "办结日期", "closed_on")) if d is not None and d.day < first]
    if not early:
        return []
    day, column, attr, row = min(early)
    if getattr(group.first, attr) is not None:  # an export repeats the dates on every row: told at the first
        row = group.first.row
    return [Problem(row, column, "err.ledger.first_visit_missing", {"column": column, "day": day.isoformat(),
                                                                     "first": first.isoformat()})]


def _person_problems(group: Group) -> list[Problem]:
    """Every row of a matter names its visitor: the same name, and no second ID number."""
    first = group.first
    numbers = {r.id_number for r in group.rows if r.id_number}
    problems = [Problem(r.row, "姓名", "err.ledger.other_person", {"name": first.name})
                for r in group.rows[1:] if r.name != first.name]
    if len(numbers) > 1:
        problems += [Problem(r.row, "身份证号", "err.ledger.other_number", {"name": first.name})
                     for r in group.rows if r.id_number and r.id_number != person_number(group)]
    return problems


def person_number(group: Group) -> str:
    """The matter's visitor's ID number: the first given on any of its rows."""
    return next((r.id_number for r in group.rows if r.id_number), "")


def row_keys(rows: list[Row]) -> list[Row]:
    """Each row with its key: a digest of the visit's clean values as the ledger gives them
    (so the same ledger saved as CSV or as a spreadsheet has the same keys), and which of
    identical rows it is. Not the matter's dates (a ledger whose 受理日期 was filled in
    since is the same visits), nor who imports it (an empty 首问责任人 stands for them)."""
    seen: dict[str, int] = defaultdict(int)
    keyed = []
    for row in rows:
        values = (row.at.isoformat(), row.matter_number, row.name, row.id_number, row.phone, row.persons,
                  row.category, row.township, row.summary, row.skip_level, row.track.value,
                  row.referral.value if row.referral else "", row.department, row.responder_given)
        digest = hashlib.sha256("\x1f".join(map(str, values)).encode("utf-8")).hexdigest()[:32]
        seen[digest] += 1
        keyed.append(_with_key(row, f"{digest}.{seen[digest]}"))
    return keyed


def _with_key(row: Row, key: str) -> Row:
    return replace(row, key=key)


def refusal_problem(row: int, column: str, exc: Exception) -> Problem:
    """The lifecycle's own refusal of a step, as a problem of the row whose date asked for it."""
    if isinstance(exc, FormErrors):
        first: FieldError = exc.errors[0]
        return Problem(row, column, first.code, dict(first.params))
    assert isinstance(exc, DeskError)
    return Problem(row, column, exc.code, dict(exc.params))


def header_columns(sheet: Sheet) -> tuple[dict[str, int], list[str]]:
    """The ledger's columns by position, and the headers it does not know (reported once).
    A missing required column, or a known one twice, refuses the whole file."""
    columns: dict[str, int] = {}
    unknown: list[str] = []
    twice: list[str] = []
    for at, header in enumerate(sheet.headers):
        if header in columns:
            twice.append(header)
        elif header in ledger.COLUMNS:
            columns[header] = at
        elif header and header not in ledger.PROVENANCE:  # who exported it and when: not unknown
            unknown.append(header)
    missing = [h for h in ledger.REQUIRED if h not in columns]
    if missing:
        raise DeskError("err.ledger.missing_columns", columns="、".join(missing))
    if twice:
        raise DeskError("err.ledger.twice", columns="、".join(twice))
    return columns, unknown
