"""The three meetings, leader ownership and 1+X supervision as use cases over the shared
`Context`: check permission, one transaction with the timeline's entry, then the audit."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from desk.context import Context
from desk.deadlines import OPEN_STATUSES
from desk.errors import DeskError, FieldError, FormErrors
from desk.intake import add_event, open_matter
from desk.lifecycle.service import next_document_number, perform
from desk.lifecycle.table import Act, Inputs, Situation
from desk.meetings import rules
from desk.meetings.records import (
    Meeting,
    MeetingKind,
    MeetingState,
    Participant,
    Rung,
    Supervision,
    SupervisionKind,
)
from desk.meetings.rules import meetings_of
from desk.models import Matter, Operator, Role, Track
from desk.operators import find_operator
from desk.permissions import Action, allowed, require
from desk.store import Doc, Reader
from desk.text import check_name, check_text

_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


@dataclass(frozen=True)
class MeetingForm:
    kind: MeetingKind
    day: str  # YYYY-MM-DD as typed
    time: str  # HH:MM
    place: str
    participants: tuple[tuple[str, str], ...]  # (name, unit)

    def checked(self) -> tuple[dt.date, tuple[Participant, ...]]:
        problems, day = [], None
        try:
            day = dt.date.fromisoformat(self.day.strip())
        except ValueError:
            problems.append(FieldError("day", "err.date.value", {"value": self.day}))
        if not _TIME.match(self.time.strip()):
            problems.append(FieldError("time", "err.meeting.time"))
        problems += _text_problems("venue", self.place, required=True)
        people = tuple(Participant(n.strip(), u.strip()) for n, u in self.participants if n.strip())
        if not people:
            problems.append(FieldError("participants", "err.required"))
        for n, (name, unit) in enumerate(self.participants, start=1):
            if unit.strip() and not name.strip():  # a unit with nobody named is a row half typed
                problems.append(FieldError(f"participants.{n}.name", "err.required"))
            problems += [replace(p, field=f"participants.{n}.name") for p in _name_problems(name)]
            problems += [replace(p, field=f"participants.{n}.unit") for p in _text_problems("unit", unit)]
        if problems:
            raise FormErrors(problems)
        assert day is not None
        return day, people


def _text_problems(field: str, value: str, required: bool = False) -> list[FieldError]:
    if required and not value.strip():
        return [FieldError(field, "err.required")]
    problem = check_text(field, value)
    return [problem] if problem else []


def _require_reason(reason: str) -> None:
    """A cancellation or a waiver says why, in words checked like any typed text."""
    problems = _text_problems("cause", reason, required=True)
    if problems:
        raise FormErrors(problems)


def _name_problems(name: str) -> list[FieldError]:
    problem = check_name("name", name.strip()) if name.strip() else None
    return [problem] if problem else []


def supervisions_of(reader: Reader, matter_id: int) -> list[Supervision]:
    return sorted(map(Supervision.from_doc, reader.find("supervisions", "matter_id", matter_id)),
                  key=lambda s: (s.day, s.id))


def _complex(reader: Reader, matter_id: int) -> Matter:
    matter = open_matter(reader, matter_id)
    if matter.track is not Track.COMPLEX:
        raise DeskError("err.meeting.not_complex", number=matter.number)
    return matter


def _any_matter(reader: Reader, matter_id: int) -> Matter:
    doc = reader.get("matters", matter_id)
    if doc is None:
        raise DeskError("err.matter.missing", id=matter_id)
    return Matter.from_doc(doc)


def _meeting(reader: Reader, meeting_id: int) -> Meeting:
    doc = reader.get("meetings", meeting_id)
    if doc is None:
        raise DeskError("err.meeting.missing", id=meeting_id)
    return Meeting.from_doc(doc)


@dataclass(frozen=True)
class AgendaRow:
    meeting: Meeting
    number: str  # the matter's case number
    overdue: bool


@dataclass(frozen=True)
class SupervisionRow:
    matter: Matter
    entries: tuple[Supervision, ...]
    next: rules.NextStep
    overdue: bool  # the next step's date has passed


class Meetings:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # -- the three meetings ---------------------------------------------------------------

    def of_matter(self, matter_id: int) -> list[Meeting]:
        return meetings_of(self.ctx.store, matter_id)

    def proposals(self, matter: Matter) -> list[rules.Proposal]:
        return rules.proposals(matter, self.of_matter(matter.id), self.ctx.settings())

    def plan(self, matter_id: int, form: MeetingForm, operator: Operator) -> Meeting:
        require(operator, Action.MEET)
        day, people = form.checked()
        now = self.ctx.clock.now()
        with self.ctx.store.transaction() as txn:
            matter = open_matter(txn, matter_id) if form.kind is MeetingKind.THREE_PARTY else _complex(txn, matter_id)
            if not matter.registered_at.date() <= day <= now.date() + FURTHEST:
                raise FormErrors([FieldError("day", "err.meeting.plan_range",
                                             {"day": matter.registered_at.date().isoformat()})])
            refused = _may_plan(matter, form.kind, meetings_of(txn, matter_id), self.ctx.settings())
            if refused:
                raise refused
            draft = Meeting(0, matter_id, form.kind, day, form.time.strip(), form.place.strip(), operator.name, now,
                            people)
            meeting = Meeting.from_doc(txn.insert("meetings", draft.to_doc()))
            add_event(txn, matter, "meeting_planned", operator.name, now, meeting=meeting.id,
                      meeting_kind=form.kind.value, day=day.isoformat(), time=meeting.time, place=meeting.place)
        self.ctx.log(operator, "meeting_plan", matter.number, matter=matter_id, meeting=meeting.id,
                     meeting_kind=form.kind.value)
        return meeting

    def record(self, meeting_id: int, facts: str, approach: str, visitor_said: str, operator: Operator,
               send_back: bool = False) -> Meeting:
        """The meeting was held: what was found, the approach agreed, what the visitor said.
        A three-party follow-up may send the matter back to handling, in the same save."""
        require(operator, Action.MEET)
        problems = (_text_problems("facts", facts, required=True) + _text_problems("approach", approach)
                    + _text_problems("visitor_said", visitor_said))
        if problems:
            raise FormErrors(problems)
        now = self.ctx.clock.now()
        with self.ctx.store.transaction() as txn:
            meeting = _meeting(txn, meeting_id)
            if meeting.state is not MeetingState.PLANNED:
                raise DeskError("err.meeting.state", meeting_state=meeting.state.value)
            held = meeting.edit(state=MeetingState.HELD, facts=facts.strip(), approach=approach.strip(),
                                visitor_said=visitor_said.strip(), held_at=now, recorded_by=operator.name)
            if send_back and meeting.kind is not MeetingKind.THREE_PARTY:
                raise DeskError("err.meeting.send_back")
            held = Meeting.from_doc(txn.update("meetings", held.edit(sent_back=send_back).to_doc()))
            matter = _any_matter(txn, meeting.matter_id)  # a meeting is settled even after the matter closed
            add_event(txn, matter, "meeting_held", operator.name, now, meeting=meeting.id,
                      meeting_kind=meeting.kind.value, sent_back=send_back)
            if send_back:
                situation = Situation(operator.name, allowed(operator, Action.SUPERVISE), now.date(), self.ctx.rules())
                perform(txn, matter, Act.SEND_BACK, Inputs(cause=(approach or facts).strip()), situation, now)
        self.ctx.log(operator, "meeting_record", matter.number, matter=matter.id, meeting=meeting.id)
        return held

    def cancel(self, meeting_id: int, reason: str, operator: Operator) -> Meeting:
        require(operator, Action.MEET)
        _require_reason(reason)
        now = self.ctx.clock.now()
        with self.ctx.store.transaction() as txn:
            meeting = _meeting(txn, meeting_id)
            if meeting.state is not MeetingState.PLANNED:
                raise DeskError("err.meeting.state", meeting_state=meeting.state.value)
            cancelled = Meeting.from_doc(txn.update("meetings", meeting.edit(
                state=MeetingState.CANCELLED, cancelled_reason=reason.strip(), cancelled_at=now).to_doc()))
            matter = _any_matter(txn, meeting.matter_id)  # a meeting is settled even after the matter closed
            add_event(txn, matter, "meeting_cancelled", operator.name, now, note=reason.strip(), meeting=meeting.id,
                      meeting_kind=meeting.kind.value)
        self.ctx.log(operator, "meeting_cancel", matter.number, matter=matter.id, meeting=meeting.id)
        return cancelled

    def agenda(self, start: dt.date, end: dt.date, operator: Operator, mine: bool = False) -> list[AgendaRow]:
        """Meetings planned from `start` to `end`, and every earlier one still not held
        (overdue), soonest first; `mine`: those the operator plans, attends or answers for.
        The days' meetings come from the index on `day`, the overdue ones from the columns
        (only planned ones are read), each matter's document once and never decoded."""
        now = self.ctx.clock.now()
        store = self.ctx.store
        found: dict[int, Doc] = {}
        day = start
        while day <= end:
            found.update((d["id"], d) for d in store.find("meetings", "day", day.isoformat()))
            day += dt.timedelta(days=1)
        first = start.isoformat()
        for row in store.columns("meetings", where={"state": (MeetingState.PLANNED.value,)}):
            if row["day"] < first and row["id"] not in found:
                doc = store.get("meetings", row["id"])
                if doc is not None:
                    found[row["id"]] = doc
        matters: dict[int, Doc] = {}
        rows = []
        for doc in sorted(found.values(), key=lambda d: (d["day"], d["time"], d["id"])):
            matter = matters.get(doc["matter_id"])
            if matter is None:
                matter = matters[doc["matter_id"]] = store.get("matters", doc["matter_id"])  # type: ignore[assignment]
            if mine and not _concerns(doc, matter, operator.name):
                continue
            meeting = Meeting.from_doc(doc)
            rows.append(AgendaRow(meeting, matter["number"], meeting.overdue(now)))
        return rows

    # -- leader ownership (包案) -------------------------------------------------------------

    def set_owner(self, matter_id: int, leader: str, reason: str, operator: Operator, team: str = "",
                  plan: str = "", stability: str = "") -> Matter:
        """The owning leader and the rest of the "five ones"; changing the leader needs a reason."""
        require(operator, Action.SUPERVISE)
        problems = (_text_problems("team", team) + _text_problems("plan", plan)
                    + _text_problems("stability", stability) + _text_problems("cause", reason))
        found = find_operator(self.ctx.store, leader.strip())
        if found is None or found.role is not Role.LEADER or not found.active:
            problems.append(FieldError("owner_leader", "err.meeting.not_leader", {"name": leader}))
        if problems:
            raise FormErrors(problems)
        now = self.ctx.clock.now()
        with self.ctx.store.transaction() as txn:
            matter = _complex(txn, matter_id)
            if matter.owner_leader and matter.owner_leader != leader.strip() and not reason.strip():
                raise FormErrors([FieldError("cause", "err.meeting.owner_reason")])
            changed = matter.edit(owner_leader=leader.strip(), team=team.strip(), plan=plan.strip(),
                                  stability=stability.strip())
            saved = Matter.from_doc(txn.update("matters", changed.to_doc()))
            add_event(txn, saved, "owner", operator.name, now, note=reason.strip(), leader=saved.owner_leader,
                      was=matter.owner_leader)
        self.ctx.log(operator, "matter_owner", saved.number, matter=saved.id, leader=saved.owner_leader,
                     was=matter.owner_leader)
        return saved

    def waive(self, matter_id: int, reason: str, operator: Operator) -> Matter:
        """免见面说明: a supervisor records why a complex matter closes without every meeting."""
        require(operator, Action.SUPERVISE)
        _require_reason(reason)
        now = self.ctx.clock.now()
        with self.ctx.store.transaction() as txn:
            matter = _complex(txn, matter_id)
            lacking = [k.value for k in rules.missing(matter, meetings_of(txn, matter_id))]
            saved = Matter.from_doc(txn.update("matters", matter.edit(meetings_waived=reason.strip()).to_doc()))
            add_event(txn, saved, "waiver", operator.name, now, note=reason.strip(), missing=lacking)
        self.ctx.log(operator, "meeting_waiver", saved.number, matter=saved.id, missing=lacking)
        return saved

    # -- 1+X supervision ----------------------------------------------------------------------

    def supervisions(self, matter_id: int) -> list[Supervision]:
        return supervisions_of(self.ctx.store, matter_id)

    def next_step(self, entries: list[Supervision]) -> rules.NextStep:
        """What the ladder asks next of a matter with these entries, as of today."""
        return rules.next_step(entries, self.ctx.clock.today(), self.ctx.settings())

    def supervise(self, matter_id: int, entry: Supervision, operator: Operator) -> Supervision:
        """One entry of the ladder: the written notice (numbered 督办单) or a phone follow-up."""
        require(operator, Action.SUPERVISE)
        problems = [p for f in ("to", "demand", "answer") if (p := check_text(f, getattr(entry, f)))]
        problems += [FieldError(f, "err.required") for f in ("by", "to") if not getattr(entry, f).strip()]
        if entry.by.strip() and (problem := check_name("supervisor", entry.by.strip())):
            problems.append(problem)
        if entry.kind is SupervisionKind.WRITTEN and entry.due is None:
            problems.append(FieldError("due", "err.required"))
        if entry.kind is SupervisionKind.WRITTEN and not entry.demand.strip():  # a notice demands something
            problems.append(FieldError("demand", "err.required"))
        if entry.kind is SupervisionKind.PHONE and entry.rung is None:
            problems.append(FieldError("rung", "err.required"))
        problems += _date_problems(entry, self.ctx.clock.today())
        if problems:
            raise FormErrors(problems)
        now = self.ctx.clock.now()
        with self.ctx.store.transaction() as txn:
            matter = open_matter(txn, matter_id)
            number = next_document_number(txn, "supervision", now.year) if entry.kind is SupervisionKind.WRITTEN else ""
            draft = entry.edit(id=0, matter_id=matter_id, recorded_by=operator.name, recorded_at=now,
                               document_number=number, department_id=matter.sent.department_id if matter.sent else None)
            saved = Supervision.from_doc(txn.insert("supervisions", draft.to_doc()))
            add_event(txn, matter, "supervision", operator.name, now, supervision=saved.id, supervision_kind=saved.kind.value,
                      rung=saved.rung.value if saved.rung else "", to=saved.to,
                      document="supervision" if number else "", document_number=number)
        self.ctx.log(operator, "supervise", matter.number, matter=matter_id, supervision=saved.id,
                     kind=saved.kind.value, **({"document_number": number} if number else {}))
        return saved

    def supervision_list(self, operator: Operator) -> list[SupervisionRow]:
        """Every open matter under supervision, the most overdue next step first. The
        matters come from the entries' column; only the open ones and their entries are decoded."""
        require(operator, Action.SUPERVISE)
        store, today, settings = self.ctx.store, self.ctx.clock.today(), self.ctx.settings()
        rows = []
        for matter_id in dict.fromkeys(r["matter_id"] for r in store.columns("supervisions")):
            doc = store.get("matters", matter_id)
            if doc is None or doc["status"] not in OPEN_STATUSES:
                continue
            matter = Matter.from_doc(doc)
            entries = [Supervision.from_doc(d) for d in store.find("supervisions", "matter_id", matter_id)]
            step = rules.next_step(sorted(entries, key=lambda e: (e.day, e.id)), today, settings)
            rows.append(SupervisionRow(matter, tuple(entries), step, step.due < today))
        return sorted(rows, key=lambda r: (not r.overdue, r.next.due, r.matter.id))


