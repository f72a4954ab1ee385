"""The receipt (回执) the visitor takes away: case number, query code, first responder,
acceptance deadline. A simple matter can be closed here, on the spot. `p` prints the
receipt and, when the visitor was referred, the slip (分流单) with it; `P` the slip
alone; `o` opens them in the default program instead (to print from WPS or Word)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widgets import Footer, Header, Static

from desk.deadlines import nearest, warning
from desk.intake import Receipt
from desk.models import Matter
from screens.base import ClosesOnSpot, DeskScreen, Refers, own_key, plain
from screens.documents import IssuesDocuments
from screens.widgets import deadline_text


class ReceiptScreen(Refers, IssuesDocuments, ClosesOnSpot, DeskScreen):
    BINDINGS = [
        Binding("enter", "done", "key.done", id="done"),
        Binding("escape", "done", "key.done", id="done_escape", show=False),
        Binding("c", "close_on_spot", "key.close_on_spot", id="close_on_spot"),
        Binding("d", "detail", "key.detail", id="detail"),
        Binding("f", "refer", "key.refer", id="refer"),
        # One key for what the visitor takes away; the rest stay out of the Footer (80 columns).
        Binding("p", "issue('all', 'print')", "key.print", id="print"),
        Binding("P", "issue('referral_slip', 'print')", "key.print_slip", id="print_slip", show=False),
        Binding("o", "issue('all', 'open')", "key.open_documents", id="open_documents", show=False),
        own_key("f3", "register"),  # still working, not in the Footer: room at 80 columns
        own_key("f4", "matters"),
    ]

    def __init__(self, receipt: Receipt) -> None:
        super().__init__()
        self.receipt = receipt
        self.matter: Matter = receipt.matter

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(), Vertical(id="receipt", classes="dialog"):
            yield Static(self.t("receipt.repeat_title" if self.receipt.repeat else "receipt.title"), classes="question")
            yield Static(self._table(), id="receipt-body")
            yield Static("", id="receipt-closed", classes="hint")
        yield Footer(compact=True)

    def _table(self) -> Table:
        t, m = self.app.catalog, self.matter
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        rows = [
            ("receipt.number", Text(m.number, style="bold")),
            ("receipt.query_code", Text(m.query_code, style="bold")),
            ("receipt.visitor", plain(self.receipt.visitor.name)),
            ("receipt.first_responder", plain(m.first_responder)),
            *self._times(),
            ("receipt.track", Text(t(f"track.{m.track.value}"))),
            ("receipt.due", self._due()),
            ("receipt.status", Text(t(f"status.{m.status.value}"))),
        ]
        referred = self.receipt.referred
        if referred is not None:  # 分流: the ticket and where to go
            station = referred.station
            rows.append(("receipt.ticket", Text(referred.referral.ticket, style="bold")))
            rows.append(("receipt.station", plain(f"{station.window} {station.name}")))
            if station.bring:
                rows.append(("receipt.bring", plain(station.bring)))
            if referred.nobody_on_duty:
                rows.append(("receipt.nobody", Text(t("receipt.nobody_on_duty"), style="bold")))
        for key, value in rows:
            table.add_row(t(key), value)
        return table

    def _times(self) -> list[tuple[str, Text]]:
        """A first visit is the registration; a repeat visit is told apart from it, which
        may be months earlier (and is what the deadline counts from)."""
        visited = Text(f"{self.receipt.visit.at:%Y-%m-%d %H:%M}")
        if not self.receipt.repeat:
            return [("receipt.registered", visited)]
        return [("receipt.visited", visited),
                ("receipt.registered_first", Text(f"{self.matter.registered_at:%Y-%m-%d %H:%M}"))]

    def _due(self) -> Text:
        """The nearest deadline running now, with its colour (a repeat visit's matter may be
        long past acceptance); a re-examined matter says it is not taken up again."""
        t = self.app.catalog
        if self.matter.not_accepted_again:
            return Text(f" {t('life.not_accepted_again')} ", style="bold reverse red")
        today, rules = self.desk.clock.today(), self.desk.rules()
        return deadline_text(t, nearest(self.matter, today, rules), warning(self.matter, today, rules))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_on_spot":
            return self.can_close_on_spot(self.matter)
        if action == "refer":
            return self.can_refer(self.matter)
        if action == "issue":
            return self.may_print(str(parameters[0]))
        return True

    def document_matter(self) -> int:
        return self.matter.id

    def slip_referral(self) -> int | None:
        return self.receipt.referred.referral.id if self.receipt.referred is not None else None

    def action_done(self) -> None:
        self.app.finish_receipt()

    def action_detail(self) -> None:
        from screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(self.matter.id))

    def action_close_on_spot(self) -> None:
        self.ask_close_on_spot(self.matter)

    def action_refer(self) -> None:
        self.ask_refer(self.matter)

    def closed_on_spot(self, matter: Matter) -> None:
        self.matter = matter
        self.query_one("#receipt-body", Static).update(self._table())
        self.query_one("#receipt-closed", Static).update(self.t("close.done", number=matter.number))
        self.refresh_bindings()
