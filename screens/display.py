"""The hall display (`desk display`): the latest calls in large digits and how many wait
at each station, for a TV beside the waiting seats. No login, nothing written, never a
name: only tickets, stations and windows. A new call rings the terminal bell."""

from __future__ import annotations

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Digits, Static

from desk.i18n import Catalog, catalog
from desk.referral.service import Board
from desk.services import Desk
from desk.store import StoreError
from screens.base import plain

REFRESH_SECONDS = 1.0


class DisplayApp(App[int]):
    CSS_PATH = "display.tcss"
    BINDINGS = [Binding("ctrl+q", "quit", "key.quit", show=False, priority=True)]

    def __init__(self, desk: Desk, t: Catalog, refresh_seconds: float | None = REFRESH_SECONDS) -> None:
        super().__init__()
        self.desk, self.catalog, self.refresh_seconds = desk, t, refresh_seconds
        self.title = t("display.title")
        self.shown: tuple[str, str] | None = None  # the latest call on screen: (ticket, time)
        self.bells = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="latest"):
            with Horizontal(id="ticket"):
                yield Static(id="prefix")
                yield Digits(id="number")
            yield Static(id="call")
        yield Static(plain(self.catalog("display.recent")), classes="heading")
        yield Static(id="recent")
        yield Static(plain(self.catalog("display.waiting")), classes="heading")
        yield Static(id="waiting")
        yield Static(id="problem")

    def on_mount(self) -> None:
        self.read_board()
        if self.refresh_seconds:
            self.set_interval(self.refresh_seconds, self.read_board)

    @work(thread=True, exclusive=True, group="board")
    def read_board(self) -> None:
        try:
            self.desk.refresh()
            board = self.desk.referrals.board()
        except StoreError as exc:
            self.call_from_thread(self._show_problem, exc)
            return
        self.call_from_thread(self.show, board)

    def _show_problem(self, exc: StoreError) -> None:
        from desk.i18n import describe

        self.query_one("#problem", Static).update(plain(describe(self.catalog, exc)))

    def show(self, board: Board) -> None:
        t = self.catalog
        self.query_one("#problem", Static).update("")
        latest = board.calls[0] if board.calls else None
        prefix = latest.ticket.rstrip("0123456789") if latest else ""
        self.query_one("#prefix", Static).update(plain(prefix))
        self.query_one("#number", Digits).update(latest.ticket[len(prefix):] if latest else "")
        call = t("display.call", ticket=latest.ticket, window=latest.window, station=latest.station) if latest \
            else t("display.none")
        self.query_one("#call", Static).update(plain(call))
        recent = "   ".join(t("display.recent_call", ticket=c.ticket, window=c.window) for c in board.calls[1:])
        self.query_one("#recent", Static).update(plain(recent or "-"))
        waiting = "\n".join(t("display.waiting_at", station=name, window=window, count=count)
                            for name, window, count in board.waiting)
        self.query_one("#waiting", Static).update(plain(waiting))
        now = (latest.ticket, latest.at.isoformat()) if latest else None
        if now is not None and self.shown is not None and now != self.shown:
            self.bells += 1
            self.bell()
        self.shown = now


def create_display_app(desk: Desk, *, lang: str = "zh", refresh_seconds: float | None = REFRESH_SECONDS) -> DisplayApp:
    return DisplayApp(desk, catalog(lang), refresh_seconds)
