"""Stations (驻点) for administrators: the list, `a` add, `e` edit, `d` disable or enable.
The same rules as `desk station ...`: a refusal is said in the dialog, what was typed stays."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static

from desk.errors import DeskError, FormErrors
from desk.referral import Station, StationForm, StationKind
from desk.store import StoreError
from screens.base import DeskModal, DeskScreen, plain, show_message
from screens.widgets import DeskSelect

NO_CATEGORY = "-"
TEXT_FIELDS = ("name", "window", "prefix", "bring")


class StationsScreen(DeskScreen):
    BINDINGS = [
        Binding("escape", "back", "key.back", id="back"),
        Binding("a", "add", "key.add_station", id="add"),
        Binding("e", "edit", "key.edit_station", id="edit"),
        Binding("d", "toggle", "key.toggle_station", id="toggle"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="station-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#station-table", DataTable)
        for key in ("prefix", "name", "window", "kind", "state"):
            table.add_column(self.t(f"stations.col.{key}"), key=key)
        self.reload()
        table.focus()

    def records_changed(self) -> None:
        self.reload()

    def reload(self) -> None:
        t = self.app.catalog
        table = self.query_one("#station-table", DataTable)
        row = table.cursor_row
        table.clear()
        self.rows = self.desk.referrals.stations()
        for s in self.rows:
            state = t("operator.active" if s.active else "operator.disabled")
            table.add_row(plain(s.prefix), plain(s.name), plain(s.window),
                          Text(t.label("station_kind", s.kind.value)), Text(state), key=str(s.id))
        if self.rows:
            table.move_cursor(row=min(max(row, 0), len(self.rows) - 1))

    def chosen(self) -> Station | None:
        row = self.query_one("#station-table", DataTable).cursor_row
        return self.rows[row] if self.rows and 0 <= row < len(self.rows) else None

    def action_add(self) -> None:
        self.app.push_screen(StationModal(None), self._saved)

    def action_edit(self) -> None:
        station = self.chosen()
        if station is not None:
            self.app.push_screen(StationModal(station), self._saved)

    def _saved(self, station: Station | None) -> None:
        if station is not None:
            self.toast(self.t("stations.saved", name=station.name))
            self.reload()

    def action_toggle(self) -> None:
        station = self.chosen()
        if station is None:
            return
        try:
            changed = self.desk.referrals.set_station_active(station.prefix, not station.active, self.operator)
        except (DeskError, StoreError) as exc:
            self.toast(self.explain(exc), "error")
            return
        self.toast(self.t("stations.enabled" if changed.active else "stations.disabled", name=changed.name))
        self.reload()

    def action_back(self) -> None:
        self.dismiss()


class StationModal(DeskModal[Station | None]):
    """A new station (`station` None) or an edit of one."""

    BINDINGS = [
        Binding("ctrl+s", "done", "key.confirm", id="confirm", priority=True),
        Binding("escape", "cancel", "key.cancel", id="cancel"),
    ]

    def __init__(self, station: Station | None) -> None:
        super().__init__()
        self.station = station

    def compose(self) -> ComposeResult:
        t, s = self.app.catalog, self.station
        categories = [(t("stations.no_category"), NO_CATEGORY)] + [
            (t.label("category", c), c) for c in self.desk.settings().categories]
        with VerticalScroll(classes="dialog wide", id="station-form"):  # scrolls to the field at 80x24
            yield Label(plain(t("stations.edit_title", name=s.name) if s else t("stations.add_title")),
                        classes="question")
            if s is None:
                yield Label(t("cli.help.station_kind"))
                yield DeskSelect([(t.label("station_kind", k.value), k.value) for k in StationKind], id="s-kind",
                                 allow_blank=False, value=StationKind.MEDIATION.value, compact=True)
            for field in TEXT_FIELDS:
                key = "name_option" if field == "name" else field
                yield Label(t(f"cli.help.station_{key}"))
                yield Input(getattr(s, field) if s else "", id=f"s-{field}")
            yield Label(t("cli.help.station_category"))
            yield DeskSelect(categories, id="s-category", allow_blank=False,
                             value=(s.category if s and s.category else NO_CATEGORY), compact=True)
            yield Static(id="s-error", classes="field-error")
            yield Label(t("roster.keys"), classes="hint")

    def action_done(self) -> None:
        values = {f: self.query_one(f"#s-{f}", Input).value for f in TEXT_FIELDS}
        category = self.query_one("#s-category", Select).value
        values["category"] = "" if category == NO_CATEGORY else str(category)
        ref = self.desk.referrals
        try:
            if self.station is None:
                kind = str(self.query_one("#s-kind", Select).value)
                saved = ref.add_station(StationForm(kind=kind, **values), self.operator)
            else:
                saved = ref.edit_station(self.station.prefix, StationForm(**values), self.operator)
        except (DeskError, FormErrors, StoreError) as exc:  # said here: what was typed stays
            show_message(self.query_one("#s-error", Static), self.explain(exc))
            return
        self.dismiss(saved)

    def action_cancel(self) -> None:
        self.dismiss(None)
