"""A matter's life as one table: state x act -> state, who may, what it needs, which
clocks it starts and stops, and which notice it produces.

Services consult it to refuse, screens to offer only the acts a matter allows now.
`apply` is the whole domain step: the matter after the act, or the reason it is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from desk.deadlines import Rules
from desk.errors import DeskError, FieldError, FormErrors
from desk.lifecycle.records import (
    Clock,
    ClockKind,
    Evaluated,
    Evaluation,
    Extension,
    ExtensionState,
    HandOver,
    Rejection,
    Reply,
    Requested,
    Routing,
    Sent,
    Stage,
)
from desk.models import Matter, Status, Track
from desk.permissions import Action


class Act(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    ASSIGN = "assign"
    TRANSFER = "transfer"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    DECLINE_EXTENSION = "decline_extension"
    REPLY = "reply"
    EVALUATE = "evaluate"
    CLOSE = "close"
    REQUEST_REVIEW = "request_review"
    ANSWER_REVIEW = "answer_review"
    REQUEST_REEXAMINATION = "request_reexamination"
    ANSWER_REEXAMINATION = "answer_reexamination"
    HAND_OVER = "hand_over"
    TAKE_OVER = "take_over"  # the receiver accepts the hand-over
    DECLINE_HAND_OVER = "decline_hand_over"  # the receiver declines, or the giver withdraws it
    SEND_BACK = "send_back"  # a three-party follow-up sends a dissatisfied matter back to handling


@dataclass(frozen=True)
class Inputs:
    """What a person gives with an act; `needs` in the table says which are required."""

    cause: str = ""  # a reject reason code, or why (extension, hand-over)
    text: str = ""  # the words of an `other` reason, a note, what was done
    department_id: int | None = None
    department: str = ""  # its name, filled in by the service from the record
    due: dt.date | None = None  # the department's deadline
    days: int | None = None  # the extension asked for
    day: dt.date | None = None  # of the written reply, the evaluation, the request
    answer: str = ""  # what the written reply says, in short
    reference: str = ""  # the reply's document number
    replier: str = ""  # who replied, as written on it
    evaluation: Evaluation | None = None
    to: str = ""  # the operator a hand-over goes to


R, A, J, H, P, F, C = (Status.REGISTERED, Status.ACCEPTED, Status.REJECTED, Status.HANDLING, Status.REPLIED,
                       Status.FOLLOWED_UP, Status.CLOSED)
V, X = Status.REVIEW, Status.REEXAMINATION
OPEN = tuple(s for s in Status if s.is_open)
HALL_CLOCKS = tuple(k for k in ClockKind if k not in (ClockKind.EVALUATION, ClockKind.REVIEW_REQUEST,
                                                          ClockKind.REEXAMINATION_REQUEST))


@dataclass(frozen=True)
class Step:
    act: Act
    sources: tuple[Status, ...]
    target: Status | None  # None: the state stays
    permission: Action
    needs: tuple[str, ...] = ()
    stops: tuple[ClockKind, ...] = ()
    document: str = ""  # the notice it produces (a document kind), if any


_S = Step
_ANSWER = ("day", "answer", "reference", "replier")
STEPS: tuple[Step, ...] = (
    _S(Act.ACCEPT, (R,), A, Action.ACCEPT, (), (ClockKind.ACCEPTANCE, ClockKind.SAME_DAY), "acceptance"),
    _S(Act.REJECT, (R,), J, Action.ACCEPT, ("cause",), (ClockKind.ACCEPTANCE, ClockKind.SAME_DAY), "non_acceptance"),
    _S(Act.ASSIGN, (A, H), H, Action.ACCEPT, ("department_id", "due"), (ClockKind.DEPARTMENT,), "assignment"),
    _S(Act.TRANSFER, (A, H), H, Action.ACCEPT, ("department_id", "due"), (ClockKind.DEPARTMENT,), "transfer"),
    _S(Act.REQUEST_EXTENSION, (A, H), None, Action.EXTEND, ("days", "cause")),
    _S(Act.APPROVE_EXTENSION, (A, H), None, Action.APPROVE, (), (), "extension"),
    _S(Act.DECLINE_EXTENSION, (A, H), None, Action.APPROVE, ("text",)),
    _S(Act.REPLY, (A, H), P, Action.REPLY, _ANSWER, (ClockKind.HANDLING, ClockKind.DEPARTMENT)),
    _S(Act.EVALUATE, (P,), F, Action.FOLLOW_UP, ("evaluation",), (ClockKind.EVALUATION,)),
    _S(Act.CLOSE, (R, P, F), C, Action.CLOSE, (), HALL_CLOCKS + (ClockKind.EVALUATION,)),
    _S(Act.REQUEST_REVIEW, (P, F, C), V, Action.REVIEW, ("day",),
       (ClockKind.EVALUATION, ClockKind.REVIEW_REQUEST)),
    _S(Act.ANSWER_REVIEW, (V,), P, Action.REPLY, _ANSWER, (ClockKind.REVIEW_ANSWER,)),
    _S(Act.REQUEST_REEXAMINATION, (P, F, C), X, Action.REVIEW, ("day",),
       (ClockKind.EVALUATION, ClockKind.REEXAMINATION_REQUEST)),
    _S(Act.ANSWER_REEXAMINATION, (X,), P, Action.REPLY, _ANSWER, (ClockKind.REEXAMINATION_ANSWER,)),
    _S(Act.SEND_BACK, (F,), H, Action.MEET, ("cause",), (ClockKind.REVIEW_REQUEST,)),
    _S(Act.HAND_OVER, OPEN, None, Action.HAND_OVER, ("to", "cause")),
    _S(Act.TAKE_OVER, OPEN, None, Action.REGISTER),
    _S(Act.DECLINE_HAND_OVER, OPEN, None, Action.HAND_OVER),
)
TABLE: dict[tuple[Status, Act], Step] = {(source, s.act): s for s in STEPS for source in s.sources}


@dataclass(frozen=True)
class Situation:
    """What a guard may look at besides the matter: who acts, on which day, by which rules."""

    actor: str
    supervises: bool  # the actor may act on anybody's matter (a supervisor or leader)
    today: dt.date
    rules: Rules
    meetings_missing: tuple[str, ...] = ()  # a complex matter's three meetings not held yet


Guard = Callable[[Matter, Inputs, Situation], Exception | None]


def _refused(code: str, **params) -> DeskError:
    return DeskError(f"err.life.{code}", **params)


def _window_open(matter: Matter, kind: ClockKind, day: dt.date, rules: Rules) -> bool:
    for clock in matter.clocks:
        if clock.kind is kind:
            return day <= rules.due(clock).day
    return False


def _close_guard(m: Matter, i: Inputs, s: Situation) -> Exception | None:
    if m.status is R and m.track is not Track.SIMPLE:
        return _refused("close_not_simple")
    if m.status is R and not i.text.strip():
        return FormErrors([FieldError("text", "err.close.note")])
    if m.status is P and _window_open(m, ClockKind.EVALUATION, s.today, s.rules):
        return _refused("close_unevaluated")
    if m.track is Track.COMPLEX and s.meetings_missing and not m.meetings_waived:
        return _refused("meetings_missing", missing=len(s.meetings_missing))
    return None


def _send_back_guard(m: Matter, i: Inputs, s: Situation) -> Exception | None:
    dissatisfied = m.evaluated is not None and m.evaluated.value is Evaluation.DISSATISFIED
    return None if dissatisfied else _refused("send_back_satisfied")


def _reject_guard(m: Matter, i: Inputs, s: Situation) -> Exception | None:
    if i.cause and i.cause not in s.rules.settings.reject_reasons:
        return FormErrors([FieldError("cause", "err.life.reason_unknown", {"reason": i.cause})])
    return None


def _extension_guard(m: Matter, i: Inputs, s: Situation) -> Exception | None:
    if m.extension is not None:
        return _refused("extension_once")
    if not _window_open(m, ClockKind.HANDLING, s.today, s.rules):
        return _refused("extension_late")  # asked for within the limit, never after it
    limit = s.rules.settings.extension_max_days
    if i.days is not None and not 1 <= i.days <= limit:
        return FormErrors([FieldError("days", "err.life.extension_days", {"max": limit})])
    return None


def _pending_extension(m: Matter, i: Inputs, s: Situation) -> Exception | None:
    pending = m.extension is not None and m.extension.state is ExtensionState.REQUESTED
    return None if pending else _refused("no_extension")


def _answer_guard(m: Matter, i: Inputs, s: Situation) -> Exception | None:
    """A date given with an act is not after today, nor before the step it follows."""
    if i.day is not None and i.day > s.today:
        return FormErrors([FieldError("day", "err.life.future")])
    earliest = _previous_step(m)
    if i.day is not None and i.day < earliest:
        return FormErrors([FieldError("day", "err.life.before", {"day": earliest.isoformat()})])
    return None


def _previous_step(m: Matter) -> dt.date:
    """The day of the latest step a reply, request or answer follows."""
    days = [m.registered_at.date()]
    if m.accepted_at:
        days.append(m.accepted_at.date())
    days += [r.day for r in m.replies]
    days += [r.day for r in (m.review, m.reexamination) if r is not None]
    return max(days)


def _evaluate_guard(m: Matter, i: Inputs, s: Situation) -> Exception | None:
    if not _window_open(m, ClockKind.EVALUATION, s.today, s.rules):
        return _refused("evaluation_lapsed")
    return None


def _review_guard(m: Matter, i: Inputs, s: Situation) -> Exception | None:
    if m.review is not None:
        return _refused("review_once")
    return _request_in_window(m, i, s, ClockKind.REVIEW_REQUEST)


def _reexamination_guard(m: Matter, i: Inputs, s: Situation) -> Exception | None:
    if m.review is None or m.last_reply is None or m.last_reply.stage is not Stage.REVIEW:
        return _refused("reexamination_needs_review")
    if m.reexamination is not None:
        return _refused("reexamination_once")
    return _request_in_window(m, i, s, ClockKind.REEXAMINATION_REQUEST)


def _request_in_window(m: Matter, i: Inputs, s: Situation, kind: ClockKind) -> Exception | None:
    problem = _answer_guard(m, i, s)
    if problem is None and not _window_open(m, kind, i.day or s.today, s.rules):
        return _refused("window_shut", clock=kind.value)
    return problem


def _hand_over_guard(m: Matter, i: Inputs, s: Situation) -> Exception | None:
    if m.hand_over is not None:
        return _refused("hand_over_pending", to=m.hand_over.to)
    if m.first_responder != s.actor and not s.supervises:
        return _refused("not_yours", first_responder=m.first_responder)
    if i.to and i.to == m.first_responder:
        return FormErrors([FieldError("to", "err.life.hand_over_self")])
    return None


def _take_over_guard(m: Matter, i: Inputs, s: Situation) -> Exception | None:
    if m.hand_over is None:
        return _refused("no_hand_over")
    return None if m.hand_over.to == s.actor else _refused("not_offered", to=m.hand_over.to)


def _decline_hand_over_guard(m: Matter, i: Inputs, s: Situation) -> Exception | None:
    if m.hand_over is None:
        return _refused("no_hand_over")
    mine = s.actor in (m.hand_over.to, m.hand_over.by) or s.supervises
    return None if mine else _refused("not_offered", to=m.hand_over.to)


GUARDS: dict[Act, Guard] = {
    Act.CLOSE: _close_guard,
    Act.REJECT: _reject_guard,
    Act.REQUEST_EXTENSION: _extension_guard,
    Act.APPROVE_EXTENSION: _pending_extension,
    Act.DECLINE_EXTENSION: _pending_extension,
    Act.REPLY: _answer_guard,
    Act.ANSWER_REVIEW: _answer_guard,
    Act.ANSWER_REEXAMINATION: _answer_guard,
    Act.EVALUATE: _evaluate_guard,
    Act.REQUEST_REVIEW: _review_guard,
    Act.REQUEST_REEXAMINATION: _reexamination_guard,
    Act.SEND_BACK: _send_back_guard,
    Act.HAND_OVER: _hand_over_guard,
    Act.TAKE_OVER: _take_over_guard,
    Act.DECLINE_HAND_OVER: _decline_hand_over_guard,
}


def step(matter: Matter, act: Act) -> Step:
    found = TABLE.get((matter.status, act))
    if found is None:
        raise _refused("act", act=act.value, status=matter.status.value, number=matter.number)
    return found


def refusal(matter: Matter, act: Act, situation: Situation, inputs: Inputs = Inputs()) -> Exception | None:
    """Why `act` cannot be done on `matter` now (with `inputs` as far as they are given), or None."""
    if (matter.status, act) not in TABLE:
        return _refused("act", act=act.value, status=matter.status.value, number=matter.number)
    guard = GUARDS.get(act)
    return guard(matter, inputs, situation) if guard else None


def acts_open(matter: Matter, situation: Situation) -> list[Act]:
    """The acts the matter allows now, in the table's order (for a screen's menu). What is
    wrong only with the inputs (none are given here) is the form's to say, not a refusal."""
    return [s.act for s in STEPS if not isinstance(refusal(matter, s.act, situation), DeskError)]


