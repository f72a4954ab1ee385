"""Files that carry their own checksum: the manifest, snapshots and keys files.

A checked file is one header line of JSON (format, kind, what it holds, the body's
length and CRC-32), a newline, then the body. A digit flipped anywhere in the body, a
cut-off end or a file of another kind is found when the file is read, never taken in.
Files of the first format (plain JSON, no header) are still read; the next checkpoint
rewrites them in this one.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

from desk.store import StoreCorrupt, StoreError
from storage import journal

FORMAT = 2


def frame(kind: str, body: bytes, **meta: Any) -> bytes:
    header = {"format": FORMAT, "kind": kind, **meta, "length": len(body), "crc32": f"{zlib.crc32(body):08x}"}
    return journal.dumps(header) + b"\n" + body


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise StoreCorrupt(path, "damage.missing") from None
    except OSError as exc:
        raise StoreError("err.store.read", path=str(path), detail=exc.strerror or str(exc)) from exc


def unframe(path: Path, raw: bytes, kind: str) -> tuple[dict[str, Any], memoryview]:
    """(header, body) of a checked file; a first-format file gives ({"format": 1}, raw).
    The body is a view, not a copy: a year's snapshot is tens of megabytes."""
    newline = raw.find(b"\n")
    if newline < 0:
        if raw.startswith(b"{"):
            return {"format": 1}, memoryview(raw)
        raise StoreCorrupt(path, "damage.empty" if not raw else "damage.parse")
    try:
        header = journal.loads(raw[:newline])
    except journal.DecodeError:
        raise StoreCorrupt(path, "damage.parse") from None
    if not isinstance(header, dict) or header.get("kind") != kind:
        raise StoreCorrupt(path, "damage.kind")
    body = memoryview(raw)[newline + 1:]
    if header.get("length") != len(body):
        raise StoreCorrupt(path, "damage.length", expected=header.get("length"), found=len(body))
    if header.get("crc32") != f"{zlib.crc32(body):08x}":
        raise StoreCorrupt(path, "damage.checksum")
    return header, body


def parse(path: Path, body: bytes | memoryview) -> Any:
    try:
        return journal.loads(body)
    except journal.DecodeError:
        raise StoreCorrupt(path, "damage.parse") from None


def read(path: Path, kind: str) -> tuple[dict[str, Any], Any]:
    """(header, parsed body) of a checked file, or StoreCorrupt naming what is wrong."""
    header, body = unframe(path, read_bytes(path), kind)
    return header, parse(path, body)
