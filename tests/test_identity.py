"""People are never merged by accident: an identity changes only by an explicit, audited action."""

from __future__ import annotations

import pytest

from desk.errors import DeskError, FormErrors
from desk.matters import MatterFilter
from desk.models import VisitKind
from desk.registration import PersonForm, RegistrationForm
from tests.conftest import VALID_ID, VALID_ID_MALE, form


def refused(desk, f, operator) -> dict[str, tuple[str, dict]]:
    with pytest.raises(FormErrors) as caught:
        desk.register(f, operator)
    return {e.field: (e.code, e.params) for e in caught.value.errors}


def stored(desk, visitor_id):
    return desk.store.get("visitors", visitor_id)


def test_a_number_on_file_is_refused_on_a_fresh_registration_never_attached(desk, operator):
    """The issue: 11010519491231002x typed into a new form renamed 张三 and took the matter."""
    first = desk.register(form(), operator)
    errors = refused(desk, form(name="李四", id_number="11010519491231002x", summary="另一件事"), operator)
    assert errors == {"id_number": ("err.id.on_file", {"name": "张三"})}
    assert stored(desk, first.visitor.id)["name"] == "张三"
    assert len(desk.matters(MatterFilter(), operator)) == 1


def test_a_chosen_visitor_is_never_renamed_by_a_registration(desk, operator):
    first = desk.register(form(), operator)
    errors = refused(desk, form(name="张叁", visitor_id=first.visitor.id), operator)
    assert errors == {"name": ("err.name.differs", {"name": "张三"})}
    assert stored(desk, first.visitor.id)["name"] == "张三"


def test_a_chosen_visitors_number_is_never_replaced_by_a_registration(desk, operator):
    first = desk.register(form(), operator)
    errors = refused(desk, form(id_number=VALID_ID_MALE, visitor_id=first.visitor.id), operator)
    assert errors == {"id_number": ("err.id.differs", {"number": "****002X"})}  # masked, even here
    assert stored(desk, first.visitor.id)["id_number"] == VALID_ID


def test_a_number_held_by_another_visitor_is_refused(desk, operator):
    nameless = desk.register(form(name="李四", id_number="", phone=""), operator)
    desk.register(form(), operator)  # 张三 holds VALID_ID
    errors = refused(desk, form(name="李四", visitor_id=nameless.visitor.id), operator)
    assert errors == {"id_number": ("err.id.other", {"name": "张三"})}


def test_a_blank_number_may_be_filled_in_and_the_old_value_is_kept(desk, operator):
    first = desk.register(form(id_number=""), operator)
    again = desk.register(form(summary="另一件事", visitor_id=first.visitor.id), operator)
    assert again.visitor.id == first.visitor.id
    assert again.visitor.id_number == VALID_ID and again.visitor.birth_date.year == 1949
    [fix] = again.visitor.corrections
    assert (fix.field, fix.old, fix.new, fix.by, fix.via) == ("id_number", "", VALID_ID, "王芳", "register")
    assert [v.kind for v in desk.matter_detail(again.matter.id, operator).visits] == [VisitKind.FIRST]


def test_contact_details_follow_a_repeat_registration_keeping_the_old_values(desk, operator):
    first = desk.register(form(), operator)
    again = desk.register(form(phone="13912345678", township="太平镇", village="", summary="另一件事",
                               visitor_id=first.visitor.id), operator)
    v = again.visitor
    assert (v.phone, v.township, v.village) == ("13912345678", "太平镇", "东门社区")  # blank: not asked again
    assert [(c.field, c.old, c.new) for c in v.corrections] == [
        ("phone", "13800138000", "13912345678"), ("township", "城关镇", "太平镇")]
    assert "tpz" in v.township_initials  # found by the new township's initials
    entry = desk.audit.entries()[-1]
    assert entry.action == "register"
    assert entry.detail["corrected"] == [
        {"field": "phone", "old": "****8000", "new": "****5678"},
        {"field": "township", "old": "城关镇", "new": "太平镇"},
    ]


def test_nothing_is_written_to_the_visitor_when_nothing_changed(desk, operator):
    first = desk.register(form(), operator)
    again = desk.register(form(summary="另一件事", visitor_id=first.visitor.id), operator)
    assert again.visitor.rev == first.visitor.rev and again.visitor.corrections == ()
    assert "corrected" not in desk.audit.entries()[-1].detail


def test_a_phone_number_never_finds_or_attaches_a_visitor(desk, operator):
    first = desk.register(form(), operator)
    relative = desk.register(form(name="张小三", id_number=""), operator)  # same phone: a relative
    assert relative.visitor.id != first.visitor.id
    assert stored(desk, first.visitor.id)["name"] == "张三"


def test_phone_holders_are_a_masked_hint(desk, operator):
    desk.register(form(), operator)
    desk.register(form(name="张小三", id_number=""), operator)
    holders = desk.phone_holders("138 0013 8000", operator)
    assert sorted((v.name, v.id_number, v.phone) for v in holders) == [
        ("张三", "****002X", "****8000"), ("张小三", "", "****8000")]
    assert desk.phone_holders("1380013", operator) == []  # not a whole number yet


