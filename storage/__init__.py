"""Persistence on TinyDB. Implements the protocols in `desk.store`; never imports Textual."""

from storage import maintenance
from storage.auditlog import FileAuditLog
from storage.drafts import FileDraftBox
from storage.engine import JournalStore, open_store

__all__ = ["FileAuditLog", "FileDraftBox", "JournalStore", "maintenance", "open_store"]
