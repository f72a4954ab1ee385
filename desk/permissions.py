"""Who may do what: one table decides every action, and the services enforce it.

A button hidden on a screen is not a permission; `require` is.
"""

from __future__ import annotations

from enum import StrEnum

from desk.errors import DeskError
from desk.models import Operator, Role


class Action(StrEnum):
    REGISTER = "register"  # one-stop registration, repeat visits
    VIEW_FULL = "view_full"  # a full ID number or phone, in a detail view
    REFER = "refer"  # send a visitor to an on-site station
    SERVE = "serve"  # call, serve and finish at a station (only where on duty today)
    VIEW_QUEUES = "view_queues"  # every station's queue, whoever is on duty
    MANAGE_STATIONS = "manage_stations"  # stations and the duty roster
    ACCEPT = "accept"  # accept or not accept a matter, assign or transfer it to a department
    REPLY = "reply"  # record the written reply, or the answer to a review or re-examination
    EXTEND = "extend"  # ask for an extension of handling
    APPROVE = "approve"  # approve or decline an extension (a leader)
    FOLLOW_UP = "follow_up"  # record the visitor's evaluation
    REVIEW = "review"  # record a review or re-examination the visitor asked for
    HAND_OVER = "hand_over"  # offer first-inquiry responsibility to another operator
    MEET = "meet"  # plan and record the three meetings of a complex matter
    SUPERVISE = "supervise"  # 1+X supervision, deadlines
    CLOSE = "close"  # close a matter (on the spot, or after follow-up)
    REPORT = "report"  # the tally and period reports
    CLOSE_DAY = "close_day"  # close out a day (日结): freeze and sign its tally
    EXPORT = "export"
    IMPORT = "import"
    MANAGE_OPERATORS = "manage_operators"
    MANAGE_SETTINGS = "manage_settings"
    BACKUP = "backup"  # back up and restore
    AUDIT = "audit"  # browse the audit trail
    PRINT = "print"  # write, open and print a matter's documents (receipt, slip, notices)


_A = Action
PERMISSIONS: dict[Role, frozenset[Action]] = {
    # The first responder registers, refers and settles simple matters the same day;
    # they see identity in full because they check it against the card.
    # As first responder they carry the matter through its life: accept, send, reply,
    # follow up; only a leader approves an extension.
    Role.RECEPTIONIST: frozenset({_A.REGISTER, _A.VIEW_FULL, _A.REFER, _A.CLOSE, _A.PRINT, _A.ACCEPT, _A.REPLY,
                                  _A.EXTEND, _A.FOLLOW_UP, _A.REVIEW, _A.HAND_OVER, _A.MEET}),
    # Judge, prosecutor, police, legal aide: work the queue and record outcomes.
    # They call and finish only at a station they are on duty at today (the roster decides).
    Role.STATION: frozenset({_A.VIEW_FULL, _A.REFER, _A.REPLY, _A.SERVE, _A.PRINT}),
    # Leaders receive visitors on their days (calling them like a station, where the roster
    # names them), own hard matters and sign supervision.
    # A leader may sign the day's close-out where no supervisor is on duty.
    Role.LEADER: frozenset({_A.REGISTER, _A.VIEW_FULL, _A.REFER, _A.ACCEPT, _A.REPLY, _A.SUPERVISE,
                            _A.CLOSE, _A.REPORT, _A.CLOSE_DAY, _A.VIEW_QUEUES, _A.PRINT, _A.EXTEND, _A.APPROVE,
                            _A.FOLLOW_UP, _A.REVIEW, _A.HAND_OVER, _A.MEET, _A.SERVE}),
    # Supervisors chase deadlines and read figures: no personal data in full.
    # They may move a matter to another first responder (someone left), never work it.
    # They sign the day's close-out (日结): the figures they review are theirs to freeze.
    # They move a hall's old ledger in (import), as they hand its records out (export).
    Role.SUPERVISOR: frozenset({_A.SUPERVISE, _A.REPORT, _A.CLOSE_DAY, _A.EXPORT, _A.IMPORT, _A.AUDIT,
                                _A.VIEW_QUEUES, _A.PRINT, _A.HAND_OVER}),
    # Administrators keep the system running: no casework, no personal data in full.
    # The tally: the command line (an administrator) prints it; the screen's lists of what a
    # number counts name visitors, as the matters list does for every operator.
    # Not CLOSE_DAY: signing the day's figures is a supervisor's word on casework, and the
    # command line acts as an administrator nobody in particular.
    Role.ADMIN: frozenset({_A.EXPORT, _A.IMPORT, _A.MANAGE_OPERATORS, _A.MANAGE_SETTINGS, _A.BACKUP,
                           _A.AUDIT, _A.MANAGE_STATIONS, _A.REPORT}),
}


def allowed(operator: Operator | None, action: Action) -> bool:
    return operator is not None and operator.active and action in PERMISSIONS[operator.role]


def require(operator: Operator | None, action: Action) -> None:
    if not allowed(operator, action):
        role = operator.role.value if operator else ""
        raise DeskError("err.permission", action=action.value, role=role)
