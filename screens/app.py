"""The desk app and its one factory, used by the launcher and by every test."""

from __future__ import annotations

import os
import random
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.worker import WorkerFailed

from desk.clock import Clock, SystemClock
from desk.i18n import Catalog, catalog, describe
from desk.models import Operator, Role
from desk.permissions import Action
from desk.services import Desk
from desk.store import DraftBox, Store, StoreError
from screens.base import StoreChanged, translate_bindings

_LOGGED_IN_ACTIONS = {"lookup", "register", "matters", "logout", "audit", "lock", "command_palette",
                      "operators", "own_password", "queue", "overview", "roster", "stations", "my_work",
                      "departments", "agenda", "supervision_list", "closeout", "tally"}
_NEEDS = {"register": Action.REGISTER, "audit": Action.AUDIT, "operators": Action.MANAGE_OPERATORS,
          "overview": Action.VIEW_QUEUES, "roster": Action.MANAGE_STATIONS, "stations": Action.MANAGE_STATIONS,
          "departments": Action.MANAGE_SETTINGS, "supervision_list": Action.SUPERVISE,
          "closeout": Action.CLOSE_DAY, "tally": Action.REPORT}
IDLE_CHECK_SECONDS = 5
REFRESH_SECONDS = 1.0  # other counters' saves show within this long
BACKGROUND_NOTICE_SECONDS = 30  # a failed daily backup: long enough to read and act on


@dataclass
class AuditFailed(Message):
    """An action was done but its audit entry could not be written (posted from any thread)."""

    error: StoreError


