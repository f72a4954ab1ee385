import datetime as dt

import pytest

from desk.errors import FormErrors
from desk.registration import PersonForm, RegistrationForm, id_preview, validate
from desk.settings import Settings
from tests.conftest import BAD_CHECK_ID, VALID_ID, VALID_ID_MALE, form

TODAY = dt.date(2026, 11, 22)


def errors_of(f: RegistrationForm) -> dict[str, str]:
    with pytest.raises(FormErrors) as caught:
        validate(f, Settings(), TODAY)
    return {e.field: e.code for e in caught.value.errors}


def test_a_good_form_gives_clean_values():
    reg = validate(form(name="  张三 ", phone="138 0013 8000"), Settings(), TODAY)
    assert reg.name == "张三"
    assert reg.phone == "13800138000"
    assert reg.birth_date == dt.date(1949, 12, 31) and reg.sex == "female"
    assert reg.representatives == ()  # not a group visit


def test_every_problem_is_reported_at_once_with_its_field():
    bad = form(name="", id_number=BAD_CHECK_ID, phone="123", persons="x", category="nope", summary=" ", track="fast")
    assert errors_of(bad) == {
        "name": "err.required",
        "id_number": "err.id.check",
        "phone": "err.phone",
        "persons": "err.persons.number",
        "category": "err.category",
        "summary": "err.required",
        "track": "err.track",
    }


def test_group_visit_takes_up_to_five_representatives_with_the_visitor_first():
    reps = tuple(PersonForm(f"代表{n}") for n in range(4))
    reg = validate(form(persons="30", representatives=reps), Settings(), TODAY)
    assert [p.name for p in reg.representatives] == ["张三", "代表0", "代表1", "代表2", "代表3"]


def test_a_sixth_representative_is_refused_with_the_reason():
    reps = tuple(PersonForm(f"代表{n}") for n in range(5))
    assert errors_of(form(persons="30", representatives=reps)) == {"representatives": "err.reps.too_many"}


def test_representatives_only_for_five_or_more_persons():
    assert errors_of(form(persons="4", representatives=(PersonForm("李四"),))) == {"representatives": "err.reps.not_group"}


def test_representatives_fields_are_checked_one_by_one():
    reps = (PersonForm("", VALID_ID_MALE), PersonForm("王五", "123", "999"))
    assert errors_of(form(persons="8", representatives=reps)) == {
        "representatives.2.name": "err.required",
        "representatives.3.id_number": "err.id.length",
        "representatives.3.phone": "err.phone",
    }


def test_blank_representative_rows_are_ignored():
    reg = validate(form(persons="6", representatives=(PersonForm(),)), Settings(), TODAY)
    assert [p.name for p in reg.representatives] == ["张三"]


def test_attaching_to_a_matter_does_not_retype_the_matter():
    reg = validate(RegistrationForm(name="张三", matter_id=3), Settings(), TODAY)
    assert reg.matter_id == 3


@pytest.mark.parametrize(
    ("text", "code"),
    [("张\x00三", "err.text.control"), ("张\u202e三", "err.text.bidi"), ("张" * 41, "err.text.too_long")],
)
def test_hostile_text_is_refused(text, code):
    assert errors_of(form(name=text)) == {"name": code}


def test_markup_is_just_text():
    assert validate(form(name="[bold]张三[/]"), Settings(), TODAY).name == "[bold]张三[/]"


def test_draft_round_trip_keeps_everything():
    f = form(persons="7", representatives=(PersonForm("李四", VALID_ID_MALE, "13900000000"),), threat=True)
    assert RegistrationForm.from_draft(f.to_draft()) == f


def test_id_preview_as_the_clerk_types():
    assert id_preview("1101", TODAY) == ("id.typing", {"count": 4})
    assert id_preview(VALID_ID, TODAY) == ("id.ok", {"birth": "1949-12-31", "sex": "female"})
    assert id_preview(BAD_CHECK_ID, TODAY) == ("err.id.check", {})
    assert id_preview("440524188001010014", TODAY) == ("err.id.birth.early", {"date": "1880-01-01", "year": 1900})


def test_a_birth_date_before_1900_is_refused_with_the_date_and_the_earliest_year():
    with pytest.raises(FormErrors) as caught:
        validate(form(id_number="440524188001010014"), Settings(), TODAY)
    [error] = caught.value.errors
    assert (error.field, error.code, error.params) == ("id_number", "err.id.birth.early", {"date": "1880-01-01", "year": 1900})


def test_a_phone_in_full_width_is_read_as_ascii():
    assert validate(form(phone="１３８ ００１３ ８０００"), Settings(), TODAY).phone == "13800138000"


def test_a_phone_with_digits_of_another_script_names_the_character():
    with pytest.raises(FormErrors) as caught:
        validate(form(phone="١٣٨٠٠١٣٨٠٠٠"), Settings(), TODAY)
    assert [(e.field, e.code, e.params) for e in caught.value.errors] == [("phone", "err.phone.digit", {"char": "U+0661"})]


@pytest.mark.parametrize("persons", ["٣", "1_0", "+7", "१२"])
def test_the_number_of_persons_takes_only_the_digits_0_to_9(persons):
    assert errors_of(form(persons=persons)) == {"persons": "err.persons.number"}


def test_the_number_of_persons_may_be_typed_in_full_width():
    assert validate(form(persons="１２"), Settings(), TODAY).persons == 12


def test_a_representatives_number_in_full_width_is_stored_in_ascii():
    reg = validate(form(persons="6", representatives=(PersonForm("李四", "４３０７２２１９８００１０１００３６"),)), Settings(), TODAY)
    assert reg.representatives[1].id_number == VALID_ID_MALE


def test_id_preview_names_a_digit_of_another_script_at_once():
    assert id_preview("\u0661\u0661", TODAY) == ("err.id.digit", {"char": "U+0661"})
    assert id_preview("１１０１", TODAY) == ("id.typing", {"count": 4})
    assert id_preview("430722 19800116 3788", TODAY) == ("id.ok", {"birth": "1980-01-16", "sex": "female"})
