"""Fuzzing (Hypothesis): validators and the import cell parsers never raise on any input.

Every input gives either a value or a Chinese message: the validators return/raise Chinese
reasons, and every import column (imports.normalize and each kind's columns) answers with a
parsed value or a ``ValueProblem``/``RowProblem`` in Chinese — never another exception, which
would turn a bad spreadsheet cell into a server error.
"""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings, strategies as st

from imports import normalize
from imports.engine import RowProblem
from imports.kinds import all_kinds
from partybuild.validators import (
    CREDIT_CODE_CHARSET,
    credit_code_check_char,
    credit_code_error,
    id_number_check_char,
    id_number_error,
    mask_id_number,
    validate_mobile,
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# What a spreadsheet reader can hand over for one cell (calamine/openpyxl/xlrd/csv).
cells = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet="0123456789０１２３４５６７８９XxＸ -/.年月日人名个,，;；、\u3000\t\n"),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)
codes = st.one_of(st.text(max_size=25), st.text(alphabet=CREDIT_CODE_CHARSET + "IOZSVabc ", min_size=16, max_size=20))


# Registration authority and type (2), region code (6 digits), organization code (9).
credit_code_bodies = st.builds(
    "".join,
    st.tuples(
        st.text(alphabet=CREDIT_CODE_CHARSET, min_size=2, max_size=2),
        st.text(alphabet="0123456789", min_size=6, max_size=6),
        st.text(alphabet=CREDIT_CODE_CHARSET, min_size=9, max_size=9),
    ),
)


def _assert_chinese(message):
    assert isinstance(message, str) and CHINESE.search(message), message


@FUZZ
@given(codes)
def test_it_answers_any_credit_code_with_none_or_a_chinese_reason(value):
    """credit_code_error never raises; it gives None or a Chinese reason."""
    error = credit_code_error(value)
    if error is not None:
        _assert_chinese(error)


@FUZZ
@given(credit_code_bodies, st.integers(0, 16), st.sampled_from(CREDIT_CODE_CHARSET))
def test_it_detects_every_single_character_change_of_a_credit_code(body, position, replacement):
    """A valid code passes; changing any one of its first 17 characters is caught (GB 32100 mod 31)."""
    code = body + credit_code_check_char(body)
    assert credit_code_error(code) is None
    if replacement != body[position]:
        changed = body[:position] + replacement + body[position + 1 :] + code[17]
        _assert_chinese(credit_code_error(changed))


@FUZZ
@given(st.one_of(st.text(max_size=25), st.text(alphabet="0123456789X", min_size=17, max_size=19), st.none(), st.integers()))
def test_it_answers_any_id_number_with_none_or_a_chinese_reason(value):
    """id_number_error never raises, whatever it is given; mask_id_number never shows the middle."""
    error = id_number_error(value)
    if error is not None:
        _assert_chinese(error)
    if isinstance(value, str) and len(value) > 8:
        masked = mask_id_number(value)
        assert masked[4:-4] == "*" * (len(value) - 8)


@FUZZ
@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)), st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(6, 16), st.sampled_from("0123456789"))
def test_it_detects_every_single_digit_change_of_an_id_number(birth, digits, position, replacement):
    """A well-formed ID passes; changing one digit of its last 11 is caught (ISO 7064 MOD 11-2)."""
    first17 = digits[:6] + birth.strftime("%Y%m%d") + digits[6:]
    id_number = first17 + id_number_check_char(first17)
    assert id_number_error(id_number, today=datetime.date(2026, 1, 1)) is None
    if replacement != first17[position]:
        changed = first17[:position] + replacement + first17[position + 1 :] + id_number[17]
        _assert_chinese(id_number_error(changed, today=datetime.date(2026, 1, 1)))


@FUZZ
@given(st.one_of(st.text(max_size=15), st.text(alphabet="0123456789", min_size=11, max_size=11), st.none()))
def test_it_accepts_or_refuses_any_mobile_number_in_chinese(value):
    """validate_mobile either accepts or raises ValidationError with a Chinese message."""
    try:
        validate_mobile(value)
    except ValidationError as error:
        _assert_chinese(error.messages[0])
    else:
        assert re.fullmatch(r"1[3-9]\d{9}", value)


PARSERS = ["to_text", "to_code", "to_date", "to_int", "to_bool", "split_multi", "normalize_header", "is_blank"]


@pytest.mark.parametrize("name", PARSERS)
@FUZZ
@given(value=cells)
def test_it_parses_any_cell_or_explains_in_chinese(name, value):
    """Each normaliser returns a value or raises ValueProblem with a Chinese message; nothing else."""
    try:
        getattr(normalize, name)(value)
    except normalize.ValueProblem as problem:
        _assert_chinese(str(problem))


COLUMNS = [(kind.name, column) for kind in all_kinds().values() for column in kind.columns]


@pytest.mark.parametrize("kind_name,column", COLUMNS, ids=[f"{kind}:{column.header}" for kind, column in COLUMNS])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(value=cells)
def test_it_reads_any_cell_of_every_import_column(kind_name, column, value):
    """Every column of every import kind reads any cell into a value or a Chinese problem."""
    try:
        column.read(value)
    except normalize.ValueProblem as problem:
        _assert_chinese(str(problem))
    except RowProblem as problem:
        _assert_chinese(problem.message)
