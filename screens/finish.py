"""Finishing at a station: the outcome, what it needs, and a note. Returns a `Finish`,
or None when cancelled; the service checks it and the queue tells what it refused."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Select, Static, TextArea

from desk.referral import Finish, LegalRoute, Outcome, Referral, Station
from desk.referral.lifecycle import OUTCOME_NEEDS
from screens.base import DeskModal, plain, show_message
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
            # Nothing chosen for the officer: an outcome nobody picked must not be saved.
            yield DeskSelect([(t(f"outcome.{o.value}"), o.value) for o in Outcome], id="f-outcome",
                             prompt=t("finish.choose_outcome"), compact=True)
            yield Static(id="e-outcome", classes="field-error")
            # Each outcome's own field, shown only while that outcome is chosen (OUTCOME_NEEDS).
            with Vertical(id="need-agreement", classes="need"):
                yield Label(t("field.agreement"))
                yield Input(id="f-agreement")
                yield Static(id="e-agreement", classes="field-error")
            with Vertical(id="need-legal_route", classes="need"):
                yield Label(t("field.legal_route"))
                yield DeskSelect([(t(f"legal_route.{r.value}"), r.value) for r in LEGAL_ROUTES],
                                 id="f-route", allow_blank=False, value=LEGAL_ROUTES[0].value, compact=True)
                yield Label(t("field.route_reference"))
                yield Input(id="f-route_reference")
            with Vertical(id="need-to_station", classes="need"):
                yield Label(t("field.to_station"))
                yield DeskSelect(others, id="f-to_station", prompt=t("refer.choose"), compact=True)
                yield Static(id="e-to_station", classes="field-error")
            with Vertical(id="need-reason", classes="need"):
                yield Label(t("field.back_reason"))
                yield Input(id="f-reason")
                yield Static(id="e-reason", classes="field-error")
            yield Label(t("field.note"))
            yield TextArea(id="f-note", soft_wrap=True)
            yield Label(t("finish.keys"), classes="hint")

    def on_mount(self) -> None:
        self._show_needs(None)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "f-outcome":
            self._show_needs(Outcome(event.value) if isinstance(event.value, str) else None)

    def _show_needs(self, outcome: Outcome | None) -> None:
        needed = set(OUTCOME_NEEDS[outcome]) if outcome else set()
        for box in self.query(".need"):
            box.display = (box.id or "").removeprefix("need-") in needed

    def _shown(self, need: str) -> bool:
        return bool(self.query_one(f"#need-{need}").display)

    def _value(self, selector: str) -> str:
        value = self.query_one(selector, Select).value
        return value if isinstance(value, str) else ""

    def action_done(self) -> None:
        """What is missing is said under its field and the dialog stays: nothing typed is lost."""
        for line in self.query(".field-error"):
            show_message(line, "")  # type: ignore[arg-type]
        if not self._value("#f-outcome"):
            show_message(self.query_one("#e-outcome", Static), self.t("finish.no_outcome"))
            return
        finish = self._finish()
        missing = finish.missing()
        for problem in missing:
            line = self.query(f"#e-{problem.field}") or self.query("#e-outcome")
            show_message(line.first(Static), self.t(f"finish.needs.{problem.field}"))
        if not missing:
            self.dismiss(finish)

    def _finish(self) -> Finish:
        station = self._value("#f-to_station")
        return Finish(
            outcome=Outcome(self._value("#f-outcome")),
            note=self.query_one("#f-note", TextArea).text,
            agreement=self.query_one("#f-agreement", Input).value if self._shown("agreement") else "",
            legal_route=LegalRoute(self._value("#f-route")) if self._shown("legal_route") else LegalRoute.NONE,
            route_reference=self.query_one("#f-route_reference", Input).value if self._shown("legal_route") else "",
            to_station=int(station) if station and self._shown("to_station") else None,
            reason=self.query_one("#f-reason", Input).value if self._shown("reason") else "",
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
