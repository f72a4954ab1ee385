"""What a document says, built from the records: one dict per kind, the names a template
uses (`{{ number }}`, `{{ ticket }}`). Codes come with their labels in the document's
language; a person's ID number only masked (a receipt is carried about and left lying)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from desk.i18n import Catalog
from desk.idcard import mask
from desk.lifecycle.records import Department
from desk.meetings.records import Meeting, Supervision
from desk.models import Event, Matter, Visit, Visitor
from desk.referral.records import Referral, Station

RECEIPT, SLIP = "receipt", "referral_slip"
# The notices a matter's acts produce (the table's `document`), each numbered per year.
ACCEPTANCE, NON_ACCEPTANCE, ASSIGNMENT, TRANSFER, EXTENSION = (
    "acceptance", "non_acceptance", "assignment", "transfer", "extension")
NOTICES = (ACCEPTANCE, NON_ACCEPTANCE, ASSIGNMENT, TRANSFER, EXTENSION)
MINUTES, SUPERVISION = "meeting_minutes", "supervision"
KINDS = (RECEIPT, SLIP, *NOTICES, MINUTES, SUPERVISION)
DAILY_REPORT = "daily_report"  # the day close-out's 日报: the hall's, not a matter's


def template_name(kind: str) -> str:
    return f"{kind}.docx"


def _time(at: dt.datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M}" if at else ""


def _common(t: Catalog, matter: Matter, visitor: Visitor | None, now: dt.datetime, by: str) -> dict[str, Any]:
    return {
        "number": matter.number,
        "query_code": matter.query_code,
        "visitor": visitor.name if visitor else "",
        "id_number": mask(visitor.id_number) if visitor else "",
        "first_responder": matter.first_responder,
        "category": t.label("category", matter.category),
        "printed_at": _time(now),
        "printed_by": by,
    }


def _where(t: Catalog, referral: Referral | None, station: Station | None, nobody_on_duty: bool) -> dict[str, Any]:
    if referral is None or station is None:
        return {"ticket": "", "station": "", "window": "", "bring": "", "nobody_on_duty": ""}
    return {
        "ticket": referral.ticket,
        "station": station.name,
        "window": station.window,
        "bring": station.bring,
        "nobody_on_duty": t("receipt.nobody_on_duty") if nobody_on_duty else "",
    }


def receipt_context(t: Catalog, matter: Matter, visitor: Visitor | None, visit: Visit | None,
                    referral: Referral | None, station: Station | None, nobody_on_duty: bool,
                    now: dt.datetime, by: str) -> dict[str, Any]:
    """The receipt (受理回执): the matter, and where to go when the visitor was referred."""
    return {
        **_common(t, matter, visitor, now, by),
        "registered": _time(visit.at if visit else matter.registered_at),
        "persons": visit.persons if visit else 1,
        "track": t(f"track.{matter.track.value}"),
        "status": t(f"status.{matter.status.value}"),
        # a re-examined matter's receipt must not promise a deadline: it is not taken up again
        "acceptance_due": t("life.not_accepted_again") if matter.not_accepted_again else matter.acceptance_due.isoformat(),
        "summary": matter.summary,
        **_where(t, referral, station, nobody_on_duty),
    }


def slip_context(t: Catalog, matter: Matter, visitor: Visitor | None, referral: Referral, station: Station,
                 nobody_on_duty: bool, now: dt.datetime, by: str) -> dict[str, Any]:
    """The referral slip (分流单): ticket, station and window, case number, what to bring,
    the first responder."""
    return {
        **_common(t, matter, visitor, now, by),
        **_where(t, referral, station, nobody_on_duty),
        "referred_at": _time(referral.referred_at),
        "referred_by": referral.referred_by,
        "reason": referral.reason,
        "legal_route": t(f"legal_route.{referral.legal_route.value}") if referral.legal_route.value != "none" else "",
        "priority": "、".join(t(f"priority.{p.value}") for p in referral.priority),
    }


def _day(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def notice_context(t: Catalog, kind: str, matter: Matter, visitor: Visitor | None, event: Event,
                   handling_due: dt.date | None, department: Department | None, now: dt.datetime,
                   by: str) -> dict[str, Any]:
    """A notice (受理告知书, 不予受理告知书, 交办单, 转送单, 延期告知书) as it stood when its act
    was done: the act's own event says what was decided, the matter says about what."""
    given = event.data.get("inputs", {})
    reason = given.get("cause", "")
    ext = matter.extension  # one per matter: what it is now is what was approved
    return {
        **_common(t, matter, visitor, now, by),
        "document_number": event.data.get("document_number", ""),
        "kind": t(f"document.{kind}"),
        "decided": _day(event.at.date()),
        "decided_by": event.operator,
        "registered": _day(matter.registered_at.date()),
        "summary": matter.summary,
        "demands": matter.demands,
        "phone": visitor.phone if visitor else "",
        "handling_due": _day(handling_due),
        "reason": t.label("reject_reason", reason) if kind == NON_ACCEPTANCE else reason,
        "reason_text": given.get("text", ""),
        "department": given.get("department", ""),
        "contact": department.contact if department else "",
        "contact_phone": department.phone if department else "",
        "department_due": _day(dt.date.fromisoformat(given["due"])) if given.get("due") else "",
        "extension_days": ext.days if ext else "",
        "extension_reason": ext.reason if ext else "",
        "approved_by": ext.decided_by if ext else "",
    }


