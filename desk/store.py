"""What the services need from persistence. `storage/` implements it; tests may fake it.

Documents are plain dicts with an integer `id`, a `rev` and a `schema`. Writes happen
only inside a transaction, which lands whole or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

Doc = dict[str, Any]

# Tables whose documents belong to the year they were made in: the store keeps one
# file set per year and opens old years only when a lookup needs them.
YEARLY_TABLES = frozenset({"visitors", "visits", "matters", "events", "referrals"})

# The fields the services look documents up by. `find` on them never scans, in any
# year; `at[:10]` is the date part of an ISO time (one day's visits for the tally).
INDEXED: dict[str, tuple[str, ...]] = {
    "visitors": ("id_number", "phone", "name"),
    "visits": ("visitor_id", "matter_id", "at[:10]", "import_key"),  # import_key: a ledger row imported once
    "matters": ("number", "query_code", "visitor_id"),
    "events": ("matter_id", "at[:10]"),  # a matter's timeline; a day's acts for the tally
    "counters": ("year",),
    "operators": ("name",),
    "referrals": ("day", "matter_id"),  # a day's queues; a matter's referrals
    "roster": ("day",),
    "tickets": ("key",),  # a station's count of one day
    "doc_numbers": ("key",),  # a kind of notice's count of one year
    "meetings": ("day", "matter_id"),  # the agenda's days; a matter's meetings
    "supervisions": ("matter_id",),
    "closeouts": ("day",),  # one day's close-out (日结); kept in the common file, never yearly
}


# What a lookup searches by part of a value: `contains` finds the text anywhere in it,
# `prefix` at the start of it (or of any item of a list, as with pinyin initials). Over
# last year and this year, like `scan`; `find` stays the way to reach every year.
CONTAINS, PREFIX = "contains", "prefix"
SEARCHED: dict[str, dict[str, str]] = {
    "visitors": {"name": CONTAINS, "township": CONTAINS, "id_number": CONTAINS, "phone": CONTAINS,
                 "name_initials": PREFIX, "township_initials": PREFIX},
    "matters": {"number": PREFIX},
}


# Fields a list filters and sorts on without reading whole documents: the store keeps
# them as columns, and `columns` gives them for every document of the window. A column
# may name the date part of a time (`at[:10]`) or a field inside a field (`data.status`).
COLUMNS: dict[str, tuple[str, ...]] = {
    "matters": ("registered_at", "status", "track", "category", "first_responder", "clocks", "acceptance_due",
                "hand_over_to", "extension_pending", "department_id", "owner_leader"),
    "meetings": ("day", "state", "kind", "matter_id", "held_at[:10]", "cancelled_at[:10]"),  # the agenda, the tally
    "supervisions": ("matter_id", "day", "kind"),  # the supervision list's matters; the tally
    # The tally counts a period from these alone (a year of a busy hall is ~200,000 events:
    # reading them as documents takes seconds). `data.x` is a field inside `data`.
    "visits": ("at[:10]", "matter_id", "persons", "kind", "skip_level"),
    "events": ("at[:10]", "matter_id", "kind", "data.status", "data.was.status", "data.was.clocks",
               "data.stopped_due", "data.inputs.evaluation"),
    "referrals": ("referred_at[:10]", "matter_id", "station_kind"),
}


class StoreError(Exception):
    """A persistence problem a clerk can act on. `code` is a catalog key."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


class StoreCorrupt(StoreError):
    """A data file that cannot be trusted. `detail` is a catalog key (`damage.*`) saying
    what is wrong with it, formatted with `params`."""

    def __init__(self, path: Path, detail: str, **params: Any) -> None:
        super().__init__("err.store.corrupt", path=str(path), detail=detail, **params)


class ConflictError(StoreError):
    """Somebody else changed the document since it was read."""

    def __init__(self, table: str, doc_id: int, expected: int, found: int) -> None:
        super().__init__("err.store.conflict", table=table, id=doc_id, expected=expected, found=found)


