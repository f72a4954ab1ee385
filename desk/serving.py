"""`desk serve`: every seat of the hall opens the desk in a browser, from the one PC that
holds the data. The web server itself (textual-serve, aiohttp) lives in `deskweb/`; here is
what the command line decides: which folder, which limits, what each seat runs, what the
audit trail and the host's console are told."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from desk.audit import Auditor
from desk.i18n import Catalog, describe
from desk.models import Operator
from desk.store import StoreError

LOOPBACK = "127.0.0.1"
DESK_PORT = 8000
DISPLAY_PORT = 8001  # the display has its own port, so the two servers run side by side


@dataclass(frozen=True)
class ServeRequest:
    """What the launcher needs to serve the desk (or the hall display) to browsers."""

    host: str
    port: int
    display: bool
    sessions: int  # at most this many browser tabs at once; one more is turned away
    idle_seconds: float  # a seat with no key or click for this long is closed; 0: never
    cert: Path | None
    key: Path | None
    t: Catalog
    # The `desk` arguments a new tab runs, given the browser's address (it names the counter).
    seat_args: Callable[[str], list[str]]
    # A connection came, went or was turned away: (event, address, details).
    note: Callable[[str, str, dict], None]
    out: TextIO
    # Other names seats reach this PC by (a DNS name, a forwarded address); its own names
    # and addresses are always allowed. A page from anywhere else may not open a seat.
    allowed_hosts: tuple[str, ...] = ()


def seat_args(data: Path, lang: str, counter: str, display: bool, address: str) -> list[str]:
    """One tab's desk: the same folder and language, and a counter that names the browser's
    address, so the audit trail tells which seat did what."""
    args = ["--data", str(data), "--lang", lang, "--counter", f"{counter}@{address}"]
    return [*args, "display"] if display else args


def addresses_to_open(host: str, port: int, tls: bool) -> list[str]:
    """The addresses a seat types into its browser. A server on every interface is reached at
    this PC's own addresses on the hall's network, never at 0.0.0.0."""
    scheme = "https" if tls else "http"
    if host in ("0.0.0.0", "::", ""):
        names = [*_own_addresses(), socket.gethostname()]  # the address, and the PC's name as a second way
    else:
        names = [host]
    return [f"{scheme}://{_bracketed(name)}:{port}/" for name in names]


def _bracketed(name: str) -> str:
    return f"[{name}]" if ":" in name else name


def _own_addresses() -> list[str]:
    """This PC's IPv4 addresses other than loopback: as its own name resolves them, and the
    one its route out would use (a UDP socket's connect sends no packet)."""
    found: set[str] = set()
    try:
        found |= {str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only the routing table is asked
            found.add(probe.getsockname()[0])
    except OSError:
        pass
    return sorted(a for a in found if not a.startswith(("127.", "0.")))


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


class ConnectionLog:
    """Connections in the audit trail (address and time; the entry's own time is the clock's)
    and on the host's console. The server must go on when the trail cannot be written: that
    is told on the console, never a reason to drop a seat."""

    def __init__(self, auditor: Auditor | None, operator: Operator, t: Catalog, out: TextIO, err: TextIO) -> None:
        self.auditor, self.operator, self.t, self.out, self.err = auditor, operator, t, out, err
        self._mutex = threading.Lock()  # the server writes from worker threads

    def __call__(self, event: str, address: str, detail: dict) -> None:
        with self._mutex:
            if self.auditor is not None:
                try:
                    self.auditor.record(self.operator.name, self.operator.role.value, f"serve_{event}", address, detail)
                except StoreError as exc:
                    print(self.t("cli.audit_failed", message=describe(self.t, exc)), file=self.err, flush=True)
            shown = {**detail, "reason": self.t.label("serve.reason", str(detail.get("reason", "")))}
            print(self.t(f"serve.console.{event}", address=address, **shown), file=self.out, flush=True)