def minutes_context(t: Catalog, matter: Matter, visitor: Visitor | None, meeting: Meeting, now: dt.datetime,
                    by: str) -> dict[str, Any]:
    """A meeting's record (会议记录): when, where, who, what was found and agreed."""
    return {
        **_common(t, matter, visitor, now, by),
        "meeting_kind": t(f"meeting_kind.{meeting.kind.value}"),
        "when": f"{_day(meeting.day)} {meeting.time}",
        "place": meeting.place,
        "participants": "、".join(f"{p.name}（{p.unit}）" if p.unit else p.name for p in meeting.participants),
        "state": t(f"meeting_state.{meeting.state.value}"),
        "facts": meeting.facts,
        "approach": meeting.approach,
        "visitor_said": meeting.visitor_said,
        "recorded_by": meeting.recorded_by,
        "owner_leader": matter.owner_leader,
        "summary": matter.summary,
    }


def supervision_context(t: Catalog, matter: Matter, visitor: Visitor | None, entry: Supervision,
                        department: str, now: dt.datetime, by: str) -> dict[str, Any]:
    """The written supervision notice (督办单) to the responsible department."""
    return {
        **_common(t, matter, visitor, now, by),
        "document_number": entry.document_number,
        "department": department,
        "to": entry.to,
        "demand": entry.demand,
        "due": _day(entry.due),
        "department_due": _day(entry.due),
        "phone": visitor.phone if visitor else "",
        "contact": "",
        "contact_phone": "",
        "decided": _day(entry.day),
        "decided_by": entry.by,
        "registered": _day(matter.registered_at.date()),
        "summary": matter.summary,
        "demands": matter.demands,
        "owner_leader": matter.owner_leader,
    }


def daily_report_context(t: Catalog, record: Any, changes: list[Any], now: dt.datetime, by: str) -> dict[str, Any]:
    """The 日报 of a day close-out: the signed numbers grouped and labelled, who closed the
    day and when, the audit head code and the seal, and the changes since as at printing."""
    from desk.tally import formats  # the tally labels its own numbers

    rows = []
    for group, found in formats.grouped(t, record.numbers):
        rows.append({"label": group, "value": "", "heading": True})
        rows += [{"label": label, "value": value, "heading": False} for label, value in found]
    changes_text = formats.change_lines(t, changes) or [t("closeout.since_none")]
    return {
        "day": _day(record.day), "rows": rows, "closed_by": record.closed_by, "closed_at": _time(record.closed_at),
        "audit_head": record.audit_head, "seal": record.seal, "changes": changes_text,
        "printed_at": _time(now), "printed_by": by,
    }
