"""What every use-case service shares: the store, the clock, the audit trail, a random
source, and the way an action is audited. `Desk` is one such service; the use cases that
come after it (referrals, a matter's life, meetings, the tally) are others over the same
context, each method: check permission, then one transaction, then the domain function,
then the audit entry."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from desk.audit import Auditor
from desk.clock import Clock
from desk.deadlines import Rules
from desk.lifecycle.calendar import load_calendar
from desk.models import Operator
from desk.settings import Settings, load_settings
from desk.store import DraftBox, Store, StoreError

if TYPE_CHECKING:
    from desk.documents.deliver import Opener


@dataclass
class Context:
    store: Store
    clock: Clock
    drafts: DraftBox | None = None
    rng: random.Random | None = None
    audit: Auditor | None = None
    # When an action was done but its audit entry could not be written (a full disk), the
    # action stands and must never be reported as not done: the failure is kept here and
    # told through `on_audit_failure`, by the command line and the app alike.
    on_audit_failure: Callable[[StoreError], None] | None = None
    audit_failures: list[StoreError] = field(default_factory=list)
    # The data folder: documents are written under it, and its `templates/` overrides the
    # packaged ones. None for a store with no folder of its own (documents are refused).
    folder: Path | None = None
    # Opens a written document or sends it to the printer; None: the system's (tests inject one).
    opener: Opener | None = None

    def __post_init__(self) -> None:
        self.rng = self.rng or random.SystemRandom()

    def log(self, operator: Operator | str, action: str, target: str = "", **detail) -> None:
        """Audit what was just done, with the number of the save it made (if any), so that
        the trail witnesses every save it tells of."""
        witness = self.store.take_committed()
        if self.audit is None:
            return
        detail.update(witness or {})
        name, role = (operator.name, operator.role.value) if isinstance(operator, Operator) else (operator, "")
        try:
            self.audit.record(name, role, action, target, detail)
        except StoreError as exc:
            self.audit_failures.append(exc)
            if self.on_audit_failure is not None:
                self.on_audit_failure(exc)

    def settings(self) -> Settings:
        return load_settings(self.store)

    def rules(self) -> Rules:
        """The settings and the working-day calendar, read together for one use."""
        return Rules(load_settings(self.store), load_calendar(self.store))
