"""Printing a matter's documents from a screen: the receipt, the referral slip, and the
notices to come. The files are written and handed over in a worker (a printer or a
viewer may take seconds); the clerk is told, for each document, only what was done and
where the file is."""

from __future__ import annotations

from collections.abc import Callable

from textual import work

from desk.documents import RECEIPT, SLIP, How, Printed, told
from desk.errors import DeskError
from desk.models import Operator
from desk.permissions import Action
from desk.store import StoreError
from screens.base import DeskMixin

ALL = "all"  # what the visitor takes away: the receipt, and the slip when referred
NOTICE_SECONDS = 15  # a path to read and perhaps copy


class IssuesDocuments(DeskMixin):
    """For a screen that shows one matter: `issue(what, how)` from its key bindings, what
    being `all`, `receipt` or `referral_slip`. The screen says which matter and which
    referral (`document_matter`, `slip_referral`)."""

    def document_matter(self) -> int:
        raise NotImplementedError

    def slip_referral(self) -> int | None:
        """The referral whose slip is printed, if there is one."""
        return None

    def kinds(self, what: str) -> list[str]:
        slip = [SLIP] if self.slip_referral() is not None else []
        return {ALL: [RECEIPT, *slip], RECEIPT: [RECEIPT], SLIP: slip}.get(what, [])

    def may_print(self, what: str) -> bool:
        return self.desk.may(self.app.operator, Action.PRINT) and bool(self.kinds(what))

    def action_issue(self, what: str, how: str) -> None:
        self.write_documents(self.kinds(what), How(how), self.operator, self.document_matter(), self.slip_referral())

    @work(thread=True, group="documents")
    def write_documents(self, kinds: list[str], how: How, operator: Operator, matter_id: int,
                        referral_id: int | None) -> None:
        """One after the other, each told on its own: a broken slip template does not
        stop the receipt."""
        documents = self.desk.documents
        for kind in kinds:
            try:
                if kind == SLIP and referral_id is not None:
                    printed = documents.print_slip(referral_id, operator, how)
                else:
                    printed = documents.print_receipt(matter_id, operator, how)
            except (DeskError, StoreError) as exc:
                self.app.call_from_thread(self._document_failed, self.explain(exc))
                continue
            self.app.call_from_thread(self.document_written, printed)

    def issue_notice(self, event_id: int, how: How) -> None:
        """The notice an act produced (受理告知书 …), printed, opened or only written."""
        self.write_notice(event_id, how, self.operator)

    @work(thread=True, group="documents")
    def write_notice(self, event_id: int, how: How, operator: Operator) -> None:
        try:
            printed = self.desk.documents.print_notice(event_id, operator, how)
        except (DeskError, StoreError) as exc:
            self.app.call_from_thread(self._document_failed, self.explain(exc))
            return
        self.app.call_from_thread(self.document_written, printed)

    @work(thread=True, group="documents")
    def write_minutes(self, meeting_id: int, how: How, operator: Operator) -> None:
        """A meeting's record (会议记录)."""
        self._write_one(lambda: self.desk.documents.print_minutes(meeting_id, operator, how))

    @work(thread=True, group="documents")
    def write_supervision(self, supervision_id: int, how: How, operator: Operator) -> None:
        """A written supervision notice (督办单), with the number it was given."""
        self._write_one(lambda: self.desk.documents.print_supervision(supervision_id, operator, how))

    def _write_one(self, write: Callable[[], Printed]) -> None:
        try:
            printed = write()
        except (DeskError, StoreError) as exc:
            self.app.call_from_thread(self._document_failed, self.explain(exc))
            return
        self.app.call_from_thread(self.document_written, printed)

    def _document_failed(self, message: str) -> None:
        self.app.notify(message, severity="error", timeout=NOTICE_SECONDS, markup=False)

    def document_written(self, printed: Printed) -> None:
        severity = "information" if printed.delivery.done else "warning"
        self.app.notify(told(self.app.catalog, printed), severity=severity, timeout=NOTICE_SECONDS, markup=False)
