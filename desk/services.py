"""The door from the UI and the CLI into the counter's use cases: `Desk`.

Over the shared `Context` (store, clock, draft box, audit trail, random source). Every
action checks the operator's permission here (screens only reflect it), reads the
injected clock, writes through one store transaction, and leaves an audit entry.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from functools import cached_property

from desk import intake, lookup, matters, operators
from desk.audit import AuditEntry, head_code
from desk.context import Context
from desk.documents import Documents
from desk.errors import DeskError, FieldError, FormErrors
from desk.i18n import LANGUAGES
from desk.intake import Receipt
from desk.lifecycle.calendar import DayUnit
from desk.lifecycle.calendar_service import CalendarService
from desk.lifecycle.service import Lifecycle
from desk.lifecycle.table import Act, Inputs
from desk.meetings.service import Meetings
from desk.models import Correction, Matter, Operator, Role, Track, Visitor
from desk.passwords import hash_password
from desk.permissions import Action, allowed, require
from desk.privacy import masked_correction, masked_detail, masked_hit, masked_row, masked_visitor
from desk.referral import Referrals, referring
from desk.referral.referring import ReferralForm
from desk.referral.stations import seed_stations
from desk.registration import RegistrationForm, check_correction, validate
from desk.settings import (
    DEFAULT_CATEGORIES,
    DEFAULT_REJECT_REASONS,
    NUMERIC_SETTINGS,
    UNIT_SETTINGS,
    Settings,
    load_settings,
    save_settings,
)
from desk.tally.ledger_import import LedgerImport
from desk.tally.service import Tally
from desk.text import check_name, check_text


def _with_number(current: Settings, name: str, number: int) -> Settings:
    """Checked against the other settings as saved, in the same transaction: a yellow
    warning as long as the whole acceptance limit would colour every matter yellow."""
    changed = replace(current, **{name: number})
    if changed.yellow_days >= changed.acceptance_days:
        raise DeskError("err.setting.yellow", yellow=changed.yellow_days, acceptance=changed.acceptance_days)
    return changed


def _audited(fixes: tuple[Correction, ...]) -> list[dict[str, str]]:
    """What changed, for the audit trail, which supervisors read: numbers masked."""
    return [{"field": f.field, "old": f.old, "new": f.new} for f in map(masked_correction, fixes)]


def _folded(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _names_of(code: str, kind: str = "category") -> set[str]:
    """What a category (or another listed code, `kind`) is called: its code, and a built-in
    one's label in every language, as the list shows it (`medical`, 医疗), folded for comparing."""
    labels = (messages.get(f"{kind}.{code}", code) for messages in LANGUAGES.values())
    return {_folded(code), *map(_folded, labels)}


def _category_called(name: str, codes: tuple[str, ...], kind: str = "category") -> str | None:
    """The code among `codes` that `name` names, by code or label, in any case or width."""
    return next((c for c in codes if _folded(name) in _names_of(c, kind)), None)


def _adding_reason(name: str) -> Callable[[Settings], Settings]:
    """A non-acceptance reason: a built-in one named by its label comes back under its code."""
    code = _category_called(name, DEFAULT_REJECT_REASONS, "reject_reason") or name

    def change(current: Settings) -> Settings:
        if _category_called(code, current.reject_reasons, "reject_reason") or _category_called(
                name, current.reject_reasons, "reject_reason"):
            raise DeskError("err.reason.exists", name=name)
        return replace(current, reject_reasons=(*current.reject_reasons, code))

    return change


def _removing_reason(code: str, name: str) -> Callable[[Settings], Settings]:
    def change(current: Settings) -> Settings:
        if code not in current.reject_reasons:
            raise DeskError("err.reason.unknown", name=name)
        if len(current.reject_reasons) == 1:
            raise DeskError("err.reason.last")
        return replace(current, reject_reasons=tuple(c for c in current.reject_reasons if c != code))

    return change


def _adding_category(name: str) -> Callable[[Settings], Settings]:
    """A built-in category named by its label comes back under its code: never a second
    医疗 beside the built-in one."""
    code = _category_called(name, DEFAULT_CATEGORIES) or name

    def change(current: Settings) -> Settings:
        if _category_called(code, current.categories) or _category_called(name, current.categories):
            raise DeskError("err.category.exists", name=name)
        return replace(current, categories=(*current.categories, code))

    return change


