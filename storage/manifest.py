"""The manifest: the commit point of the store, and what names every other file.

It records the journal generation, the number of the last save folded into the
snapshots (`seq`), each set's snapshot by generation and by the checksum of its trailer
(so an older snapshot, or one from another hall, copied in its place is refused), the
store's `epoch` (a restore or a new hall starts a new one: save numbers are counted per
epoch), and `witnessed`, the highest save the audit trail had recorded at the checkpoint
(so a trail cut back or replaced by an older one is noticed). It is replaced atomically.
A manifest of the first release (plain JSON, no save numbers) is still read.
"""

from __future__ import annotations

import secrets
import zlib
from pathlib import Path
from typing import Any

from desk.store import StoreCorrupt
from storage import checked, journal

MANIFEST = "manifest.json"
FORMAT = 3
COMMON = "common"
LEGACY = "legacy"


def new_id() -> str:
    return secrets.token_hex(8)


class Manifest:
    """`uid` names this checkpoint and `after` the one it followed: a desk that sees a
    manifest following its own may read on; any other change (a restore) reloads.
    `seq` is None for a manifest of the first release, whose journal lines carry no number."""

    def __init__(self, generation: int = 0, sets: dict[str, dict[str, Any]] | None = None, day: str = "",
                 uid: str = "", after: str = "", seq: int | None = 0, epoch: str = "", witnessed: int = 0) -> None:
        self.generation = generation
        self.sets = {name: dict(entry) for name, entry in (sets or {}).items()}
        self.day = day
        self.uid = uid or new_id()
        self.after = after
        self.seq = seq
        self.epoch = epoch or new_id()
        self.witnessed = witnessed

    @property
    def legacy(self) -> bool:
        return self.seq is None

    def gen(self, name: str) -> int | None:
        entry = self.sets.get(name)
        return entry["gen"] if entry else None

    def crc(self, name: str) -> str | None:
        entry = self.sets.get(name)
        return entry.get("crc") if entry else None

    def chain_seed(self) -> int:
        """Where this generation's journal chain starts: a journal of another generation
        or another hall does not check against it."""
        return zlib.crc32(self.uid.encode())

    def to_bytes(self) -> bytes:
        body = {"generation": self.generation, "seq": self.seq, "sets": self.sets, "day": self.day,
                "uid": self.uid, "after": self.after, "epoch": self.epoch, "witnessed": self.witnessed}
        return checked.frame("manifest", journal.dumps(body), manifest_format=FORMAT)

    def follows(self, other: Manifest) -> bool:
        return self.after == other.uid and self.generation == other.generation + 1

    def succeeding(self, day: str, seq: int, witnessed: int, after: str | None = None) -> Manifest:
        """The manifest of the next checkpoint: same sets (to be updated), same epoch."""
        return Manifest(self.generation + 1, self.sets, day, after=self.uid if after is None else after,
                        seq=seq, epoch=new_id() if self.legacy else self.epoch, witnessed=witnessed)

    @classmethod
    def read(cls, path: Path) -> Manifest:
        header, data = checked.read(path, "manifest")
        try:
            if header["format"] == 1:  # the first release: {"generation", "sets": {name: gen}, ...}
                sets = {str(k): {"gen": int(v)} for k, v in data["sets"].items()}
                return cls(int(data["generation"]), sets, str(data.get("day", "")), str(data.get("uid", "")),
                           str(data.get("after", "")), seq=None)
            if header.get("manifest_format") != FORMAT:
                raise StoreCorrupt(path, "damage.format", found=str(header.get("manifest_format")))
            sets = {str(k): {"gen": int(v["gen"]), "crc": str(v["crc"])} for k, v in data["sets"].items()}
            return cls(int(data["generation"]), sets, str(data["day"]), str(data["uid"]), str(data["after"]),
                       int(data["seq"]), str(data["epoch"]), int(data["witnessed"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise StoreCorrupt(path, "damage.parse") from None


def file_generation(name: str) -> int | None:
    """The generation in a store file's name (`2026.5.snap`, `journal.5.log`), else None."""
    if not is_store_file(name):
        return None
    parts = name.split(".")
    return int(parts[1]) if parts[1].isdigit() else None


def is_store_file(name: str) -> bool:
    parts = name.split(".")
    if name.startswith("journal.") and name.endswith(".log"):
        return len(parts) == 3 and parts[1].isdigit()
    return len(parts) >= 3 and parts[-1] in ("json", "snap") and parts[1].isdigit() and (
        parts[0] in (COMMON, LEGACY) or parts[0].isdigit())


def read_manifest(path: Path) -> Manifest:
    return Manifest.read(path)
