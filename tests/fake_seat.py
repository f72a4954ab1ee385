"""A stand-in for one tab's desk, speaking textual-serve's protocol: echoes what the browser
sends, quits when asked or on Ctrl+Q, or with FAKE_SEAT_HANG=1 hangs (ignores the quit and SIGTERM)."""

import json
import os
import signal
import sys
import time

HANG = os.environ.get("FAKE_SEAT_HANG") == "1"
out, stdin = sys.stdout.buffer, sys.stdin.buffer


def packet(kind: bytes, payload: bytes) -> None:
    out.write(kind + len(payload).to_bytes(4, "big") + payload)
    out.flush()


if HANG:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
out.write(b"__GANGLION__\n")
packet(b"D", ("seat " + " ".join(sys.argv[1:]) + "\n").encode())
while True:
    kind = stdin.read(1)
    if not kind:
        break
    payload = stdin.read(int.from_bytes(stdin.read(4), "big"))
    if kind == b"D" and payload == b"\x11":  # Ctrl+Q: the desk quits by itself
        packet(b"M", json.dumps({"type": "exit"}).encode())
        break
    if kind == b"D":
        packet(b"D", b"echo:" + payload)
    elif json.loads(payload).get("type") == "resize":
        meta = json.loads(payload)
        packet(b"D", f"size {meta['width']}x{meta['height']}".encode())
    elif json.loads(payload).get("type") == "quit" and not HANG:
        packet(b"M", json.dumps({"type": "exit"}).encode())
        break
while HANG:
    time.sleep(1)
