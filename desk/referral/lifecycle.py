"""A referral's life as one table: state x move -> state, who may, what it needs.

Services consult it to refuse, screens to offer the moves a ticket allows. Every move
closes the period of the state it leaves and opens one for the state it enters, so the
time a visitor waited and was served is exact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from desk.errors import DeskError, FieldError, FormErrors
from desk.permissions import Action
from desk.referral.records import LegalRoute, Outcome, Period, Referral, State


class Move(StrEnum):
    CALL = "call"
    RECALL = "recall"  # call again
    SERVE = "serve"
    HOLD = "hold"  # e.g. while the visitor fetches a document
    RESUME = "resume"
    NO_SHOW = "no_show"  # called, but left without service
    FINISH = "finish"  # with an outcome
    WITHDRAW = "withdraw"  # the visitor left before the call


@dataclass(frozen=True)
class Transition:
    move: Move
    source: State
    target: State
    permission: Action
    at_station: bool  # only an officer on duty at the ticket's station today
    needs: tuple[str, ...] = ()  # what must be given (the outcome adds its own, OUTCOME_NEEDS)
    counts_call: bool = False


W, C, S, H, L, D = State.WAITING, State.CALLED, State.SERVING, State.ON_HOLD, State.LEFT, State.DONE
_T = Transition
TABLE: dict[tuple[State, Move], Transition] = {
    (t.source, t.move): t
    for t in (
        _T(Move.CALL, W, C, Action.SERVE, True, counts_call=True),
        _T(Move.RECALL, C, C, Action.SERVE, True, counts_call=True),
        _T(Move.SERVE, C, S, Action.SERVE, True),
        _T(Move.NO_SHOW, C, L, Action.SERVE, True),
        _T(Move.HOLD, S, H, Action.SERVE, True),
        _T(Move.RESUME, H, S, Action.SERVE, True),
        _T(Move.NO_SHOW, H, L, Action.SERVE, True),
        _T(Move.FINISH, S, D, Action.SERVE, True, needs=("outcome",)),
        _T(Move.WITHDRAW, W, L, Action.REFER, False),
    )
}

# What each outcome needs besides itself; the note is always optional.
OUTCOME_NEEDS: dict[Outcome, tuple[str, ...]] = {
    Outcome.ANSWERED: (),
    Outcome.MEDIATION_AGREED: ("agreement",),
    Outcome.MEDIATION_FAILED: (),
    Outcome.LEGAL_ROUTE: ("legal_route",),
    Outcome.LEGAL_AID_ACCEPTED: (),
    Outcome.TRANSFERRED: ("to_station",),
    Outcome.HANDED_BACK: ("reason",),
}


def moves_from(state: State) -> list[Move]:
    """The moves a ticket in `state` allows, in the table's order (for a screen's actions)."""
    return [t.move for (source, _), t in TABLE.items() if source is state]


def transition(ref: Referral, move: Move) -> Transition:
    found = TABLE.get((ref.state, move))
    if found is None:
        raise DeskError("err.referral.move", ticket=ref.ticket, move=move.value, state=ref.state.value)
    return found


@dataclass(frozen=True)
class Finish:
    """What a station records when it finishes: the outcome and what that outcome needs."""

    outcome: Outcome
    note: str = ""
    agreement: str = ""
    legal_route: LegalRoute = LegalRoute.NONE
    route_reference: str = ""
    to_station: int | None = None
    reason: str = ""

    def missing(self) -> list[FieldError]:
        given = {
            "agreement": bool(self.agreement.strip()),
            "legal_route": self.legal_route is not LegalRoute.NONE,
            "to_station": self.to_station is not None,
            "reason": bool(self.reason.strip()),
        }
        return [FieldError(n, "err.referral.needs", {"outcome": self.outcome.value})
                for n in OUTCOME_NEEDS[self.outcome] if not given[n]]


def apply(ref: Referral, move: Move, by: str, now: dt.datetime, finish: Finish | None = None) -> Referral:
    """The referral after `move`, or DeskError naming why the table does not allow it."""
    step = transition(ref, move)
    if step.needs and finish is None:
        raise FormErrors([FieldError("outcome", "err.required")])
    if finish is not None:
        missing = finish.missing()
        if missing:
            raise FormErrors(missing)
    periods = _closed(ref.periods, now) + (Period(step.target, now, None, by),)
    changed = ref.edit(state=step.target, periods=periods, calls=ref.calls + step.counts_call,
                       unseen=step.target in (State.DONE, State.LEFT))  # news for the first responder
    if step.permission is Action.SERVE:
        changed = changed.edit(officer=by)
    if finish is not None:
        changed = changed.edit(outcome=finish.outcome, note=finish.note.strip(), agreement=finish.agreement.strip(),
                               legal_route=finish.legal_route if finish.outcome is Outcome.LEGAL_ROUTE else ref.legal_route,
                               route_reference=finish.route_reference.strip(),
                               handed_back_reason=finish.reason.strip())
    return changed


def _closed(periods: tuple[Period, ...], now: dt.datetime) -> tuple[Period, ...]:
    if not periods or periods[-1].end is not None:
        return periods
    return periods[:-1] + (replace(periods[-1], end=now),)
