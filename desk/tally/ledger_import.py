"""`desk import`: a hall's spreadsheet ledger moved in (docs/LEDGER.md).

The whole file is judged first (`ledger_check`), including a dry run of each matter's life
through the lifecycle's own `apply`; nothing is written while a single problem stands,
unless the bad rows are to be skipped. Then each matter is registered and taken through
its life by the desk's own domain steps (`register`, `refer`, `perform`) on the ledger's
dates, its records filed under the years those dates fall in, so the tally counts it as if
the hall had done it. Matters are written in batches, each batch one transaction; a row
carries its key to its visit, so a second run (or the rest of an interrupted one) adds
only what is not there yet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from desk.context import Context
from desk.deadlines import Rules, registration_clock
from desk.errors import DeskError, FormErrors
from desk.i18n import catalog
from desk.idcard import parse_id_number
from desk.intake import id_holder, register
from desk.lifecycle.service import perform
from desk.lifecycle.table import Act, Inputs, Situation, apply
from desk.models import GROUP_MIN_PERSONS, Matter, Operator, Person, Status, Track
from desk.operators import list_operators
from desk.permissions import Action, require
from desk.referral import referring
from desk.referral.lifecycle import Finish, Move
from desk.referral.records import Outcome, Station, StationKind
from desk.referral.stations import DEFAULT_STATIONS, list_stations, seed_stations
from desk.registration import Registration
from desk.settings import load_settings, save_settings
from desk.store import Reader, StoreError, Transaction
from desk.tally import ledger
from desk.tally.ledger_check import (
    Group,
    Problem,
    Row,
    group_problems,
    group_rows,
    header_columns,
    parse_row,
    person_number,
    refusal_problem,
    row_keys,
)
from desk.tally.ledger_read import Sheet, read_sheet

BATCH_ROWS = 1000  # rows per transaction: one journal line each, never one per row
ACT_TIME = dt.time(16, 0)  # a ledger gives acts a date only: they are done after the day's visits
ACTS = (Act.ACCEPT, Act.REPLY, Act.EVALUATE, Act.CLOSE)
DATE_COLUMN = {Act.ACCEPT: "受理日期", Act.REPLY: "答复日期", Act.EVALUATE: "评价", Act.CLOSE: "办结日期"}
REJECTS_COLUMN = "原因"


@dataclass(frozen=True, slots=True)
class Step:
    """One thing that happened to a matter, in order: a visit, a referral, or an act."""

    at: dt.datetime
    row: Row
    act: Act | None = None  # None: the row's visit (and its referral)


def _act_at(day: dt.date, n: int, group: Group) -> dt.datetime:
    """After the day's last visit of the matter, in the order accept, reply, evaluate, close."""
    base = dt.datetime.combine(day, ACT_TIME, tzinfo=group.first.at.tzinfo) + dt.timedelta(minutes=n)
    last = max((r.at for r in group.rows if r.at.date() == day), default=None)
    return max(base, last + dt.timedelta(seconds=n + 1)) if last else base


def steps(group: Group) -> list[Step]:
    found = [Step(r.at, r) for r in group.rows]
    rows = {r.row: r for r in group.rows}
    dates = {Act.ACCEPT: group.accepted, Act.REPLY: group.replied, Act.CLOSE: group.closed}
    for n, act in enumerate(ACTS):
        if act is Act.EVALUATE:
            if group.evaluation is not None and group.replied is not None:
                found.append(Step(_act_at(group.replied.day, n, group), rows[group.evaluation[1]], act))
            continue
        dated = dates[act]
        if dated is not None:
            found.append(Step(_act_at(dated.day, n, group), rows[dated.row], act))
    return sorted(found, key=lambda s: (s.at, s.act is not None, ACTS.index(s.act) if s.act else 0))


def act_inputs(act: Act, group: Group) -> Inputs:
    """What the ledger says with each act; a written reply's text and number are not in it."""
    if act is Act.REPLY:
        assert group.replied is not None
        replier = group.first.department or ledger.IMPORTED
        return Inputs(day=group.replied.day, answer=ledger.IMPORTED, reference=ledger.IMPORTED, replier=replier)
    if act is Act.EVALUATE:
        assert group.evaluation is not None
        return Inputs(evaluation=group.evaluation[0])
    if act is Act.CLOSE:
        return Inputs(text=ledger.IMPORTED)
    return Inputs()


