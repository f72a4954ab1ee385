"""A seat's browser closed mid-form, its desk killed, or the host stopped: the draft comes back
at that operator's next registration. The real desk, served; the browser's side is a
websocket client typing what a browser sends, and the screen read back through pyte."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from pathlib import Path

import aiohttp
import pyte
import pytest

from tests.test_cli import Run
from tests.test_serve import a_request

ROOT = Path(__file__).resolve().parent.parent
F3 = "\x1bOR"


@pytest.fixture
def hall(tmp_path):
    run = Run(tmp_path)
    for name, role in (("boss", "admin"), ("王芳", "receptionist")):
        assert run("user", "add", name, "--role", role, "--password-stdin", "--data", str(run.data),
                   stdin="secret123\n")[0] == 0
    return run.data


class Seat:
    """One browser tab, as the server sees it: keys in, the terminal out."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.screen = pyte.Screen(120, 40)
        self.stream = pyte.ByteStream(self.screen)

    async def send(self, text: str) -> None:
        """As a browser sends it: Chinese (an IME's text) in one piece, each key on its own."""
        for piece in [text] if not text.isascii() else list(text) if not text.startswith("\x1b") else [text]:
            await self.ws.send_str(json.dumps(["stdin", piece]))

    async def wait_for(self, words: str, timeout: float = 20.0) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            shown = "\n".join(self.screen.display)
            if words in shown:
                return shown
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(f"{words!r} not on the screen:\n{shown}")
            with contextlib.suppress(TimeoutError):
                msg = await asyncio.wait_for(self.ws.receive(), left)
                if msg.type == aiohttp.WSMsgType.BINARY:
                    self.stream.feed(msg.data)
                elif msg.type != aiohttp.WSMsgType.TEXT:
                    raise AssertionError(f"closed while waiting for {words!r}:\n{shown}")

    async def log_in(self, name: str) -> None:
        await self.wait_for("登录接待台")
        # A page tells the desk when its terminal gets the focus (a click); the desk starts
        # blurred, and the focus it then gives back could land after a key already typed.
        await self.ws.send_str(json.dumps(["focus"]))
        await self.send(name)
        await self.wait_for(name)
        await self.send("\t")
        # The focus moves once the Tab has bubbled up to the app: keys typed faster than
        # any person types would overtake it (in a terminal too).
        await asyncio.sleep(0.5)
        await self.send("secret123\r")
        await self.wait_for("f3 新登记")


@contextlib.asynccontextmanager
async def serving(data: Path):
    from deskweb.server import HallServer

    request = a_request([], seat_args=lambda address: ["--data", str(data), "--counter", f"test@{address}"])
    server = HallServer(request, [sys.executable, str(ROOT / "launch.py")], grace=5.0)
    await server.start()
    try:
        yield server
    finally:
        await server.shutdown()


async def _until(condition, timeout: float = 15.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not in time")


# A tab closed mid-word (no pause that writes a draft), a desk killed, the host stopping.
@pytest.mark.parametrize("how", ["closed while typing", "desk killed", "host stopped"])
async def test_the_draft_comes_back_at_the_next_registration(hall, how):
    url = "/ws?width=120&height=40"
    async with serving(hall) as server, aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"http://127.0.0.1:{server.port}{url}", origin=f"http://127.0.0.1:{server.port}")
        seat = Seat(ws)
        await seat.log_in("王芳")
        await seat.send(F3)
        await seat.wait_for("诉求摘要")
        await seat.send("赵六")
        await seat.wait_for("赵六")
        if how != "closed while typing":  # a pause in typing: the draft is written (a kill saves nothing)
            await _until(lambda: any((hall / "drafts").glob("registration-*.json")))
        (process,) = [s.process for s in server.seats.values()]
        if how == "desk killed":
            os.kill(process.pid, signal.SIGKILL)
        elif how == "host stopped":
            await server.close_all()
        else:
            await ws.close()
        await _until(lambda: not server.seats)
        await ws.close()
        assert process._process.returncode is not None

        again = Seat(await http.ws_connect(f"http://127.0.0.1:{server.port}{url}", origin=f"http://127.0.0.1:{server.port}"))
        await again.log_in("王芳")
        await again.send(F3)
        await again.wait_for("有一份未保存的登记草稿（赵六）")
        await again.ws.close()
