"""`desk serve`: the command line's checks, and the web server's own pieces (a cap on seats,
idle seats closed, a hung desk ended, the host stopping, TLS, addresses from the request),
each against a stand-in desk (`tests/fake_seat.py`) so that it takes a second, not a browser."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from desk.errors import DeskError
from desk.i18n import catalog
from desk.serving import ServeRequest, addresses_to_open, seat_args
from desk.store import StoreError
from deskweb.server import CLOSE_DIED, CLOSE_FULL, CLOSE_HOST, CLOSE_IDLE, CLOSE_QUIT, HallServer
from tests.test_cli import Run

FAKE_SEAT = [sys.executable, str(Path(__file__).with_name("fake_seat.py"))]


def a_request(events: list, **changes) -> ServeRequest:
    base = ServeRequest(host="127.0.0.1", port=0, display=False, sessions=4, idle_seconds=0, cert=None, key=None,
                        t=catalog("en"), seat_args=lambda address: ["--counter", f"hall@{address}"],
                        note=lambda event, address, detail: events.append((event, address, detail)), out=io.StringIO())
    return replace(base, **changes)


@contextlib.asynccontextmanager
async def served(request: ServeRequest, **kwargs):
    server = HallServer(request, FAKE_SEAT, grace=kwargs.pop("grace", 2.0), poll=kwargs.pop("poll", 0.05))
    await server.start()
    try:
        yield server
    finally:
        await server.shutdown()


async def until(condition, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def first_bytes(ws) -> bytes:
    msg = await asyncio.wait_for(ws.receive(), 10)
    assert msg.type == aiohttp.WSMsgType.BINARY, msg
    return msg.data


async def closed_with(ws) -> tuple[int, str]:
    while True:
        msg = await asyncio.wait_for(ws.receive(), 10)
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
            return ws.close_code, msg.extra or ""


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    with contextlib.suppress(ChildProcessError):
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    return False


def ws_url(server: HallServer) -> str:
    return f"ws://127.0.0.1:{server.port}/ws?width=100&height=30"


def origin(server: HallServer, scheme: str = "http") -> str:
    """What a browser sends with a page the server gave out."""
    return f"{scheme}://127.0.0.1:{server.port}"


# -- the web server ---------------------------------------------------------------------------


async def test_each_tab_runs_its_own_desk_named_by_the_browsers_address_and_is_audited():
    events: list = []
    async with served(a_request(events)) as server, aiohttp.ClientSession() as http:
        async with http.ws_connect(ws_url(server), origin=origin(server)) as one, http.ws_connect(ws_url(server), origin=origin(server)) as two:
            assert b"seat --counter hall@127.0.0.1" in await first_bytes(one)
            await first_bytes(two)
            await one.send_str(json.dumps(["stdin", "张三"]))
            assert await first_bytes(one) == "echo:张三".encode()
            pids = {seat.process.pid for seat in server.seats.values()}
            assert len(pids) == 2  # one process per tab
        await until(lambda: not server.seats)
        assert all(gone(pid) for pid in pids)
    assert [(e, a) for e, a, _ in events] == [("connect", "127.0.0.1")] * 2 + [("disconnect", "127.0.0.1")] * 2
    assert events[-1][2]["reason"] == "closed" and events[-1][2]["seats"] == 0


async def test_a_tab_beyond_the_cap_is_turned_away_saying_why():
    events: list = []
    async with served(a_request(events, sessions=2)) as server, aiohttp.ClientSession() as http:
        async with http.ws_connect(ws_url(server), origin=origin(server)) as one, http.ws_connect(ws_url(server), origin=origin(server)):
            await first_bytes(one)
            async with http.ws_connect(ws_url(server), origin=origin(server)) as third:
                assert await closed_with(third) == (CLOSE_FULL, "All 2 seats are taken; open it again later")
            assert len(server.seats) == 2
        await until(lambda: not server.seats)
        async with http.ws_connect(ws_url(server), origin=origin(server)) as again:  # a seat freed is a seat to take
            await first_bytes(again)
    assert ("refused", "127.0.0.1", {"also": 0, "seats": 2}) in events


async def test_an_idle_seat_is_closed_and_one_in_use_is_not():
    events: list = []
    async with served(a_request(events, idle_seconds=0.6)) as server, aiohttp.ClientSession() as http:
        async with http.ws_connect(ws_url(server), origin=origin(server)) as idle, http.ws_connect(ws_url(server), origin=origin(server)) as busy:
            await first_bytes(idle)
            await first_bytes(busy)
            closing = asyncio.create_task(closed_with(idle))
            for _ in range(12):
                await busy.send_str(json.dumps(["stdin", "x"]))
                await asyncio.sleep(0.1)
            code, reason = await closing
            assert code == CLOSE_IDLE and "1 minutes without use" in reason
            assert not busy.closed and len(server.seats) == 1
    assert [d["reason"] for e, _, d in events if e == "disconnect"][0] == "idle"


async def test_a_desk_that_quits_by_itself_closes_its_page_saying_so():
    events: list = []
    async with served(a_request(events)) as server, aiohttp.ClientSession() as http:
        async with http.ws_connect(ws_url(server), origin=origin(server)) as ws:
            await first_bytes(ws)
            await ws.send_str(json.dumps(["stdin", "\x11"]))
            assert await closed_with(ws) == (CLOSE_QUIT, "The desk was closed")
        await until(lambda: not server.seats)
    assert events[-1][2]["reason"] == "quit"


async def test_a_desk_that_does_not_quit_is_ended(monkeypatch):
    monkeypatch.setenv("FAKE_SEAT_HANG", "1")
    async with served(a_request([]), grace=0.3) as server, aiohttp.ClientSession() as http:
        async with http.ws_connect(ws_url(server), origin=origin(server)) as ws:
            await first_bytes(ws)
            (seat,) = server.seats.values()
            pid = seat.process.pid
        await until(lambda: not server.seats, timeout=5)
        await until(lambda: gone(pid), timeout=5)


async def test_the_host_stopping_asks_every_seat_to_quit_and_says_so():
    events: list = []
    async with aiohttp.ClientSession() as http:
        server = HallServer(a_request(events), FAKE_SEAT, grace=2.0)
        await server.start()
        async with http.ws_connect(ws_url(server), origin=origin(server)) as one, http.ws_connect(ws_url(server), origin=origin(server)) as two:
            await first_bytes(one)
            await first_bytes(two)
            pids = [seat.process.pid for seat in server.seats.values()]
            waiting = [asyncio.create_task(closed_with(ws)) for ws in (one, two)]
            await server.shutdown()
            assert [(await w)[0] for w in waiting] == [CLOSE_HOST, CLOSE_HOST]
        assert all(gone(pid) for pid in pids)
    assert [d["reason"] for e, _, d in events if e == "disconnect"] == ["host", "host"]


async def test_the_page_reaches_the_seat_by_the_address_the_browser_used():
    """textual-serve builds the page's addresses from the host it listens on: 0.0.0.0 would
    send every seat's browser to 0.0.0.0. And a hall's network has no internet for fonts."""
    async with served(a_request([], t=catalog("zh"), allowed_hosts=("desk-host",))) as server, \
            aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{server.port}/", headers={"Host": "desk-host:8000"}) as page:
            html = await page.text()
    assert 'data-session-websocket-url="ws://desk-host:8000/ws"' in html
    assert "<title>接待台</title>" in html and 'lang="zh-CN"' in html and "草稿" in html
    assert "googleapis" not in html and "http://127.0.0.1" not in html


def _self_signed(folder: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=localhost"], check=True, capture_output=True)
    return cert, key


async def test_with_a_certificate_seats_use_https_and_wss(tmp_path):
    cert, key = _self_signed(tmp_path)
    trust = ssl.create_default_context(cafile=str(cert))
    trust.check_hostname = False
    async with served(a_request([], cert=cert, key=key)) as server, aiohttp.ClientSession() as http:
        async with http.get(f"https://127.0.0.1:{server.port}/", ssl=trust) as page:
            assert f'"wss://127.0.0.1:{server.port}/ws"' in await page.text()
        async with http.ws_connect(f"wss://127.0.0.1:{server.port}/ws", ssl=trust,
                                   origin=origin(server, "https")) as ws:
            assert b"seat" in await first_bytes(ws)
        with pytest.raises(aiohttp.ClientError):
            await http.get(f"http://127.0.0.1:{server.port}/")  # no plain http beside it


def test_a_certificate_that_does_not_fit_is_told_before_listening(tmp_path):
    cert, _ = _self_signed(tmp_path)
    with pytest.raises(DeskError) as caught:
        HallServer(a_request([], cert=cert, key=cert), FAKE_SEAT)
    assert caught.value.code == "err.serve.tls"


async def test_a_port_already_taken_is_told():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = HallServer(a_request([], port=taken.getsockname()[1]), FAKE_SEAT)
        with pytest.raises(DeskError) as caught:
            await server.start()
    assert caught.value.code == "err.serve.listen"


def test_the_address_to_open_is_never_0000():
    assert addresses_to_open("127.0.0.1", 8000, False) == ["http://127.0.0.1:8000/"]
    assert addresses_to_open("192.168.1.5", 8443, True) == ["https://192.168.1.5:8443/"]
    assert addresses_to_open("::1", 8000, False) == ["http://[::1]:8000/"]
    assert all("0.0.0.0" not in a and a.endswith(":8000/") for a in addresses_to_open("0.0.0.0", 8000, False))


def test_a_seat_runs_the_same_folder_and_language_and_is_named_by_its_address(tmp_path):
    assert seat_args(tmp_path, "en", "host", False, "10.0.0.7") == [
        "--data", str(tmp_path), "--lang", "en", "--counter", "host@10.0.0.7"]
    assert seat_args(tmp_path, "zh", "host", True, "::1")[-1] == "display"


# -- the command line --------------------------------------------------------------------------


@pytest.fixture
def hall(tmp_path):
    run = Run(tmp_path)
    assert run("user", "add", "boss", "--role", "admin", "--password-stdin", "--data", str(run.data),
               stdin="secret123\n")[0] == 0
    return run


def test_serve_defaults_to_this_pc_only_with_the_halls_limits(hall):
    assert hall("settings", "set", "serve_sessions", "6", "--data", str(hall.data))[0] == 0
    code, _, err = hall("serve", "--data", str(hall.data), "--counter", "host-pc")
    assert (code, err) == (0, "")
    (request,) = hall.served
    assert (request.host, request.port, request.display, request.sessions) == ("127.0.0.1", 8000, False, 6)
    assert request.idle_seconds == 120 * 60 and request.cert is None
    assert request.seat_args("192.168.1.23") == ["--data", str(hall.data.absolute()), "--lang", "zh",
                                                 "--counter", "host-pc@192.168.1.23"]


def test_serve_display_has_its_own_port_and_never_closes_for_idleness(hall):
    assert hall("serve", "--display", "--host", "0.0.0.0", "--data", str(hall.data))[0] == 0
    (request,) = hall.served
    assert (request.host, request.port, request.idle_seconds) == ("0.0.0.0", 8001, 0)
    assert request.seat_args("10.0.0.2")[-1] == "display"


def test_connections_go_into_the_audit_trail_which_still_verifies(hall):
    assert hall("serve", "--data", str(hall.data), "--lang", "en", "--counter", "host-pc")[0] == 0
    note = hall.served[0].note
    note("connect", "192.168.1.23", {"seats": 1})
    note("disconnect", "192.168.1.23", {"seconds": 30, "reason": "idle", "seats": 0})
    lines = [json.loads(line) for line in (hall.data / "audit.log").read_text(encoding="utf-8").splitlines()]
    assert [(e["action"], e["target"], e["counter"]) for e in lines[-2:]] == [
        ("serve_connect", "192.168.1.23", "host-pc"), ("serve_disconnect", "192.168.1.23", "host-pc")]
    assert lines[-1]["detail"]["reason"] == "idle"
    assert hall("audit", "verify", "--data", str(hall.data))[0] == 0


@pytest.mark.parametrize(("argv", "words"), [
    (("--cert", "c.pem"), "--cert and --key go together"),
    (("--port", "70000"), "port 70000 is not between 1 and 65535"),
])
def test_serve_refuses_a_wrong_option_in_one_sentence(hall, argv, words):
    code, out, err = hall("--lang", "en", "serve", *argv, "--data", str(hall.data))
    assert code == 1 and words in err and len(err.strip().splitlines()) == 1 and not hall.served


def test_serve_refuses_a_folder_without_a_hall_or_without_operators(tmp_path):
    run = Run(tmp_path)
    code, _, err = run("--lang", "en", "serve", "--data", str(run.data))
    assert code == 1 and "no such directory" in err and not run.data.exists()
    assert run("category", "add", "water", "--data", str(run.data))[0] == 0  # a hall, nobody in it
    code, _, err = run("--lang", "en", "serve", "--data", str(run.data))
    assert code == 1 and "has no operators yet" in err and not run.served


def test_serve_refuses_a_folder_that_is_not_on_a_local_disk(hall, monkeypatch):
    import storage.files as files

    def refuse(path, mounts=None):
        raise StoreError("err.store.network", path=str(path), kind="nfs4")

    monkeypatch.setattr(files, "ensure_local", refuse)
    code, _, err = hall("serve", "--data", str(hall.data))
    assert code == 1 and "不在本机磁盘上" in err and not hall.served



# -- what a hostile page or client tries ----------------------------------------------------


async def test_a_page_from_elsewhere_opens_no_seat_and_is_audited_once_a_minute():
    """Any site a clerk visits could otherwise open seats, read the screen and type; a page
    whose Host is a lie (DNS rebinding) gets nothing either."""
    events: list = []
    async with served(a_request(events)) as server, aiohttp.ClientSession() as http:
        for _ in range(5):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(ws_url(server), origin="http://evil.example")
            assert refused.value.status == 403
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await http.ws_connect(ws_url(server))  # no Origin at all: not a browser page of ours
        async with http.get(f"http://127.0.0.1:{server.port}/", headers={"Host": "evil.example:8000"}) as page:
            assert page.status == 403
        async with http.get(f"http://127.0.0.1:{server.port}/static/") as listing:
            assert listing.status in (403, 404)
        assert not server.seats
    refusals = [e for e in events if e[0] == "refused_origin"]
    assert len(refusals) == 1 and refusals[0][2]["also"] == 0  # the other five are counted, not written


async def test_a_terminal_size_is_kept_within_reason_and_garbage_never_ends_a_seat():
    async with served(a_request([])) as server, aiohttp.ClientSession() as http:
        async with http.ws_connect(ws_url(server), origin=origin(server)) as ws:
            assert b"seat" in await first_bytes(ws)
            for junk in ("{{{", "[]", '["stdin", 5]', '["resize", "x"]', '["ping", "' + "p" * 100 + '"]'):
                await ws.send_str(junk)
            await ws.send_str(json.dumps(["resize", {"width": 20000, "height": 1e308}]))
            assert await first_bytes(ws) == b"size 500x200"
            await ws.send_str(json.dumps(["resize", {"width": -1, "height": "7"}]))
            assert await first_bytes(ws) == b"size 20x8"
            await ws.send_str(json.dumps(["stdin", "a"]))
            assert await first_bytes(ws) == b"echo:a"


async def test_a_desk_that_dies_is_told_as_dying_not_as_the_clerk_quitting():
    events: list = []
    async with served(a_request(events)) as server, aiohttp.ClientSession() as http:
        async with http.ws_connect(ws_url(server), origin=origin(server)) as ws:
            await first_bytes(ws)
            seat = next(iter(server.seats.values()))
            os.kill(seat.process.pid, 9)
            code, _ = await closed_with(ws)
        await until(lambda: any(e[0] == "disconnect" for e in events))
    assert code == CLOSE_DIED
    assert [e[2]["reason"] for e in events if e[0] == "disconnect"] == ["died"]


SERVER_SCRIPT = """
import asyncio, io, sys
from desk.i18n import catalog
from desk.serving import ServeRequest
from deskweb.server import HallServer

