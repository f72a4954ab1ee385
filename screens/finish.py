"""Finishing at a station: the outcome, what it needs, and a note. Returns a `Finish`,
or None when cancelled; the service checks it and the queue tells what it refused."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Select, TextArea

from desk.referral import Finish, LegalRoute, Outcome, Referral, Station
from desk.referral.lifecycle import OUTCOME_NEEDS
from screens.base import DeskModal, plain
from screens.widgets import DeskSelect

LEGAL_ROUTES = [r for r in LegalRoute if r is not LegalRoute.NONE]


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
            # Each outcome's own field, shown only while that outcome is chosen (OUTCOME_NEEDS).
            with Vertical(id="need-agreement", classes="need"):
                yield Label(t("field.agreement"))
                yield Input(id="f-agreement")
            with Vertical(id="need-legal_route", classes="need"):
                yield Label(t("field.legal_route"))
                yield DeskSelect([(t(f"legal_route.{r.value}"), r.value) for r in LEGAL_ROUTES],
                                 id="f-route", allow_blank=False, value=LEGAL_ROUTES[0].value, compact=True)
                yield Label(t("field.route_reference"))
                yield Input(id="f-route_reference")
            with Vertical(id="need-to_station", classes="need"):
                yield Label(t("field.to_station"))
                yield DeskSelect(others, id="f-to_station", prompt=t("field.to_station"), compact=True)
            with Vertical(id="need-reason", classes="need"):
                yield Label(t("field.back_reason"))
                yield Input(id="f-reason")
            yield Label(t("field.note"))
            yield TextArea(id="f-note", soft_wrap=True)
            yield Label(t("finish.keys"), classes="hint")

    def on_mount(self) -> None:
        self._show_needs(Outcome.ANSWERED)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "f-outcome" and isinstance(event.value, str):
            self._show_needs(Outcome(event.value))

    def _show_needs(self, outcome: Outcome) -> None:
        needed = set(OUTCOME_NEEDS[outcome])
        for box in self.query(".need"):
            box.display = (box.id or "").removeprefix("need-") in needed

    def _shown(self, need: str) -> bool:
        return bool(self.query_one(f"#need-{need}").display)

    def _value(self, selector: str) -> str:
        value = self.query_one(selector, Select).value
        return value if isinstance(value, str) else ""

    def action_done(self) -> None:
        station = self._value("#f-to_station")
        self.dismiss(Finish(
            outcome=Outcome(self._value("#f-outcome")),
            note=self.query_one("#f-note", TextArea).text,
            agreement=self.query_one("#f-agreement", Input).value if self._shown("agreement") else "",
            legal_route=LegalRoute(self._value("#f-route")) if self._shown("legal_route") else LegalRoute.NONE,
            route_reference=self.query_one("#f-route_reference", Input).value if self._shown("legal_route") else "",
            to_station=int(station) if station and self._shown("to_station") else None,
            reason=self.query_one("#f-reason", Input).value if self._shown("reason") else "",
        ))

    def action_cancel(self) -> None:
        self.dismiss(None)
