import random

import pytest

from desk.clock import fixed
from desk.errors import DeskError, FormErrors
from desk.matters import MatterFilter
from desk.models import Status, Track, VisitKind
from desk.registration import RegistrationForm
from desk.services import Desk
from desk.store import StoreError
from storage import FileDraftBox, open_store
from tests.conftest import VALID_ID, form


def test_register_saves_visitor_visit_matter_and_event(desk, operator):
    receipt = desk.register(form(), operator)
    m = receipt.matter
    assert m.number == "2026-00001"
    assert len(m.query_code) == 6 and m.query_code.isalnum()
    assert m.first_responder == "王芳"
    assert m.status is Status.REGISTERED
    assert m.acceptance_due.isoformat() == "2026-12-07"  # 15 days
    detail = desk.matter_detail(m.id, operator)
    assert detail.visitor.id_number == VALID_ID
    assert [v.kind for v in detail.visits] == [VisitKind.FIRST]
    assert [(e.kind, e.operator, e.data["first_responder"]) for e in detail.events] == [("registered", "王芳", "王芳")]
    for table, schema in (("visitors", 1), ("visits", 1), ("matters", 2), ("events", 1)):
        assert all(doc["schema"] == schema and doc["rev"] >= 1 for doc in desk.store.scan(table))


def test_simple_track_is_due_the_same_day(desk, operator):
    assert desk.register(form(track="simple"), operator).matter.acceptance_due.isoformat() == "2026-11-22"


def test_case_numbers_continue_across_restarts_without_gaps(data_dir, clock, operator, desk):
    numbers = [desk.register(form(id_number=""), operator).matter.number for _ in range(3)]
    desk.store.close()
    reopened = Desk(open_store(data_dir, today=clock.today), clock, rng=random.Random(1))
    numbers.append(reopened.register(form(id_number=""), operator).matter.number)
    with pytest.raises(FormErrors):
        reopened.register(form(id_number="", summary=""), operator)  # a failed save takes no number
    numbers.append(reopened.register(form(id_number=""), operator).matter.number)
    reopened.store.close()
    assert numbers == [f"2026-{n:05d}" for n in range(1, 6)]


def test_case_numbers_restart_each_year(data_dir, operator, desk):
    desk.register(form(), operator)
    next_year = Desk(desk.store, fixed("2027-01-02T09:00:00"), rng=random.Random(2))
    assert next_year.register(form(id_number=""), operator).matter.number == "2027-00001"


def test_a_write_failure_leaves_the_store_unchanged(desk, operator, monkeypatch):
    desk.register(form(), operator)
    import storage.journal

    def disk_full(self, line, at):
        raise StoreError("err.store.write", path=str(self.path), detail="No space left on device")

    monkeypatch.setattr(storage.journal.Journal, "append", disk_full)
    with pytest.raises(StoreError):
        desk.register(form(name="李四", id_number=""), operator)
    monkeypatch.undo()
    assert [m.number for m in (r.matter for r in desk.matters(MatterFilter(), operator))] == ["2026-00001"]
    assert desk.register(form(name="李四", id_number=""), operator).matter.number == "2026-00002"


def test_a_visitor_chosen_again_is_kept_up_to_date(desk, operator):
    first = desk.register(form(), operator)
    second = desk.register(form(phone="13912345678", summary="另一件事", visitor_id=first.visitor.id), operator)
    assert second.visitor.id == first.visitor.id
    assert second.visitor.phone == "13912345678"
    assert second.matter.id != first.matter.id


def test_blank_fields_on_a_repeat_visit_do_not_erase_what_was_known(desk, operator):
    first = desk.register(form(), operator)
    again = desk.register(RegistrationForm(name="张三", id_number=VALID_ID, matter_id=first.matter.id), operator)
    assert again.visitor.phone == "13800138000" and again.visitor.township == "城关镇"


def test_repeat_visit_is_detected_and_can_be_attached(desk, operator):
    first = desk.register(form(), operator)
    [hit] = desk.lookup(VALID_ID, operator)
    assert hit.repeat and hit.open_matters[0].matter.id == first.matter.id
    receipt = desk.register(RegistrationForm(name="张三", id_number=VALID_ID, persons="2", matter_id=first.matter.id), operator)
    assert receipt.repeat and receipt.matter.number == first.matter.number
    detail = desk.matter_detail(first.matter.id, operator)
    assert [v.kind for v in detail.visits] == [VisitKind.FIRST, VisitKind.REPEAT]
    assert [e.kind for e in detail.events] == ["registered", "repeat_visit"]
    assert [r.matter.number for r in desk.matters(MatterFilter(), operator)] == ["2026-00001"]  # no new matter


def test_close_on_the_spot_only_for_simple_matters(desk, operator):
    simple = desk.register(form(track="simple"), operator).matter
    general = desk.register(form(track="general", id_number=""), operator).matter
    with pytest.raises(DeskError) as caught:
        desk.close_on_spot(general.id, "已答复", operator)
    assert caught.value.code == "err.close.not_simple"
    with pytest.raises(DeskError):
        desk.close_on_spot(simple.id, "  ", operator)
    closed = desk.close_on_spot(simple.id, "当场答复政策", operator)
    assert closed.status is Status.CLOSED and closed.resolution == "当场答复政策"
    assert [e.kind for e in desk.matter_detail(simple.id, operator).events] == ["registered", "close"]
    with pytest.raises(DeskError) as caught:
        desk.register(RegistrationForm(name="张三", matter_id=simple.id), operator)
    assert caught.value.code == "err.matter.closed"


def test_matter_filters(desk, operator, admin):
    desk.register(form(track="simple", category="labour"), operator)
    desk.register(form(track="complex", id_number=""), operator)
    other = desk.add_operator("李娜", "receptionist", "secret123", by=admin)
    desk.register(form(id_number=""), other)
    assert len(desk.matters(MatterFilter(track=Track.COMPLEX), operator)) == 1
    assert len(desk.matters(MatterFilter(category="labour"), operator)) == 1
    assert len(desk.matters(MatterFilter(first_responder="李娜"), operator)) == 1
    assert len(desk.matters(MatterFilter(status=Status.CLOSED), operator)) == 0
    import datetime as dt

    assert len(desk.matters(MatterFilter(date_from=dt.date(2026, 11, 23)), operator)) == 0
    assert len(desk.matters(MatterFilter(date_to=dt.date(2026, 11, 22)), operator)) == 3


def test_drafts_survive_a_restart(data_dir, clock, desk, operator):
    desk.save_draft(operator, form(name="半截"))
    desk.store.close()
    again = Desk(open_store(data_dir, today=clock.today), clock, FileDraftBox(data_dir / "drafts"))
    assert again.load_draft(operator).name == "半截"
    again.discard_draft(operator)
    assert again.load_draft(operator) is None
    again.store.close()


def test_operators_and_login(desk):
    op = desk.add_operator("admin", "admin", "longenough")
    assert desk.authenticate("admin", "longenough").id == op.id  # counted, then reset: a newer rev
    with pytest.raises(DeskError):
        desk.authenticate("admin", "wrong-password")
    with pytest.raises(DeskError):
        desk.authenticate("nobody", "longenough")
    with pytest.raises(FormErrors) as caught:
        desk.add_operator("admin", "wizard", "short", by=op)
    assert {e.field for e in caught.value.errors} == {"name", "role", "password"}
    assert op.password["algo"] == "scrypt" and "salt" in op.password and "longenough" not in str(op.password)