def situation(group: Group, at: dt.datetime, rules: Rules) -> Situation:
    """The act as its first responder did it on that day."""
    return Situation(group.first.first_responder, True, at.date(), rules)


def _draft(group: Group, rules: Rules) -> Matter:
    """The matter as registration makes it, in memory, for the dry run."""
    first = group.first
    clock = registration_clock(first.at.date(), first.track, rules)
    return Matter(id=0, number="", query_code="", visitor_id=0, category=first.category, summary=first.summary,
                  track=first.track, status=Status.REGISTERED, first_responder=first.first_responder,
                  registered_at=first.at, acceptance_due=rules.due(clock).day, clocks=(clock,),
                  meetings_waived=ledger.IMPORTED if first.track is Track.COMPLEX else "")


def dry_run(group: Group, rules: Rules) -> list[Problem]:
    """The lifecycle's own refusals of the matter's life as the ledger tells it."""
    matter = _draft(group, rules)
    for step in steps(group):
        if step.act is None:
            continue
        try:
            matter = apply(matter, step.act, act_inputs(step.act, group), situation(group, step.at, rules), step.at)
        except (DeskError, FormErrors) as exc:
            return [refusal_problem(step.row.row, DATE_COLUMN[step.act], exc)]
    return []


# -- checking the whole file -----------------------------------------------------------------


@dataclass
class Checked:
    """The file judged: matters to import, rows already imported, and every problem."""

    rows_read: int = 0
    groups: list[Group] = field(default_factory=list)
    already: int = 0
    problems: list[Problem] = field(default_factory=list)
    rejected: set[int] = field(default_factory=set)  # rows not imported (their cells are read again)
    unknown_columns: list[str] = field(default_factory=list)
    new_categories: list[str] = field(default_factory=list)
    unknown_responders: list[str] = field(default_factory=list)
    headers: tuple[str, ...] = ()


class _Judge:
    def __init__(self, reader: Reader, rules: Rules, today: dt.date, importer: str) -> None:
        self.reader, self.rules, self.today, self.importer = reader, rules, today, importer
        self.names: dict[str, str] = {}  # ID number -> the name it goes with
        self.on_file: dict[dt.date, dict[tuple[str, str], int]] = {}  # the hall's visits, by day
        stations = list_stations(reader)
        self.kinds = {s.kind for s in stations if s.active} if stations else {k for k, *_ in DEFAULT_STATIONS}

    def person(self, group: Group) -> list[Problem]:
        """An ID number on file, or earlier in the file, goes with one name: never renamed."""
        number = person_number(group)
        if not number:
            return []
        if number not in self.names:
            holder = id_holder(self.reader, number)
            self.names[number] = holder.name if holder else group.first.name
        known = self.names[number]
        return [Problem(r.row, "身份证号", "err.ledger.id_name", {"name": known})
                for r in group.rows if r.name != known and (r.id_number == number or r is group.first)][:1]

    def stations(self, group: Group) -> list[Problem]:
        return [Problem(r.row, "分流去向", "err.ledger.no_station", {"kind": ledger.word(ledger.REFERRALS, r.referral)})
                for r in group.rows if r.referral is not None and r.referral not in self.kinds]

    def imported(self, group: Group) -> tuple[bool, list[Problem]]:
        """(all rows already imported, problems): a matter half there is not added to."""
        there = [bool(self.reader.find("visits", "import_key", r.key)) for r in group.rows]
        if all(there):
            return True, []
        if any(there):
            return False, [Problem(r.row, "事项编号", "err.ledger.partly_imported")
                           for r, t in zip(group.rows, there, strict=True) if not t]
        return False, []

    def own(self, group: Group) -> list[Problem]:
        """A 事项编号 that is already one of this hall's matters, or a visit the hall has on
        file (the same name at the same minute): its own ledger read back, even with the
        numbers blanked, would add every visit and matter a second time."""
        if group.first.matter_number and self.reader.find("matters", "number", group.first.matter_number):
            return [Problem(group.first.row, "事项编号", "err.ledger.own_matter",
                            {"number": group.first.matter_number})]
        for row in group.rows:
            matter_id = self._visits_on(row.at.date()).get((row.at.isoformat()[:16], row.name))
            if matter_id is not None:
                number = (self.reader.get("matters", matter_id) or {}).get("number", "")
                return [Problem(row.row, "登记时间", "err.ledger.visit_on_file", {"number": number})]
        return []

    def _visits_on(self, day: dt.date) -> dict[tuple[str, str], int]:
        """(minute, visitor's name) -> matter of the hall's visits that day, read once a day."""
        if day not in self.on_file:
            found = {}
            for doc in self.reader.find("visits", "at[:10]", day.isoformat()):
                visitor = self.reader.get("visitors", doc["visitor_id"]) or {}
                found[(str(doc["at"])[:16], visitor.get("name", ""))] = doc["matter_id"]
            self.on_file[day] = found
        return self.on_file[day]

    def problems(self, group: Group) -> list[Problem]:
        found = group_problems(group) + self.person(group) + self.stations(group)
        return found or dry_run(group, self.rules)


