"""National identifier validators against published valid and invalid examples."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from partybuild.testdata import make_credit_code, make_id_number
from partybuild.validators import (
    birth_date_from_id,
    credit_code_error,
    id_number_error,
    mask_id_number,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
)

# 91350100M000100Y43 is the worked example of GB 32100-2015; the others are codes of listed
# companies published in their annual reports.
VALID_CREDIT_CODES = ["91350100M000100Y43", "91110000600037341L", "911100001000079554"]


@pytest.mark.parametrize("code", VALID_CREDIT_CODES)
def test_it_accepts_published_credit_codes(code):
    """Published codes pass the GB 32100 check character."""
    assert credit_code_error(code) is None
    validate_credit_code(code)


@pytest.mark.parametrize(
    "code, message",
    [
        ("91350100M000100Y44", "统一社会信用代码校验位错误"),  # last character changed
        ("91350100M000100Y4", "统一社会信用代码应为18位"),
        ("91350100M000100Y433", "统一社会信用代码应为18位"),
        ("91350100M0001O0Y43", "统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）"),  # letter O
        ("9135010OM000100Y43", "统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）"),  # division must be digits
        ("", "统一社会信用代码应为18位"),
    ],
)
def test_it_refuses_invalid_credit_codes_in_chinese(code, message):
    """Each kind of wrong code gets its own Chinese reason."""
    assert credit_code_error(code) == message
    with pytest.raises(ValidationError) as caught:
        validate_credit_code(code)
    assert caught.value.messages == [message]


# 11010519491231002X and 440524188001010014 are the examples printed in GB 11643-1999.
@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_it_accepts_the_standards_example_id_numbers(number):
    assert id_number_error(number) is None
    validate_id_number(number)


@pytest.mark.parametrize(
    "number, message",
    [
        ("110105194912310021", "身份证号校验位错误"),
        ("11010519491231002", "身份证号应为18位"),
        ("1101051949123100XX", "身份证号格式错误（前17位为数字，末位为数字或X）"),
        ("110105194902300023", "身份证号中的出生日期无效"),  # 30 February
        ("110105299901010020", "身份证号中的出生日期无效"),  # born in the future
    ],
)
def test_it_refuses_invalid_id_numbers_in_chinese(number, message):
    assert id_number_error(number) == message
    with pytest.raises(ValidationError):
        validate_id_number(number)


def test_it_reads_the_birth_date_and_masks_the_id_number():
    """The ID shows as 3205**********123X to roles that see it masked."""
    assert birth_date_from_id("11010519491231002X") == datetime.date(1949, 12, 31)
    assert mask_id_number("32050519800501123X") == "3205**********123X"


def test_it_makes_valid_identifiers_for_seeds_and_benchmarks():
    """The deterministic makers always produce codes the validators accept, and distinct ones."""
    codes = {make_credit_code(serial, "320506") for serial in range(2000)}
    assert len(codes) == 2000
    assert all(credit_code_error(code) is None for code in codes)
    ids = {make_id_number(serial, datetime.date(1985, 3, 9)) for serial in range(500)}
    assert all(id_number_error(number) is None for number in ids)


def test_it_checks_mobile_numbers():
    validate_mobile("13912345678")
    with pytest.raises(ValidationError, match="手机号码应为11位"):
        validate_mobile("1234567")
