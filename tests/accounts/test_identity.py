"""Check digits of ID numbers (GB 11643) and unified social credit codes (GB 32100)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.identity import (
    CREDIT_ALPHABET,
    credit_code_check_char,
    credit_code_problem,
    id_number_age,
    id_number_check_char,
    id_number_problem,
)


@pytest.mark.parametrize("number", ["11010519491231002X", "330106198503121231"])
def test_real_shaped_id_numbers_pass(number):
    assert id_number_problem(number) is None


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("330106198503121232", "身份证号码校验位不正确，请核对"),
        ("33010619850312123", "身份证号码应为18位，前17位为数字，最后一位为数字或X"),
        ("３３０１０６198503121231", "身份证号码应为18位，前17位为数字，最后一位为数字或X"),  # full-width digits
        ("330106198502301234", "身份证号码中的出生日期无效"),
        ("330106198503121231\n", None),  # surrounding whitespace is trimmed, not a different number
    ],
)
def test_wrong_id_numbers_say_what_is_wrong(number, problem):
    assert id_number_problem(number) == problem


@pytest.mark.parametrize("code", ["91330106MA2H3K7L08", "11330106002491000U", "91110000600037341L"])
def test_real_shaped_credit_codes_pass(code):
    assert credit_code_problem(code) is None


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91330106MA2H3K7L09", "统一社会信用代码校验位不正确，请核对"),
        ("91330106MA2H3K7LO8", "统一社会信用代码应为18位，由数字和大写字母组成（不含I、O、Z、S、V）"),
        ("9133010", "统一社会信用代码应为18位，由数字和大写字母组成（不含I、O、Z、S、V）"),
    ],
)
def test_wrong_credit_codes_say_what_is_wrong(code, problem):
    assert credit_code_problem(code) == problem


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.sampled_from("0123456789X"))
def test_exactly_one_id_check_character_is_accepted(first17, last):
    number = "330106" + "19900101" + first17[14:]
    if last == id_number_check_char(number):
        assert id_number_problem(number + last) is None
    else:
        assert id_number_problem(number + last) == "身份证号码校验位不正确，请核对"


@given(st.text(alphabet=CREDIT_ALPHABET, min_size=10, max_size=10), st.sampled_from(CREDIT_ALPHABET))
def test_exactly_one_credit_check_character_is_accepted(tail, last):
    first17 = "91330106" + tail[:9]
    expected_ok = last == credit_code_check_char(first17)
    assert (credit_code_problem(first17 + last) is None) is expected_ok


def test_age_from_id_number_counts_full_years():
    assert id_number_age("330106198503121231", dt.date(2026, 3, 11)) == 40
    assert id_number_age("330106198503121231", dt.date(2026, 3, 12)) == 41
    assert id_number_age("bad", dt.date(2026, 3, 12)) is None
