"""A matter's life as use cases over the shared `Context`: every act is checked against
the table (state, permission, what it needs), done in one transaction with its event on
the timeline and, where the act produces a notice, the notice's number; then audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from desk.codec import encode
from desk.context import Context
from desk.deadlines import Rules
from desk.errors import DeskError, FieldError, FormErrors
from desk.intake import add_event
from desk.lifecycle import departments as depts
from desk.lifecycle.my_work import Whose, WorkFilter, WorkRow, work_rows
from desk.lifecycle.records import Department
from desk.lifecycle.table import Act, Inputs, Situation, acts_open, apply, step
from desk.meetings.rules import meetings_of, missing
from desk.models import Event, Matter, Operator, Track
from desk.permissions import Action, allowed, require
from desk.referral.queue import of_day
from desk.referral.stations import stations_on_duty
from desk.store import Reader, Transaction
from desk.text import check_text

# Free text a person types with an act, checked like every other field.
TEXT_FIELDS = ("cause", "text", "answer", "reference", "replier")


@dataclass(frozen=True)
class Done:
    """An act done: the matter after it, its timeline entry, and the notice's number if any."""

    matter: Matter
    event: Event
    document: str = ""  # the notice's kind
    document_number: str = ""  # 〔2026〕12号


def next_document_number(txn: Transaction, kind: str, year: int) -> str:
    """〔YYYY〕N号, counted per kind of notice and year, in the transaction of the act that
    issues it: a failed act neither skips nor reuses a number."""
    key = f"{kind}:{year}"
    found = txn.find("doc_numbers", "key", key)
    if found:
        counter = txn.update("doc_numbers", {**found[0], "last": found[0]["last"] + 1})
    else:
        counter = txn.insert("doc_numbers", {"key": key, "last": 1})
    return f"〔{year}〕{counter['last']}号"


def _matter(reader: Reader, matter_id: int) -> Matter:
    doc = reader.get("matters", matter_id)
    if doc is None:
        raise DeskError("err.matter.missing", id=matter_id)
    return Matter.from_doc(doc)


def _checked(inputs: Inputs) -> Inputs:
    problems = [p for name in TEXT_FIELDS if (p := check_text(name, getattr(inputs, name))) is not None]
    if problems:
        raise FormErrors(problems)
    return inputs


def with_meetings(reader: Reader, matter: Matter, situation: Situation) -> Situation:
    """A complex matter closes only when its three meetings were held (or waived)."""
    if matter.track is not Track.COMPLEX:
        return situation
    lacking = tuple(k.value for k in missing(matter, meetings_of(reader, matter.id)))
    return replace(situation, meetings_missing=lacking)


def _resolved(txn: Transaction, act: Act, inputs: Inputs) -> Inputs:
    """Names from the records the act refers to: the department, the receiving operator."""
    if act in (Act.ASSIGN, Act.TRANSFER) and inputs.department_id is not None:
        department = depts.get_department(txn, inputs.department_id)
        if not department.active:
            raise FormErrors([FieldError("department_id", "err.department.inactive", {"name": department.name})])
        return replace(inputs, department=department.name)
    if act is Act.HAND_OVER and inputs.to:
        found = txn.find("operators", "name", inputs.to)
        receiver = Operator.from_doc(found[0]) if found else None
        if receiver is None or not allowed(receiver, Action.REGISTER):
            raise FormErrors([FieldError("to", "err.life.hand_over_to", {"name": inputs.to})])
    return inputs


