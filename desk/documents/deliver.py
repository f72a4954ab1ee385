"""Opening a written document with the system's default program, or sending it to the
default printer. What was done is said as it is: a file that could not be printed is
reported as written, with its path, never as printed.

The opener is injected (`Context.opener`), so tests never launch a program."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

# How long a program is waited for: long enough for `lp` or xdg-open to answer, short
# enough that a viewer that stays in the foreground does not hold the desk.
WAIT_SECONDS = 20.0


class How(StrEnum):
    FILE = "file"  # write the .docx only
    OPEN = "open"  # and open it with the system's default program
    PRINT = "print"  # and send it to the default printer


@dataclass(frozen=True)
class Delivery:
    """What happened to a written file. `done` is True only when the program said so;
    `problem` is a catalog key (`doc.reason.*`) when it is False."""

    how: How
    done: bool
    via: str = ""  # the program used: lp, xdg-open, soffice, startfile
    problem: str = ""
    detail: str = ""


class Opener(Protocol):
    def open(self, path: Path) -> Delivery: ...

    def print(self, path: Path) -> Delivery: ...


Run = Callable[[list[str]], tuple[int | None, str]]  # exit code (None: still running), error text


def run_detached(argv: list[str], wait: float = WAIT_SECONDS) -> tuple[int | None, str]:
    """Run a program away from the terminal (Textual owns it): no input, no output on the
    screen, its own session. Its exit code when it ends within `wait` seconds, else None."""
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                    start_new_session=os.name == "posix")
        except OSError as exc:
            return 127, exc.strerror or str(exc)
        try:
            code = proc.wait(wait)
        except subprocess.TimeoutExpired:
            return None, ""
        err.seek(0)
        return code, err.read().decode("utf-8", "replace").strip()[-300:]


# Printing a .docx on Linux: LibreOffice renders it itself; lp and lpr hand it to CUPS,
# which refuses a format it has no filter for (and says so).
LINUX_PRINTERS = (("soffice", ["--headless", "-p"]), ("libreoffice", ["--headless", "-p"]), ("lp", []),
                  ("lpr", []))


@dataclass
class SystemOpener:
    """Windows: `os.startfile`; Linux: xdg-open, and LibreOffice, lp or lpr to print;
    macOS: open and lp. Everything it reaches is injectable, for its own tests."""

    platform: str = sys.platform
    which: Callable[[str], str | None] = shutil.which
    run: Run = run_detached
    startfile: Callable[..., None] | None = getattr(os, "startfile", None)

    def open(self, path: Path) -> Delivery:
        if self.platform == "win32":
            return self._startfile(path, How.OPEN)
        program = "open" if self.platform == "darwin" else "xdg-open"
        if self.which(program) is None:
            return Delivery(How.OPEN, False, problem="doc.reason.no_opener", detail=program)
        return self._run(How.OPEN, program, [program, str(path)])

    def print(self, path: Path) -> Delivery:
        if self.platform == "win32":
            return self._startfile(path, How.PRINT)
        printers = LINUX_PRINTERS if self.platform != "darwin" else (("lp", []), ("lpr", []))
        for program, options in printers:
            found = self.which(program)
            if found is not None:
                return self._run(How.PRINT, program, [found, *options, str(path)])
        return Delivery(How.PRINT, False, problem="doc.reason.no_printer",
                        detail=", ".join(p for p, _ in printers))

    def _run(self, how: How, program: str, argv: list[str]) -> Delivery:
        code, err = self.run(argv)
        if code is None:  # still running: it started, and has not said it failed
            return Delivery(how, True, via=program)
        if code != 0:
            return Delivery(how, False, via=program, problem="doc.reason.failed", detail=err or f"exit {code}")
        return Delivery(how, True, via=program)

    def _startfile(self, path: Path, how: How) -> Delivery:
        if self.startfile is None:
            return Delivery(how, False, problem="doc.reason.no_opener", detail="os.startfile")
        try:
            if how is How.PRINT:
                self.startfile(str(path), "print")
            else:
                self.startfile(str(path))
        except OSError as exc:  # no program registered for .docx, or none that prints
            return Delivery(how, False, via="startfile", problem="doc.reason.failed",
                            detail=exc.strerror or str(exc))
        return Delivery(how, True, via="startfile")
