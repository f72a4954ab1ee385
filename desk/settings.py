"""Hall settings: stored in the `settings` table, with the defaults of the 2022 regulation."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from desk.codec import encode, from_fields
from desk.lifecycle.calendar import DayUnit
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

# The time limits of the 2022 regulation (WORKFLOW.md), each with its unit: calendar days
# unless the hall says working days. `extension_max` is how much a leader may add.
LIMITS = ("acceptance", "handling", "extension_max", "evaluation", "review_request", "review_answer",
          "reexamination_request", "reexamination_answer")
# name -> (lowest, highest). An idle lock of 0 minutes means never.
NUMERIC_SETTINGS = {"acceptance_days": (1, 90), "handling_days": (1, 365), "extension_max_days": (0, 90),
                    "evaluation_days": (1, 90), "review_request_days": (1, 90), "review_answer_days": (1, 90),
                    "reexamination_request_days": (1, 90), "reexamination_answer_days": (1, 90),
                    "yellow_days": (0, 30), "idle_lock_minutes": (0, 240), "backup_keep": (1, 365),
                    "huddle_lead_days": (0, 30), "at_acceptance_lead_days": (0, 30), "at_reply_lead_days": (0, 30),
                    "after_reply_lead_days": (0, 60), "three_party_lead_days": (0, 30),
                    "supervision_follow_up_days": (1, 30),
                    "serve_sessions": (1, 64), "serve_idle_minutes": (0, 1440)}
UNIT_SETTINGS = tuple(f"{name}_unit" for name in LIMITS)
# 不予受理的理由 offered first; a hall adds its own (their text is their code).
DEFAULT_REJECT_REASONS = ("outside_remit", "legal_procedure", "reexamined", "other")


@dataclass(frozen=True)
class Settings:
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    acceptance_days: int = 15
    handling_days: int = 60
    extension_max_days: int = 30
    evaluation_days: int = 30
    review_request_days: int = 30
    review_answer_days: int = 30
    reexamination_request_days: int = 30
    reexamination_answer_days: int = 30
    acceptance_unit: DayUnit = DayUnit.CALENDAR
    handling_unit: DayUnit = DayUnit.CALENDAR
    extension_max_unit: DayUnit = DayUnit.CALENDAR
    evaluation_unit: DayUnit = DayUnit.CALENDAR
    review_request_unit: DayUnit = DayUnit.CALENDAR
    review_answer_unit: DayUnit = DayUnit.CALENDAR
    reexamination_request_unit: DayUnit = DayUnit.CALENDAR
    reexamination_answer_unit: DayUnit = DayUnit.CALENDAR
    reject_reasons: tuple[str, ...] = DEFAULT_REJECT_REASONS
    yellow_days: int = 3
    idle_lock_minutes: int = 5
    backup_keep: int = 30  # daily backups kept
    # The three meetings: days after each moment (registration, acceptance, the reply) that
    # the desk proposes for the meeting; and days between supervision follow-ups.
    huddle_lead_days: int = 3
    at_acceptance_lead_days: int = 3
    at_reply_lead_days: int = 3
    after_reply_lead_days: int = 15
    three_party_lead_days: int = 7
    supervision_follow_up_days: int = 5
    # `desk serve`: browser seats at once (each is a desk process on the host), and minutes
    # without a key or a click before a seat's session is closed (0: never).
    serve_sessions: int = 16
    serve_idle_minutes: int = 120
    rev: int = 0

    def limit(self, name: str) -> tuple[int, DayUnit]:
        """(days, unit) of one of LIMITS."""
        return getattr(self, f"{name}_days"), getattr(self, f"{name}_unit")

    def to_doc(self) -> dict[str, Any]:
        return {"id": SETTINGS_ID} | encode(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any] | None) -> Settings:
        """A setting missing from the document (saved before it existed) takes its default."""
        if doc is None:
            return cls()
        settings = from_fields(cls, doc)
        return settings if settings.categories else replace(settings, categories=DEFAULT_CATEGORIES)


def load_settings(reader: Reader) -> Settings:
    return Settings.from_doc(reader.get("settings", SETTINGS_ID))


def save_settings(txn: Transaction, settings: Settings) -> Settings:
    """Revision 0 (never saved) is created under SETTINGS_ID, and refused like a stale
    revision when another desk created it first: never a second settings document."""
    return Settings.from_doc(txn.update("settings", settings.to_doc()))