def perform(txn: Transaction, matter: Matter, act: Act, inputs: Inputs, situation: Situation,
            now: dt.datetime, numbered: bool = True) -> Done:
    """The act inside the caller's transaction: the matter saved, its event, the notice's number
    (not for an act taken from an old ledger, `numbered` False: its notice was numbered then)."""
    situation = with_meetings(txn, matter, situation)
    found = step(matter, act)
    changed = apply(matter, act, inputs, situation, now)
    saved = Matter.from_doc(txn.update("matters", changed.to_doc()))
    number = next_document_number(txn, found.document, now.year) if found.document and numbered else ""
    # The clocks it stopped and those left running, and the state it found: the tally judges
    # "on time" and takes a matter as it stood at a period's end from these alone.
    stopped = [c for c in matter.clocks if c not in saved.clocks]
    event = add_event(txn, saved, act.value, situation.actor, now, note=inputs.text.strip(),
                      inputs=_given(inputs), status=saved.status.value, clocks=encode(saved.clocks),
                      stopped=encode(stopped), due=[situation.rules.due(c).day.isoformat() for c in stopped],
                      stopped_due={c.kind.value: situation.rules.due(c).day.isoformat() for c in stopped},
                      was={"status": matter.status.value, "clocks": encode(matter.clocks)},
                      running_due={c.kind.value: situation.rules.due(c).day.isoformat() for c in saved.clocks},
                      document=found.document, document_number=number)
    return Done(saved, event, found.document, number)


class Lifecycle:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def rules(self) -> Rules:
        return self.ctx.rules()

    def situation(self, operator: Operator, rules: Rules | None = None) -> Situation:
        return Situation(operator.name, allowed(operator, Action.SUPERVISE), self.ctx.clock.today(),
                         rules or self.rules())

    def acts(self, matter: Matter, operator: Operator) -> list[Act]:
        """What this operator may do to the matter now: the table's acts its state allows,
        whose guards pass, and which the operator's role permits."""
        situation = with_meetings(self.ctx.store, matter, self.situation(operator))
        return [a for a in acts_open(matter, situation) if allowed(operator, step(matter, a).permission)]

    def act(self, matter_id: int, act: Act, inputs: Inputs, operator: Operator) -> Done:
        inputs = _checked(inputs)
        situation = self.situation(operator)
        with self.ctx.store.transaction() as txn:
            matter = _matter(txn, matter_id)
            require(operator, step(matter, act).permission)
            done = perform(txn, matter, act, _resolved(txn, act, inputs), situation, self.ctx.clock.now())
        self.ctx.log(operator, f"matter_{act.value}", done.matter.number, matter=done.matter.id,
                     status=done.matter.status.value,
                     **({"document_number": done.document_number} if done.document_number else {}))
        return done

    # -- my work --------------------------------------------------------------------------

    def my_work(self, operator: Operator, flt: WorkFilter | None = None, everyone: bool = False,
                limit: int = 500) -> tuple[int, list[WorkRow]]:
        """The operator's own work; `everyone` (supervisors and leaders) the whole hall's."""
        if everyone:
            require(operator, Action.SUPERVISE)
            whose = Whose(everyone=True)
        else:
            whose = Whose(operator.name, allowed(operator, Action.APPROVE), self._at_my_stations(operator))
        return work_rows(self.ctx.store, whose, self.ctx.clock.today(), self.rules(), flt or WorkFilter(), limit)

    def _at_my_stations(self, operator: Operator) -> frozenset[int]:
        today = self.ctx.clock.today()
        mine = stations_on_duty(self.ctx.store, today, operator.name)
        return frozenset(r.matter_id for r in of_day(self.ctx.store, today) if r.station_id in mine and r.open)

    # -- responsible departments ----------------------------------------------------------

    def departments(self, active_only: bool = False) -> list[Department]:
        return depts.list_departments(self.ctx.store, active_only)

    def save_department(self, form: depts.DepartmentForm, operator: Operator, department_id: int | None = None,
                        ) -> Department:
        require(operator, Action.MANAGE_SETTINGS)
        with self.ctx.store.transaction() as txn:
            saved = depts.save_department(txn, form, department_id)
        self.ctx.log(operator, "department_add" if department_id is None else "department_edit", saved.name,
                     department=saved.id)
        return saved

    def set_department_active(self, department_id: int, active: bool, operator: Operator) -> Department:
        require(operator, Action.MANAGE_SETTINGS)
        with self.ctx.store.transaction() as txn:
            saved = depts.set_active(txn, department_id, active)
        self.ctx.log(operator, "department_enable" if active else "department_disable", saved.name,
                     department=saved.id)
        return saved


def _given(inputs: Inputs) -> dict:
    """The inputs a person gave, for the timeline: empty ones left out."""
    return {k: v for k, v in encode(inputs).items() if v not in ("", None)}
