"""What the benchmark scripts share."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def desk_command() -> str:
    """This checkout's desk: the one beside the running interpreter (its venv), else PATH's."""
    beside = Path(sys.executable).with_name("desk")
    return str(beside) if beside.exists() else shutil.which("desk") or "desk"


def open_desk(folder: Path):  # -> Desk; imported late: `desk_command` alone needs no desk
    """A desk over the hall in `folder`, as at a counter: the store opened once, the audit
    trail kept, the wall clock."""
    import random

    from desk.audit import Auditor
    from desk.clock import SystemClock
    from desk.services import Desk
    from storage import FileAuditLog, FileDraftBox, open_store

    clock = SystemClock()
    store = open_store(folder, today=clock.today)
    return Desk(store, clock, FileDraftBox(folder / "drafts"), random.Random(1),
                audit=Auditor(FileAuditLog(folder), clock, "bench"), folder=folder)