async def main():
    request = ServeRequest(host="127.0.0.1", port=0, display=False, sessions=4, idle_seconds=0, cert=None, key=None,
                           t=catalog("en"), seat_args=lambda a: [], note=lambda *a: None, out=io.StringIO())
    server = HallServer(request, sys.argv[1:])
    await server.start()
    print(server.port, flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
async def test_a_server_killed_outright_takes_its_seats_with_it(tmp_path):
    """SIGKILL leaves no chance to ask the desks to quit: each gets SIGTERM from the kernel
    (saving its draft) instead of running on, logged in, with the store locked."""
    script = tmp_path / "server.py"
    script.write_text(SERVER_SCRIPT, encoding="utf-8")
    host = await asyncio.create_subprocess_exec(sys.executable, str(script), *FAKE_SEAT, stdout=subprocess.PIPE)
    port = int((await asyncio.wait_for(host.stdout.readline(), 20)).decode())
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"ws://127.0.0.1:{port}/ws", origin=f"http://127.0.0.1:{port}")
        await first_bytes(ws)
        children = Path(f"/proc/{host.pid}/task/{host.pid}/children").read_text().split()
        assert len(children) == 1
        host.kill()
        await host.wait()
        await until(lambda: gone(int(children[0])))
        await ws.close()
