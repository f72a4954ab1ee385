import datetime as dt

import pytest

from desk.idcard import (
    IdNumberError,
    check_digit,
    is_valid_phone,
    mask,
    normalize_phone,
    parse_id_number,
)
from tests.conftest import BAD_CHECK_ID, VALID_ID, VALID_ID_MALE


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        (VALID_ID, dt.date(1949, 12, 31), "female"),
        (VALID_ID_MALE, dt.date(1980, 1, 1), "male"),
        ("11010519491231002x", dt.date(1949, 12, 31), "female"),  # lower-case x is accepted
        (" 110105 19491231002X ", dt.date(1949, 12, 31), "female"),  # spaces from a card reader
    ],
)
def test_valid_numbers_give_birth_date_and_sex(number, birth, sex):
    info = parse_id_number(number, dt.date(2026, 11, 22))
    assert (info.birth_date, info.sex) == (birth, sex)
    assert info.id_number == number.replace(" ", "").strip().upper()


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (BAD_CHECK_ID, "err.id.check"),
        ("11010519491231002", "err.id.length"),
        ("1101051949123100200", "err.id.length"),
        ("11010519491231002Y", "err.id.chars"),
        ("01010519491231002X", "err.id.chars"),  # a region code never starts with 0
    ],
)
def test_invalid_numbers_name_the_reason(number, code):
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(number, dt.date(2026, 11, 22))
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("number", "code", "params"),
    [
        ("110105194902300020", "err.id.birth", {"date": "1949-02-30"}),  # 30 February
        ("440524188001010014", "err.id.birth.early", {"date": "1880-01-01", "year": 1900}),  # check digit is right
        ("110105203001010010", "err.id.birth.future", {"date": "2030-01-01", "today": "2026-11-22"}),
    ],
)
def test_an_impossible_birth_date_says_which_date_and_why(number, code, params):
    """"出生日期不成立" alone leaves the clerk guessing; the message names the date and the rule."""
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(number, dt.date(2026, 11, 22))
    assert (caught.value.code, caught.value.params) == (code, params)


def test_check_digit_matches_the_standard_example():
    assert check_digit("11010519491231002") == "X"
    assert check_digit("43072219800101003") == "6"


@pytest.mark.parametrize("phone", ["13800138000", "199 1234 5678", "0736-7221234", "7221234", "(0731)84561234"])
def test_valid_phones(phone):
    assert is_valid_phone(phone)


@pytest.mark.parametrize("phone", ["12800138000", "1380013800", "138001380001", "abc", "0000000", "110"])
def test_invalid_phones(phone):
    assert not is_valid_phone(phone)


def test_mask_keeps_only_the_last_four():
    assert mask(VALID_ID) == "****002X"
    assert mask("13800138000") == "****8000"
    assert mask("") == ""
    assert mask("123") == "****"


# -- digits that are not 0-9 ------------------------------------------------------------------

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize("number", [
    "1１０１０５19491231002X",  # full-width digits, as an input method gives them
    "１１０１０５１９４９１２３１００２Ｘ",
    "11010519491231002ｘ",
    "\U0001d7cf10105 19491231002X",  # a mathematical bold one: the same digit, in a style
])
def test_digits_that_are_the_same_number_in_another_width_are_read_as_ascii(number):
    assert parse_id_number(number, TODAY).id_number == VALID_ID


@pytest.mark.parametrize("digit", ["\u0661", "\u06f1", "\u0967", "\u0e51"])  # Arabic-Indic, Persian, Devanagari, Thai
def test_digits_of_other_scripts_are_refused_naming_the_character(digit):
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(digit + VALID_ID[1:], TODAY)
    assert (caught.value.code, caught.value.params) == ("err.id.digit", {"char": f"U+{ord(digit):04X}"})


@pytest.mark.parametrize("number", ["430722 19800116 3788", "4307 2219 8001 1637 88", "430722\u300019800116\u30003788"])
def test_spaces_inside_a_number_are_dropped(number):
    assert parse_id_number(number, TODAY).id_number == "430722198001163788"


def test_phones_in_full_width_are_read_as_ascii_and_other_digits_are_not_phones():
    assert is_valid_phone("１３８００１３８０００") and normalize_phone("１３８ ００１３ ８０００") == "13800138000"
    assert not is_valid_phone("١٣٨٠٠١٣٨٠٠٠")
    assert not is_valid_phone("1380013800\u0660")
