"""What the benchmark scripts share."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def desk_command() -> str:
    """This checkout's desk: the one beside the running interpreter (its venv), else PATH's."""
    beside = Path(sys.executable).with_name("desk")
    return str(beside) if beside.exists() else shutil.which("desk") or "desk"
