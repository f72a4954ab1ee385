from __future__ import annotations

import random
from pathlib import Path

import pytest

from desk.audit import Auditor
from desk.clock import FixedClock, fixed
from desk.documents import Delivery, How
from desk.models import Operator
from desk.registration import RegistrationForm
from desk.services import Desk
from storage import FileAuditLog, FileDraftBox, open_store

PINNED = "2026-11-22T10:00:00"

# Real numbers with valid check digits (GB 11643), and one of each way to be wrong.
VALID_ID = "11010519491231002X"  # 1949-12-31, female
VALID_ID_MALE = "430722198001010036"  # 1980-01-01, male
BAD_CHECK_ID = "110105194912310021"


@pytest.fixture
def clock() -> FixedClock:
    return fixed(PINNED)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path, clock):
    s = open_store(data_dir, today=clock.today)
    yield s
    s.close()


class RecordingOpener:
    """Opens and prints nothing: records what it was asked, and answers as told, so that
    no test launches a program or reaches a printer."""

    def __init__(self, works: bool = True) -> None:
        self.works = works
        self.asked: list[tuple[str, Path]] = []

    def _answer(self, how: How, path: Path) -> Delivery:
        self.asked.append((how.value, path))
        if self.works:
            return Delivery(how, True, via="test")
        return Delivery(how, False, via="lp", problem="doc.reason.failed", detail="no default destination")

    def open(self, path: Path) -> Delivery:
        return self._answer(How.OPEN, path)

    def print(self, path: Path) -> Delivery:
        return self._answer(How.PRINT, path)


@pytest.fixture
def opener() -> RecordingOpener:
    return RecordingOpener()


@pytest.fixture
def desk(store, clock, data_dir, opener) -> Desk:
    audit = Auditor(FileAuditLog(data_dir), clock, "窗口1")
    return Desk(store, clock, FileDraftBox(data_dir / "drafts"), random.Random(7), audit=audit, folder=data_dir,
                opener=opener)


@pytest.fixture
def admin(desk: Desk) -> Operator:
    """The first operator of an empty hall needs nobody's permission."""
    return desk.add_operator("管理员", "admin", "admin-pass")


@pytest.fixture
def operator(desk: Desk, admin: Operator) -> Operator:
    return desk.add_operator("王芳", "receptionist", "secret123", by=admin)


@pytest.fixture
def boss(desk: Desk, admin: Operator) -> Operator:
    """A supervisor: reads the tally, closes the day, exports and imports the ledger."""
    return desk.add_operator("钱主任", "supervisor", "secret123", by=admin)


def at(desk: Desk, iso: str) -> None:
    """From now on the desk's clock stands at `iso` (a hand-counted hall's days)."""
    desk.clock = fixed(iso)


def form(**changes) -> RegistrationForm:
    base = dict(
        name="张三", id_number=VALID_ID, phone="13800138000", township="城关镇", village="东门社区",
        category="land", summary="宅基地界址争议", demands="重新丈量", track="general",
    )
    return RegistrationForm(**{**base, **changes})
