"""见面/督办 on one matter (`m` on the detail view): plan, record and cancel its meetings,
print a meeting's record, set the owning leader and the "five ones", a supervisor's
waiver, a supervision entry of the 1+X ladder, and a booking on a leader's reception day.
The menu offers only what the role and the matter allow now; each act is a small form
(screens/form.py) whose refusals land under their fields."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from desk.documents import How
from desk.errors import FieldError, FormErrors
from desk.meetings.records import (
    LADDER,
    THREE_MEETINGS,
    Meeting,
    MeetingKind,
    MeetingState,
    Rung,
    Supervision,
    SupervisionKind,
)
from desk.meetings.service import MeetingForm, phone_entry, written_entry
from desk.models import Matter, Role, Track
from desk.permissions import Action
from screens.base import DeskModal, plain
from screens.documents import IssuesDocuments
from screens.form import Field, FormModal, read_date
from screens.meet_view import MeetingsOf, short_day

WITH_VISITOR = (MeetingKind.AT_ACCEPTANCE, MeetingKind.AT_REPLY, MeetingKind.AFTER_REPLY)
BOOKING_DAYS = 14  # how far ahead a visitor may be booked on a leader's reception day
_SPACES = re.compile(r"[\s\u3000]+")


class MeetAct(StrEnum):
    PLAN = "plan"
    RECORD = "record"
    CANCEL = "cancel"
    PRINT = "print"
    OWNER = "owner"
    WAIVE = "waive"
    SUPERVISE = "supervise"
    BOOK = "book"


class ChoiceModal(DeskModal[str | None]):
    """One of a few choices (an act, a meeting): Enter chooses, Esc leaves it."""

    BINDINGS = [Binding("escape", "cancel", "key.cancel", id="cancel")]

    def __init__(self, title: str, choices: list[tuple[str, Any]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="meet-menu"):
            yield Label(plain(self.title_text), classes="question")
            yield OptionList(*(Option(plain(label), id=key) for key, label in self.choices), id="meet-choices")
            yield Label(self.t("acts.keys"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#meet-choices", OptionList).focus()

    @on(OptionList.OptionSelected, "#meet-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def plannable(of: MeetingsOf) -> list[MeetingKind]:
    """The kinds that may be planned now: each of the three meetings not planned or held
    yet (ahead of its moment if need be), and a three-party follow-up when one is due."""
    taken = {m.kind for m in of.meetings if m.state is not MeetingState.CANCELLED}
    kinds = [k for k in THREE_MEETINGS if k not in taken] if of.matter.track is Track.COMPLEX else []
    if any(p.kind is MeetingKind.THREE_PARTY for p in of.proposals):
        kinds.append(MeetingKind.THREE_PARTY)
    return kinds


def participants(text: str) -> tuple[tuple[str, str], ...]:
    """One person a line, "姓名 单位" (the unit may be left out); blank lines keep their
    number so a problem names the line it is on."""
    found = []
    for line in text.splitlines():
        name, _, unit = _SPACES.sub(" ", line.strip()).partition(" ")
        found.append((name, unit))
    return tuple(found)


class MeetsOnMatter(IssuesDocuments):
    """For the detail view: `ask_meet` opens the menu; `met()` is called after a save.
    The screen keeps `meet` (a MeetingsOf) current."""

    meet: MeetingsOf | None

    def meet_acts(self) -> list[MeetAct]:
        of, op = self.meet, self.app.operator
        if of is None or op is None:
            return []
        m, may = of.matter, self.desk.may
        planned = [x for x in of.meetings if x.state is MeetingState.PLANNED]
        found = []
        if may(op, Action.MEET) and m.is_open:
            found += [MeetAct.PLAN] if plannable(of) else []
            found += [MeetAct.RECORD, MeetAct.CANCEL] if planned else []
        if may(op, Action.PRINT) and any(x.state is not MeetingState.CANCELLED for x in of.meetings):
            found.append(MeetAct.PRINT)
        if may(op, Action.SUPERVISE) and m.is_open:
            found += [MeetAct.OWNER] if m.track is Track.COMPLEX else []
            found += [MeetAct.WAIVE] if m.track is Track.COMPLEX and of.missing and not m.meetings_waived else []
            found.append(MeetAct.SUPERVISE)
        if may(op, Action.REFER) and m.is_open and self._leader_days():
            found.append(MeetAct.BOOK)
        return found

    def _leader_days(self) -> list:
        today = self.desk.clock.today()
        return self.desk.referrals.leader_days(today, today + dt.timedelta(days=BOOKING_DAYS))

    def _act_label(self, act: MeetAct) -> str:
        of = self.meet
        if act is MeetAct.SUPERVISE and of is not None and of.next is not None:
            step = of.next
            label = self.t(f"supervision_kind.{step.kind.value}")
            return label + (f"({self.t('rung.' + step.rung.value)})" if step.rung else "")
        return self.t(f"meet.act.{act.value}")

    def ask_meet(self) -> None:
        acts = self.meet_acts()
        if not acts or self.meet is None:
            self.toast(self.t("acts.none"), "warning")
            return
        choices = [(a.value, self._act_label(a)) for a in acts]
        title = self.t("meet.menu", number=self.meet.matter.number)
        self.app.push_screen(ChoiceModal(title, choices), lambda key: key and self._start(MeetAct(key)))

    def _start(self, act: MeetAct) -> None:
        of = self.meet
        assert of is not None
        if act in (MeetAct.RECORD, MeetAct.CANCEL, MeetAct.PRINT):
            printable = act is MeetAct.PRINT
            self._which(act, [x for x in of.meetings if x.state is not MeetingState.CANCELLED if
                              printable or x.state is MeetingState.PLANNED])
            return
        {MeetAct.PLAN: self._plan, MeetAct.OWNER: self._owner, MeetAct.WAIVE: self._waive,
         MeetAct.SUPERVISE: self._supervise, MeetAct.BOOK: self._book}[act]()

    def _which(self, act: MeetAct, meetings: list[Meeting]) -> None:
        """With one meeting it is the one; with several the clerk picks."""
        then = {MeetAct.RECORD: self._record, MeetAct.CANCEL: self._cancel, MeetAct.PRINT: self._print}[act]
        if len(meetings) == 1:
            then(meetings[0])
            return
        today = self.desk.clock.today()
        by_id = {str(x.id): x for x in meetings}
        choices = [(str(x.id), f"{self.t('meeting_kind.' + x.kind.value)}  {short_day(x.day, today)} {x.time}")
                   for x in meetings]
        self.app.push_screen(ChoiceModal(self.t("meet.which"), choices),
                             lambda key: key and then(by_id[key]))

    def _form(self, act: str, fields: list[Field], submit: Callable[[dict[str, Any]], Any],
              after: Callable[[Any], None] | None = None, note: str = "", told: bool = True) -> None:
        assert self.meet is not None
        title = self.t("act_form.title", act=act, number=self.meet.matter.number)

        def done(result: Any) -> None:
            if result is None:
                return
            if told:  # else `after` tells what was done
                self.toast(self.t("meet.saved", act=act, number=self.meet.matter.number if self.meet else ""))
            self.met()
            if after is not None:
                after(result)

        self.app.push_screen(FormModal(title, fields, submit, note), done)

    # -- meetings -----------------------------------------------------------------------------

    def _plan(self) -> None:
        of = self.meet
        assert of is not None
        kinds = plannable(of)
        proposed = {p.kind: p.day for p in of.proposals}
        first = next((k for k in kinds if k in proposed), kinds[0])
        day = proposed.get(first, self.desk.clock.today())
        place = of.meetings[-1].place if of.meetings else ""  # most meet where they met before
        with_visitor = first in WITH_VISITOR and of.visitor
        who = f"{of.visitor} {self.t('meet.visitor')}" if with_visitor else ""
        fields = [
            Field("kind", self.t("meet.kind"), "select", first.value,
                  tuple((self.t(f"meeting_kind.{k.value}"), k.value) for k in kinds)),
            Field("day", self.t("field.day") + self.t("act_form.date_format"), value=day.isoformat(), max_length=10),
            Field("time", self.t("meet.time_label"), value="09:30", max_length=5),
            Field("venue", self.t("field.venue"), value=place),
            Field("participants", self.t("meet.participants_label"), "area", who),
        ]

        def submit(v: dict[str, Any]) -> Meeting:
            if not v["kind"]:
                raise FormErrors([FieldError("kind", "err.required")])
            form = MeetingForm(MeetingKind(v["kind"]), v["day"], v["time"], v["venue"], participants(v["participants"]))
            return self.desk.meetings.plan(of.matter.id, form, self.operator)

        self._form(self.t("meet.act.plan"), fields, submit)

    def _record(self, meeting: Meeting) -> None:
        fields = [Field("facts", self.t("field.facts"), "area"),
                  Field("approach", self.t("field.approach") + self.t("act_form.optional"), "area"),
                  Field("visitor_said", self.t("field.visitor_said") + self.t("act_form.optional"), "area")]
        if meeting.kind is MeetingKind.THREE_PARTY:
            fields.append(Field("send_back", self.t("meet.send_back"), "tick", False))

        def submit(v: dict[str, Any]) -> Meeting:
            return self.desk.meetings.record(meeting.id, v["facts"], v["approach"], v["visitor_said"], self.operator,
                                             send_back=bool(v.get("send_back")))

        act = self.t("meet.act.record") + " " + self.t(f"meeting_kind.{meeting.kind.value}")
        self._form(act, fields, submit, after=self._offer_minutes)

    def _offer_minutes(self, meeting: Meeting) -> None:
        from screens.confirm import ConfirmModal

        self.app.push_screen(ConfirmModal(self.t("meet.print_minutes")),
                             lambda yes: yes and self._print(meeting))

    def _cancel(self, meeting: Meeting) -> None:
        fields = [Field("cause", self.t("meet.cancel_reason"))]
        act = self.t("meet.act.cancel") + " " + self.t(f"meeting_kind.{meeting.kind.value}")
        self._form(act, fields, lambda v: self.desk.meetings.cancel(meeting.id, v["cause"], self.operator))

    def _print(self, meeting: Meeting) -> None:
        self.write_minutes(meeting.id, How.PRINT, self.operator)

    # -- ownership, waiver --------------------------------------------------------------------

    def _owner(self) -> None:
        m = self.meet.matter if self.meet else None
        assert m is not None
        leaders = [(plain(o.name), o.name) for o in self.desk.operators() if o.role is Role.LEADER and o.active]
        fields = [Field("owner_leader", self.t("field.owner_leader"), "select", m.owner_leader or "", tuple(leaders)),
                  Field("team", self.t("field.team") + self.t("act_form.optional"), value=m.team),
                  Field("plan", self.t("field.plan") + self.t("act_form.optional"), value=m.plan),
                  Field("stability", self.t("field.stability") + self.t("act_form.optional"), value=m.stability),
                  Field("cause", self.t("meet.owner_reason"))]

        def submit(v: dict[str, Any]) -> Matter:
            return self.desk.meetings.set_owner(m.id, v["owner_leader"] or "", v["cause"], self.operator,
                                                team=v["team"], plan=v["plan"], stability=v["stability"])

        self._form(self.t("meet.act.owner"), fields, submit)

    def _waive(self) -> None:
        of = self.meet
        assert of is not None
        lacking = "  ".join(self.t(f"meeting_kind.{k.value}") for k in of.missing)
        self._form(self.t("meet.act.waive"), [Field("cause", self.t("meet.waiver_reason"), "area")],
                   lambda v: self.desk.meetings.waive(of.matter.id, v["cause"], self.operator),
                   note=self.t("meet.missing") + ": " + lacking)

    # -- supervision ----------------------------------------------------------------------------

    def _contact(self) -> str:
        m = self.meet.matter if self.meet else None
        if m is None or m.sent is None:
            return ""
        known = next((d for d in self.desk.life.departments() if d.id == m.sent.department_id), None)
        return known.contact if known and known.contact else m.sent.department

    def _supervise(self) -> None:
        of = self.meet
        assert of is not None and of.next is not None
        today = self.desk.clock.today()
        later = today + dt.timedelta(days=self.desk.settings().supervision_follow_up_days)
        day = Field("day", self.t("field.day") + self.t("act_form.date_format"), value=today.isoformat(), max_length=10)
        to = Field("to", self.t("meet.to_label"), value=self._contact())
        if of.next.kind is SupervisionKind.WRITTEN:
            fields = [day, to, Field("demand", self.t("meet.demand"), "area"),
                      Field("due", self.t("meet.due_label") + self.t("act_form.date_format"),
                            value=later.isoformat(), max_length=10)]
        else:
            rungs = tuple((self.t(f"rung.{r.value}"), r.value) for r in LADDER)
            fields = [day, Field("rung", self.t("field.rung"), "select", of.next.rung.value if of.next.rung else "", rungs),
                      Field("by", self.t("meet.by_label"), value=self.operator.name), to,
                      Field("answer", self.t("meet.answer") + self.t("act_form.optional"), "area"),
                      Field("next_on", self.t("meet.next_on_label") + self.t("act_form.date_format"),
                            value=later.isoformat(), max_length=10)]
        kind = of.next.kind

        def submit(v: dict[str, Any]) -> Supervision:
            problems: list[FieldError] = []
            on = read_date(v, "day", problems)
            if kind is SupervisionKind.WRITTEN:
                due = read_date(v, "due", problems)
                if problems:
                    raise FormErrors(problems)
                entry = written_entry(on, self.operator.name, v["to"], v["demand"], due)  # type: ignore[arg-type]
            else:
                next_on = read_date(v, "next_on", problems, required=False)
                if problems:
                    raise FormErrors(problems)
                rung = Rung(v["rung"]) if v["rung"] else None
                entry = phone_entry(on, v["by"].strip() or self.operator.name, v["to"], rung, v["answer"],  # type: ignore
                                    next_on)
            return self.desk.meetings.supervise(of.matter.id, entry, self.operator)

        self._form(self._act_label(MeetAct.SUPERVISE), fields, submit, after=self._offer_notice)

    def _offer_notice(self, entry: Supervision) -> None:
        if not entry.document_number:
            return
        from screens.confirm import ConfirmModal

        question = self.t("acts.print_notice", document=self.t("document.supervision"), number=entry.document_number)
        self.app.push_screen(ConfirmModal(question),
                             lambda yes: yes and self.write_supervision(entry.id, How.PRINT, self.operator))

    # -- booking on a leader's reception day ----------------------------------------------------

    def _book(self) -> None:
        of = self.meet
        assert of is not None
        days = self._leader_days()
        today = self.desk.clock.today()
        options = tuple((plain(f"{short_day(day, today)} {self.t('weekday.' + str(day.weekday()))}  {station.name}  "
                               + " ".join(leaders)), str(n)) for n, (day, station, leaders) in enumerate(days))
        fields = [Field("station", self.t("meet.leader_day"), "select", "0", options),
                  Field("reason", self.t("meet.book_reason") + self.t("act_form.optional"))]

        def submit(v: dict[str, Any]):
            if v["station"] is None:
                raise FormErrors([FieldError("station", "err.required")])
            day, station, _ = days[int(v["station"])]
            return self.desk.referrals.book(of.matter.id, station.id, day, self.operator, v["reason"])

        def booked(referred) -> None:
            r, s = referred.referral, referred.station
            self.toast(self.t("meet.booked", day=r.day.isoformat(), ticket=r.ticket, station=s.name))

        self._form(self.t("meet.act.book"), fields, submit, after=booked, told=False)

    def met(self) -> None:
        """After a save: show the matter as it is now."""
