"""Normalisation of header names and cell values as import-formats.md describes.

Every reader hands raw cell values (str, int, float, bool, date, datetime or None) to these
functions, so the rules are the same whatever the file type.
"""

import datetime
import re
import unicodedata

# Full-width ASCII (！ to ～) → half-width, and the ideographic space → a space.
_FULL_TO_HALF = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_TO_HALF[0x3000] = 0x20
# Only digits and letters for free text (names keep their full-width punctuation).
_ALNUM_FULL_TO_HALF = {
    code: code - 0xFEE0
    for code in list(range(0xFF10, 0xFF1A)) + list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B))
}
_ALNUM_FULL_TO_HALF[0x3000] = 0x20
_WHITESPACE_RE = re.compile(r"\s+")
_FULL_WIDTH_RE = re.compile("[\uff01-\uff5e\u3000\xa0]")
_MULTI_SPLIT_RE = re.compile(r"[,，;；、\r\n]+")
_STRIP_CHARS = " \t\r\n\u3000\xa0"
# The largest count a column may hold: PostgreSQL's integer (SQLite would store more).
MAX_COUNT = 2_147_483_647


class ValueProblem(ValueError):
    """A cell that cannot be read; the message is shown to the user as is (Chinese)."""


def normalize_header(value):
    """Canonical form for header matching: no spaces or line breaks, half-width brackets, no trailing *."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = _WHITESPACE_RE.sub("", text)
    return text.rstrip("*").strip()


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip(_STRIP_CHARS))


def to_text(value):
    """Free text: strip spaces (incl. full-width) and turn full-width digits and letters half-width."""
    if type(value) is str and "\x00" not in value and (value.isascii() or not _FULL_WIDTH_RE.search(value)):
        return value.strip(_STRIP_CHARS)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.strftime("%Y-%m-%d")
    # NUL characters (an `_x0000_` escape, a binary CSV) cannot be stored and mean nothing: dropped.
    return str(value).translate(_ALNUM_FULL_TO_HALF).replace("\x00", "").strip(_STRIP_CHARS)


def to_code(value):
    """Codes (credit codes, ID numbers, phone numbers, region codes): no spaces, half-width, upper case."""
    if type(value) is str and value.isascii() and "\x00" not in value:
        return "".join(value.split()).upper()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _WHITESPACE_RE.sub("", str(value).translate(_FULL_TO_HALF).replace("\x00", "")).upper()


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_DATE_TIME_SUFFIX_RE = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def to_date(value):
    """A date from an Excel date cell or the text forms 2003-05-01, 2003/5/1, 2003.5.1, 2003年5月1日, 20030501."""
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = int(value)
        if 19000101 <= number <= 29991231:
            value = str(number)
        elif 1 <= number < 2958466:  # an Excel serial day number without a date format
            return _EXCEL_EPOCH + datetime.timedelta(days=number)
    text = _DATE_TIME_SUFFIX_RE.sub("", to_code(value))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise ValueProblem(f"日期“{to_text(value)}”无法识别，请填写如 2003-05-01 的日期")


_NUMBER_RE = re.compile(r"^(\d+)(?:\.0*)?(?:人|名|个)?$")


def to_int(value):
    """A whole number from 56, 56.0, ５６ or 56人."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueProblem("应填写数字")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueProblem(f"“{value}”不是整数")
        number = int(value)
    else:
        match = _NUMBER_RE.match(to_code(value).replace(",", ""))
        if not match:
            raise ValueProblem(f"“{to_text(value)}”不是有效的数字")
        number = int(match.group(1))
    if number < 0:
        raise ValueProblem("数字不能为负数")
    if number > MAX_COUNT:
        raise ValueProblem(f"数字过大：不能超过 {MAX_COUNT}")
    return number


_YES = {"是", "有", "√", "✓", "✔", "Y", "YES", "1", "TRUE", "对"}
_NO = {"否", "无", "×", "✗", "✘", "N", "NO", "0", "FALSE", "没有"}


def to_bool(value):
    """是/否, 有/无, √/×, Y/N, 1/0 (empty = None)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = to_code(value)
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueProblem(f"“{to_text(value)}”应填写 是 或 否")


def split_multi(value):
    """Cells holding several values: split on , ， ; ； 、 and line breaks."""
    if is_blank(value):
        return []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return [part.strip(_STRIP_CHARS) for part in _MULTI_SPLIT_RE.split(str(value)) if part.strip(_STRIP_CHARS)]
