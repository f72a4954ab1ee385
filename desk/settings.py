"""Hall settings: stored in the `settings` table, with the defaults of the 2022 regulation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desk.store import Reader, Transaction

# The eight mediation groups (八大调处组); codes are stable, labels live in the catalogs.
DEFAULT_CATEGORIES = (
    "land",
    "forest_land",
    "labour",
    "housing",
    "demolition",
    "medical",
    "marriage_family",
    "other",
)
SETTINGS_ID = 1
# name -> (lowest, highest). An idle lock of 0 minutes means never.
NUMERIC_SETTINGS = {"acceptance_days": (1, 90), "yellow_days": (0, 30), "idle_lock_minutes": (0, 240),
                    "backup_keep": (1, 365), "serve_sessions": (1, 64), "serve_idle_minutes": (0, 1440)}


@dataclass(frozen=True)
class Settings:
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    acceptance_days: int = 15
    yellow_days: int = 3
    idle_lock_minutes: int = 5
    backup_keep: int = 30  # daily backups kept
    # `desk serve`: browser seats at once (each is a desk process on the host), and minutes
    # without a key or a click before a seat's session is closed (0: never).
    serve_sessions: int = 16
    serve_idle_minutes: int = 120
    rev: int = 0

    def to_doc(self) -> dict[str, Any]:
        return {
            "id": SETTINGS_ID,
            "rev": self.rev,
            "categories": list(self.categories),
            "acceptance_days": self.acceptance_days,
            "yellow_days": self.yellow_days,
            "idle_lock_minutes": self.idle_lock_minutes,
            "backup_keep": self.backup_keep,
            "serve_sessions": self.serve_sessions,
            "serve_idle_minutes": self.serve_idle_minutes,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any] | None) -> Settings:
        if doc is None:
            return cls()
        return cls(
            categories=tuple(doc.get("categories") or DEFAULT_CATEGORIES),
            acceptance_days=doc.get("acceptance_days", 15),
            yellow_days=doc.get("yellow_days", 3),
            idle_lock_minutes=doc.get("idle_lock_minutes", 5),
            backup_keep=doc.get("backup_keep", 30),
            serve_sessions=doc.get("serve_sessions", 16),
            serve_idle_minutes=doc.get("serve_idle_minutes", 120),
            rev=doc.get("rev", 0),
        )


def load_settings(reader: Reader) -> Settings:
    return Settings.from_doc(reader.get("settings", SETTINGS_ID))


def save_settings(txn: Transaction, settings: Settings) -> Settings:
    """Revision 0 (never saved) is created under SETTINGS_ID, and refused like a stale
    revision when another desk created it first: never a second settings document."""
    return Settings.from_doc(txn.update("settings", settings.to_doc()))

