"""The representatives of a group visit (集体访代表) on the registration form: Ctrl+R adds
a row, Ctrl+D removes the row that has the cursor. The visitor is representative 1; the
rows are 2, 3, ... in order and are numbered afresh when one goes. A mixin of
RegisterScreen, kept apart to keep that module small."""

from __future__ import annotations

from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from desk.models import GROUP_MIN_PERSONS, MAX_REPRESENTATIVES
from desk.registration import PersonForm
from screens.widgets import GuardedInput

# 18 characters, and room for the spaces a clerk types between groups of digits
# (`4307 2219 8001 1637 88`): the domain drops them before it counts.
ID_FIELD_LENGTH = 22
REP_KEY = "reps-key"  # what a refused Ctrl+R said is about this, not about a field


def rep_number(widget_id: str | None) -> int | None:
    """`rep-3-phone` -> 3; None for any other widget."""
    parts = (widget_id or "").split("-")
    return int(parts[1]) if len(parts) == 3 and parts[0] == "rep" and parts[1].isdigit() else None


class Representatives:
    rep_count: int

    def _rep_row(self, n: int, rep: PersonForm) -> Vertical:
        inputs = [GuardedInput(getattr(rep, f), id=f"rep-{n}-{f}", placeholder=self.t(f"field.{f}"), compact=True,
                               max_length=ID_FIELD_LENGTH if f == "id_number" else 0) for f in ("name", "id_number", "phone")]
        return Vertical(
            Horizontal(Label(self.t("field.representative_n", n=n), classes="field-label"), *inputs, classes="field-row rep-row"),
            Static("", id=f"err-rep-{n}", classes="error field-error"),
            classes="field",
        )

    def _add_rep_row(self, rep: PersonForm | None = None):
        n = self.rep_count + 2  # the visitor is representative 1
        self.rep_count += 1
        return self.query_one("#reps").mount(self._rep_row(n, rep or PersonForm()))

    async def _set_reps(self, reps: list[PersonForm]) -> None:
        await self.query_one("#reps").remove_children()
        self.rep_count = 0
        for rep in reps:
            await self._add_rep_row(rep)
        self._forget_representatives()

    def _is_group(self) -> bool:
        try:
            return int(self.query_one("#f-persons", Input).value or "1") >= GROUP_MIN_PERSONS
        except ValueError:
            return False

    def _show_group_state(self) -> None:
        group = self._is_group()
        self.query_one("#reps-title").set_class(not group and self.rep_count == 0, "muted")

    async def action_add_representative(self) -> None:
        if not self._is_group():
            self._tell("err-representatives", REP_KEY, self.t("err.reps.not_group", min=GROUP_MIN_PERSONS))
            return
        if self.rep_count + 1 >= MAX_REPRESENTATIVES:
            self._tell("err-representatives", REP_KEY, self.t("err.reps.too_many", max=MAX_REPRESENTATIVES))
            return
        self._forget(REP_KEY, changed=True)
        await self._add_rep_row()
        self.query_one(f"#rep-{self.rep_count + 1}-name").focus()
        self._changed()

    def may_remove_representative(self) -> bool:
        return rep_number(getattr(self.app.focused, "id", None)) is not None

    async def action_remove_representative(self) -> None:
        n = rep_number(getattr(self.app.focused, "id", None))
        if n is None:
            return
        reps = list(self.read().representatives)
        del reps[n - 2]
        await self._set_reps(reps)
        self._forget(REP_KEY, changed=True)
        if self.rep_count:  # the row that moved up into its place, or the new last one
            self.query_one(f"#rep-{min(n, self.rep_count + 1)}-name").focus()
        else:
            self.query_one("#f-persons").focus()
        self._changed()