def check(reader: Reader, sheet: Sheet, rules: Rules, now: dt.datetime, importer: str) -> Checked:
    """The whole file judged as of `now` (its date is today, its zone the hall's)."""
    today = now.date()
    columns, unknown = header_columns(sheet)
    result = Checked(unknown_columns=unknown, headers=sheet.headers)
    good: list[Row] = []
    bad_numbers: dict[str, int] = {}
    number_at = columns.get("事项编号")
    for n, row_cells in sheet.rows:
        result.rows_read += 1
        row, problems = parse_row(n, row_cells, columns, today, rules.settings.categories, importer, now.tzinfo)
        if row is not None:
            good.append(row)
            continue
        result.problems += problems
        result.rejected.add(n)
        number = row_cells[number_at].strip() if number_at is not None and number_at < len(row_cells) else ""
        if number:
            bad_numbers.setdefault(number, n)
    judge = _Judge(reader, rules, today, importer)
    for group in group_rows(row_keys(good)):
        _judge_group(result, judge, group, bad_numbers)
    result.problems.sort(key=lambda p: p.row)
    categories = rules.settings.categories
    result.new_categories = list(dict.fromkeys(r.category for g in result.groups for r in g.rows
                                               if r.category not in categories))
    operators = {op.name for op in list_operators(reader)}
    result.unknown_responders = list(dict.fromkeys(r.first_responder for g in result.groups for r in g.rows
                                                   if r.first_responder not in operators | {importer}))
    return result


def _judge_group(result: Checked, judge: _Judge, group: Group, bad_numbers: dict[str, int]) -> None:
    bad_row = bad_numbers.get(group.first.matter_number) if group.first.matter_number else None
    problems = judge.problems(group) if bad_row is None else []
    if bad_row is None and not problems:
        done, problems = judge.imported(group)
        if done:
            result.already += len(group.rows)
            return
        problems = problems or judge.own(group)  # after: this ledger imported before is no stranger
    if bad_row is None and not problems:
        result.groups.append(group)
        return
    result.problems += problems
    flagged = {p.row for p in problems}
    culprit = bad_row or min(flagged)
    result.problems += [Problem(r.row, "事项编号", "err.ledger.matter_rejected",
                                {"number": group.label, "row": culprit})
                        for r in group.rows if r.row not in flagged]
    result.rejected.update(r.row for r in group.rows)


# -- writing -------------------------------------------------------------------------------


def batches(groups: list[Group], size: int | None = None) -> Iterator[list[Group]]:
    """Whole matters per batch, about `size` rows each: a matter is never split between saves.
    The list is used up as it goes, so the rows written leave memory batch by batch."""
    size = size or BATCH_ROWS
    groups.reverse()
    while groups:
        batch: list[Group] = []
        count = 0
        while groups and count < size:
            batch.append(groups.pop())
            count += len(batch[-1].rows)
        yield batch