def test_a_repeat_visit_belongs_to_the_matters_visitor(desk, operator):
    first = desk.register(form(), operator)
    other = desk.register(form(name="李四", id_number=VALID_ID_MALE), operator)
    again = desk.register(RegistrationForm(name="张三", matter_id=first.matter.id), operator)
    assert again.visitor.id == first.visitor.id  # the matter names the person
    with pytest.raises(DeskError) as caught:
        desk.register(RegistrationForm(name="李四", visitor_id=other.visitor.id, matter_id=first.matter.id), operator)
    assert caught.value.code == "err.matter.other_visitor"
    assert caught.value.params == {"number": first.matter.number}


def test_correcting_a_visitor_is_its_own_audited_action_keeping_the_old_values(desk, operator):
    first = desk.register(form(), operator)
    corrected = desk.correct_visitor(first.visitor.id, {"name": "张叁", "phone": "13912345678"}, "身份证上是叁", operator)
    assert corrected.name == "张叁" and corrected.phone == "****5678"  # as screens may show it
    record = stored(desk, first.visitor.id)
    assert (record["name"], record["phone"]) == ("张叁", "13912345678")
    assert [(c["field"], c["old"], c["new"], c["reason"], c["by"], c["via"]) for c in record["corrections"]] == [
        ("name", "张三", "张叁", "身份证上是叁", "王芳", "correct"),
        ("phone", "13800138000", "13912345678", "身份证上是叁", "王芳", "correct"),
    ]
    entry = desk.audit.entries()[-1]
    assert (entry.action, entry.target, entry.detail["reason"]) == ("visitor_correct", "张叁", "身份证上是叁")
    assert entry.detail["corrected"][1] == {"field": "phone", "old": "****8000", "new": "****5678"}
    [hit] = desk.lookup("张叁", operator)
    assert [(c.old, c.new) for c in hit.visitor.corrections][1] == ("****8000", "****5678")  # masked there too


def test_a_correction_needs_a_reason_and_checks_every_field(desk, operator):
    first = desk.register(form(), operator)
    with pytest.raises(FormErrors) as caught:
        desk.correct_visitor(first.visitor.id, {"name": " ", "id_number": "123", "phone": "1"}, "  ", operator)
    assert {e.field: e.code for e in caught.value.errors} == {
        "name": "err.required", "id_number": "err.id.length", "phone": "err.phone", "reason": "err.required"}
    with pytest.raises(DeskError) as nothing:
        desk.correct_visitor(first.visitor.id, {"name": "张三"}, "核对", operator)
    assert nothing.value.code == "err.correct.nothing"


def test_a_key_person_flag_set_by_mistake_is_taken_off_with_a_reason(desk, operator):
    """A registration raises the flag and never lowers it; a correction does, and keeps the old state."""
    first = desk.register(form(key_person=True), operator)
    with pytest.raises(FormErrors) as caught:
        desk.correct_visitor(first.visitor.id, {}, " ", operator, key_person=False)
    assert [(e.field, e.code) for e in caught.value.errors] == [("reason", "err.required")]
    corrected = desk.correct_visitor(first.visitor.id, {}, "登记时误勾选", operator, key_person=False)
    assert corrected.key_person is False
    record = stored(desk, first.visitor.id)
    assert record["key_person"] is False
    assert [(c["field"], c["old"], c["new"], c["reason"]) for c in record["corrections"]] == [
        ("key_person", "yes", "no", "登记时误勾选")]
    assert desk.audit.entries()[-1].detail["corrected"] == [{"field": "key_person", "old": "yes", "new": "no"}]
    with pytest.raises(DeskError) as nothing:
        desk.correct_visitor(first.visitor.id, {}, "再核对", operator, key_person=False)
    assert nothing.value.code == "err.correct.nothing"


def test_a_correction_never_takes_another_visitors_number(desk, operator):
    first = desk.register(form(), operator)
    other = desk.register(form(name="李四", id_number=VALID_ID_MALE), operator)
    with pytest.raises(FormErrors) as caught:
        desk.correct_visitor(other.visitor.id, {"id_number": VALID_ID.lower()}, "录错了", operator)
    assert [(e.field, e.code, e.params) for e in caught.value.errors] == [("id_number", "err.id.other", {"name": "张三"})]
    assert stored(desk, first.visitor.id)["id_number"] == VALID_ID


def test_a_corrected_number_brings_its_birth_date_along(desk, operator):
    first = desk.register(form(), operator)
    desk.correct_visitor(first.visitor.id, {"id_number": VALID_ID_MALE}, "录错了", operator)
    record = stored(desk, first.visitor.id)
    assert (record["id_number"], record["birth_date"], record["sex"]) == (VALID_ID_MALE, "1980-01-01", "male")


def test_only_those_who_register_may_correct(desk, operator, admin):
    first = desk.register(form(), operator)
    station = desk.add_operator("驻点", "station", "secret123", by=admin)
    with pytest.raises(DeskError) as caught:
        desk.correct_visitor(first.visitor.id, {"name": "张叁"}, "核对", station)
    assert caught.value.code == "err.permission"


