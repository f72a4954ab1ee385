"""The list of matters, with filters: status, track, category, date range and "mine"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, DataTable, Footer, Header, Input, Select, Static

from desk.matters import MatterFilter, MatterRow
from desk.models import Operator, Status, Track
from screens.base import DeskScreen, own_key, plain, tells_store_errors
from screens.widgets import DeskSelect, TickBox, days_left_text, warning_text

ANY = "__any__"


def _cell(text: Text) -> Text:
    """A cell with the one space that separates it from the column before."""
    return Text(" ").append_text(text)


def _warning_cell(t, row: MatterRow) -> Text:
    """The colour, and the days left on the deadline that gives it (negative: overdue)."""
    cell = warning_text(t, row.warning)
    if row.deadline is not None:
        cell.append_text(days_left_text(t, row.deadline, short=True))
    return cell


class MattersScreen(DeskScreen):
    BINDINGS = [
        Binding("escape", "back", "key.back", id="back"),
        Binding("ctrl+f", "focus_filters", "key.filters", id="filters"),
        Binding("ctrl+t", "focus_table", "key.table", id="table"),
        own_key("f4", "matters"),
    ]

    @dataclass
    class Loaded(Message):
        rows: list[MatterRow]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[MatterRow] = []

    def compose(self) -> ComposeResult:
        t = self.app.catalog
        yield Header()
        with Vertical(id="matters"):
            with Horizontal(id="filters", classes="filter-row"):
                yield DeskSelect([(t("matters.any_status"), ANY)] + [(t(f"status.{s.value}"), s.value) for s in Status],
                             id="flt-status", value=ANY, allow_blank=False, compact=True)
                yield DeskSelect([(t("matters.any_track"), ANY)] + [(t(f"track.{k.value}"), k.value) for k in Track],
                             id="flt-track", value=ANY, allow_blank=False, compact=True)
                yield DeskSelect([(t("matters.any_category"), ANY)] + [(t.label("category", c), c) for c in self.desk.settings().categories],
                             id="flt-category", value=ANY, allow_blank=False, compact=True)
            with Horizontal(classes="filter-row"):
                yield Input(placeholder=t("matters.from"), id="flt-from", max_length=10, compact=True)
                yield Input(placeholder=t("matters.to"), id="flt-to", max_length=10, compact=True)
                yield TickBox(t("matters.mine"), id="flt-mine", compact=True)
            yield Static("", id="matters-status", classes="hint")
            yield DataTable(id="matter-table", cursor_type="row", zebra_stripes=True, cell_padding=0)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#matter-table", DataTable)
        # Every column readable at 80 columns: no masked ID number (the detail has it), the
        # date without its year (the case number starts with it), short labels, and one
        # space between columns instead of Textual's two.
        for key in ("number", "warning", "date", "visitor", "category", "track", "status", "first_responder"):
            table.add_column(_cell(Text(self.t(f"matters.col.{key}"))), key=key)
        table.focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def records_changed(self) -> None:
        self.reload()

    def _date(self, widget_id: str) -> tuple[dt.date | None, bool]:
        raw = self.query_one(widget_id, Input).value.strip()
        if not raw:
            return None, True
        try:
            return dt.date.fromisoformat(raw.replace("/", "-")), True
        except ValueError:
            return None, False

    def _filter(self) -> MatterFilter | None:
        def chosen(widget_id: str) -> str | None:
            value = self.query_one(widget_id, Select).value
            return None if value == ANY else str(value)

        date_from, ok_from = self._date("#flt-from")
        date_to, ok_to = self._date("#flt-to")
        if not (ok_from and ok_to):
            field = self.t("matters.from" if not ok_from else "matters.to")
            self.query_one("#matters-status", Static).update(plain(self.t("err.date", field=field)))
            return None
        status, track = chosen("#flt-status"), chosen("#flt-track")
        return MatterFilter(
            status=Status(status) if status else None,
            track=Track(track) if track else None,
            category=chosen("#flt-category"),
            date_from=date_from,
            date_to=date_to,
            first_responder=self.operator.name if self.query_one("#flt-mine", Checkbox).value else None,
        )

    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(Input.Changed)
    def reload(self) -> None:
        flt = self._filter()
        if flt is not None and self.app.operator is not None:
            self._load(flt, self.app.operator)

    @work(thread=True, exclusive=True, group="matters")
    @tells_store_errors
    def _load(self, flt: MatterFilter, operator: Operator) -> None:
        self.post_message(self.Loaded(self.desk.matters(flt, operator)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        t = self.app.catalog
        self.rows = message.rows
        table = self.query_one("#matter-table", DataTable)
        table.clear()
        for row in self.rows:
            m, v = row.matter, row.visitor
            number = Text(m.number)
            if row.news:  # a station's outcome its first responder has not opened yet
                number.append(t("matters.news"), style="bold reverse")
            cells = (
                number, _warning_cell(t, row), Text(f"{m.registered_at:%m-%d}"),
                plain(v.name if v else ""), plain(t.label("category_short", m.category)),
                Text(t(f"track_short.{m.track.value}")), Text(t(f"status_short.{m.status.value}")),
                plain(m.first_responder),
            )
            table.add_row(*(_cell(c) for c in cells), key=str(m.id))
        self.query_one("#matters-status", Static).update(self.t("matters.count", count=len(self.rows)))

    @on(DataTable.RowSelected, "#matter-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        from screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(int(event.row_key.value)))

    def action_back(self) -> None:
        self.dismiss()

    def action_focus_filters(self) -> None:
        self.query_one("#flt-status").focus()

    def action_focus_table(self) -> None:
        self.query_one("#matter-table").focus()