def _missing(step_: Step, inputs: Inputs) -> list[FieldError]:
    def given(name: str) -> bool:
        value = getattr(inputs, name)
        return bool(value.strip()) if isinstance(value, str) else value is not None

    return [FieldError(name, "err.required") for name in step_.needs if not given(name)]


def apply(matter: Matter, act: Act, inputs: Inputs, situation: Situation, now: dt.datetime) -> Matter:
    """The matter after `act`: refused with DeskError (not allowed now) or FormErrors (what
    is missing or wrong in `inputs`)."""
    found = step(matter, act)
    missing = _missing(found, inputs)
    if missing:
        raise FormErrors(missing)
    problem = refusal(matter, act, situation, inputs)
    if problem is not None:
        raise problem
    kept = tuple(c for c in matter.clocks if c.kind not in found.stops)
    changed = EFFECTS[act](matter.edit(clocks=kept), inputs, situation, now)
    if found.target is None:
        return changed
    changed = changed.edit(status=found.target)
    if ClockKind.HANDLING in found.stops and _pending(changed.extension):
        # replied before a leader decided: the request is withdrawn, not left waiting for ever
        changed = changed.edit(extension=replace(changed.extension, state=ExtensionState.WITHDRAWN,
                                                 decided_at=now, decided_by=situation.actor))
    if not found.target.is_open:  # an offer of first-inquiry responsibility ends with the matter
        changed = changed.edit(hand_over=None)
    return changed


