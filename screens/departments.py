"""Responsible departments (责任单位) for administrators: the list, `a` add, `e` edit
(name, contact person, phone), `d` disable or enable. A disabled department keeps the
matters sent to it and is no longer offered when assigning or transferring."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from desk.errors import DeskError, FormErrors
from desk.lifecycle.departments import DepartmentForm
from desk.lifecycle.records import Department
from desk.store import StoreError
from screens.base import DeskModal, DeskScreen, plain, show_message
from screens.widgets import GuardedInput

FIELDS = ("name", "contact", "phone")


class DepartmentsScreen(DeskScreen):
    BINDINGS = [
        Binding("escape", "back", "key.back", id="back"),
        Binding("a", "add", "key.add_department", id="add"),
        Binding("e", "edit", "key.edit_department", id="edit"),
        Binding("d", "toggle", "key.toggle_department", id="toggle"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Department] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="department-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = self.t("cmd.departments")
        table = self.query_one("#department-table", DataTable)
        for key in ("name", "contact", "phone", "state"):
            table.add_column(self.t(f"departments.col.{key}"), key=key)
        self.reload()
        table.focus()

    def records_changed(self) -> None:
        self.reload()

    def reload(self) -> None:
        t = self.app.catalog
        table = self.query_one("#department-table", DataTable)
        row = table.cursor_row
        table.clear()
        self.rows = self.desk.life.departments()
        for d in self.rows:
            state = t("operator.active" if d.active else "operator.disabled")
            table.add_row(plain(d.name), plain(d.contact), plain(d.phone), Text(state), key=str(d.id))
        if self.rows:
            table.move_cursor(row=min(max(row, 0), len(self.rows) - 1))

    def chosen(self) -> Department | None:
        row = self.query_one("#department-table", DataTable).cursor_row
        return self.rows[row] if self.rows and 0 <= row < len(self.rows) else None

    def action_add(self) -> None:
        self.app.push_screen(DepartmentModal(None), self._saved)

    def action_edit(self) -> None:
        department = self.chosen()
        if department is not None:
            self.app.push_screen(DepartmentModal(department), self._saved)

    def _saved(self, department: Department | None) -> None:
        if department is not None:
            self.toast(self.t("departments.saved", name=department.name))
            self.reload()

    def action_toggle(self) -> None:
        department = self.chosen()
        if department is None:
            return
        try:
            changed = self.desk.life.set_department_active(department.id, not department.active, self.operator)
        except (DeskError, StoreError) as exc:
            self.toast(self.explain(exc), "error")
            return
        self.toast(self.t("departments.enabled" if changed.active else "departments.disabled", name=changed.name))
        self.reload()

    def action_back(self) -> None:
        self.dismiss()


class DepartmentModal(DeskModal[Department | None]):
    """A new department (`department` None) or an edit of one."""

    BINDINGS = [
        Binding("ctrl+s", "done", "key.confirm", id="confirm", priority=True),
        Binding("escape", "cancel", "key.cancel", id="cancel"),
    ]

    def __init__(self, department: Department | None) -> None:
        super().__init__()
        self.department = department

    def compose(self) -> ComposeResult:
        t, d = self.app.catalog, self.department
        with VerticalScroll(classes="dialog", id="department-form"):
            yield Label(plain(t("departments.edit_title", name=d.name) if d else t("departments.add_title")),
                        classes="question")
            for field in FIELDS:
                yield Label(t(f"departments.field.{field}"))
                yield GuardedInput(getattr(d, field) if d else "", id=f"d-{field}", compact=True)
                yield Static(id=f"d-error-{field}", classes="field-error")
            yield Static(id="d-error", classes="field-error")
            yield Label(t("act_form.keys"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#d-name").focus()

    def action_done(self) -> None:
        form = DepartmentForm(**{f: self.query_one(f"#d-{f}", Input).value for f in FIELDS})
        for field in FIELDS + ("",):
            show_message(self.query_one(f"#d-error-{field}" if field else "#d-error", Static), "")
        life = self.desk.life
        try:
            saved = life.save_department(form, self.operator, self.department.id if self.department else None)
        except FormErrors as exc:
            for error in exc.errors:
                target = f"#d-error-{error.field}" if error.field in FIELDS else "#d-error"
                show_message(self.query_one(target, Static), self.t(error.code, **error.params))
            return
        except (DeskError, StoreError) as exc:  # said here: what was typed stays
            show_message(self.query_one("#d-error", Static), self.explain(exc))
            return
        self.dismiss(saved)

    def action_cancel(self) -> None:
        self.dismiss(None)