def test_a_number_on_file_is_named_along_with_every_other_problem(desk, operator):
    desk.register(form(), operator)
    errors = refused(desk, form(name="李四", summary="", id_number=VALID_ID.lower()), operator)
    assert errors == {"summary": ("err.required", {}), "id_number": ("err.id.on_file", {"name": "张三"})}


@pytest.mark.parametrize("number", ["1１０１０５19491231002X", "１１０１０５１９４９１２３１００２ｘ", "110105 19491231 002X"])
def test_a_number_typed_in_full_width_or_with_spaces_is_the_same_number(desk, operator, number):
    """The issue: full-width digits passed `\\d` and made a second 张三 beside the first."""
    desk.register(form(), operator)
    errors = refused(desk, form(name="李四", id_number=number, summary="另一件事"), operator)
    assert errors == {"id_number": ("err.id.on_file", {"name": "张三"})}
    assert len(list(desk.store.scan("visitors"))) == 1


@pytest.mark.parametrize("digit", ["\u0661", "\u0967"])  # Arabic-Indic and Devanagari one
def test_a_number_with_digits_of_another_script_is_refused_naming_the_character(desk, operator, digit):
    desk.register(form(), operator)
    number = VALID_ID.replace("1", digit)
    errors = refused(desk, form(name="李四", id_number=number, summary="另一件事"), operator)
    assert errors == {"id_number": ("err.id.digit", {"char": f"U+{ord(digit):04X}"})}
    assert len(list(desk.store.scan("visitors"))) == 1


def test_a_correction_takes_a_number_typed_with_spaces(desk, operator):
    first = desk.register(form(id_number=""), operator)
    desk.correct_visitor(first.visitor.id, {"id_number": "4307 2219 8001 1637 88"}, "补录", operator)
    assert stored(desk, first.visitor.id)["id_number"] == "430722198001163788"


# -- representatives of a group visit: the same rules, on their own fields ---------------------


def group(**changes):
    reps = tuple(PersonForm(*rep) for rep in changes.pop("reps"))
    return form(**{"persons": "8", "representatives": reps, "summary": "集体反映", **changes})


def test_a_representative_with_a_number_on_file_under_another_name_is_refused(desk, operator):
    desk.register(form(), operator)  # 张三 holds VALID_ID
    errors = refused(desk, group(name="李四", id_number=VALID_ID_MALE, reps=[("王五", VALID_ID)]), operator)
    assert errors == {"representatives.2.id_number": ("err.rep.id_on_file", {"name": "张三"})}
    assert len(list(desk.store.scan("visitors"))) == 1


def test_a_representative_on_file_under_the_same_name_is_taken_and_no_visitor_is_made(desk, operator):
    desk.register(form(), operator)
    receipt = desk.register(group(name="李四", id_number=VALID_ID_MALE, reps=[("张三", VALID_ID.lower())]), operator)
    assert [(p.name, p.id_number) for p in receipt.visit.representatives] == [("李四", VALID_ID_MALE), ("张三", VALID_ID)]
    assert sorted(d["name"] for d in desk.store.scan("visitors")) == ["张三", "李四"]


def test_a_representative_with_the_visitors_own_number_is_refused(desk, operator):
    errors = refused(desk, group(reps=[("王五", VALID_ID)]), operator)
    assert errors == {"representatives.2.id_number": ("err.id.same_as_visitor", {})}
    errors = refused(desk, group(reps=[("张三", "110105 19491231002x")]), operator)  # listed twice
    assert errors == {"representatives.2.id_number": ("err.id.same_as_visitor", {})}


def test_two_representatives_with_one_number_are_refused_on_the_second(desk, operator):
    errors = refused(desk, group(reps=[("王五", VALID_ID_MALE), ("赵六", VALID_ID_MALE)]), operator)
    assert errors == {"representatives.3.id_number": ("err.id.same_as_rep", {"n": 2})}
    assert list(desk.store.scan("visitors")) == []


def test_a_representative_with_the_chosen_visitors_number_on_file_is_refused(desk, operator):
    """The form leaves a known number blank ("unchanged"); the representative typed it."""
    first = desk.register(form(), operator)
    errors = refused(desk, group(id_number="", visitor_id=first.visitor.id, reps=[("王五", VALID_ID)]), operator)
    assert errors == {"representatives.2.id_number": ("err.id.same_as_visitor", {})}


def test_a_representative_on_file_is_named_along_with_every_other_problem(desk, operator):
    desk.register(form(), operator)
    errors = refused(desk, group(name="李四", id_number=VALID_ID_MALE, summary="", reps=[("王五", VALID_ID)]),
                     operator)
    assert errors == {"summary": ("err.required", {}),
                      "representatives.2.id_number": ("err.rep.id_on_file", {"name": "张三"})}


def test_a_representatives_problem_is_named_by_the_row_it_is_in(desk, operator):
    """A blank row before it does not shift the number: the message goes under the right row."""
    errors = refused(desk, group(reps=[("", "", ""), ("王五", "", "999")]), operator)
    assert errors == {"representatives.3.phone": ("err.phone", {})}
