"""The hall's web server: textual-serve's `Server`, with what a hall needs added.

textual-serve (1.1.3) runs one process per browser tab and relays the terminal over a
websocket. It has no limit on tabs, never closes an idle one, has no TLS, waits forever for
a process that does not quit, runs the command through a shell, and builds every address
from the host it listens on (0.0.0.0 would send browsers to 0.0.0.0). Everything that leans
on its internals is in this module, and `tests/test_serve.py` covers each piece:

- `Server._make_app` (routes), `Server._process_messages` (the browser's messages),
- `AppService._open_app_process`, `._process`, `._task`, `._download_manager` (the process).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import socket
import ssl
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import WSMsgType, web, web_urldispatcher
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from desk.errors import DeskError
from desk.serving import ServeRequest, addresses_to_open, is_loopback

TEMPLATES = Path(__file__).resolve().parent / "templates"
log = logging.getLogger("desk.serve")

# Websocket close codes the page reads to say why the session ended (4000-4999: the application's).
CLOSE_FULL, CLOSE_IDLE, CLOSE_HOST, CLOSE_QUIT, CLOSE_DIED = 4001, 4002, 4003, 4004, 4005
# A browser's terminal size is taken only within these (a 20000x20000 "resize" made one desk
# take 2 GB); a key message longer than this is not a person typing.
COLUMNS, ROWS, MAX_INPUT = (20, 500), (8, 200), 65536
# A refused connection is audited once per address in this many seconds (with how many were
# refused meanwhile): a page hammering the server must not flood the trail.
REFUSALS_NOTED_EVERY = 60.0


def _clamped(value: Any, bounds: tuple[int, int], default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return default
    try:
        number = int(float(value))
    except (ValueError, OverflowError):
        return default
    return max(bounds[0], min(bounds[1], number))


def _parent_death_signal() -> None:  # pragma: no cover - runs in the child, before exec
    """On Linux a seat's desk gets SIGTERM when the server dies, even by SIGKILL: it saves
    its draft and ends, instead of running on logged in with the store locked."""
    import ctypes

    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class SeatProcess(AppService):
    """One tab's desk process: started without a shell, and stopped even when it hangs."""

    def __init__(self, argv: list[str], *, grace: float, touched: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv, self.grace, self.touched = argv, grace, touched
        self.quit_itself = False  # the desk said it was quitting (Ctrl+Q)
        self.died = False  # it ended without being asked and without saying so (killed, a crash)
        self._stopping = False

    async def on_meta(self, data: bytes) -> None:
        if not self._stopping and json.loads(data).get("type") == "exit":
            self.quit_itself = True  # said before the page is closed, so the close can tell it
        await super().on_meta(data)

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        """As textual-serve opens it, but the arguments go to the program as they are: a
        data folder with spaces or Chinese in its name is no shell's business."""
        linux = sys.platform.startswith("linux")
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self._build_environment(width=width, height=height),
            preexec_fn=_parent_death_signal if linux else None)
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def send_bytes(self, data: bytes) -> bool:
        self.touched()  # a key or a click from the browser: the seat is in use
        return await super().send_bytes(data)

    async def run(self) -> None:
        """Relay until the desk's output ends; a desk that ended without saying so (killed,
        crashed) closes the page too, which textual-serve would leave open and frozen."""
        await super().run()
        self.died = not self.quit_itself and not self._stopping
        with contextlib.suppress(Exception):
            await self.remote_close()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def stop(self) -> None:
        """Ask the desk to quit (its draft is saved as it is typed); one that has not gone
        within the grace period is terminated, then killed. Never waits for ever."""
        self._stopping = True
        task, self._task = self._task, None
        process = self._process
        if task is None or process is None:
            return
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        if process.returncode is None:
            await self.send_meta({"type": "quit"})
        try:
            await asyncio.wait_for(asyncio.shield(task), self.grace)
            await asyncio.wait_for(process.wait(), self.grace)
        except TimeoutError:
            log.warning("seat process %s did not quit; ending it", process.pid)
            await _end(process, self.grace)
        if not task.done():
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _end(process: asyncio.subprocess.Process, grace: float) -> None:
    for stop in (process.terminate, process.kill):
        if process.returncode is not None:
            return
        try:
            stop()
        except ProcessLookupError:
            return
        try:
            await asyncio.wait_for(process.wait(), grace)
        except TimeoutError:
            continue