def _pending(extension: Extension | None) -> bool:
    return extension is not None and extension.state is ExtensionState.REQUESTED


Effect = Callable[[Matter, Inputs, Situation, dt.datetime], Matter]


def _started(m: Matter, *clocks: Clock) -> Matter:
    return m.edit(clocks=m.clocks + clocks)


def _accept(m: Matter, i: Inputs, s: Situation, now: dt.datetime) -> Matter:
    return _started(m.edit(accepted_at=now), s.rules.clock(ClockKind.HANDLING, now.date(), "handling"))


def _reject(m: Matter, i: Inputs, s: Situation, now: dt.datetime) -> Matter:
    if i.cause == "other" and not i.text.strip():
        raise FormErrors([FieldError("text", "err.life.reason_text")])
    return m.edit(rejection=Rejection(i.cause, i.text.strip()))


def _send(routing: Routing) -> Effect:
    def effect(m: Matter, i: Inputs, s: Situation, now: dt.datetime) -> Matter:
        assert i.due is not None and i.department_id is not None
        if i.due < now.date():
            raise FormErrors([FieldError("due", "err.life.past")])
        sent = Sent(routing, i.department_id, i.department, i.due, now, s.actor)
        days = (i.due - now.date()).days
        return _started(m.edit(sent=sent), Clock(ClockKind.DEPARTMENT, now.date(), days))
    return effect


