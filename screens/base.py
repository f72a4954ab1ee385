"""What every screen of the desk shares: the catalog, the services, the operator."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from rich.text import Text
from textual._context import active_app
from textual.binding import Binding
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from desk.errors import DeskError, FormErrors
from desk.i18n import describe
from desk.models import Matter, Track
from desk.permissions import Action
from desk.store import StoreError

if TYPE_CHECKING:
    from desk.i18n import Catalog
    from desk.models import Operator
    from desk.services import Desk
    from screens.app import DeskApp


def show_message(static: Static, message: str) -> None:
    """Fill a message line, or fold it away when there is nothing to say."""
    static.update(plain(message))
    static.set_class(bool(message), "-shown")


def plain(value: object, style: str = "") -> Text:
    """Text from a person (a name, a summary) shown exactly as typed, never as markup."""
    return Text("" if value is None else str(value), style=style)


def tells_store_errors(method: Callable[..., None]) -> Callable[..., None]:
    """For a thread worker that reads or saves: a store problem (a full disk, a damaged
    file) is told on screen and the app goes on; anything else still stops it."""

    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            method(self, *args, **kwargs)
        except StoreError as exc:
            self.app.call_from_thread(self.app.store_failed, exc)

    return run


def translate_bindings(node: DOMNode, catalog: Catalog, keys: dict[str, str] | None = None,
                       hidden: frozenset[str] = frozenset()) -> None:
    """BINDINGS carry catalog keys as descriptions; the Footer shows the translation.
    `keys` names the catalog key by action, for a widget of Textual's own whose
    descriptions are English text. New lists, because Textual shares them between
    instances of a class."""
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [replace(b, description=catalog((keys or {}).get(b.action, b.description)),
                              show=b.show and b.action not in hidden) if b.description else b
                      for b in bindings]


def own_key(key: str, action: str) -> Binding:
    """The app's key for the section a screen is: it keeps working there, but the Footer
    does not offer it (where one already is), which leaves room at 80 columns."""
    return Binding(key, f"app.{action}", show=False)


class DeskMixin:
    app: DeskApp

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self, active_app.get().catalog)  # type: ignore[attr-defined]

    def t(self, key: str, **params: Any) -> str:
        return self.app.catalog(key, **params)

    @property
    def desk(self) -> Desk:
        return self.app.desk

    @property
    def operator(self) -> Operator:
        assert self.app.operator is not None
        return self.app.operator

    def explain(self, exc: Exception) -> str:
        return describe(self.app.catalog, exc)

    def toast(self, message: str, severity: str = "information") -> None:
        self.app.notify(message, severity=severity, markup=False)  # type: ignore[arg-type]


class StoreChanged(Message):
    """Another counter saved something; lists on screen should read again."""


class DeskScreen(DeskMixin, Screen):
    def on_store_changed(self, message: StoreChanged) -> None:
        self.records_changed()

    def records_changed(self) -> None:
        """Screens that show lists read them again here."""


ResultType = TypeVar("ResultType")


class DeskModal(DeskMixin, ModalScreen[ResultType]):
    pass


class Refers(DeskMixin):
    """分流 of an open matter to a station, shared by the receipt and the detail view."""

    def can_refer(self, matter: Matter | None) -> bool:
        return bool(self.desk.may(self.app.operator, Action.REFER) and matter and matter.is_open)

    def ask_refer(self, matter: Matter) -> None:
        from screens.refer import ReferModal

        self.app.push_screen(ReferModal(matter.number), lambda form: self._refer(matter, form))

    def _refer(self, matter: Matter, form: Any) -> None:
        if form is None:
            return
        try:
            referred = self.desk.referrals.refer(matter.id, form, self.operator)
        except (DeskError, FormErrors, StoreError) as exc:
            self.toast(self.explain(exc), "error")
            return
        s, r = referred.station, referred.referral
        told = self.t("refer.done", ticket=r.ticket, window=s.window, station=s.name)
        if referred.nobody_on_duty:
            told += "\n" + self.t("receipt.nobody_on_duty")
        self.toast(told, "warning" if referred.nobody_on_duty else "information")
        self.referred(matter)

    def referred(self, matter: Matter) -> None:
        """After a referral is saved: show it."""


class LiveTable(DeskMixin):
    """A screen whose table of today's hall reads again on others' saves, on return, and
    every `clock_seconds` (waiting times move on screen without a save)."""

    table_id = ""
    columns: tuple[str, ...] = ()
    column_prefix = ""
    clock_seconds = 15

    def on_mount(self) -> None:
        from textual.widgets import DataTable

        table = self.query_one(f"#{self.table_id}", DataTable)
        for key in self.columns:
            table.add_column(self.t(f"{self.column_prefix}.{key}"), key=key)
        table.focus()
        self.set_interval(self.clock_seconds, self.reload)  # type: ignore[attr-defined]
        self.reload()

    def records_changed(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        raise NotImplementedError


class ClosesOnSpot(DeskMixin):
    """当场办结 for a simple matter, shared by the receipt and the detail view."""

    def can_close_on_spot(self, matter: Matter | None) -> bool:
        may = self.desk.may(self.app.operator, Action.CLOSE)
        return bool(may and matter and matter.track is Track.SIMPLE and matter.is_open)

    def ask_close_on_spot(self, matter: Matter) -> None:
        from screens.note import NoteModal

        modal = NoteModal(self.t("close.title", number=matter.number), self.t("close.hint"))
        self.app.push_screen(modal, lambda note: self._close(matter, note))

    def _close(self, matter: Matter, note: str | None) -> None:
        if note is None:
            return
        try:
            closed = self.desk.close_on_spot(matter.id, note, self.operator)
        except (DeskError, FormErrors, StoreError) as exc:
            self.toast(self.explain(exc), "error")
            return
        self.toast(self.t("close.done", number=closed.number))
        self.closed_on_spot(closed)

    def closed_on_spot(self, matter: Matter) -> None:
        raise NotImplementedError
