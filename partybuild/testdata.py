"""Deterministic makers of valid national identifiers, for the demo seed, tests and benchmarks."""

import datetime

from partybuild.validators import CREDIT_CODE_CHARSET, credit_code_check_char, id_number_check_char


def make_credit_code(serial: int, division: str = "320500", kind_prefix: str = "91") -> str:
    """A valid 统一社会信用代码: prefix + six-digit division + nine-character body + check char."""
    body = ""
    value = serial
    for _ in range(9):
        body = CREDIT_CODE_CHARSET[value % 31] + body
        value //= 31
    first17 = f"{kind_prefix}{division[:6]}{body}"
    return first17 + credit_code_check_char(first17)


def make_id_number(serial: int, birth: datetime.date, division: str = "320505") -> str:
    """A valid 18-digit ID number for the given birth date and a three-digit sequence."""
    first17 = f"{division[:6]}{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_number_check_char(first17)