class Reader(Protocol):
    def get(self, table: str, doc_id: int) -> Doc | None: ...

    def scan(self, table: str, years: Iterable[int] | None = None) -> Iterator[Doc]:
        """Read-only documents. For a yearly table, last year's and this year's unless
        `years` says which; `find` reaches every year."""
        ...

    def find(self, table: str, field: str, value: Any) -> list[Doc]: ...

    def search(self, table: str, field: str, text: str, limit: int) -> list[int]:
        """Ids (at most `limit`) whose `field`, declared in SEARCHED, contains `text` or
        starts with it, without reading the documents."""
        ...

    def columns(self, table: str, years: Iterable[int] | None = None,
                where: Mapping[str, Collection[Any]] | None = None,
                fields: Sequence[str] | None = None) -> Iterator[Doc]:
        """For every document of the window (as `scan`), a small dict of its `id` and the
        fields COLUMNS declares for the table (or those of them `fields` names), without
        reading the documents. `where` keeps only those whose field (a declared column)
        holds one of the values given: a set, or any container (a range of days)."""
        ...


    def lists(self, table: str, years: Iterable[int] | None = None,
              where: Mapping[str, Collection[Any]] | None = None,
              fields: Sequence[str] | None = None) -> dict[str, list[Any]]:
        """What `columns` gives, as one list per field (`"id"` first): a list of a year's
        entries without a dict for each."""
        ...


class Transaction(Reader, Protocol):
    """Reads see this transaction's own writes."""

    def insert(self, table: str, doc: Doc, year: int | None = None) -> Doc:
        """Assign `id`, set `rev` 1 and `schema`; return the stored document. A yearly
        table's document is filed under `year` (default: this year)."""
        ...

    def update(self, table: str, doc: Doc) -> Doc:
        """Replace the document whose `id` and `rev` match; bump `rev`.

        Raises ConflictError when the stored `rev` differs from `doc["rev"]`.
        """
        ...


class Store(Reader, Protocol):
    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def refresh(self) -> bool:
        """Pick up what other processes saved; True when something changed."""
        ...

    def preload(self) -> None:
        """Read now what the first lookup would otherwise wait for."""
        ...

    def bulk(self) -> AbstractContextManager[None]:
        """Many saves in a row (an import): the store may fold its journal less often."""
        ...

    def take_committed(self) -> dict[str, Any] | None:
        """What identifies the save the calling thread made last (its number and the store's
        epoch), once (then None): the audit entry that tells of the save records it."""
        ...

    def close(self) -> None: ...


class DraftBox(Protocol):
    """Half-typed forms, kept apart from the records so typing never rewrites them."""

    def save(self, key: str, draft: Doc) -> None: ...

    def load(self, key: str) -> Doc | None: ...

    def discard(self, key: str) -> None: ...


class Maintenance(Protocol):
    """Backups, restore and the integrity check, done on files by `storage/`."""

    def backup(self, store: Store, root: Path, name: str) -> Path: ...

    def daily(self, store: Store, day: str, keep: int) -> Path | None: ...

    def restore(self, data_dir: Path, source: Path, stamp: str, audit: Any,
                note: Callable[[str, tuple[int, str] | None], None]) -> Path:
        """Swap the backup in; `note(aside, replaced_head)` runs with the locks still held."""
        ...

    def trail_behind(self, folder: Path) -> tuple[int, int] | None:
        """(saves the audit trail records, saves it recorded at the last checkpoint) when
        it now records fewer; else None."""
        ...

    def holds_data(self, folder: Path) -> bool:
        """Whether a hall's store was ever made in `folder`."""
        ...

    def check(self, folder: Path) -> tuple[int, list[Any]]:
        """(documents read, findings with path, code, params, fatal)."""
        ...

    def repair(self, data_dir: Path, stamp: str, today: Callable[[], Any]) -> Any:
        """Set a damaged journal aside, keep what still checks; the report says what was lost."""
        ...

    def read_record(self, folder: Path) -> Any:
        """What a backup that passed its check records of itself (day, seq, audit code), or None."""
        ...

    def newest_good_backup(self, data_dir: Path) -> Any:
        """The newest backup that passed its check (its folder, day, seq, audit code), or None."""
        ...