def _request_extension(m: Matter, i: Inputs, s: Situation, now: dt.datetime) -> Matter:
    assert i.days is not None
    return m.edit(extension=Extension(i.days, i.cause.strip(), s.actor, now))


def _decide_extension(approved: bool) -> Effect:
    def effect(m: Matter, i: Inputs, s: Situation, now: dt.datetime) -> Matter:
        assert m.extension is not None
        state = ExtensionState.APPROVED if approved else ExtensionState.DECLINED
        decided = replace(m.extension, state=state, decided_by=s.actor, decided_at=now, note=i.text.strip())
        m = m.edit(extension=decided)
        if approved:  # counted from the end of the handling limit, in the extension's own unit
            unit = s.rules.settings.extension_max_unit
            m = m.edit(clocks=tuple(Clock(c.kind, s.rules.due(c).day, decided.days, unit)
                                    if c.kind is ClockKind.HANDLING else c for c in m.clocks))
        return m
    return effect


def _answer(stage: Stage, opens: tuple[tuple[ClockKind, str], ...]) -> Effect:
    def effect(m: Matter, i: Inputs, s: Situation, now: dt.datetime) -> Matter:
        assert i.day is not None
        reply = Reply(stage, i.day, i.answer.strip(), i.reference.strip(), i.replier.strip(), s.actor, now)
        m = m.edit(replies=m.replies + (reply,), evaluated=None,
                   not_accepted_again=m.not_accepted_again or stage is Stage.REEXAMINATION)
        return _started(m, *(s.rules.clock(kind, i.day, limit) for kind, limit in opens))
    return effect