@dataclass
class Writer:
    """Writes matters into one transaction at a time."""

    ctx: Context
    rules: Rules
    stations: dict[StationKind, Station] = field(default_factory=dict)

    def prepare(self, txn: Transaction, checked: Checked) -> None:
        """A new hall's stations, and the categories the ledger brought (in the first save)."""
        stations = list_stations(txn) or seed_stations(txn)
        self.stations = {}
        for station in stations:
            if station.active:
                self.stations.setdefault(station.kind, station)
        settings = load_settings(txn)
        added = tuple(c for c in checked.new_categories if c not in settings.categories)
        if added:
            settings = save_settings(txn, replace(settings, categories=settings.categories + added))
        self.rules = Rules(settings, self.rules.calendar)

    def group(self, txn: Transaction, group: Group) -> bool:
        """One matter, its visits, referrals and acts; False when a save before this one
        (an interrupted run) has it already."""
        if txn.find("visits", "import_key", group.first.key):
            return False
        matter: Matter | None = None
        for step in steps(group):
            with txn.filed_in(step.at.year):
                if step.act is None:
                    matter = self._visit(txn, group, step.row, matter)
                else:
                    assert matter is not None
                    done = perform(txn, matter, step.act, act_inputs(step.act, group),
                                   situation(group, step.at, self.rules), step.at, numbered=False)
                    matter = done.matter
        return True

    def _visit(self, txn: Transaction, group: Group, row: Row, matter: Matter | None) -> Matter:
        reg = self._registration(txn, group, row, matter)
        receipt = register(txn, reg, row.first_responder, row.at, self.rules, self.ctx.rng,  # type: ignore[arg-type]
                           recorded_afterwards=True)  # a row after the closing: a visit on the closed matter
        saved = receipt.matter
        if matter is None and saved.track is Track.COMPLEX:
            # a ledger holds no meetings: the matter says why it may close without them
            saved = Matter.from_doc(txn.update("matters", saved.edit(meetings_waived=ledger.IMPORTED).to_doc()))
        if row.referral is not None:
            self._refer(txn, saved, row)
        return saved

    def _registration(self, txn: Transaction, group: Group, row: Row, matter: Matter | None) -> Registration:
        """The row as a registration: a new person with what the ledger knows of them; a
        person on file (by ID number), or the matter's visitor on a repeat visit, named only:
        an import never changes what is known of a person."""
        number = person_number(group)
        if matter is not None:
            return _registration(group, row, "", "", matter_id=matter.id)
        holder = id_holder(txn, number)
        if holder is not None:
            return _registration(group, row, group.first.name, number, visitor_id=holder.id)
        info = parse_id_number(number) if number else None
        return replace(_registration(group, row, group.first.name, number), phone=group.first.phone,
                       township=group.first.township, birth_date=info.birth_date if info else None,
                       sex=info.sex if info else "")

    def _refer(self, txn: Transaction, matter: Matter, row: Row) -> None:
        """A referral of the past: made, served and finished at the visit (its outcome is not
        in the ledger), and not news to the first responder."""
        station = self.stations[row.referral]  # type: ignore[index]
        form = referring.ReferralForm(station.id, ledger.IMPORTED)
        made = referring.refer(txn, matter.id, form, row.first_responder, row.at).referral
        for move in (Move.CALL, Move.SERVE):
            made = referring.save_move(txn, made, move, row.first_responder, row.at)
        done, _ = referring.finish(txn, made, Finish(Outcome.ANSWERED, note=ledger.IMPORTED), row.first_responder,
                                   row.at)
        txn.update("referrals", done.edit(unseen=False).to_doc())


def _registration(group: Group, row: Row, name: str, number: str, visitor_id: int | None = None,
                  matter_id: int | None = None) -> Registration:
    first = group.first
    group_visit = row.persons >= GROUP_MIN_PERSONS
    return Registration(
        name=name, id_number=number, birth_date=None, sex="", phone="", township="", village="", address="",
        persons=row.persons, representatives=(Person(first.name, person_number(group)),) if group_visit else (),
        skip_level=row.skip_level, threat=False, key_person=False, category=first.category, place="",
        summary=first.summary, demands="", track=first.track, visitor_id=visitor_id, matter_id=matter_id,
        import_key=row.key)


# -- the use case ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    """What an import did, for the summary and the audit entry."""

    checked: Checked
    matters: int = 0
    visits: int = 0
    rejects_file: Path | None = None
    written: bool = False
    closed_days: tuple[dt.date, ...] = ()  # days already closed out (日结) that these rows land in


def rejects_path(source: Path) -> Path:
    """Beside the input, a name not taken: ledger.rejects.csv, ledger.rejects.2.csv, ..."""
    n = 1
    while True:
        name = f"{source.stem}.rejects.csv" if n == 1 else f"{source.stem}.rejects.{n}.csv"
        path = source.with_name(name)
        if not path.exists():
            return path
        n += 1