@dataclass
class Seat:
    address: str
    websocket: web.WebSocketResponse
    started: float = field(default_factory=time.monotonic)
    last_input: float = field(default_factory=time.monotonic)
    ending: str = ""  # why the server closed it (idle, host); "" while the browser decides
    process: SeatProcess | None = None

    def touch(self) -> None:
        self.last_input = time.monotonic()


class HallServer(Server):
    """textual-serve's server with a cap on seats, idle seats closed, connections audited,
    TLS, and addresses taken from the browser's own request."""

    def __init__(self, request: ServeRequest, program: list[str], *, poll: float = 30.0, grace: float = 5.0) -> None:
        super().__init__(" ".join(program), host=request.host, port=request.port,
                         title=request.t("serve.title.display" if request.display else "serve.title"),
                         templates_path=TEMPLATES)
        self.request, self.program, self.grace = request, program, grace
        self.poll = min(poll, request.idle_seconds / 4) if request.idle_seconds else poll
        self.ssl_context = tls_context(request)
        self.seats: dict[str, Seat] = {}
        self._refusals: dict[str, tuple[float, int]] = {}  # address -> (last noted, refused since)
        self._runner: web.AppRunner | None = None
        self._reaper: asyncio.Task[None] | None = None

    # -- the pieces a hall needs ------------------------------------------------------------

    async def note(self, event: str, address: str, **detail: Any) -> None:
        """The audit trail is written to disk (fsync): not on the loop every seat shares."""
        try:
            await asyncio.to_thread(self.request.note, event, address, detail)
        except Exception:  # the server goes on; the log says what went wrong
            log.exception("could not note %s of %s", event, address)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        address = request.remote or "?"
        if not self.trusted(request, websocket=True):
            await self.refused(address, "origin")
            raise web.HTTPForbidden(text=self.request.t("serve.page.foreign"))
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_INPUT * 2)  # a seat switched off is noticed
        await websocket.prepare(request)
        if len(self.seats) >= self.request.sessions:
            await self.refused(address, "full", seats=len(self.seats))
            await websocket.close(code=CLOSE_FULL, message=self._reason("serve.closed.full", count=self.request.sessions))
            return websocket
        seat_id = uuid.uuid4().hex
        seat = self.seats[seat_id] = Seat(address, websocket)
        await self.note("connect", address, seats=len(self.seats))
        try:
            seat.process = process = SeatProcess(
                [*self.program, *self.request.seat_args(address)], grace=self.grace, touched=seat.touch,
                write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                close=lambda: self._closed_by_desk(websocket, process),
                download_manager=self.download_manager, debug=self.debug)
            await seat.process.start(_clamped(request.query.get("width", "80"), COLUMNS, 80),
                                     _clamped(request.query.get("height", "24"), ROWS, 24))
            await self._process_messages(websocket, seat.process)
        except asyncio.CancelledError:
            seat.ending = seat.ending or "host"
        except Exception:
            log.exception("seat %s", address)
        finally:
            if seat.process is not None:
                await seat.process.stop()
            if not websocket.closed:
                await websocket.close()
            del self.seats[seat_id]
            await self.note("disconnect", address, seconds=round(time.monotonic() - seat.started),
                            reason=seat.ending or _ended(seat.process), seats=len(self.seats))
        return websocket

    async def _closed_by_desk(self, websocket: web.WebSocketResponse, process: SeatProcess) -> None:
        """The desk ended: Ctrl+Q is "closed", a desk that died says so, never as if the
        clerk had quit."""
        if process.died:
            await websocket.close(code=CLOSE_DIED, message=self._reason("serve.closed.died"))
        else:
            await websocket.close(code=CLOSE_QUIT, message=self._reason("serve.closed.quit"))

    def trusted(self, request: web.Request, websocket: bool = False) -> bool:
        """Only pages this server gave out may open a seat: the Host must name this PC (a
        DNS-rebinding page names its own), and a websocket's Origin must be that same host
        (any other site a clerk visits could otherwise open seats and type into them)."""
        host = (request.host or "").rsplit(":", 1)[0].strip("[]").lower() if request.host else ""
        if host not in self.allowed_names():
            return False
        if not websocket:
            return True
        origin = request.headers.get("Origin", "")
        return bool(origin) and urlsplit(origin).netloc.lower() == request.host.lower()

    def allowed_names(self) -> set[str]:
        names = {"localhost", "127.0.0.1", "::1", socket.gethostname().lower(), socket.getfqdn().lower()}
        if self.host not in ("0.0.0.0", "::", ""):
            names.add(self.host.lower())
        else:
            names |= {urlsplit(a).hostname or "" for a in addresses_to_open(self.host, self.port, False)}
        return names | set(self.request.allowed_hosts)

    async def refused(self, address: str, why: str, **detail: Any) -> None:
        """Audited once a minute per address at most, with how many were turned away since."""
        now = time.monotonic()
        last, count = self._refusals.get(address, (-REFUSALS_NOTED_EVERY, 0))
        if now - last < REFUSALS_NOTED_EVERY:
            self._refusals[address] = (last, count + 1)
            return
        self._refusals[address] = (now, 0)
        await self.note("refused" if why == "full" else f"refused_{why}", address, also=count, **detail)

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """The browser's messages, each checked: a malformed one is dropped (never the seat),
        a terminal size is kept within reason."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            if kind == "stdin" and isinstance(data, str) and len(data) <= MAX_INPUT:
                await app_service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(_clamped(data.get("width"), COLUMNS, 80),
                                                    _clamped(data.get("height"), ROWS, 24))
            elif kind == "ping" and isinstance(data, str | int | float) and len(str(data)) <= 64:
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    def _reason(self, key: str, **params: Any) -> bytes:
        """A close frame carries at most 123 bytes of reason."""
        text = self.request.t(key, **params).encode("utf-8")
        return text if len(text) <= 123 else text[:123].decode("utf-8", "ignore").encode("utf-8")

    async def close_idle(self) -> None:
        """Close every seat with no key or click for longer than the hall allows. Its desk is
        asked to quit as when the browser closes: the draft is kept for the next registration."""
        limit = self.request.idle_seconds
        if not limit:
            return
        now = time.monotonic()
        for seat in list(self.seats.values()):
            if now - seat.last_input > limit and not seat.ending:
                seat.ending = "idle"
                minutes = max(1, round(limit / 60))
                await seat.websocket.close(code=CLOSE_IDLE, message=self._reason("serve.closed.idle", minutes=minutes))

    async def _reap(self) -> None:
        while True:
            await asyncio.sleep(self.poll)
            try:
                await self.close_idle()
            except Exception:
                log.exception("closing idle seats")

    async def close_all(self) -> None:
        """The host is shutting down: every desk is asked to quit, each keeps its draft."""
        for seat in list(self.seats.values()):
            seat.ending = "host"
            await seat.websocket.close(code=CLOSE_HOST, message=self._reason("serve.closed.host"))
        for _ in range(int(self.grace * 3 / 0.05) + 1):  # the handlers stop their processes
            if not self.seats:
                return
            await asyncio.sleep(0.05)

    # -- textual-serve's hooks ---------------------------------------------------------------

    async def handle_index(self, request: web.Request) -> web.Response:
        """The page, with every address taken from the request the browser made: it reaches
        this PC by the name it used, http or https alike."""
        if not self.trusted(request):
            raise web.HTTPForbidden(text=self.request.t("serve.page.foreign"))
        scheme = "wss" if request.secure else "ws"
        t = self.request.t
        context = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{scheme}://{request.host}{request.app.router['websocket'].url_for()}",
            "static_url": str(request.app.router["static"].url_for(filename="/")).rstrip("/") + "/",
            "lang": "zh-CN" if t.lang == "zh" else t.lang,
            "text": {key: t(f"serve.page.{key}")
                     for key in ("opening", "ended", "reopen", "full", "idle", "host", "quit", "died")},
            "title": self.title,
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def _make_app(self) -> web.Application:
        """textual-serve's routes, but its static files are not listed as a directory."""
        app = await super()._make_app()
        for resource in app.router.resources():
            if isinstance(resource, web_urldispatcher.StaticResource):
                resource._show_index = False  # the one private attribute: aiohttp has no setter
        return app

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints its logo here; the hall is told once the port is really ours."""

    def announce(self) -> None:
        t, out = self.request.t, self.request.out
        addresses = addresses_to_open(self.host, self.port, self.ssl_context is not None)
        print(t("serve.console.display" if self.request.display else "serve.console.desk"), file=out)
        for address in addresses:
            print(f"  {address}", file=out)
        if is_loopback(self.host):
            print(t("serve.console.loopback"), file=out)
        elif self.ssl_context is None:
            print(t("serve.console.no_tls"), file=out)
        if self.request.idle_seconds:
            print(t("serve.console.limits", sessions=self.request.sessions,
                    idle=max(1, round(self.request.idle_seconds / 60))), file=out)
        else:
            print(t("serve.console.limits_no_idle", sessions=self.request.sessions), file=out)
        print(t("serve.console.stop_display" if self.request.display else "serve.console.stop"), file=out, flush=True)

    async def on_shutdown(self, app: web.Application) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
        await self.close_all()

    def initialize_logging(self) -> None:
        """Problems only: the console tells connections in the hall's words (`note`)."""
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")

    # -- running -----------------------------------------------------------------------------

    async def start(self) -> list[str]:
        """Listen; returns the addresses bound (port 0 in a test: the port chosen)."""
        self._runner = web.AppRunner(await self._make_app(), access_log=None, handle_signals=False,
                                     shutdown_timeout=self.grace * 3)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, ssl_context=self.ssl_context)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            raise DeskError("err.serve.listen", host=self.host, port=self.port, detail=exc.strerror or str(exc)) from None
        bound = [(str(a[0]), int(a[1])) for a in self._runner.addresses if isinstance(a, tuple)]
        if self.port == 0 and bound:
            self.port = bound[0][1]
        self._reaper = asyncio.create_task(self._reap())
        self.announce()
        return [f"{host}:{port}" for host, port in bound]

    async def shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()  # runs on_shutdown: the seats first
            self._runner = None

    async def run(self) -> None:
        """Until Ctrl+C or SIGTERM (the PC shutting down)."""
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, stopped.set)
            except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
                signal.signal(signum, lambda *_: loop.call_soon_threadsafe(stopped.set))
        await self.start()
        try:
            await stopped.wait()
        finally:
            print(self.request.t("serve.console.stopping"), file=self.request.out, flush=True)
            await self.shutdown()

    def serve(self, debug: bool = False) -> None:
        self.debug = debug
        self.initialize_logging()
        asyncio.run(self.run())


def tls_context(request: ServeRequest) -> ssl.SSLContext | None:
    if request.cert is None or request.key is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        # A key with a passphrase would make OpenSSL ask on the console and wait for ever.
        context.load_cert_chain(str(request.cert), str(request.key), password=lambda: b"")
    except (OSError, ssl.SSLError) as exc:
        raise DeskError("err.serve.tls", cert=str(request.cert), key=str(request.key),
                        detail=getattr(exc, "strerror", None) or str(exc)) from None
    return context


def serve(request: ServeRequest, program: list[str]) -> int:
    HallServer(request, program).serve()
    return 0


def _ended(process: SeatProcess | None) -> str:
    if process is not None and process.died:
        return "died"
    return "quit" if process is not None and process.quit_itself else "closed"
