"""My work (我的待办): the open matters the operator answers for, most urgent first, with
the nearest deadline's colour and days left and why each is theirs; a count in the
title. Supervisors and leaders may look at everyone's, filtered by colour, department,
first responder and category. Enter opens the matter."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, DataTable, Footer, Header, Select, Static

from desk.deadlines import Warning
from desk.lifecycle.my_work import WorkFilter, WorkRow
from desk.models import Operator
from desk.permissions import Action
from screens.base import DeskScreen, own_key, plain, tells_store_errors
from screens.widgets import DeskSelect, TickBox, days_left_text, warning_text

ANY = "__any__"
COLUMNS = ("warning", "left", "clock", "number", "category", "status", "why")


def _cell(text: Text) -> Text:
    return Text(" ").append_text(text)


class MyWorkScreen(DeskScreen):
    BINDINGS = [
        Binding("escape", "back", "key.back", id="back"),
        Binding("ctrl+f", "focus_filters", "key.filters", id="filters"),
        Binding("ctrl+t", "focus_table", "key.table", id="table"),
        own_key("f8", "my_work"),
    ]

    @dataclass
    class Loaded(Message):
        count: int
        rows: list[WorkRow]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[WorkRow] = []
        self.count = 0

    @property
    def supervises(self) -> bool:
        return self.desk.may(self.app.operator, Action.SUPERVISE)

    def compose(self) -> ComposeResult:
        t = self.app.catalog
        yield Header()
        with Vertical(id="my-work"):
            if self.supervises:
                with Horizontal(classes="filter-row"):
                    yield TickBox(t("my_work.everyone"), id="w-everyone", compact=True)
                    yield DeskSelect([(t("my_work.any_colour"), ANY)] + [(t(f"warning.{w.value}"), w.value) for w in Warning],
                                     id="w-warning", value=ANY, allow_blank=False, compact=True)
                    yield DeskSelect([(t("matters.any_category"), ANY)] + [(t.label("category", c), c)
                                                                          for c in self.desk.settings().categories],
                                     id="w-category", value=ANY, allow_blank=False, compact=True)
                with Horizontal(classes="filter-row"):
                    yield DeskSelect([(t("my_work.any_department"), ANY)] + [(plain(d.name), str(d.id))
                                                                            for d in self.desk.life.departments()],
                                     id="w-department", value=ANY, allow_blank=False, compact=True)
                    yield DeskSelect([(t("my_work.any_responder"), ANY)] + [(plain(o.name), o.name)
                                                                           for o in self.desk.operators()
                                                                           if self.desk.may(o, Action.REGISTER)],
                                     id="w-responder", value=ANY, allow_blank=False, compact=True)
            yield Static("", id="my-work-status", classes="hint")
            yield DataTable(id="work-table", cursor_type="row", zebra_stripes=True, cell_padding=0)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#work-table", DataTable)
        for key in COLUMNS:
            table.add_column(_cell(Text(self.t(f"my_work.col.{key}"))), key=key)
        table.focus()
        self.title = self.t("my_work.title_plain")
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def records_changed(self) -> None:
        self.reload()

    def _chosen(self, widget_id: str) -> str | None:
        value = self.query_one(widget_id, Select).value
        return None if value == ANY or not isinstance(value, str) else value

    def _filter(self) -> tuple[WorkFilter | None, bool]:
        if not self.supervises:
            return None, False
        warning, department = self._chosen("#w-warning"), self._chosen("#w-department")
        flt = WorkFilter(warning=Warning(warning) if warning else None,
                         department_id=int(department) if department else None,
                         first_responder=self._chosen("#w-responder"), category=self._chosen("#w-category"))
        return flt, self.query_one("#w-everyone", Checkbox).value

    @on(Select.Changed)
    @on(Checkbox.Changed)
    def reload(self) -> None:
        if self.app.operator is None or not self.is_mounted:
            return
        flt, everyone = self._filter()
        self._load(flt, everyone, self.app.operator)

    @work(thread=True, exclusive=True, group="my_work")
    @tells_store_errors
    def _load(self, flt: WorkFilter | None, everyone: bool, operator: Operator) -> None:
        count, rows = self.desk.life.my_work(operator, flt, everyone=everyone)
        self.post_message(self.Loaded(count, rows))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        t = self.app.catalog
        self.rows, self.count = message.rows, message.count
        table = self.query_one("#work-table", DataTable)
        row_before = table.cursor_row
        table.clear()
        for row in self.rows:
            m, d = row.matter, row.deadline
            cells = (
                warning_text(t, row.warning), days_left_text(t, d, short=True),
                Text(t(f"clock_short.{d.clock.kind.value}") if d else ""), Text(m.number),
                plain(t.label("category_short", m.category)), Text(t(f"status_short.{m.status.value}")),
                Text(" ".join(t(f"why.{w.value}") for w in row.why)),
            )
            table.add_row(*(_cell(c) for c in cells), key=str(m.id))
        if self.rows:
            table.move_cursor(row=min(max(row_before, 0), len(self.rows) - 1))
        red = sum(1 for r in self.rows if r.warning is Warning.RED)
        yellow = sum(1 for r in self.rows if r.warning is Warning.YELLOW)
        self.title = t("my_work.title", count=self.count, red=red, yellow=yellow)
        shown = t("my_work.shown", shown=len(self.rows), count=self.count) if len(self.rows) < self.count else ""
        self.query_one("#my-work-status", Static).update(shown or t("my_work.hint"))

    @on(DataTable.RowSelected, "#work-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        from screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(int(event.row_key.value)))

    def action_back(self) -> None:
        self.dismiss()

    def action_focus_filters(self) -> None:
        if self.supervises:
            self.query_one("#w-everyone").focus()

    def action_focus_table(self) -> None:
        self.query_one("#work-table").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_filters":
            return self.supervises
        return True
