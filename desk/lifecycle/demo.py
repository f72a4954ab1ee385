"""The demo hall's matters after their first visit: accepted or not, sent to a demo
department, extended, replied, followed up, closed, reviewed and re-examined, handed over,
each act on the day it would have happened (days after registration, never after now).

Every act goes through `perform`, the desks' own step, so the timeline, the clocks and the
notices' numbers are what a real hall would have. Matters registered lately are still
early in their life; some of the old ones are late on purpose, so the lists show red and
yellow as well as green.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from desk.deadlines import Rules
from desk.lifecycle.departments import DepartmentForm, list_departments, save_department
from desk.lifecycle.records import ClockKind, Evaluation, RejectReason
from desk.lifecycle.service import perform
from desk.lifecycle.table import Act, Inputs, Situation
from desk.meetings.demo import DemoMeetings
from desk.models import Matter, Track
from desk.store import Transaction

DEMO_DEPARTMENTS = (
    ("城关镇人民政府", "陈志刚", "0736-7222101"),
    ("太平镇人民政府", "罗建华", "0736-7315102"),
    ("县自然资源局", "刘海燕", "0736-7223315"),
    ("县人力资源和社会保障局", "周卫东", "0736-7226120"),
    ("县住房和城乡建设局", "黄敏", "0736-7221560"),
    ("县卫生健康局", "唐丽君", "0736-7227318"),
    ("县农业农村局", "彭国强", "0736-7224409"),
    ("县市场监督管理局", "邓红梅", "0736-7228826"),
    ("县民政局", "曾德明", "0736-7225012"),
)
REPLIES = ("经核查，已责成相关单位依法处理，处理结果已书面告知", "经调查核实，诉求部分合理，已协调解决",
           "经核查，相关补偿已按政策标准足额发放", "已组织双方协商，达成一致意见", "诉求缺乏政策依据，已做好解释工作")
EXTENSION_CAUSES = ("情况复杂，需进一步调查核实", "涉及多个部门，需协调会商", "需等待鉴定结论")
HAND_OVER_CAUSES = ("工作调整", "外出学习培训", "按分工移交")
NOTHING = Inputs()
REJECT_TEXTS = ("诉求已由法院作出生效判决", "同一事项已在市信访局办理中")


def _at(day: dt.datetime, rng: random.Random) -> dt.datetime:
    """An office hour on that day."""
    return day.replace(hour=rng.randrange(8, 17), minute=rng.randrange(60), second=0, microsecond=0)


@dataclass
class DemoLife:
    """What the demo remembers for the acts: its random source, the hall's end, who may act."""

    rng: random.Random
    now: dt.datetime
    rules: Rules
    clerks: list[str]
    leader: str
    supervisor: str
    departments: list[tuple[int, str]] = field(default_factory=list)
    meetings: DemoMeetings | None = None  # the three meetings, supervision, three-party follow-ups
    acts: int = 0

    def prepare(self, txn: Transaction) -> None:
        """The demo departments, unless the hall already has some."""
        found = list_departments(txn, active_only=True)
        if not found:
            found = [save_department(txn, DepartmentForm(name, contact, phone), None)
                     for name, contact, phone in DEMO_DEPARTMENTS]
        self.departments = [(d.id, d.name) for d in found]
        if self.meetings is not None:
            self.meetings.prepare(txn)

    # -- one act ------------------------------------------------------------------------

    def _do(self, txn: Transaction, matter: Matter, act: Act, when: dt.datetime, inputs: Inputs = NOTHING,
            actor: str | None = None) -> Matter:
        who = actor or matter.first_responder
        situation = Situation(who, who == self.leader, when.date(), self.rules)
        self.acts += 1
        return perform(txn, matter, act, inputs, situation, when).matter

    def _later(self, after: dt.datetime, low: int, high: int) -> dt.datetime | None:
        """A working hour `low`..`high` days after `after`; None when that is still to come."""
        day = after + dt.timedelta(days=self.rng.randint(low, high))
        when = _at(day, self.rng) if day.date() > after.date() else after + dt.timedelta(minutes=40)
        return when if when <= self.now else None

    # -- a matter's life --------------------------------------------------------------------

    def live(self, txn: Transaction, matter: Matter, at: dt.datetime) -> Matter:
        """Play the matter's life from its registration at `at` up to now; the matter as it ends."""
        if self.meetings is None:
            return self._live(txn, matter, at)
        matter = self.meetings.registered(txn, matter, at)
        ended = self._live(txn, matter, at)
        self.meetings.ended(txn, ended)
        return ended

    def _live(self, txn: Transaction, matter: Matter, at: dt.datetime) -> Matter:
        rng = self.rng
        if rng.random() < 0.015:  # forgotten at registration: its acceptance limit runs out (red)
            return matter
        slow = rng.random() < 0.08  # decided on the last days of the limit (yellow meanwhile)
        when = self._later(at, 0, 0) if matter.track is Track.SIMPLE else (  # simple: the same day
            self._later(at, 11, 15) if slow else self._later(at, 0, 9))
        if when is None:
            return matter
        if rng.random() < 0.07:
            reason = rng.choice(list(RejectReason))
            text = rng.choice(REJECT_TEXTS) if reason is RejectReason.OTHER else ""
            return self._do(txn, matter, Act.REJECT, when, Inputs(cause=reason.value, text=text))
        matter = self._do(txn, matter, Act.ACCEPT, when)
        if self.meetings is not None:
            self.meetings.accepted(matter, when)
        return self._handle(txn, matter, when)

    def _handle(self, txn: Transaction, matter: Matter, accepted: dt.datetime) -> Matter:
        rng = self.rng
        last = accepted
        # Most reply well inside the 60 days; a few are late and some are still working on it.
        late = rng.random() < 0.06
        reply_after = rng.randint(62, 80) if late else rng.randint(12, 50)
        when = self._later(last, 0, 3)
        if when is not None and rng.random() < 0.85:
            department_id, _ = rng.choice(self.departments)
            act = Act.ASSIGN if rng.random() < 0.6 else Act.TRANSFER
            # The department's deadline: usually met, now and then missed (red while it runs).
            days = max(10, reply_after - (when - accepted).days + rng.randint(-12 if late else -4, 12))
            due = when.date() + dt.timedelta(days=days)
            matter = self._do(txn, matter, act, when, Inputs(department_id=department_id,
                                                             department=dict(self.departments)[department_id],
                                                             due=due))
            last = when
        if rng.random() < 0.12:
            when = self._later(last, 20, 45)
            if when is None:
                return self._maybe_hand_over(txn, matter, last)
            days = rng.choice((15, 20, 30))
            matter = self._do(txn, matter, Act.REQUEST_EXTENSION, when,
                              Inputs(days=days, cause=rng.choice(EXTENSION_CAUSES)))
            last = when
            when = self._later(last, 1, 4)
            if when is None or rng.random() < 0.15:  # the leader has not decided yet
                return self._maybe_hand_over(txn, matter, last)
            approve = rng.random() < 0.85
            matter = self._do(txn, matter, Act.APPROVE_EXTENSION if approve else Act.DECLINE_EXTENSION, when,
                              Inputs(text="" if approve else "不符合延期条件，请按期办结"), actor=self.leader)
            last = when
        when = self._later(accepted, reply_after, reply_after)
        if when is None or (late and rng.random() < 0.5):
            return self._maybe_hand_over(txn, matter, last)
        matter = self._reply(txn, matter, Act.REPLY, max(when, last))
        if self.meetings is not None:
            self.meetings.replied(matter, max(when, last))
        return self._after_reply(txn, matter, max(when, last), rounds=0)

    def _reply(self, txn: Transaction, matter: Matter, act: Act, when: dt.datetime) -> Matter:
        rng = self.rng
        sent = matter.sent.department if matter.sent else "县信访局"
        reference = f"〔{when.year}〕{rng.randrange(1, 300)}号"
        return self._do(txn, matter, act, when, Inputs(day=when.date(), answer=rng.choice(REPLIES),
                                                       reference=reference, replier=sent))

    def _after_reply(self, txn: Transaction, matter: Matter, replied: dt.datetime, rounds: int,
                     sent_back: bool = False) -> Matter:
        """Follow-up and closing, or a review (then perhaps a re-examination) asked for. A
        dissatisfied evaluation is followed up by three parties, which may send the matter
        back to handling (once): it is then replied to again."""
        rng = self.rng
        if rounds < 2 and rng.random() < (0.08 if rounds == 0 else 0.5):
            when = self._later(replied, 3, 25)
            if when is not None:
                act, answer = ((Act.REQUEST_REVIEW, Act.ANSWER_REVIEW) if rounds == 0
                               else (Act.REQUEST_REEXAMINATION, Act.ANSWER_REEXAMINATION))
                matter = self._do(txn, matter, act, when, Inputs(day=when.date(), text="对答复意见不服"))
                answered = self._later(when, 8, 29)
                if answered is None:
                    return matter
                matter = self._reply(txn, matter, answer, answered)
                return self._after_reply(txn, matter, answered, rounds + 1)
        evaluated = None
        if rng.random() < 0.8:
            evaluated = self._later(replied, 1, 25)
            if evaluated is None:
                return matter
            value = rng.choices(list(Evaluation), weights=(70, 20, 10))[0]
            matter = self._do(txn, matter, Act.EVALUATE, evaluated, Inputs(evaluation=value))
            start, low = evaluated, 0
            if value is Evaluation.DISSATISFIED and self.meetings is not None:
                followed = self.meetings.three_party(txn, matter, evaluated, may_send_back=not sent_back)
                if followed is None:  # ahead, or overdue
                    return matter
                start, cause = followed
                if cause:
                    matter = self._do(txn, matter, Act.SEND_BACK, start, Inputs(cause=cause))
                    when = self._later(start, 10, 30)
                    if when is None:
                        return matter
                    matter = self._reply(txn, matter, Act.REPLY, when)
                    return self._after_reply(txn, matter, when, rounds=2, sent_back=True)
        else:  # never evaluated: closed once the evaluation window has passed (超期未评价)
            window = next(c for c in matter.clocks if c.kind is ClockKind.EVALUATION)
            start, low = dt.datetime.combine(self.rules.due(window).day, replied.timetz()), 1
        when = self._later(start, low, low + 5)
        if when is None or rng.random() < 0.1:  # lapsed or followed up, not yet closed
            return self._maybe_hand_over(txn, matter, replied)
        if matter.track is Track.COMPLEX and self.meetings is not None:
            matter = self.meetings.before_close(txn, matter, when)
        return self._do(txn, matter, Act.CLOSE, when, Inputs(text="已答复并回访，办结"))

    def _maybe_hand_over(self, txn: Transaction, matter: Matter, after: dt.datetime) -> Matter:
        """A few open matters wait for another receptionist to take over first responsibility."""
        others = [c for c in self.clerks if c != matter.first_responder]
        if not matter.is_open or not others or self.rng.random() >= 0.04:
            return matter
        when = self._later(after, 0, 5)
        if when is None:
            return matter
        return self._do(txn, matter, Act.HAND_OVER, when,
                        Inputs(to=self.rng.choice(others), cause=self.rng.choice(HAND_OVER_CAUSES)))


def lives_on(matter: Matter) -> bool:
    """A matter a later visit may be about: still open, or re-examined (不再受理)."""
    return matter.is_open or matter.not_accepted_again
