"""The one door from the UI and the CLI into the domain: `Desk`.

It binds a store, a clock, a draft box and a random source; every action it offers
reads the injected clock and writes through one store transaction.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from desk import intake, lookup, matters, operators
from desk.clock import Clock
from desk.errors import DeskError
from desk.intake import Receipt
from desk.models import Matter, Operator
from desk.registration import RegistrationForm, validate
from desk.settings import Settings, load_settings, save_settings, with_categories
from desk.store import DraftBox, Store
from desk.text import check_text


@dataclass
class Desk:
    store: Store
    clock: Clock
    drafts: DraftBox | None = None
    rng: random.Random | None = None

    def __post_init__(self) -> None:
        self.rng = self.rng or random.SystemRandom()

    # -- settings and operators ---------------------------------------------------

    def settings(self) -> Settings:
        return load_settings(self.store)

    def update_settings(self, settings: Settings) -> Settings:
        with self.store.transaction() as txn:
            return save_settings(txn, settings)

    def change_categories(self, add: str = "", remove: str = "") -> Settings:
        """Add or remove one category. Matters filed under a removed one keep it."""
        current = self.settings()
        categories = list(current.categories)
        if add:
            problem = check_text("category", add)
            if problem or not add.strip():
                raise DeskError(problem.code if problem else "err.required", **(problem.params if problem else {}))
            if add in categories:
                raise DeskError("err.category.exists", name=add)
            categories.append(add)
        if remove:
            if remove not in categories:
                raise DeskError("err.category.unknown", name=remove)
            if len(categories) == 1:
                raise DeskError("err.category.last")
            categories.remove(remove)
        return self.update_settings(with_categories(current, categories))

    def has_operators(self) -> bool:
        return next(self.store.scan("operators"), None) is not None

    def operators(self) -> list[Operator]:
        return operators.list_operators(self.store)

    def add_operator(self, name: str, role: str, password: str) -> Operator:
        with self.store.transaction() as txn:
            return operators.add_operator(txn, name, role, password, self.clock.now())

    def authenticate(self, name: str, password: str) -> Operator:
        return operators.authenticate(self.store, name, password)

    # -- the walk-in path ---------------------------------------------------------

    def lookup(self, text: str, limit: int = 20) -> list[lookup.LookupHit]:
        return lookup.lookup(self.store, text, self.clock.today(), self.settings(), limit)

    def register(self, form: RegistrationForm, operator: Operator) -> Receipt:
        """Validate (raising FormErrors with every problem), then save as one unit."""
        settings = self.settings()
        reg = validate(form, settings, self.clock.today())
        with self.store.transaction() as txn:
            return intake.register(txn, reg, operator.name, self.clock.now(), settings, self.rng)

    def close_on_spot(self, matter_id: int, note: str, operator: Operator) -> Matter:
        problem = check_text("note", note)
        if problem:
            raise DeskError(problem.code, **problem.params)
        with self.store.transaction() as txn:
            return intake.close_on_spot(txn, matter_id, note, operator.name, self.clock.now())

    def matters(self, flt: matters.MatterFilter, limit: int = 500) -> list[matters.MatterRow]:
        return matters.list_matters(self.store, flt, self.clock.today(), self.settings(), limit)

    def matter_detail(self, matter_id: int) -> matters.MatterDetail:
        return matters.matter_detail(self.store, matter_id, self.clock.today(), self.settings())

    # -- drafts: what the clerk is typing survives a crash --------------------------

    def _draft_key(self, operator: Operator) -> str:
        return f"registration-{operator.id}"

    def save_draft(self, operator: Operator, form: RegistrationForm) -> None:
        if self.drafts is not None:
            self.drafts.save(self._draft_key(operator), form.to_draft())

    def load_draft(self, operator: Operator) -> RegistrationForm | None:
        if self.drafts is None:
            return None
        draft = self.drafts.load(self._draft_key(operator))
        try:
            return RegistrationForm.from_draft(draft) if draft else None
        except (TypeError, ValueError):
            return None

    def discard_draft(self, operator: Operator) -> None:
        if self.drafts is not None:
            self.drafts.discard(self._draft_key(operator))