def _may_plan(matter: Matter, kind: MeetingKind, meetings: list[Meeting], settings) -> DeskError | None:
    """One meeting of each kind (planned ahead of its moment if need be); a three-party
    follow-up only when a dissatisfied evaluation calls for one."""
    if kind is MeetingKind.THREE_PARTY:
        proposed = {p.kind for p in rules.proposals(matter, meetings, settings)}
        return None if kind in proposed else DeskError("err.meeting.no_three_party", number=matter.number)
    if any(m.kind is kind and m.state is not MeetingState.CANCELLED for m in meetings):
        return DeskError("err.meeting.exists", meeting_kind=kind.value, number=matter.number)
    return None


# A follow-up date or a deadline further off than this is a typing slip, not a plan.
FURTHEST = dt.timedelta(days=366)


def _date_problems(entry: Supervision, today: dt.date) -> list[FieldError]:
    """The entry's day is not in the future; what it sets (by when, the next follow-up) is
    on or after it and within a year."""
    problems = []
    if entry.day > today:
        problems.append(FieldError("day", "err.life.future"))
    for name in ("due", "next_on"):
        value = getattr(entry, name)
        if value is not None and not entry.day <= value <= entry.day + FURTHEST:
            problems.append(FieldError(name, "err.meeting.date_range", {"day": entry.day.isoformat()}))
    return problems


def _concerns(meeting: Doc, matter: Doc, name: str) -> bool:
    """Read on the documents: the agenda decodes only the meetings it shows."""
    return name in (meeting["planned_by"], matter["first_responder"], matter.get("owner_leader", "")) or any(
        p["name"] == name for p in meeting["participants"])


def phone_entry(day: dt.date, by: str, to: str, rung: Rung, answer: str = "", next_on: dt.date | None = None
                ) -> Supervision:
    """A phone follow-up as a form gives it (ids and who recorded it are filled in on save)."""
    return Supervision(0, 0, SupervisionKind.PHONE, day, by, to, None, "", dt.datetime.min, rung=rung,
                       answer=answer, next_on=next_on)


def written_entry(day: dt.date, by: str, to: str, demand: str, due: dt.date) -> Supervision:
    return Supervision(0, 0, SupervisionKind.WRITTEN, day, by, to, None, "", dt.datetime.min, demand=demand, due=due)
