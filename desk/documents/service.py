"""Documents' use cases over the shared `Context`: print (or open, or only write) a
matter's receipt and a referral's slip. Each method: check permission, read the records,
write the .docx, hand it to the opener, then one transaction for the timeline's event,
then the audit entry. Notices in later issues come through `issue` the same way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desk.codec import decode
from desk.context import Context
from desk.documents.content import (
    DAILY_REPORT,
    MINUTES,
    RECEIPT,
    SLIP,
    SUPERVISION,
    daily_report_context,
    minutes_context,
    notice_context,
    receipt_context,
    slip_context,
    supervision_context,
    template_name,
)
from desk.documents.deliver import Delivery, How, Opener, SystemOpener
from desk.documents.render import document_stem, write_document
from desk.errors import DeskError
from desk.i18n import DEFAULT_LANGUAGE, Catalog, catalog
from desk.intake import add_event
from desk.lifecycle.records import Clock, ClockKind, Department
from desk.meetings.records import Meeting, Supervision
from desk.models import Event, Matter, Operator, Visit, Visitor
from desk.permissions import Action, require
from desk.referral import queue as queues
from desk.referral.referring import get_referral
from desk.referral.stations import get_station, on_duty

EVENT = "document"  # the kind of a document's entry on the matter's timeline


@dataclass(frozen=True)
class Printed:
    """A document written, what became of it, and its entry on the timeline."""

    kind: str  # receipt, referral_slip
    path: Path
    delivery: Delivery
    event: Event


@dataclass(frozen=True)
class Written:
    """A document of the hall (not of a matter) written, and what became of it."""

    kind: str
    path: Path
    delivery: Delivery


class Documents:
    def __init__(self, ctx: Context, language: str = DEFAULT_LANGUAGE) -> None:
        self.ctx = ctx
        self.catalog: Catalog = catalog(language)  # the hall's language: documents are handed to visitors

    @property
    def opener(self) -> Opener:
        return self.ctx.opener or SystemOpener()

    def _folder(self) -> Path:
        if self.ctx.folder is None:
            raise DeskError("err.document.no_folder")
        return self.ctx.folder

    def _matter(self, matter_id: int) -> Matter:
        doc = self.ctx.store.get("matters", matter_id)
        if doc is None:
            raise DeskError("err.matter.missing", id=matter_id)
        return Matter.from_doc(doc)

    def _visitor(self, matter: Matter) -> Visitor | None:
        doc = self.ctx.store.get("visitors", matter.visitor_id)
        return Visitor.from_doc(doc) if doc else None

    def _nobody_on_duty(self, ref, station) -> bool:
        today = self.ctx.clock.today()
        return ref.day == today and not on_duty(self.ctx.store, today, station.id)

    def print_receipt(self, matter_id: int, operator: Operator, how: How = How.PRINT) -> Printed:
        """The receipt, with where to go when the matter has an open referral."""
        require(operator, Action.PRINT)
        matter = self._matter(matter_id)
        visits = [Visit.from_doc(d) for d in self.ctx.store.find("visits", "matter_id", matter.id)]
        visit = max(visits, key=lambda v: (v.at, v.id)) if visits else None
        ref = next((r for r in reversed(queues.of_matter(self.ctx.store, matter.id)) if r.open), None)
        station = get_station(self.ctx.store, ref.station_id) if ref else None
        context = receipt_context(self.catalog, matter, self._visitor(matter), visit, ref, station,
                                  bool(ref and self._nobody_on_duty(ref, station)), self.ctx.clock.now(),
                                  operator.name)
        return self.issue(RECEIPT, matter, context, operator, how)

    def print_slip(self, referral_id: int, operator: Operator, how: How = How.PRINT) -> Printed:
        """The referral slip: ticket, station and window, case number, what to bring."""
        require(operator, Action.PRINT)
        ref = get_referral(self.ctx.store, referral_id)
        matter = self._matter(ref.matter_id)
        station = get_station(self.ctx.store, ref.station_id)
        context = slip_context(self.catalog, matter, self._visitor(matter), ref, station,
                               self._nobody_on_duty(ref, station), self.ctx.clock.now(), operator.name)
        return self.issue(SLIP, matter, context, operator, how, ticket=ref.ticket, referral=ref.id)

    def print_notice(self, event_id: int, operator: Operator, how: How = How.PRINT) -> Printed:
        """The notice an act produced (its event names the kind and the number), as it stood
        when the act was done; printed again, it carries the same number."""
        require(operator, Action.PRINT)
        doc = self.ctx.store.get("events", event_id)
        data = doc.get("data", {}) if doc else {}
        if doc is None or doc["kind"] == EVENT or "inputs" not in data or not data.get("document_number"):
            # only the act that issued it: a print of it, or a supervision entry, says too little
            raise DeskError("err.document.no_notice", id=event_id)
        event = Event.from_doc(doc)
        kind = event.data["document"]
        matter = self._matter(event.matter_id)
        department_id = event.data.get("inputs", {}).get("department_id")
        department = self._department(department_id)
        context = notice_context(self.catalog, kind, matter, self._visitor(matter), event,
                                 self._handling_due(event), department, self.ctx.clock.now(), operator.name)
        return self.issue(kind, matter, context, operator, how, notice=event.id,
                          document_number=event.data["document_number"])

    def print_minutes(self, meeting_id: int, operator: Operator, how: How = How.PRINT) -> Printed:
        """A meeting's record (会议记录), planned or held, as it stands."""
        require(operator, Action.PRINT)
        doc = self.ctx.store.get("meetings", meeting_id)
        if doc is None:
            raise DeskError("err.meeting.missing", id=meeting_id)
        meeting = Meeting.from_doc(doc)
        matter = self._matter(meeting.matter_id)
        context = minutes_context(self.catalog, matter, self._visitor(matter), meeting, self.ctx.clock.now(),
                                  operator.name)
        return self.issue(MINUTES, matter, context, operator, how, meeting=meeting.id)

    def print_supervision(self, supervision_id: int, operator: Operator, how: How = How.PRINT) -> Printed:
        """The written supervision notice (督办单), with the number it was given."""
        require(operator, Action.PRINT)
        doc = self.ctx.store.get("supervisions", supervision_id)
        if doc is None or not doc.get("document_number"):
            raise DeskError("err.document.no_notice", id=supervision_id)
        entry = Supervision.from_doc(doc)
        matter = self._matter(entry.matter_id)
        department = self._department(entry.department_id)
        context = supervision_context(self.catalog, matter, self._visitor(matter), entry,
                                      department.name if department else "", self.ctx.clock.now(), operator.name)
        return self.issue(SUPERVISION, matter, context, operator, how, supervision=entry.id,
                          document_number=entry.document_number)

    def print_daily_report(self, record: Any, changes: list[Any], operator: Operator,
                           how: How = How.PRINT) -> Written:
        """The 日报 of a day close-out (the tally service checks who may and passes the
        record and its changes since). The hall's document, on no matter's timeline: the
        audit entry is its only trace."""
        now = self.ctx.clock.now()
        context = daily_report_context(self.catalog, record, changes, now, operator.name)
        stem = document_stem(record.day.isoformat(), DAILY_REPORT, now)
        path = write_document(self._folder(), template_name(DAILY_REPORT), context, stem)
        delivery = self._deliver(path, how)
        self.ctx.log(operator, "document", record.day.isoformat(), document=DAILY_REPORT, file=path.name,
                     how=how.value, delivered=delivery.done, seal=record.seal, changes=len(changes))
        return Written(DAILY_REPORT, path, delivery)

    def _department(self, department_id: int | None) -> Department | None:
        doc = self.ctx.store.get("departments", department_id) if department_id is not None else None
        return Department.from_doc(doc) if doc else None

    def _handling_due(self, event: Event) -> dt.date | None:
        """The handling deadline as the act left it (an extension notice tells the new one):
        as it was counted then, so a reprint under the same number says the same day."""
        running = event.data.get("running_due", {})
        if "handling" in running:
            return dt.date.fromisoformat(running["handling"])
        rules = self.ctx.rules()
        for raw in event.data.get("clocks", ()):
            clock = decode(Clock, raw)
            if clock.kind is ClockKind.HANDLING:
                return rules.due(clock).day
        return None

    def issue(self, kind: str, matter: Matter, context: dict[str, Any], operator: Operator, how: How,
              **detail: Any) -> Printed:
        """Write `kind`'s template filled with `context`, hand it over as `how` says, and
        put it on the matter's timeline. The file is written before anything is recorded:
        a template that fails leaves neither a file nor an entry."""
        now = self.ctx.clock.now()
        path = write_document(self._folder(), template_name(kind), context, document_stem(matter.number, kind, now))
        delivery = self._deliver(path, how)
        with self.ctx.store.transaction() as txn:
            event = add_event(txn, matter, EVENT, operator.name, now, note=path.name, document=kind,
                              file=path.name, how=how.value, delivered=delivery.done, via=delivery.via, **detail)
        self.ctx.log(operator, "document", matter.number, matter=matter.id, document=kind, file=path.name,
                     how=how.value, delivered=delivery.done, **detail)
        return Printed(kind, path, delivery, event)

    def _deliver(self, path: Path, how: How) -> Delivery:
        if how is How.OPEN:
            return self.opener.open(path)
        if how is How.PRINT:
            return self.opener.print(path)
        return Delivery(How.FILE, True)


def told(t: Catalog, printed: Printed | Written) -> str:
    """What the clerk is told: only what was done, and always where the file is."""
    d, path, what = printed.delivery, str(printed.path), t(f"document.{printed.kind}")
    if not d.done:
        reason = t(d.problem, program=d.via, detail=d.detail)
        return t(f"doc.not_{d.how.value}", what=what, reason=reason, path=path)
    return t(f"doc.{d.how.value}", what=what, via=d.via, path=path)
