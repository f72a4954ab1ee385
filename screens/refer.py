"""Referring an open matter to a station from its detail view or its receipt: the station
(with how many wait there), the reason, the legal route, and priority seen at the counter
(age, a group and a threat statement are read from the records). Returns a
`ReferralForm`, or None when cancelled; the service checks it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Label, Select, Static

from desk.referral import LegalRoute, Priority, ReferralForm
from screens.base import DeskModal, plain, show_message
from screens.widgets import DeskSelect

ASKED = (Priority.DISABLED, Priority.PREGNANT)  # the rest are read from the records


class ReferModal(DeskModal[ReferralForm | None]):
    BINDINGS = [
        Binding("ctrl+s", "done", "key.confirm", id="confirm", priority=True),
        Binding("escape", "cancel", "key.cancel", id="cancel"),
    ]

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number

    def compose(self) -> ComposeResult:
        t = self.app.catalog
        waiting = self.desk.referrals.waiting_counts()
        choices = [(t("register.station_choice", name=s.name, window=s.window, count=waiting.get(s.id, 0)), str(s.id))
                   for s in self.desk.referrals.stations() if s.active]
        with Vertical(classes="dialog wide", id="refer"):
            yield Label(plain(t("refer.title", number=self.number)), classes="question")
            yield Label(t("refer.station"))
            yield DeskSelect(choices, id="r-station", prompt=t("refer.choose"), compact=True)
            yield Static(id="r-station-error", classes="field-error")
            yield Label(t("refer.reason"))
            yield Input(id="r-reason")
            yield Label(t("field.legal_route"))
            yield DeskSelect([(t(f"legal_route.{r.value}"), r.value) for r in LegalRoute], id="r-route",
                             allow_blank=False, value=LegalRoute.NONE.value, compact=True)
            with Horizontal(id="r-priority"):
                for p in ASKED:
                    yield Checkbox(t(f"priority.{p.value}"), id=f"r-{p.value}", compact=True)
            yield Label(t("refer.keys"), classes="hint")

    def action_done(self) -> None:
        station = self.query_one("#r-station", Select).value
        if not isinstance(station, str):  # asked here, so that nothing typed is lost
            show_message(self.query_one("#r-station-error", Static), self.t("refer.no_station"))
            self.query_one("#r-station", Select).focus()
            return
        route = self.query_one("#r-route", Select).value
        self.dismiss(ReferralForm(
            station_id=int(station),
            reason=self.query_one("#r-reason", Input).value,
            legal_route=route if isinstance(route, str) else LegalRoute.NONE.value,
            priority=tuple(p.value for p in ASKED if self.query_one(f"#r-{p.value}", Checkbox).value),
        ))

    def action_cancel(self) -> None:
        self.dismiss(None)