def rejects_text(checked: Checked, sheet: Sheet) -> str:
    """The bad rows with every original column and the reasons, as CSV (Chinese: a ledger).
    `sheet` is the file read again: only the rejected rows' cells are kept."""
    t = catalog("zh")
    reasons: dict[int, list[str]] = {}
    for p in checked.problems:
        reason = t(p.code, **p.params)
        reasons.setdefault(p.row, []).append(f"{p.column}: {reason}" if p.column else reason)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([*checked.headers, REJECTS_COLUMN])
    width = len(checked.headers)
    for row, cells in sheet.rows:
        if row in checked.rejected:
            w.writerow([*(list(cells) + [""] * width)[:width], "；".join(reasons.get(row, []))])
    return out.getvalue()


class LedgerImport:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def check(self, path: Path, operator: Operator) -> Checked:
        require(operator, Action.IMPORT)
        sheet = read_sheet(path)
        return check(self.ctx.store, sheet, self.ctx.rules(), self.ctx.clock.now(), operator.name)

    def run(self, path: Path, operator: Operator, skip_bad: bool = False) -> Imported:
        """Judge the whole file; write nothing while a problem stands unless `skip_bad`, then
        the bad rows go to a rejects file first and the good ones in, batch by batch."""
        checked = self.check(path, operator)
        if checked.problems and not skip_bad:
            return Imported(checked)
        rejects = self._write_rejects(path, checked) if checked.rejected else None
        matters = visits = 0
        closed = self._closed_days(checked.groups)
        if checked.groups:
            matters, visits = self._write(checked, operator, path)
        self.ctx.log(operator, "ledger_import", path.name, rows=checked.rows_read, imported=visits,
                     matters=matters, already=checked.already, rejected=len(checked.rejected),
                     categories=checked.new_categories, rejects=rejects.name if rejects else "",
                     closed_days=[d.isoformat() for d in closed])
        return Imported(checked, matters, visits, rejects, True, closed)

    def _closed_days(self, groups: list[Group]) -> tuple[dt.date, ...]:
        """The days already closed out that the rows' visits and acts land in: their signed
        numbers stay, and what the import adds shows as changes since the close-out."""
        days = {d for g in groups for r in g.rows for d in (r.at.date(), r.accepted_on, r.replied_on, r.closed_on)
                if d is not None}
        return tuple(sorted(d for d in days if self.ctx.store.find("closeouts", "day", d.isoformat())))

    def _write_rejects(self, path: Path, checked: Checked) -> Path:
        from desk.documents.render import write_new

        data = ("\ufeff" + rejects_text(checked, read_sheet(path))).encode("utf-8")  # Excel and WPS read UTF-8 only with it
        while True:
            target = rejects_path(path)
            try:
                write_new(target, data)
                return target
            except FileExistsError:
                continue  # made meanwhile: never overwritten, another name

    def _write(self, checked: Checked, operator: Operator, path: Path) -> tuple[int, int]:
        """Batch by batch, each one save. When one fails, the batches before it stand: that
        is said (and audited) rather than told as nothing done; a second run adds the rest."""
        writer = Writer(self.ctx, self.ctx.rules())
        matters = visits = 0
        pending, checked.groups = checked.groups, []
        try:
            with self.ctx.store.bulk():
                for n, batch in enumerate(batches(pending)):
                    written = self._batch(writer, batch, checked if n == 0 else None)
                    matters, visits = matters + written[0], visits + written[1]
        except Exception as exc:
            if visits:
                self.ctx.log(operator, "ledger_import_interrupted", path.name, imported=visits, matters=matters)
            if visits and isinstance(exc, (DeskError, FormErrors, StoreError)):
                raise DeskError("err.ledger.interrupted", visits=visits, matters=matters) from exc
            raise
        return matters, visits

    def _batch(self, writer: Writer, batch: list[Group], first: Checked | None) -> tuple[int, int]:
        matters = visits = 0
        with self.ctx.store.transaction() as txn:
            if first is not None:
                writer.prepare(txn, first)
            for group in batch:
                if writer.group(txn, group):
                    matters += 1
                    visits += len(group.rows)
        return matters, visits
