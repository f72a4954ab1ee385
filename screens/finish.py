"""Finishing at a station: the outcome, what it needs, and a note. Returns a `Finish`,
or None when cancelled; the service checks it and the queue tells what it refused."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Select, TextArea

from desk.referral import Finish, LegalRoute, Outcome, Referral, Station
from screens.base import DeskModal, plain
from screens.widgets import DeskSelect


class FinishModal(DeskModal[Finish | None]):
    BINDINGS = [
        Binding("ctrl+s", "done", "key.confirm", id="confirm", priority=True),
        Binding("escape", "cancel", "key.cancel", id="cancel"),
    ]

    def __init__(self, referral: Referral, station: Station) -> None:
        super().__init__()
        self.referral = referral
        self.station = station

    def compose(self) -> ComposeResult:
        t = self.app.catalog
        others = [(f"{s.prefix} {s.name}", str(s.id)) for s in self.desk.referrals.stations()
                  if s.active and s.id != self.station.id]
        with Vertical(classes="dialog wide", id="finish"):
            yield Label(plain(self.t("finish.title", ticket=self.referral.ticket)), classes="question")
            yield DeskSelect([(t(f"outcome.{o.value}"), o.value) for o in Outcome], id="f-outcome",
                             allow_blank=False, value=Outcome.ANSWERED.value, compact=True)
            yield Label(self.t("finish.needs"), classes="hint")
            yield Input(placeholder=t("field.agreement"), id="f-agreement", compact=True)
            yield DeskSelect([(t(f"legal_route.{r.value}"), r.value) for r in LegalRoute], id="f-route",
                             allow_blank=False, value=LegalRoute.NONE.value, compact=True)
            yield Input(placeholder=t("field.route_reference"), id="f-route_reference", compact=True)
            yield DeskSelect(others, id="f-to_station", prompt=t("field.to_station"), compact=True)
            yield Input(placeholder=t("field.back_reason"), id="f-reason", compact=True)
            yield Label(t("field.note"), classes="hint")
            yield TextArea(id="f-note", soft_wrap=True, compact=True)

    def _value(self, selector: str) -> str:
        value = self.query_one(selector, Select).value
        return value if isinstance(value, str) else ""

    def action_done(self) -> None:
        station = self._value("#f-to_station")
        self.dismiss(Finish(
            outcome=Outcome(self._value("#f-outcome")),
            note=self.query_one("#f-note", TextArea).text,
            agreement=self.query_one("#f-agreement", Input).value,
            legal_route=LegalRoute(self._value("#f-route") or LegalRoute.NONE.value),
            route_reference=self.query_one("#f-route_reference", Input).value,
            to_station=int(station) if station else None,
            reason=self.query_one("#f-reason", Input).value,
        ))

    def action_cancel(self) -> None:
        self.dismiss(None)