def _removing_category(code: str, name: str) -> Callable[[Settings], Settings]:
    def change(current: Settings) -> Settings:
        if code not in current.categories:
            raise DeskError("err.category.unknown", name=name)
        if len(current.categories) == 1:
            raise DeskError("err.category.last")
        return replace(current, categories=tuple(c for c in current.categories if c != code))

    return change


def command_line_operator(user: str) -> Operator:
    """Who acts when a command is typed at the machine itself. Whoever can run `desk`
    there can read the data directory anyway, so the command line acts as administrator,
    and the audit trail names the system account."""
    return Operator(id=0, name=f"cli:{user}", role=Role.ADMIN, password={})


class Desk(Context):
    """The counter's own use cases: settings, operators and logins, the walk-in path.
    Referral's use cases are `desk.referrals`, documents' `desk.documents`, the working-day
    calendar's `desk.calendar`, over the same context."""

    _log = Context.log

    @cached_property
    def referrals(self) -> Referrals:
        return Referrals(self)

    @cached_property
    def tally(self) -> Tally:
        return Tally(self)

    @cached_property
    def ledger_import(self) -> LedgerImport:
        """`desk import`: a hall's spreadsheet ledger moved in."""
        return LedgerImport(self)

    @cached_property
    def meetings(self) -> Meetings:
        return Meetings(self)

    @cached_property
    def life(self) -> Lifecycle:
        return Lifecycle(self)

    @cached_property
    def documents(self) -> Documents:
        return Documents(self)

    @cached_property
    def calendar(self) -> CalendarService:
        """The working-day calendar: showing a year, the hall's holidays and make-up days."""
        return CalendarService(self)

    # -- settings -------------------------------------------------------------------

    def update_settings(self, operator: Operator, change: Callable[[Settings], Settings], target: str = "",
                        **detail) -> Settings:
        """Read, change and save in one transaction. The transaction holds the inter-process
        lock and has caught up, so two counters changing settings at once both land.
        `target` names what changed (a category, a setting) in the audit trail."""
        require(operator, Action.MANAGE_SETTINGS)
        with self.store.transaction() as txn:
            saved = save_settings(txn, change(load_settings(txn)))
        self._log(operator, "settings", target, **detail)
        return saved

    def set_number(self, name: str, value: str, operator: Operator) -> Settings:
        """One of the numeric settings (time limits, the yellow warning, the idle lock)."""
        if name not in NUMERIC_SETTINGS:
            raise DeskError("err.setting.unknown", name=name, names=", ".join(NUMERIC_SETTINGS))
        low, high = NUMERIC_SETTINGS[name]
        # int() would also take "٣", "1_0", "+7" and " 7": a typing slip must not pass as a number
        if not re.fullmatch(r"[0-9]+", value):
            raise DeskError("err.setting.digits", name=name, low=low, high=high)
        number = int(value)
        if not low <= number <= high:
            raise DeskError("err.setting.range", name=name, low=low, high=high)
        return self.update_settings(operator, lambda current: _with_number(current, name, number), name,
                                    **{name: number})

    def set_unit(self, name: str, value: str, operator: Operator) -> Settings:
        """A limit's unit (`handling_unit`): calendar or working days. Clocks already running
        keep the unit they started with; new ones take this."""
        if name not in UNIT_SETTINGS:
            raise DeskError("err.setting.unknown", name=name, names=", ".join(UNIT_SETTINGS))
        units = tuple(u.value for u in DayUnit)
        if value.strip() not in units:
            raise DeskError("err.setting.unit", name=name, units=", ".join(units))
        unit = DayUnit(value.strip())
        return self.update_settings(operator, lambda current: replace(current, **{name: unit}), name,
                                    **{name: unit.value})

    def set_setting(self, name: str, value: str, operator: Operator) -> Settings:
        """A number or a unit, as `desk settings set` names it."""
        if name in UNIT_SETTINGS:
            return self.set_unit(name, value, operator)
        return self.set_number(name, value, operator)

    def change_reject_reasons(self, operator: Operator, add: str = "", remove: str = "") -> str:
        """Add or remove one reason for not accepting a matter (不予受理的理由), named by its
        code or by the label the list shows; returns its code. Matters refused for a removed
        reason keep it."""
        require(operator, Action.MANAGE_SETTINGS)
        name = (add or remove).strip()
        problem = check_text("reject_reason", name) if name else FieldError("reject_reason", "err.required")
        if problem:
            raise FormErrors([problem])
        if add.strip():
            code = _category_called(name, DEFAULT_REJECT_REASONS, "reject_reason") or name
            self.update_settings(operator, _adding_reason(name), code, add_reason=code)
        else:
            code = _category_called(name, self.settings().reject_reasons, "reject_reason") or name
            self.update_settings(operator, _removing_reason(code, name), code, remove_reason=code)
        return code

    def change_categories(self, operator: Operator, add: str = "", remove: str = "") -> str:
        """Add or remove one category, named by its code or by the label the list shows;
        returns its code. Matters filed under a removed one keep it."""
        require(operator, Action.MANAGE_SETTINGS)
        name = (add or remove).strip()
        problem = check_name("category", name) if name else FieldError("category", "err.required")
        if problem:
            raise FormErrors([problem])
        if add.strip():
            code = _category_called(name, DEFAULT_CATEGORIES) or name
            self.update_settings(operator, _adding_category(name), code, add=code)
        else:
            code = _category_called(name, self.settings().categories) or name
            self.update_settings(operator, _removing_category(code, name), code, remove=code)
        return code

    # -- operators and logins ---------------------------------------------------------

    def note_maintenance(self, operator: Operator, action: str, target: str, **detail) -> None:
        """Backups, restores and repairs are done on files by `storage/`; here they are
        allowed and audited."""
        require(operator, Action.BACKUP)
        self._log(operator, action, target, **detail)

    def preload(self) -> None:
        self.store.preload()

    def refresh(self) -> bool:
        """Read what other counters on the same data saved since; True when anything did."""
        return self.store.refresh()

    def has_operators(self) -> bool:
        return next(self.store.scan("operators"), None) is not None

    def operators(self) -> list[Operator]:
        return operators.list_operators(self.store)

    def add_operator(self, name: str, role: str, password: str, by: Operator | None = None) -> Operator:
        """The very first operator (an empty hall) needs nobody's permission; later ones do."""
        if self.has_operators():
            require(by, Action.MANAGE_OPERATORS)
        first = not self.has_operators()
        with self.store.transaction() as txn:
            added = operators.add_operator(txn, name, role, password, self.clock.now())
            if first:  # a new hall starts with one station of each kind
                seed_stations(txn)
        self._log(by or added, "operator_add", added.name, role=added.role.value)
        return added

    def _change_operator(self, name: str, by: Operator, action: str, detail: dict | None = None,
                         **changes) -> Operator:
        """The last-administrator check reads the operators inside the transaction, so two
        admins disabling each other at two counters cannot both succeed."""
        with self.store.transaction() as txn:
            current = operators.get_operator(txn, name)
            changed = current.edit(**changes)
            operators.keep_an_admin(txn, current, changed)
            changed = operators.save(txn, changed)
        self._log(by, action, changed.name, **(detail or {}))
        return changed

    def check_operator_change(self, name: str, by: Operator, **changes) -> None:
        """Raise what `set_active` or `set_role` would refuse this change for, changing
        nothing: a screen refuses before it asks (the last active administrator)."""
        require(by, Action.MANAGE_OPERATORS)
        current = operators.get_operator(self.store, name)
        operators.keep_an_admin(self.store, current, current.edit(**changes))

    def set_active(self, name: str, active: bool, by: Operator) -> Operator:
        require(by, Action.MANAGE_OPERATORS)
        return self._change_operator(name, by, "operator_enable" if active else "operator_disable", active=active)

    def set_role(self, name: str, role: str, by: Operator) -> Operator:
        require(by, Action.MANAGE_OPERATORS)
        errors = operators.check_role(role)
        if errors:
            raise FormErrors(errors)
        return self._change_operator(name, by, "operator_role", {"role": role}, role=Role(role))

    def reset_password(self, name: str, password: str, by: Operator) -> Operator:
        """An administrator sets a new password; the waiting time after failures is lifted."""
        require(by, Action.MANAGE_OPERATORS)
        self._check_password(password)
        return self._change_operator(name, by, "operator_passwd", password=hash_password(password),
                                     failures=0, locked_until=None)

    def change_own_password(self, operator: Operator, old: str, new: str) -> Operator:
        self.authenticate(operator.name, old, action="reauth")
        self._check_password(new)
        return self._change_operator(operator.name, operator, "operator_own_passwd", password=hash_password(new))

    @staticmethod
    def _check_password(password: str) -> None:
        errors = operators.check_password(password)
        if errors:
            raise FormErrors(errors)

    def authenticate(self, name: str, password: str, action: str = "login") -> Operator:
        """Counts the attempt, checks the password, and makes the account wait after five.
        The store lock is held to count, never during scrypt, which is slow on purpose."""
        try:
            counted = self._admit(name)
        except DeskError as exc:
            self._log(name.strip(), f"{action}_refused", name.strip(), reason=exc.code)
            raise
        matches = operators.password_matches(counted, password)  # scrypt, for every name alike
        if counted is None:  # unknown or disabled: the trail says so, the clerk is told the same
            self._log(name.strip(), f"{action}_refused", name.strip(), reason="err.login.failed")
            raise DeskError("err.login.failed")
        if not matches:
            self._log(name.strip(), f"{action}_failed", counted.name)
            raise operators.refusal(counted)
        return self._logged_in(counted, action)

    def _admit(self, name: str) -> Operator | None:
        """May this attempt proceed, and count it: one step under the write lock, so twenty
        attempts at once are counted one after another. None for a name that cannot log in."""
        with self.store.transaction() as txn:
            operator = operators.find_operator(txn, name)
            if operator is None or not operator.active:
                return None
            return operators.save(txn, operators.admit(operator, self.clock.now()))

    def _logged_in(self, counted: Operator, action: str) -> Operator:
        with self.store.transaction() as txn:
            current = operators.get_operator(txn, counted.name)
            updated = operators.save(txn, current.edit(failures=0, locked_until=None))
        self._log(updated, action, updated.name)
        return updated

    def logout(self, operator: Operator) -> None:
        self._log(operator, "logout")

    def note_lock(self, operator: Operator, reason: str) -> None:
        self._log(operator, "lock", reason=reason)

    def audit_entries(self, operator: Operator) -> list[AuditEntry]:
        require(operator, Action.AUDIT)
        return self.audit.entries() if self.audit else []

    def audit_head_code(self, operator: Operator) -> str:
        """The trail's head as a short code, for a supervisor to sign on paper."""
        require(operator, Action.AUDIT)
        head = self.audit.head() if self.audit else None
        return head_code(*head) if head else ""

    # -- the walk-in path ---------------------------------------------------------

    @staticmethod
    def _may_look(operator: Operator) -> None:
        if not operator.active:
            raise DeskError("err.permission", action="lookup", role=operator.role.value)

    def lookup(self, text: str, operator: Operator, limit: int = 20) -> list[lookup.LookupHit]:
        """Masked for everyone: a list or a lookup never shows a full ID number or phone."""
        self._may_look(operator)
        return [masked_hit(h) for h in lookup.lookup(self.store, text, self.clock.today(), self.rules(), limit)]

    def visitor_hit(self, visitor_id: int, operator: Operator) -> lookup.LookupHit | None:
        """One person's card as the lookup shows it (masked), read again after a change."""
        self._may_look(operator)
        hit = lookup.hit_by_id(self.store, visitor_id, self.clock.today(), self.rules())
        return masked_hit(hit) if hit else None

    def phone_holders(self, phone: str, operator: Operator) -> list[Visitor]:
        """Who has this phone on record, masked: a hint for the form, never a match."""
        self._may_look(operator)
        return [masked_visitor(v) for v in lookup.phone_holders(self.store, phone)]

    def register(self, form: RegistrationForm, operator: Operator) -> Receipt:
        """Validate (raising FormErrors with every problem), then save as one unit."""
        require(operator, Action.REGISTER)
        rules = self.rules()
        settings = rules.settings
        try:
            reg = validate(form, settings, self.clock.today())
        except FormErrors as exc:
            checked = {e.field for e in exc.errors}
            raise FormErrors(exc.errors + intake.identity_errors(self.store, form, checked)) from None
        if reg.station_id is not None:
            require(operator, Action.REFER)
            self.referrals.ensure_stations()
        with self.store.transaction() as txn:
            receipt = intake.register(txn, reg, operator.name, self.clock.now(), rules, self.rng)
            if reg.station_id is not None:  # 分流 in the same save: both land, or neither
                referred = referring.refer(txn, receipt.matter.id, ReferralForm(reg.station_id, priority=reg.priority), operator.name,
                                           self.clock.now())
                receipt = replace(receipt, referred=referred)
        changed = {"corrected": _audited(receipt.corrections)} if receipt.corrections else {}
        if receipt.referred is not None:
            changed["referral"] = receipt.referred.referral.id
            changed["ticket"] = receipt.referred.referral.ticket
        self._log(operator, "repeat_visit" if receipt.repeat else "register", receipt.matter.number,
                  visit=receipt.visit.id, visitor=receipt.visitor.id, **changed)
        return receipt

    def correct_visitor(self, visitor_id: int, changes: dict[str, str], reason: str, operator: Operator,
                        key_person: bool | None = None) -> Visitor:
        """Correcting a visitor's details is its own action: a reason, the old values kept on
        the record, an audit entry. `key_person` sets or takes off the 重点人员 flag (None:
        as it is), which no registration ever lowers. Returns the visitor as screens may
        show it (masked)."""
        require(operator, Action.REGISTER)
        clean = check_correction(changes, reason, self.clock.today())
        with self.store.transaction() as txn:
            visitor, fixes = intake.correct_visitor(txn, visitor_id, clean, reason.strip(), operator.name,
                                                    self.clock.now(), key_person)
        self._log(operator, "visitor_correct", visitor.name, visitor=visitor.id, reason=reason.strip(),
                  corrected=_audited(fixes))
        return masked_visitor(visitor)

    def close_on_spot(self, matter_id: int, note: str, operator: Operator) -> Matter:
        """当日事当日清: a simple matter answered at the counter is closed with what was done."""
        require(operator, Action.CLOSE)
        problem = check_text("note", note)
        if problem:
            raise FormErrors([problem])
        matter = intake.open_matter(self.store, matter_id)
        if matter.track is not Track.SIMPLE:
            raise DeskError("err.close.not_simple", number=matter.number)
        if not note.strip():
            raise DeskError("err.close.note")
        return self.life.act(matter_id, Act.CLOSE, Inputs(text=note), operator).matter

    def matters(self, flt: matters.MatterFilter, operator: Operator, limit: int = 500) -> list[matters.MatterRow]:
        rows = matters.list_matters(self.store, flt, self.clock.today(), self.rules(), limit)
        news = self.referrals.with_news([r.matter.id for r in rows if r.matter.first_responder == operator.name])
        return [masked_row(replace(r, news=r.matter.id in news)) for r in rows]

    def matter_detail(self, matter_id: int, operator: Operator) -> matters.MatterDetail:
        """In full only for roles allowed to see it, and every full view is audited."""
        detail = matters.matter_detail(self.store, matter_id, self.clock.today(), self.rules())
        if detail.matter.first_responder == operator.name:
            self.referrals.mark_seen(matter_id)
        if not allowed(operator, Action.VIEW_FULL):
            return masked_detail(detail)
        self._log(operator, "view_full", detail.matter.number, visitor=detail.matter.visitor_id)
        return detail

    def may(self, operator: Operator | None, action: Action) -> bool:
        return allowed(operator, action)

    # -- drafts: what the clerk is typing survives a crash --------------------------

    @staticmethod
    def _draft_key(operator: Operator, repeat: bool) -> str:
        """A repeat visit's short form has a draft of its own, so that attaching a visit
        to a matter never overwrites a half-typed new registration."""
        return f"registration-{operator.id}" + ("-repeat" if repeat else "")

    def save_draft(self, operator: Operator, form: RegistrationForm) -> None:
        """The day is kept with the draft so that loading it can tell whether its form was saved."""
        if self.drafts is not None:
            draft = form.to_draft() | {"saved_on": self.clock.today().isoformat()}
            self.drafts.save(self._draft_key(operator, form.matter_id is not None), draft)

    def load_draft(self, operator: Operator, repeat: bool = False) -> RegistrationForm | None:
        """The draft, unless its form was saved: whatever wrote it after the save (a late
        autosave, a crash between the save and the draft's removal), it never comes back."""
        if self.drafts is None:
            return None
        key = self._draft_key(operator, repeat)
        draft = self.drafts.load(key)
        try:
            form = RegistrationForm.from_draft(draft) if draft else None
            day = dt.date.fromisoformat(draft.get("saved_on") or self.clock.today().isoformat()) if draft else None
        except (TypeError, ValueError):
            return None
        if form is not None and intake.visit_of_form(self.store, form.form_id, day) is not None:
            self.drafts.discard(key)
            return None
        return form

    def discard_draft(self, operator: Operator, repeat: bool = False) -> None:
        if self.drafts is not None:
            self.drafts.discard(self._draft_key(operator, repeat))