def _evaluate(m: Matter, i: Inputs, s: Situation, now: dt.datetime) -> Matter:
    assert i.evaluation is not None
    return m.edit(evaluated=Evaluated(i.evaluation, now.date(), s.actor, i.text.strip()))


def _close(m: Matter, i: Inputs, s: Situation, now: dt.datetime) -> Matter:
    return m.edit(closed_at=now, resolution=i.text.strip() or m.resolution)


def _request(kind: ClockKind, limit: str, field: str) -> Effect:
    def effect(m: Matter, i: Inputs, s: Situation, now: dt.datetime) -> Matter:
        day = i.day or now.date()
        m = m.edit(**{field: Requested(day, s.actor, i.text.strip())}, closed_at=None)
        return _started(m, s.rules.clock(kind, day, limit))
    return effect


def _send_back(m: Matter, i: Inputs, s: Situation, now: dt.datetime) -> Matter:
    """Handling again, on a fresh handling limit: the evaluation it answers stays on the timeline."""
    return _started(m.edit(evaluated=None), s.rules.clock(ClockKind.HANDLING, now.date(), "handling"))


def _hand_over(m: Matter, i: Inputs, s: Situation, now: dt.datetime) -> Matter:
    return m.edit(hand_over=HandOver(i.to, i.cause.strip(), s.actor, now))


def _take_over(m: Matter, i: Inputs, s: Situation, now: dt.datetime) -> Matter:
    return m.edit(first_responder=s.actor, hand_over=None)


def _decline_hand_over(m: Matter, i: Inputs, s: Situation, now: dt.datetime) -> Matter:
    return m.edit(hand_over=None)


EFFECTS: dict[Act, Effect] = {
    Act.ACCEPT: _accept,
    Act.REJECT: _reject,
    Act.ASSIGN: _send(Routing.ASSIGN),
    Act.TRANSFER: _send(Routing.TRANSFER),
    Act.REQUEST_EXTENSION: _request_extension,
    Act.APPROVE_EXTENSION: _decide_extension(True),
    Act.DECLINE_EXTENSION: _decide_extension(False),
    Act.REPLY: _answer(Stage.REPLY, ((ClockKind.EVALUATION, "evaluation"),
                                     (ClockKind.REVIEW_REQUEST, "review_request"))),
    Act.ANSWER_REVIEW: _answer(Stage.REVIEW, ((ClockKind.EVALUATION, "evaluation"),
                                              (ClockKind.REEXAMINATION_REQUEST, "reexamination_request"))),
    Act.ANSWER_REEXAMINATION: _answer(Stage.REEXAMINATION, ((ClockKind.EVALUATION, "evaluation"),)),
    Act.EVALUATE: _evaluate,
    Act.CLOSE: _close,
    Act.REQUEST_REVIEW: _request(ClockKind.REVIEW_ANSWER, "review_answer", "review"),
    Act.REQUEST_REEXAMINATION: _request(ClockKind.REEXAMINATION_ANSWER, "reexamination_answer", "reexamination"),
    Act.SEND_BACK: _send_back,
    Act.HAND_OVER: _hand_over,
    Act.TAKE_OVER: _take_over,
    Act.DECLINE_HAND_OVER: _decline_hand_over,
}