class DeskApp(App[int]):
    CSS_PATH = "desk.tcss"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("f2", "lookup", "key.lookup", id="lookup"),
        Binding("f3", "register", "key.register", id="register"),
        Binding("f4", "matters", "key.matters", id="matters"),
        Binding("f5", "queue", "key.queue", id="queue"),
        Binding("f6", "audit", "key.audit", id="audit"),
        Binding("f7", "overview", "key.overview", id="overview"),
        Binding("f8", "my_work", "key.my_work", id="my_work"),
        # Not in the Footer (no room at 80 columns): the palette names them with their keys.
        Binding("f9", "agenda", "key.agenda", id="agenda", show=False),
        Binding("f10", "supervision_list", "key.supervision_list", id="supervision_list", show=False),
        Binding("f11", "tally", "key.tally", id="tally", show=False),
        Binding("f12", "privacy", "key.privacy", id="privacy", priority=True),
        Binding("ctrl+q", "quit", "key.quit", id="quit", show=False, priority=True),
        # Declared here so that its Footer label is translated like every other key.
        Binding("ctrl+p", "command_palette", "key.palette", id="palette", show=False, priority=True),
    ]

    def __init__(
        self, desk: Desk, catalog: Catalog, operator: Operator | None = None, notice: str = "",
        cursor_blink: bool = True,
        background: Callable[[], str] | None = None,
        idle_seconds: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        refresh_seconds: float | None = REFRESH_SECONDS,
        crash_log: Path | None = None,
    ) -> None:
        super().__init__()
        self.crash_log = crash_log  # where a crash's traceback goes, without local variables
        self.cursor_blink = cursor_blink
        self.idle_seconds = idle_seconds  # None: the hall's setting (idle_lock_minutes)
        self.monotonic = monotonic  # injected: the idle lock is tested without waiting
        self.refresh_seconds = refresh_seconds  # None: only when `read_other_counters` is called
        self.last_input = monotonic()
        self.desk = desk
        desk.on_audit_failure = lambda exc: self.post_message(AuditFailed(exc))
        self.catalog = catalog
        self.operator = operator
        self.notice = notice
        self.background = background
        self._refresh_error = ""
        self.title = catalog("app.title")
        # English labels are longer: at 80 columns F8 would push F12 (blank the screen) out
        # of the Footer. The key still works and the command palette names it.
        translate_bindings(self, catalog, hidden=frozenset() if catalog.lang == "zh" else frozenset({"my_work"}))

    def get_driver_class(self):
        """Textual's driver, reading input so that pasted text arrives whole and in order
        (screens/paste.py)."""
        from screens.paste import install

        install()
        return super().get_driver_class()

    def _fatal_error(self) -> None:
        """Textual prints a crash's traceback with every frame's local variables: visitors'
        names and ID numbers on the terminal. The desk says a short sentence instead, and
        keeps the traceback, without locals, in the crash log. (Textual has no public hook
        for this; this is the one place its private method is replaced.)"""
        self.bell()
        written = self._write_crash_log()
        key = "app.crashed.logged" if written else "app.crashed"
        self.panic(Text(self.catalog(key, path=str(self.crash_log))))

    def _write_crash_log(self) -> bool:
        error = _crash_cause()
        if self.crash_log is None or error is None:
            return False
        lines = traceback.format_exception(error)  # no locals, ever
        try:
            fd = os.open(self.crash_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as log:
                log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')}\n" + "".join(lines))
        except OSError:
            return False
        return True

    def store_failed(self, exc: StoreError) -> None:
        """A background read or save met a store problem: told on screen, the app goes on."""
        self.notify(describe(self.catalog, exc), severity="error", timeout=30, markup=False)

    def format_title(self, title: str, sub_title: str) -> Content:
        # Textual joins with an em dash, which is ambiguous-width in Chinese terminals.
        return Content.assemble(title, ("  |  ", "dim"), (sub_title, "dim")) if sub_title else Content(title)

    @on(events.DescendantFocus)
    def _steady_cursor(self, event: events.DescendantFocus) -> None:
        """Snapshots need a cursor that does not blink; people get Textual's default."""
        if not self.cursor_blink and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown | events.MouseScrollDown | events.MouseScrollUp):
            self.last_input = self.monotonic()
        await super().on_event(event)

    def _idle_limit(self) -> float:
        if self.idle_seconds is not None:
            return self.idle_seconds
        return self.desk.settings().idle_lock_minutes * 60

    def lock_if_idle(self) -> None:
        if self.operator is None or self.locked:
            return
        limit = self._idle_limit()
        if limit > 0 and self.monotonic() - self.last_input >= limit:
            self.lock("idle")

    @property
    def locked(self) -> bool:
        from screens.lock import LockScreen

        return any(isinstance(s, LockScreen) for s in self.screen_stack)

    @property
    def blanked(self) -> bool:
        from screens.privacy import PrivacyScreen

        return isinstance(self.screen, PrivacyScreen)

    def lock(self, reason: str) -> None:
        """Lock over whatever is open; a form below keeps every character."""
        from screens.lock import LockScreen

        if self.operator is None or self.locked:
            return
        if self.blanked:
            self.pop_screen()
        self.desk.note_lock(self.operator, reason)
        self.push_screen(LockScreen())

    def unlock(self) -> None:
        from screens.lock import LockScreen

        if isinstance(self.screen, LockScreen):
            self.pop_screen()
        self.last_input = self.monotonic()

    def action_lock(self) -> None:
        self.lock("key")

    def action_privacy(self) -> None:
        from screens.privacy import PrivacyScreen

        if self.blanked:
            self.pop_screen()
        else:
            self.push_screen(PrivacyScreen())

    def on_mount(self) -> None:
        from screens.login import LoginScreen
        from screens.setup import SetupScreen

        self.set_interval(IDLE_CHECK_SECONDS if self.idle_seconds is None else min(IDLE_CHECK_SECONDS, self.idle_seconds / 2),
                          self.lock_if_idle)
        if self.refresh_seconds:
            self.set_interval(self.refresh_seconds, self.read_other_counters)
        if self.background is not None:
            self._run_background()
        if self.operator is not None:
            self.enter_desk(self.operator)
        elif self.desk.has_operators():
            self.push_screen(LoginScreen(self.notice))
        else:
            self.push_screen(SetupScreen())

    @work(thread=True, group="background")
    def _run_background(self) -> None:
        """The day's backup runs while the login screen is already up; a failure is told
        as a warning that stays long enough to be read."""
        message = self.background() if self.background else ""
        if message:
            self.call_from_thread(self.notify, message, severity="warning", timeout=BACKGROUND_NOTICE_SECONDS,
                                  markup=False)

    @work(thread=True, group="preload")
    def _preload(self) -> None:
        """The year's records are read once someone is logged in, not before the login:
        parsing holds the interpreter for about a second at 50,000 visits, and keys
        typed meanwhile must not land in the wrong login field."""
        try:
            self.desk.preload()
        except StoreError as exc:
            self.call_from_thread(self._refresh_failed, exc)

    @work(thread=True, exclusive=True, group="refresh")
    def read_other_counters(self) -> None:
        try:
            changed = self.desk.refresh()
        except StoreError as exc:
            self.call_from_thread(self._refresh_failed, exc)
            return
        if changed:
            self.call_from_thread(lambda: self.screen.post_message(StoreChanged()))

    def on_audit_failed(self, message: AuditFailed) -> None:
        self.notify(self.catalog("app.audit_failed", message=describe(self.catalog, message.error)),
                    severity="warning", timeout=30, markup=False)

    def _refresh_failed(self, exc: StoreError) -> None:
        if self._refresh_error != exc.code:  # say it once, not every second
            self._refresh_error = exc.code
            self.store_failed(exc)

    def enter_desk(self, operator: Operator) -> None:
        """After login: the lookup screen is the base every other screen returns to."""
        from screens.lookup import LookupScreen

        self.operator = operator
        self._preload()
        self.sub_title = self.catalog("app.subtitle", name=operator.name, role=self.catalog("role." + operator.role.value))
        self.switch_screen(LookupScreen()) if self._has_user_screen() else self.push_screen(LookupScreen())
        if self.desk.may(operator, Action.SERVE):
            if self.desk.referrals.my_stations(operator):
                self.action_queue()  # an officer (or a leader on their reception day) lands on today's queue
            elif operator.role is Role.STATION:  # told at once, not found out by a key that does nothing
                self.notify(self.catalog("queue.none"), severity="warning", markup=False)

    def action_queue(self) -> None:
        from screens.queue import QueueScreen

        if isinstance(self.screen, QueueScreen):
            return
        stations = self.desk.referrals.visible_stations(self.operator)
        if not stations:
            self.notify(self.catalog("queue.none"), severity="warning", markup=False)
            return
        self.push_screen(QueueScreen(stations[0]))

    def has_work(self) -> bool:
        """Whoever may work matters has work to see; an administrator has none."""
        return any(self.desk.may(self.operator, a) for a in (Action.REGISTER, Action.REPLY, Action.SUPERVISE))

    def _has_user_screen(self) -> bool:
        return len(self.screen_stack) > 1

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "privacy":
            return self.operator is not None
        if self.blanked and action != "quit":
            return False
        if action in _LOGGED_IN_ACTIONS and (self.operator is None or self.locked):
            return False
        if action in _NEEDS:
            return self.desk.may(self.operator, _NEEDS[action])
        if action == "queue":
            return bool(self.desk.referrals.visible_stations(self.operator))
        if action == "my_work":
            return self.has_work()
        if action == "agenda":
            return self.meets()
        return True

    def meets(self) -> bool:
        """Whoever plans meetings or supervises them has an agenda."""
        return any(self.desk.may(self.operator, a) for a in (Action.MEET, Action.SUPERVISE))

    def _back_to_lookup(self) -> None:
        from screens.lookup import LookupScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, LookupScreen):
            self.pop_screen()

    def finish_receipt(self) -> None:
        """The visitor has their receipt: it closes for good, and nothing of them stays in
        the lookup (query, results, details) for the next person at the counter to read."""
        from screens.lookup import LookupScreen
        from screens.receipt import ReceiptScreen

        while any(isinstance(s, ReceiptScreen) for s in self.screen_stack):
            self.pop_screen()
        for screen in self.screen_stack:
            if isinstance(screen, LookupScreen):
                screen.forget()

    def _leave_receipt(self) -> None:
        """Going to another section from a receipt (or from a screen over it) finishes it:
        Esc from the next form must never lead back to the last visitor's receipt."""
        from screens.receipt import ReceiptScreen

        if any(isinstance(s, ReceiptScreen) for s in self.screen_stack):
            self.finish_receipt()

    def action_lookup(self) -> None:
        self._leave_receipt()
        self._back_to_lookup()
        self.screen.query_one("#query").focus()

    def action_register(self) -> None:
        from screens.register import RegisterScreen

        self._leave_receipt()
        self.push_screen(RegisterScreen())

    def action_matters(self) -> None:
        from screens.matters import MattersScreen

        self._leave_receipt()
        if not isinstance(self.screen, MattersScreen):
            self.push_screen(MattersScreen())

    def on_exit_app(self) -> None:
        """Told to quit from outside (a served seat's browser closed, SIGTERM): runs before
        Textual's own handler, while every screen is still there."""
        self._flush_drafts()

    def _flush_drafts(self) -> None:
        from screens.register import RegisterScreen

        for screen in self.screen_stack:
            if isinstance(screen, RegisterScreen):
                screen.flush_draft()

    async def action_quit(self) -> None:
        """Quitting while logged in is a logout too, as far as the audit trail is concerned."""
        self._flush_drafts()
        if self.operator is not None:
            self.desk.logout(self.operator)
            self.operator = None
        self.exit()

    def action_audit(self) -> None:
        from screens.audit import AuditScreen

        self._leave_receipt()
        if not isinstance(self.screen, AuditScreen):
            self.push_screen(AuditScreen())

    def action_overview(self) -> None:
        from screens.overview import OverviewScreen

        self._leave_receipt()
        if not isinstance(self.screen, OverviewScreen):
            self.push_screen(OverviewScreen())

    def action_my_work(self) -> None:
        from screens.my_work import MyWorkScreen

        self._leave_receipt()
        if not isinstance(self.screen, MyWorkScreen):
            self.push_screen(MyWorkScreen())

    def action_agenda(self) -> None:
        from screens.agenda import AgendaScreen

        self._leave_receipt()
        if not isinstance(self.screen, AgendaScreen):
            self.push_screen(AgendaScreen())

    def action_supervision_list(self) -> None:
        from screens.supervision import SupervisionScreen

        self._leave_receipt()
        if not isinstance(self.screen, SupervisionScreen):
            self.push_screen(SupervisionScreen())

    def action_closeout(self) -> None:
        """Today's close-out (日结); the tally screen opens it for the day it shows."""
        from screens.closeout import CloseOutScreen

        self._leave_receipt()
        if not isinstance(self.screen, CloseOutScreen):
            self.push_screen(CloseOutScreen())

    def action_tally(self) -> None:
        from screens.tally import TallyScreen

        self._leave_receipt()
        if not isinstance(self.screen, TallyScreen):
            self.push_screen(TallyScreen())

    def action_departments(self) -> None:
        from screens.departments import DepartmentsScreen

        self._leave_receipt()
        if not isinstance(self.screen, DepartmentsScreen):
            self.push_screen(DepartmentsScreen())

    def action_stations(self) -> None:
        from screens.stations import StationsScreen

        self._leave_receipt()
        if not isinstance(self.screen, StationsScreen):
            self.push_screen(StationsScreen())

    def action_roster(self) -> None:
        from screens.roster import RosterScreen

        self._leave_receipt()
        if not isinstance(self.screen, RosterScreen):
            self.push_screen(RosterScreen())

    def action_operators(self) -> None:
        from screens.operators import OperatorsScreen

        self._leave_receipt()
        if not isinstance(self.screen, OperatorsScreen):
            self.push_screen(OperatorsScreen())

    def action_own_password(self) -> None:
        from screens.credentials import CredentialsModal

        def submit(values: dict[str, str]) -> None:
            self.operator = self.desk.change_own_password(self.operator, values["old"], values["password"])
            self.notify(self.catalog("password.changed"), markup=False)

        self.push_screen(CredentialsModal(self.catalog("cmd.own_password"), submit, ask_old=True))

    def action_logout(self) -> None:
        from screens.login import LoginScreen

        if self.operator is not None:
            self.desk.logout(self.operator)
        self.operator = None
        self.sub_title = ""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(LoginScreen())

    def action_command_palette(self) -> None:
        if self.locked or self.blanked:
            return
        if not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=self.catalog("cmd.placeholder")))

    def _hidden_keys(self, screen: Screen) -> Iterable[SystemCommand]:
        """A screen's own keys that the Footer leaves out for room: in the palette instead."""
        for active in screen.active_bindings.values():
            binding = active.binding
            if active.node is screen and active.enabled and not binding.show and binding.description \
                    and not binding.action.startswith("app."):
                yield SystemCommand(binding.description, self.catalog("cmd.key", key=self.get_key_display(binding)),
                                    partial(self._run_key, screen, binding.action))

    async def _run_key(self, screen: Screen, action: str) -> None:
        await screen.run_action(action)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own entries are English; the hall gets its own, in its language."""
        t = self.catalog
        if self.operator is not None:
            yield SystemCommand(t("cmd.lookup"), t("cmd.lookup.help"), self.action_lookup)
            if self.desk.may(self.operator, Action.REGISTER):
                yield SystemCommand(t("cmd.register"), t("cmd.register.help"), self.action_register)
            yield SystemCommand(t("cmd.matters"), t("cmd.matters.help"), self.action_matters)
            if self.has_work():
                yield SystemCommand(t("cmd.my_work"), t("cmd.my_work.help"), self.action_my_work)
            if self.meets():
                yield SystemCommand(t("cmd.agenda"), t("cmd.agenda.help"), self.action_agenda)
            if self.desk.may(self.operator, Action.SUPERVISE):
                yield SystemCommand(t("cmd.supervision_list"), t("cmd.supervision_list.help"),
                                    self.action_supervision_list)
            if self.desk.may(self.operator, Action.CLOSE_DAY):
                yield SystemCommand(t("cmd.closeout"), t("cmd.closeout.help"), self.action_closeout)
            if self.desk.may(self.operator, Action.REPORT):
                yield SystemCommand(t("cmd.tally"), t("cmd.tally.help"), self.action_tally)
            if self.desk.referrals.visible_stations(self.operator):
                yield SystemCommand(t("cmd.queue"), t("cmd.queue.help"), self.action_queue)
            if self.desk.may(self.operator, Action.AUDIT):
                yield SystemCommand(t("cmd.audit"), t("cmd.audit.help"), self.action_audit)
            if self.desk.may(self.operator, Action.MANAGE_OPERATORS):
                yield SystemCommand(t("cmd.operators"), t("cmd.operators.help"), self.action_operators)
            if self.desk.may(self.operator, Action.MANAGE_STATIONS):
                yield SystemCommand(t("cmd.roster"), t("cmd.roster.help"), self.action_roster)
                yield SystemCommand(t("cmd.stations"), t("cmd.stations.help"), self.action_stations)
            if self.desk.may(self.operator, Action.MANAGE_SETTINGS):
                yield SystemCommand(t("cmd.departments"), t("cmd.departments.help"), self.action_departments)
            yield SystemCommand(t("cmd.own_password"), t("cmd.own_password.help"), self.action_own_password)
            yield SystemCommand(t("cmd.lock"), t("cmd.lock.help"), self.action_lock)
            yield SystemCommand(t("cmd.logout"), t("cmd.logout.help"), self.action_logout)
        yield from self._hidden_keys(screen)
        if screen.query("HelpPanel"):
            yield SystemCommand(t("cmd.keys"), t("cmd.keys.hide"), self.action_hide_help_panel)
        else:
            yield SystemCommand(t("cmd.keys"), t("cmd.keys.help"), self.action_show_help_panel)
        yield SystemCommand(t("cmd.quit"), t("cmd.quit.help"), self.action_quit)


def _crash_cause() -> BaseException | None:
    """The exception being handled, unwrapped from Textual's WorkerFailed."""
    error = sys.exc_info()[1]
    return error.error if isinstance(error, WorkerFailed) else error


def create_app(
    desk_or_store: Desk | Store,
    *,
    clock: Clock | None = None,
    lang: str = "zh",
    operator: Operator | None = None,
    drafts: DraftBox | None = None,
    rng: random.Random | None = None,
    notice: str = "",
    background: Callable[[], str] | None = None,
    cursor_blink: bool = True,
    idle_seconds: float | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    refresh_seconds: float | None = REFRESH_SECONDS,
    crash_log: Path | None = None,
) -> DeskApp:
    """Build the app from ready services, or from an opened store plus clock and drafts."""
    if isinstance(desk_or_store, Desk):
        desk = desk_or_store
    else:
        desk = Desk(desk_or_store, clock or SystemClock(), drafts, rng)
    return DeskApp(desk, catalog(lang), operator=operator, notice=notice, background=background,
                   cursor_blink=cursor_blink, idle_seconds=idle_seconds, monotonic=monotonic,
                   refresh_seconds=refresh_seconds, crash_log=crash_log)

