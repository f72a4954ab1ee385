"""A real browser on a served desk: Debian's Chromium driven by Playwright (never a browser
Playwright downloads), and the screen read back as text.

The page draws the terminal on a canvas (xterm.js), so there is no text to query. What it
draws is the byte stream the websocket brings; a script added before the page's own keeps a
copy of it, and pyte (a terminal emulator, wide characters two cells) turns the copy into
the lines a person sees."""

from __future__ import annotations

import base64
import os
import shutil
import time
from pathlib import Path

import pyte

CHROMIUM = Path(os.environ.get("DESK_CHROMIUM", "/usr/bin/chromium"))
# Headless, and nothing that reaches beyond this machine.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

_KEEP_OUTPUT = """
(() => {
  const Real = window.WebSocket;
  window.__deskOut = [];
  function Kept(url, protocols) {
    const socket = protocols === undefined ? new Real(url) : new Real(url, protocols);
    socket.addEventListener("message", (event) => {
      if (typeof event.data === "string") return;
      const bytes = new Uint8Array(event.data);
      let text = "";
      for (let i = 0; i < bytes.length; i += 0x8000) {
        text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
      }
      window.__deskOut.push(btoa(text));
    });
    socket.addEventListener("close", (event) => { window.__deskClosed = event.code; });
    const send = socket.send.bind(socket);
    socket.send = (data) => {
      if (typeof data === "string" && data.startsWith('["resize"')) window.__deskSize = JSON.parse(data)[1];
      return send(data);
    };
    return socket;
  }
  Kept.prototype = Real.prototype;
  Object.assign(Kept, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  window.WebSocket = Kept;
})();
"""


def missing_browser() -> str:
    """Why the browser tests cannot run here, or "" when they can."""
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        return f"no Chromium at {CHROMIUM} (apt-get install chromium chromium-driver; .ci/run does it as root)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return ""


class Tab:
    """One browser tab on the served desk: what it shows, and keys typed into it."""

    def __init__(self, page, url: str, size: tuple[int, int] = (240, 80)) -> None:
        self.page = page
        self.screen = pyte.Screen(*size)
        self.stream = pyte.ByteStream(self.screen)
        page.add_init_script(_KEEP_OUTPUT)
        page.goto(url)
        page.wait_for_selector(".xterm-screen", timeout=20_000)

    def text(self) -> str:
        size = self.page.evaluate("() => window.__deskSize || null")
        if size and (size["height"], size["width"]) != (self.screen.lines, self.screen.columns):
            self.screen.resize(size["height"], size["width"])  # the desk redraws all at a new size
        for chunk in self.page.evaluate("() => window.__deskOut.splice(0)"):
            self.stream.feed(base64.b64decode(chunk))
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, *words: str, timeout: float = 20.0) -> str:
        """The screen once it shows every one of `words`."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.text()
            if all(word in shown for word in words):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"{words} not on the screen after {timeout} s:\n{shown}")
            self.page.wait_for_timeout(100)

    def focus(self) -> None:
        self.page.click(".xterm-screen")

    def find(self, text: str) -> tuple[int, int]:
        """(row, column) in cells of `text` on the screen; a Chinese character is two cells."""
        self.text()
        for y in range(self.screen.lines):
            line = self.screen.buffer[y]
            cells = [line[x].data for x in range(self.screen.columns)]
            joined, starts = "", []
            for x, data in enumerate(cells):
                starts.extend([x] * len(data))
                joined += data
            at = joined.find(text)
            if at >= 0:
                return y, starts[at]
        raise AssertionError(f"{text!r} not on the screen:\n{self.text()}")

    def click_after(self, label: str, cells: int) -> None:
        """Click `cells` cells to the right of where `label` starts: the field beside a label."""
        y, x = self.find(label)
        size = self.page.evaluate("() => window.__deskSize")
        box = self.page.locator(".xterm-screen").bounding_box()
        width, height = box["width"] / size["width"], box["height"] / size["height"]
        self.page.mouse.click(box["x"] + (x + cells + 0.5) * width, box["y"] + (y + 0.5) * height)

    def type(self, text: str) -> None:
        """Typed as the browser types it (Chinese arrives as one piece of text, as from an IME)."""
        self.page.keyboard.type(text)

    def fill(self, text: str, timeout: float = 10.0) -> None:
        """Type into a visible field and wait until it shows: the browser hands over Chinese
        (an IME's text) a moment after the keys around it, so a key pressed at once could
        overtake it."""
        self.type(text)
        self.wait_for(text, timeout=timeout)

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)

    def closed_code(self) -> int | None:
        return self.page.evaluate("() => window.__deskClosed ?? null")
