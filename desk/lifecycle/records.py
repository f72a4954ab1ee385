"""The parts of a matter's life that it carries on its record: its clocks, where it was
sent, the extension, the replies, the evaluation, review and re-examination, a pending
hand-over; and the responsible departments the hall sends matters to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from desk.codec import Stored
from desk.lifecycle.calendar import DayUnit


class ClockKind(StrEnum):
    """Each limit of the 2022 regulation, and the department's own deadline."""

    ACCEPTANCE = "acceptance"  # decide and tell in writing: 15 days from registration
    SAME_DAY = "same_day"  # the simple track: settled the day it is registered
    HANDLING = "handling"  # reply: 60 days from acceptance, plus an approved extension
    DEPARTMENT = "department"  # the deadline set for the responsible department
    EVALUATION = "evaluation"  # the visitor's evaluation: 30 days from the reply
    REVIEW_REQUEST = "review_request"  # the visitor may ask for review: 30 days from the reply
    REVIEW_ANSWER = "review_answer"  # the review answered: 30 days from the request
    REEXAMINATION_REQUEST = "reexamination_request"
    REEXAMINATION_ANSWER = "reexamination_answer"


# A window is the visitor's to use: when it passes nothing is overdue, it is simply shut.
# Every other clock is the hall's and turns red when it passes.
WINDOWS = frozenset({ClockKind.EVALUATION, ClockKind.REVIEW_REQUEST, ClockKind.REEXAMINATION_REQUEST})


@dataclass(frozen=True)
class Clock:
    """A running limit: `days` (in `unit`) from `start`. The due day is counted on the
    calendar when it is read, so a holiday the hall adds later moves it."""

    kind: ClockKind
    start: dt.date
    days: int
    unit: DayUnit = DayUnit.CALENDAR

    @property
    def window(self) -> bool:
        return self.kind in WINDOWS


class Routing(StrEnum):
    ASSIGN = "assign"  # 交办: the department handles it and reports back
    TRANSFER = "transfer"  # 转送: the department takes it over


@dataclass(frozen=True)
class Sent:
    """Where the matter was sent (交办 / 转送) and the deadline set for the department."""

    routing: Routing
    department_id: int
    department: str  # its name when sent: a renamed department does not rewrite history
    due: dt.date
    at: dt.datetime
    by: str


class ExtensionState(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # replied before a leader decided


@dataclass(frozen=True)
class Extension:
    days: int
    reason: str
    requested_by: str
    requested_at: dt.datetime
    state: ExtensionState = ExtensionState.REQUESTED
    decided_by: str = ""
    decided_at: dt.datetime | None = None
    note: str = ""  # the leader's words when deciding


class Stage(StrEnum):
    REPLY = "reply"  # 答复 / 处理意见书
    REVIEW = "review"  # 复查意见
    REEXAMINATION = "reexamination"  # 复核意见


@dataclass(frozen=True)
class Reply:
    """A written answer: the reply, or the answer to a review or re-examination."""

    stage: Stage
    day: dt.date  # the date of the written answer
    summary: str
    reference: str  # its document number
    replier: str  # who replied (a department or person, as written on it)
    by: str  # who recorded it
    at: dt.datetime


class Evaluation(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


@dataclass(frozen=True)
class Evaluated:
    value: Evaluation
    day: dt.date
    by: str
    note: str = ""


@dataclass(frozen=True)
class Requested:
    """A review or re-examination the visitor asked for."""

    day: dt.date
    by: str
    note: str = ""


@dataclass(frozen=True)
class HandOver:
    """First-inquiry responsibility offered to another operator: it moves only when they accept."""

    to: str
    reason: str
    by: str
    at: dt.datetime


class RejectReason(StrEnum):
    """不予受理的理由: the built-in ones; a hall adds its own to the list in settings."""

    OUTSIDE_REMIT = "outside_remit"
    LEGAL_PROCEDURE = "legal_procedure"
    REEXAMINED = "reexamined"
    OTHER = "other"


@dataclass(frozen=True)
class Rejection:
    reason: str  # a RejectReason code or a reason the hall added
    text: str = ""  # required for `other`


@dataclass(frozen=True)
class Department(Stored):
    """A responsible department (责任单位) with the person to call there."""

    id: int
    name: str
    contact: str = ""
    phone: str = ""
    active: bool = True
    rev: int = 0
