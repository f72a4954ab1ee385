"""The tally (统计, F11, for supervisors, leaders and administrators): the numbers of
TALLY.md for a day, a week, a month or a range of one's own, beside the period before and
the same days a year earlier; Enter on a number lists the matters it counts; `g` shows
the charts (visits across the period, by category, the stations' waiting and serving).

Counting a month on a big hall takes a while: it runs in a worker, the screen says so, and
a result that arrives for a period no longer chosen is dropped."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Footer, Header, Static

from desk.errors import DeskError, FieldError, FormErrors
from desk.i18n import Catalog
from desk.models import Operator
from desk.permissions import Action
from desk.tally.closeout import CloseOut
from desk.tally.glance import Charts, Member
from desk.tally.periods import Span, Unit, counted, last_year, previous, shifted, span
from desk.tally.report import EARLIEST, Period
from screens.base import DeskScreen, own_key, plain, tells_store_errors
from screens.charts import bars, columns, fit

# The numbers in the order a supervisor reads them: the day's traffic, what was done, the
# colours and the rates; then the splits. A group is a heading row over its codes.
HEAD = ("batches", "persons", "first_visits", "repeat_visits", "group_batches", "group_persons",
        "skip_level_visits", "new_matters", "accepted", "closed", "replied", "evaluated")
RATES = ("timely_acceptance_rate", "on_time_closing_rate", "evaluation_rate", "satisfaction_rate",
         "one_time_resolution_rate")
DETAIL = ("accepted_on_time", "closed_same_day", "closed_on_time", "satisfied", "basically_satisfied",
          "dissatisfied")
GROUPS = (("by_category", "category_short"), ("by_track", "track"), ("referrals", "station_kind"),
          ("meetings", "tally.meetings"), ("supervisions", "supervision_kind"))
COLUMNS = ("item", "now", "previous", "change", "last_year", "change_year")
ITEM_WIDTH = 22
UNIT_KEYS = {"d": Unit.DAY, "w": Unit.WEEK, "m": Unit.MONTH}


@dataclass(frozen=True)
class Line:
    key: str  # the dotted path of TALLY.md's object ("warnings.red"); "" for a heading
    label: str


def lines(t: Catalog, reports: list[dict[str, Any]]) -> list[Line]:
    """Every number of the reports, labelled; the codes of a group are those any of the
    reports has (a category that occurred last year only still shows, with 0 now)."""
    found = [Line(k, t("tally." + k)) for k in HEAD]
    found.append(Line("", t("tally.warnings")))
    found += [Line(f"warnings.{c}", "  " + t("warning." + c)) for c in ("red", "yellow", "green")]
    found += [Line(k, t("tally." + k)) for k in RATES + DETAIL]
    for group, labels in GROUPS:
        codes = list(dict.fromkeys(c for r in reports for c in r.get(group, {})))
        found.append(Line("", t("tally." + group)))
        found += [Line(f"{group}.{c}", "  " + t.label(labels, c)) for c in codes]
    return found


def value_of(report: dict[str, Any] | None, key: str) -> int | float | None:
    if report is None:
        return None
    group, _, code = key.partition(".")
    return report.get(group, {}).get(code, 0) if code else report.get(group)


def shown(t: Catalog, key: str, value: int | float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 100:.1f}%" if key.endswith("_rate") else str(value)


def change(t: Catalog, key: str, now: int | float | None, then: int | float | None) -> str:
    """+3 / -2 for a count; for a rate the difference in percentage points."""
    if now is None or then is None:
        return "-"
    if key.endswith("_rate"):
        points = round((now - then) * 100, 1)
        return t("tally_screen.points", value=f"{points:+.1f}") if points else "0"
    return f"{now - then:+d}" if now != then else "0"


def period_text(t: Catalog, period: Period) -> str:
    if period.start == period.end:
        return period.start.isoformat()
    return t("tally_screen.range", start=period.start.isoformat(), end=period.end.isoformat())


def _item(label: str) -> str:
    """A label cut to the item column, so that both comparisons fit 80 columns (English
    labels run long); cut by terminal columns, never with an ellipsis glyph."""
    return fit(label, ITEM_WIDTH).rstrip()


def minutes(t: Catalog, seconds: int | None) -> str:
    return "-" if seconds is None else t("tally_screen.minutes", n=round(seconds / 60))


class TallyScreen(DeskScreen):
    BINDINGS = [
        # Its own keys are named on the hint line (and in the palette): the Footer has no room
        # for them beside the sections' F-keys (a leader's, in English).
        Binding("escape", "back", "key.back", id="back", show=False),
        Binding("d", "unit('d')", "key.tally_day", id="tally_day", show=False),
        Binding("w", "unit('w')", "key.tally_week", id="tally_week", show=False),
        Binding("m", "unit('m')", "key.tally_month", id="tally_month", show=False),
        Binding("c", "custom", "key.tally_custom", id="tally_custom", show=False),
        Binding("g", "charts", "key.tally_charts", id="tally_charts", show=False),
        Binding("x", "close_out", "key.tally_close_out", id="tally_close_out", show=False),
        # Left and right would scroll the table sideways; here they move the period.
        Binding("left_square_bracket,left", "move(-1)", "key.tally_earlier", id="tally_earlier",
                show=False, priority=True),
        Binding("right_square_bracket,right", "move(1)", "key.tally_later", id="tally_later",
                show=False, priority=True),
        own_key("f11", "tally"),
    ]

    @dataclass
    class Counted(Message):
        round: int
        report: dict[str, Any]
        charts: Charts
        closed: CloseOut | None = None  # a closed day: its numbers are the signed ones

    @dataclass
    class Compared(Message):
        round: int
        previous: dict[str, Any]
        last_year: dict[str, Any]

    @dataclass
    class Failed(Message):
        round: int
        text: str

    def __init__(self) -> None:
        super().__init__()
        self.span = span(Unit.DAY, self.desk.clock.today())
        self.report: dict[str, Any] | None = None
        self.charts: Charts | None = None
        self.compared: TallyScreen.Compared | None = None
        self.closed: CloseOut | None = None
        self.lines: list[Line] = []
        self.rounds = 0  # which count is the latest: a result of an earlier one is dropped

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="tally"):
            yield Static("", id="tally-period")
            yield Static("", id="tally-status", classes="hint")
            with ContentSwitcher(initial="tally-table", id="tally-views"):
                yield DataTable(id="tally-table", cursor_type="row", zebra_stripes=True)
                with Vertical(id="tally-charts"):
                    yield Static("", id="chart-visits")
                    with Horizontal(id="tally-chart-row"):
                        yield Static("", id="chart-categories")
                        yield Static("", id="chart-stations")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._columns(self.query_one("#tally-table", DataTable)).focus()
        self.title = self.t("tally_screen.title")
        self.call_after_refresh(self.reload)  # once mounted: reload reads nothing before

    # Reading

    def records_changed(self) -> None:
        """Another counter saved: today's numbers are counted again, and the ones on screen
        (true a moment ago, of the same period) stay until then. A past period does not
        move with today's saves."""
        if self.app.operator is not None and self.span.end >= self.desk.clock.today():
            self.rounds += 1
            self._count(self.rounds, self.span, self.app.operator)

    def on_screen_resume(self) -> None:
        """Back from a list or a matter: saves made meanwhile reached the screen on top."""
        if self.report is not None:
            self.records_changed()

    def reload(self) -> None:
        """A period newly chosen: nothing of the last one stays on screen while it counts."""
        if self.app.operator is None or not self.is_mounted:
            return
        self.report, self.compared, self.charts, self.closed = None, None, None, None
        self._show_period()
        self.query_one("#tally-status", Static).update(self.t("tally_screen.loading"))
        for chart in self.query("#tally-charts Static").results(Static):
            chart.update("")
        self._fill()
        self.rounds += 1
        self._count(self.rounds, self.span, self.app.operator)

    @work(thread=True, exclusive=True, group="tally")
    @tells_store_errors
    def _count(self, round_: int, chosen: Span, operator: Operator) -> None:
        today = self.desk.clock.today()
        now, before, year_ago = counted(chosen, today), previous(chosen, today), last_year(chosen, today)
        tally = self.desk.tally
        try:
            # The period itself first (numbers and charts), then what it is compared with.
            report, charts = tally.report(now.start, now.end, operator), tally.charts(now.start, now.end, operator)
            closed = tally.closeout(now.start, operator) if now.start == now.end else None
            self.post_message(self.Counted(round_, report, charts, closed))
            self.post_message(self.Compared(round_, tally.report(before.start, before.end, operator),
                                            tally.report(year_ago.start, year_ago.end, operator)))
        except DeskError as exc:
            self.post_message(self.Failed(round_, self.explain(exc)))

    @on(Counted)
    def _counted(self, message: Counted) -> None:
        if message.round != self.rounds:
            return  # counted for a period no longer chosen, or before a newer count began
        self.report, self.charts, self.closed = message.report, message.charts, message.closed
        self._show_period()
        self.query_one("#tally-status", Static).update(self.t("tally_screen.comparing"))
        self._fill()
        self._draw_charts()

    @on(Compared)
    def _compared(self, message: Compared) -> None:
        if message.round != self.rounds:
            return
        self.compared = message
        self.query_one("#tally-status", Static).update(self.t(self._hint()))
        self._fill()

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if message.round == self.rounds:
            self.query_one("#tally-status", Static).update(plain(message.text))

    # Showing

    def _show_period(self) -> None:
        t, today = self.app.catalog, self.desk.clock.today()
        now = counted(self.span, today)
        head = t(f"tally_screen.unit.{self.span.unit.value}") + " " + period_text(t, now)
        if now.end < self.span.end:
            head += " " + t("tally_screen.to_date")
        if self.closed is not None:  # the numbers below are the signed ones, not a recount
            head += "  " + t("tally_screen.closed", who=self.closed.closed_by,
                             at=self.closed.closed_at.strftime("%m-%d %H:%M"))
        compare = t("tally_screen.compare", previous=period_text(t, previous(self.span, today)),
                    last_year=period_text(t, last_year(self.span, today)))
        self.query_one("#tally-period", Static).update(Text.assemble((head, "bold"), "\n", compare))

    def _fill(self) -> None:
        t = self.app.catalog
        table = self.query_one("#tally-table", DataTable)
        row_before = table.cursor_row
        # Columns made anew each time: widths of the last period's numbers are not kept (a
        # new period's wider number was cut at the screen's edge, with no sign of it).
        self._columns(table.clear(columns=True))
        self.lines = []
        if self.report is None:
            return
        before = self.compared.previous if self.compared else None
        year = self.compared.last_year if self.compared else None
        self.lines = lines(t, [r for r in (self.report, before, year) if r is not None])
        for line in self.lines:
            if not line.key:
                table.add_row(Text(_item(line.label), style="bold"), "", "", "", "", "")
                continue
            now, then, ago = (value_of(r, line.key) for r in (self.report, before, year))
            waiting = "" if self.compared is None else None  # comparisons still counting: blank, not "-"
            table.add_row(
                Text(_item(line.label)), Text(shown(t, line.key, now), justify="right"),
                Text(waiting if waiting is not None else shown(t, line.key, then), justify="right"),
                Text(waiting if waiting is not None else change(t, line.key, now, then), justify="right"),
                Text(waiting if waiting is not None else shown(t, line.key, ago), justify="right"),
                Text(waiting if waiting is not None else change(t, line.key, now, ago), justify="right"))
        table.move_cursor(row=min(max(row_before, 0), len(self.lines) - 1))

    def _columns(self, table: DataTable) -> DataTable:
        for key in COLUMNS:
            table.add_column(self.t(f"tally_screen.col.{key}"), key=key)
        return table

    def _draw_charts(self) -> None:
        t = self.app.catalog
        if self.charts is None or self.report is None:
            return
        charts, width = self.charts, max(20, self.size.width - 4)
        top = max(charts.visits, key=lambda kv: kv[1], default=("", 0))
        title = t("tally_screen.chart.by_hour" if charts.by_hour else "tally_screen.chart.by_day",
                  most=top[1], when=top[0][-5:])
        visits = Text.assemble((title, "bold"), "\n").append_text(
            columns(charts.visits, width, 5) if top[1] else Text(t("tally_screen.chart.none")))
        self.query_one("#chart-visits", Static).update(visits)
        ranked = sorted(self.report["by_category"].items(), key=lambda kv: -kv[1])
        half = max(30, width // 2)
        cat_text = Text.assemble((t("tally_screen.chart.categories"), "bold"), "\n")
        cats = [(t.label("category_short", c), n) for c, n in ranked[:6]]
        cat_text.append_text(bars(cats, 8, max(5, half - 16)) if cats else Text(t("tally_screen.chart.none")))
        if len(ranked) > 6:  # a number, not a bar: a bucket of several would outgrow the largest
            cat_text.append(f"\n{fit(t('tally_screen.chart.others'), 8)} {sum(n for _, n in ranked[6:])}")
        self.query_one("#chart-categories", Static).update(cat_text)
        self.query_one("#chart-stations", Static).update(self._stations_text(charts))

    def _stations_text(self, charts: Charts) -> Text:
        t = self.app.catalog
        text = Text.assemble((t("tally_screen.chart.stations"), "bold"), "\n")
        text.append(fit(t("tally_screen.chart.station"), 9) + " " + fit(t("tally_screen.chart.referred"), 6)
                    + fit(t("tally_screen.chart.wait"), 9) + t("tally_screen.chart.serve") + "\n", style="dim")
        for times in charts.stations:
            text.append(fit(t.label("station_kind", times.kind), 9) + " " + fit(str(times.referred), 6)
                        + fit(minutes(t, times.median_wait), 9) + minutes(t, times.median_serve) + "\n")
        return text

    # Keys

    def action_unit(self, key: str) -> None:
        self.span = span(UNIT_KEYS[key], self.desk.clock.today())  # 本日, 本周, 本月: today's
        self.reload()

    def action_move(self, steps: int) -> None:
        moved = shifted(self.span, steps)
        if moved.start > self.desk.clock.today():
            self.toast(self.t("tally_screen.no_later"), "warning")
            return
        if moved.start < EARLIEST:
            self.toast(self.t("err.report.too_early", start=moved.start.isoformat(), earliest=EARLIEST.isoformat()),
                       "warning")
            return
        self.span = moved
        self.reload()

    def action_charts(self) -> None:
        switcher = self.query_one("#tally-views", ContentSwitcher)
        switcher.current = "tally-charts" if switcher.current == "tally-table" else "tally-table"
        if switcher.current == "tally-table":
            self.query_one("#tally-table").focus()
        else:
            self._draw_charts()

    def _hint(self) -> str:
        closes = self.desk.may(self.app.operator, Action.CLOSE_DAY)
        return "tally_screen.hint_close" if closes else "tally_screen.hint"

    def action_close_out(self) -> None:
        """The shown day's close-out (日结): a close-out is of one day."""
        from screens.closeout import CloseOutScreen

        if not self.desk.may(self.app.operator, Action.CLOSE_DAY):
            self.toast(self.t("tally_screen.close_not_yours"), "warning")
        elif self.span.start != self.span.end:
            self.toast(self.t("tally_screen.close_one_day"), "warning")
        else:
            self.app.push_screen(CloseOutScreen(self.span.start))

    def action_custom(self) -> None:
        from screens.form import Field, FormModal

        t = self.app.catalog
        fields = [Field("from", t("tally_screen.from"), value=self.span.start.isoformat(), max_length=10),
                  Field("to", t("tally_screen.to"), value=self.span.end.isoformat(), max_length=10)]
        self.app.push_screen(FormModal(t("tally_screen.custom_title"), fields, self._check_range), self._chose)

    def _check_range(self, values: dict[str, Any]) -> Span:
        """Both dates as typed; each problem names its field, and what was typed stays."""
        t, today = self.app.catalog, self.desk.clock.today()
        found: dict[str, dt.date] = {}
        problems = []
        for name in ("from", "to"):
            raw = str(values.get(name) or "").strip().replace("/", "-")
            try:
                found[name] = dt.date.fromisoformat(raw)
            except ValueError:  # 2026-02-30 is written right but is no day
                code = "tally_screen.err.no_day" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else "tally_screen.err.date"
                problems.append(FieldError(name, code, {"field": t(f"tally_screen.{name}"), "value": raw}))
        if not problems and found["from"] > today:
            problems.append(FieldError("from", "tally_screen.err.future", {"field": t("tally_screen.from")}))
        if not problems and found["from"] < EARLIEST:
            problems.append(FieldError("from", "tally_screen.err.too_early", {"field": t("tally_screen.from"),
                                                                            "earliest": EARLIEST.isoformat()}))
        if not problems and found["to"] < found["from"]:
            problems.append(FieldError("to", "tally_screen.err.order", {"field": t("tally_screen.to"),
                                                                        "other": t("tally_screen.from")}))
        if problems:
            raise FormErrors(problems)
        # Counted to today at most, and compared with as many days before it.
        return Span(Unit.CUSTOM, found["from"], min(found["to"], today))

    def _chose(self, chosen: Span | None) -> None:
        if chosen is not None:
            self.span = chosen
            self.reload()

    @on(DataTable.RowSelected, "#tally-table")
    def _drill(self, event: DataTable.RowSelected) -> None:
        line = self.lines[event.cursor_row] if event.cursor_row < len(self.lines) else Line("", "")
        key = line.key
        if not key:
            return
        if key.endswith("_rate"):
            self.toast(self.t("tally_screen.rate_hint"))
            return
        group, _, code = key.partition(".")
        label = f"{self.t('tally.' + group)} {line.label.strip()}" if code else line.label
        self.app.push_screen(MembersScreen(key, label, counted(self.span, self.desk.clock.today())))

    def action_back(self) -> None:
        self.dismiss()


COLUMNS_MEMBERS = ("when", "number", "name", "category", "status")


class MembersScreen(DeskScreen):
    """What one number counts: a row for each record, about its matter (number, visitor's
    name as typed, category, status). Enter opens the matter."""

    BINDINGS = [Binding("escape", "back", "key.back", id="back")]

    @dataclass
    class Loaded(Message):
        rows: list[Member]
        total: int

    def __init__(self, key: str, label: str, period: Period) -> None:
        super().__init__()
        self.key, self.label, self.period = key, label, period
        self.rows: list[Member] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="tally-members"):
            yield Static("", id="members-status", classes="hint")
            yield DataTable(id="members-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        t = self.app.catalog
        table = self.query_one("#members-table", DataTable)
        for key in COLUMNS_MEMBERS:
            table.add_column(t(f"tally_screen.members.col.{key}"), key=key)
        table.focus()
        self.title = self.label  # the period goes on the status line: the Header cuts a long title with an ellipsis
        self.query_one("#members-status", Static).update(t("tally_screen.loading"))
        self._load(self.app.operator)

    @work(thread=True, exclusive=True, group="tally-members")
    @tells_store_errors
    def _load(self, operator: Operator) -> None:
        found = self.desk.tally.members(self.period.start, self.period.end, operator).get(self.key)
        if found is None:
            self.post_message(self.Loaded([], 0))
            return
        self.post_message(self.Loaded(self.desk.tally.member_rows(found, operator), len(found.ids)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        t = self.app.catalog
        self.rows = message.rows
        table = self.query_one("#members-table", DataTable)
        table.clear()
        for row in self.rows:
            m = row.matter
            table.add_row(Text(row.when), Text(m.number), plain(row.visitor), plain(t.label("category_short", m.category)),
                          Text(t(f"status_short.{m.status.value}")), key=f"{row.table}:{row.record_id}")
        if not self.rows:
            status = t("tally_screen.members.none")
        elif len(self.rows) < message.total:
            status = t("tally_screen.members.shown", shown=len(self.rows), count=message.total)
        else:
            status = t("tally_screen.members.count", count=message.total)
        self.query_one("#members-status", Static).update(f"{period_text(t, self.period)}  {status}")

    @on(DataTable.RowSelected, "#members-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        from screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(self.rows[event.cursor_row].matter.id))

    def action_back(self) -> None:
        self.dismiss()
