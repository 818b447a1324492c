"""Validators for national identifiers, with Chinese messages.

- 统一社会信用代码: GB 32100-2015 (18 characters, check character mod 31).
- 公民身份号码: GB 11643-1999 (18 characters, ISO 7064 MOD 11-2 check digit, valid birth date).
"""

import datetime
import operator
import re

from django.core.exceptions import ValidationError

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$")

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_RE = re.compile(r"^\d{17}[\dX]$")

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


_CREDIT_CODE_VALUE = {char: value for value, char in enumerate(CREDIT_CODE_CHARSET)}


def credit_code_check_char(first17):
    """GB 32100 check character (a dict lookup per character: imports check ~300,000 codes)."""
    total = sum(map(operator.mul, map(_CREDIT_CODE_VALUE.__getitem__, first17), CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def credit_code_error(value):
    """The Chinese reason a credit code is invalid, or None when it is valid."""
    if not isinstance(value, str) or len(value) != 18:
        return "统一社会信用代码应为18位"
    if not CREDIT_CODE_RE.match(value):
        return "统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）"
    if credit_code_check_char(value[:17]) != value[17]:
        return "统一社会信用代码校验位错误"
    return None


def validate_credit_code(value):
    error = credit_code_error(value)
    if error:
        raise ValidationError(error, code="credit_code")


def id_number_check_char(first17):
    total = sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS))
    return ID_CHECK_CHARS[total % 11]


def birth_date_from_id(value):
    """Birth date encoded in an 18-digit ID number, or None when it is not a real date."""
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except (ValueError, TypeError, IndexError):
        return None


def id_number_error(value, today=None):
    if not isinstance(value, str) or len(value) != 18:
        return "身份证号应为18位"
    if not ID_RE.match(value):
        return "身份证号格式错误（前17位为数字，末位为数字或X）"
    birth = birth_date_from_id(value)
    today = today or datetime.date.today()
    if birth is None or birth.year < 1800 or birth > today:
        return "身份证号中的出生日期无效"
    if id_number_check_char(value[:17]) != value[17]:
        return "身份证号校验位错误"
    return None


def validate_id_number(value):
    error = id_number_error(value)
    if error:
        raise ValidationError(error, code="id_number")


def mask_id_number(value):
    """3205**********123X: the first four and last four characters are kept."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def validate_mobile(value):
    if not MOBILE_RE.match(value or ""):
        raise ValidationError("手机号码应为11位，以1开头", code="mobile")


def age_on(birth, day):
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
