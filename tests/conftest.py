from __future__ import annotations

import random
from pathlib import Path

import pytest

from desk.audit import Auditor
from desk.clock import FixedClock, fixed
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


@pytest.fixture
def desk(store, clock, data_dir) -> Desk:
    audit = Auditor(FileAuditLog(data_dir), clock, "窗口1")
    return Desk(store, clock, FileDraftBox(data_dir / "drafts"), random.Random(7), audit=audit)


@pytest.fixture
def admin(desk: Desk) -> Operator:
    """The first operator of an empty hall needs nobody's permission."""
    return desk.add_operator("管理员", "admin", "admin-pass")


@pytest.fixture
def operator(desk: Desk, admin: Operator) -> Operator:
    return desk.add_operator("王芳", "receptionist", "secret123", by=admin)


def form(**changes) -> RegistrationForm:
    base = dict(
        name="张三", id_number=VALID_ID, phone="13800138000", township="城关镇", village="东门社区",
        category="land", summary="宅基地界址争议", demands="重新丈量", track="general",
    )
    return RegistrationForm(**{**base, **changes})
