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
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from desk.errors import DeskError
from desk.serving import ServeRequest, addresses_to_open, is_loopback

TEMPLATES = Path(__file__).resolve().parent / "templates"
log = logging.getLogger("desk.serve")

# Websocket close codes the page reads to say why the session ended (4000-4999: the application's).
CLOSE_FULL, CLOSE_IDLE, CLOSE_HOST, CLOSE_QUIT = 4001, 4002, 4003, 4004


class SeatProcess(AppService):
    """One tab's desk process: started without a shell, and stopped even when it hangs."""

    def __init__(self, argv: list[str], *, grace: float, touched: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv, self.grace, self.touched = argv, grace, touched
        self.quit_itself = False  # the desk ended without being asked (Ctrl+Q, a crash)
        self._stopping = False

    async def on_meta(self, data: bytes) -> None:
        if not self._stopping and json.loads(data).get("type") == "exit":
            self.quit_itself = True  # said before the page is closed, so the close can tell it
        await super().on_meta(data)

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        """As textual-serve opens it, but the arguments go to the program as they are: a
        data folder with spaces or Chinese in its name is no shell's business."""
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self._build_environment(width=width, height=height))
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
        self.quit_itself = self.quit_itself or not self._stopping  # Ctrl+Q, or it died
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
        websocket = web.WebSocketResponse(heartbeat=15)  # a seat switched off is noticed
        address = request.remote or "?"
        await websocket.prepare(request)
        if len(self.seats) >= self.request.sessions:
            await self.note("refused", address, seats=len(self.seats))
            await websocket.close(code=CLOSE_FULL, message=self._reason("serve.closed.full", count=self.request.sessions))
            return websocket
        seat_id = uuid.uuid4().hex
        seat = self.seats[seat_id] = Seat(address, websocket)
        await self.note("connect", address, seats=len(self.seats))
        try:
            seat.process = SeatProcess(
                [*self.program, *self.request.seat_args(address)], grace=self.grace, touched=seat.touch,
                write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                close=lambda: websocket.close(code=CLOSE_QUIT, message=self._reason("serve.closed.quit")),
                download_manager=self.download_manager, debug=self.debug)
            await seat.process.start(to_int(request.query.get("width", "80"), 80),
                                     to_int(request.query.get("height", "24"), 24))
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
            quit_itself = seat.process is not None and seat.process.quit_itself
            await self.note("disconnect", address, seconds=round(time.monotonic() - seat.started),
                            reason=seat.ending or ("quit" if quit_itself else "closed"), seats=len(self.seats))
        return websocket

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
        scheme = "wss" if request.secure else "ws"
        t = self.request.t
        context = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{scheme}://{request.host}{request.app.router['websocket'].url_for()}",
            "static_url": str(request.app.router["static"].url_for(filename="/")).rstrip("/") + "/",
            "lang": "zh-CN" if t.lang == "zh" else t.lang,
            "text": {key: t(f"serve.page.{key}") for key in ("opening", "ended", "reopen", "full", "idle", "host", "quit")},
            "title": self.title,
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

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
        context.load_cert_chain(str(request.cert), str(request.key))
    except (OSError, ssl.SSLError) as exc:
        raise DeskError("err.serve.tls", cert=str(request.cert), key=str(request.key),
                        detail=getattr(exc, "strerror", None) or str(exc)) from None
    return context


def serve(request: ServeRequest, program: list[str]) -> int:
    HallServer(request, program).serve()
    return 0
