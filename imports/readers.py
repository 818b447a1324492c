"""Streaming readers for .xlsx, .xls and .csv files.

Each reader yields ``(excel_row_number, [cell values])`` with column A at index 0, so the
validation code is the same whatever the file type. .xlsx is read by the fast regex tokenizer below
(constant memory, values as python-calamine gives them); .xls with xlrd; .csv with the
csv module (UTF-8 with or without BOM, else GB18030).

Before anything is parsed the file is checked: its size, its magic bytes, and for .xlsx the
declared uncompressed size of every zip member (a "zip bomb" is refused without inflating it).
"""

import codecs
import csv
import datetime
import os
import re
import zipfile
import zlib
from xml.etree import ElementTree

from django.conf import settings

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SUPPORTED_EXTENSIONS = (".xlsx", ".xls", ".csv")


class FileProblem(Exception):
    """The whole file is refused; ``message`` is shown to the user (Chinese)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def column_letter(index):
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters):
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number - 1


def _megabytes(size):
    return f"{size / (1024 * 1024):g} MB"


def check_file(path, filename):
    """The file's type ('xlsx', 'xls' or 'csv') after the size and content checks, or FileProblem."""
    extension = os.path.splitext(filename or path)[1].lower()
    if extension not in SUPPORTED_EXTENSIONS:
        raise FileProblem("不支持的文件类型：请上传 .xlsx、.xls 或 .csv 文件")
    try:
        size = os.path.getsize(path)
    except OSError:
        raise FileProblem("文件不存在或无法读取")
    if size == 0:
        raise FileProblem("文件为空")
    if size > settings.IMPORT_MAX_BYTES:
        raise FileProblem(f"文件大小超过上限（{_megabytes(settings.IMPORT_MAX_BYTES)}）")
    with open(path, "rb") as handle:
        head = handle.read(8)
    if extension == ".xlsx":
        if not head.startswith(XLSX_MAGIC):
            raise FileProblem("文件内容不是有效的 .xlsx 文件（可能是改了扩展名的其他文件）")
        try:
            with zipfile.ZipFile(path) as archive:
                declared = sum(member.file_size for member in archive.infolist())
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, EOFError):
            raise FileProblem("文件已损坏，无法作为 .xlsx 文件打开")
        if declared > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
            raise FileProblem(
                f"文件解压后大小超过上限（{_megabytes(settings.IMPORT_MAX_UNCOMPRESSED_BYTES)}），已拒绝读取"
            )
        if "xl/workbook.xml" not in names:
            raise FileProblem("文件已损坏，无法作为 .xlsx 文件打开")
        return "xlsx"
    if extension == ".xls":
        if head != XLS_MAGIC:
            raise FileProblem("文件内容不是有效的 .xls 文件（可能是改了扩展名的其他文件）")
        return "xls"
    if b"\x00" in head:
        raise FileProblem("文件内容不是有效的 .csv 文本文件")
    return "csv"


class Sheet:
    """One sheet: ``rows()`` yields (Excel row number, values); ``formula_cells()`` lists formulas."""

    def __init__(self, name, row_source, formula_source=None):
        self.name = name
        self._row_source = row_source
        self._formula_source = formula_source

    def rows(self):
        return self._row_source()

    def formula_cells(self):
        return self._formula_source() if self._formula_source else []


# ---- .xlsx ---------------------------------------------------------------------------------


def _xlsx_sheet_paths(path):
    """Sheet name → the XML member holding it, from the workbook's own relations."""
    with zipfile.ZipFile(path) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        try:
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        except KeyError:
            return {}
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    result = {}
    for sheet in workbook.iter():
        if _local(sheet.tag) != "sheet":
            continue
        rel_id = next((value for name, value in sheet.attrib.items() if _local(name) == "id"), None)
        target = (targets.get(rel_id) or "").lstrip("/")
        result[sheet.get("name")] = target if target.startswith("xl/") else f"xl/{target}"
    return result


def _xlsx_formula_cells(path, member):
    """(row, column index) of every formula cell, by streaming the sheet XML (never inflated whole)."""
    found = []
    for _number, _values in _fast_xlsx_rows(path, member, found):
        pass
    return found


def _open_xlsx(path):
    try:
        paths = _xlsx_sheet_paths(path)
    except (zipfile.BadZipFile, ElementTree.ParseError, OSError, KeyError):
        raise FileProblem("文件已损坏，无法作为 .xlsx 文件打开")
    return [_FastSheet(name, path, member) for name, member in paths.items()]


class _FastSheet(Sheet):
    """A sheet read by the fast reader; the formula cells are noted on the same pass as the rows."""

    def __init__(self, name, path, member):
        super().__init__(name, self._rows)
        self._path, self._member = path, member
        self._formulas = None

    def _rows(self):
        found = []
        try:
            yield from _fast_xlsx_rows(self._path, self._member, found)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, IndexError):
            raise FileProblem(f"工作表“{self.name}”已损坏，无法读取")
        self._formulas = found

    def formula_cells(self):
        if self._formulas is None:  # rows() has not been read to the end: scan for them
            self._formulas = _xlsx_formula_cells(self._path, self._member)
        return self._formulas


# ---- the fast .xlsx reader -----------------------------------------------------------------
#
# The sheet member is inflated in chunks of a few MB and tokenised with compiled regular
# expressions on bytes: memory stays flat whatever the sheet's size, and each cell costs one
# regex match plus a few Python operations (about six times faster than ElementTree.iterparse,
# within about twice python-calamine, which holds the whole sheet in memory). The values are
# those python-calamine returns (tests/imports/test_fast_reader.py compares them cell by cell),
# except that an empty cell is None.

_CHUNK = 4 << 20
_BUILTIN_DATE_FORMATS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_BUILTIN_DURATION_FORMATS = {46}
_DATE_CODE_RE = re.compile(r"[ymdhs]", re.IGNORECASE)
_DURATION_CODE_RE = re.compile(r"\[(?:h+|m+|s+)\]", re.IGNORECASE)
_QUOTED_RE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
_EPOCH_1904 = datetime.datetime(1904, 1, 1)
_DATE, _DURATION = 1, 2

_P = rb"(?:[A-Za-z_][\w.\-]*:)?"  # an optional namespace prefix (<x:c>)
_ROW_RE = re.compile(rb"<" + _P + rb"row(?=[\s/>])([^>]*?)(?:/>|>(.*?)</" + _P + rb"row>)", re.S)
_ROW_NUMBER_RE = re.compile(rb"""\sr\s*=\s*["']\s*(\d+)""")
# One cell: r, s and t in the usual order (anything else goes to group 4 and the slow path),
# then a lone <v> (group 5), a plain inline string (group 6) or any other content (group 7).
_CELL_RE = re.compile(
    rb"<" + _P + rb"c(?=[\s/>])"
    rb'(?:\s+r="([A-Z]*)\d*")?(?:\s+s="(\d*)")?(?:\s+t="(\w*)")?([^>]*?)'
    rb"(?:/>|>(?:(?:<" + _P + rb"v>([^<]*)</" + _P + rb"v>|<" + _P + rb"is><" + _P + rb"t(?:\s[^>]*)?>([^<]*)</" + _P
    + rb"t></" + _P + rb"is>)(?=</" + _P + rb"c>))?(.*?)</" + _P + rb"c>)",
    re.S,
)
_ATTR_RE = re.compile(rb"""([\w:.\-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_V_RE = re.compile(rb"<" + _P + rb"v(?:\s[^>]*)?(?:/>|>([^<]*)</" + _P + rb"v>)")
_IS_RE = re.compile(rb"<" + _P + rb"is(?:\s[^>]*)?(?:/>|>(.*?)</" + _P + rb"is>)", re.S)
_F_RE = re.compile(rb"<" + _P + rb"f[\s>/]")
_SI_RE = re.compile(
    rb"<" + _P + rb"si(?=[\s/>])[^>]*?(?:/>|>(?:<" + _P + rb"t(?:\s[^>]*)?>([^<]*)</" + _P + rb"t>(?=</" + _P
    + rb"si>))?(.*?)</" + _P + rb"si>)",
    re.S,
)
_T_RE = re.compile(rb"<" + _P + rb"t(?:\s[^>]*?)?(?:/>|>([^<]*)</" + _P + rb"t>)")
_RPH_RE = re.compile(rb"<" + _P + rb"rPh\b.*?</" + _P + rb"rPh>|<" + _P + rb"rPh\b[^>]*/>", re.S)
_ENTITY_RE = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DATE1904_RE = re.compile(rb"""<""" + _P + rb"""workbookPr\b[^>]*\bdate1904\s*=\s*["'](1|true)["']""")


def _entity(match):
    name = match.group(1)
    if name[0] == "#":
        return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
    return _ENTITIES[name]


def _text(raw):
    """Decoded XML text: entities (only when there is an &) and Excel's _xHHHH_ escapes."""
    if b"\r" in raw:  # XML line-end normalisation, as every XML parser does
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    text = raw.decode("utf-8", "replace")
    if "&" in text:
        text = _ENTITY_RE.sub(_entity, text)
    if "_x" in text:
        text = _ESCAPE_RE.sub(lambda match: chr(int(match.group(1), 16)), text)
    return text


def _rich_bytes(inner):
    """The raw text of <si>/<is> content: every <t>, rich-text runs joined, phonetic runs (rPh) left out."""
    if b"rPh" in inner:
        inner = _RPH_RE.sub(b"", inner)
    return b"".join(_T_RE.findall(inner))


def _rich_text(inner):
    return _text(_rich_bytes(inner))


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _style_kinds(archive):
    """cellXfs index (as bytes, as it appears in s="…") → _DATE or _DURATION for date/time formats."""
    try:
        root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return {}
    custom = {}
    for element in root.iter():
        if _local(element.tag) == "numFmt":
            raw = element.get("formatCode", "")
            code = _QUOTED_RE.sub("", raw)
            kind = _DURATION if _DURATION_CODE_RE.search(raw) else _DATE if _DATE_CODE_RE.search(code) else None
            custom[int(element.get("numFmtId", "0"))] = kind
    kinds = {}
    for element in root.iter():
        if _local(element.tag) == "cellXfs":
            for index, xf in enumerate(element):
                number_format = int(xf.get("numFmtId", "0"))
                if number_format in _BUILTIN_DURATION_FORMATS:
                    kinds[str(index).encode()] = _DURATION
                elif number_format in _BUILTIN_DATE_FORMATS:
                    kinds[str(index).encode()] = _DATE
                elif custom.get(number_format):
                    kinds[str(index).encode()] = custom[number_format]
    return kinds


def _chunks(stream, boundary=b">"):
    """Decompressed pieces of a zip member, each ending just after ``boundary`` (so no tag is cut).

    Sheets are cut after a row's end tag (b"row>") so that no cell is cut either.
    """
    tail = b""
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            if tail:
                yield tail
            return
        buffer = tail + chunk
        cut = buffer.rfind(boundary)
        if cut < 0:
            tail = buffer
        else:
            cut += len(boundary)
            yield buffer[:cut]
            tail = buffer[cut:]


def _shared_strings(archive):
    """The shared-string table; rich-text runs are joined, phonetic guides (rPh) left out."""
    try:
        stream = archive.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    strings = []
    append = strings.append
    tail = b""
    with stream:
        for chunk in _chunks(stream):
            buffer = tail + chunk
            end = 0
            for match in _SI_RE.finditer(buffer):
                plain, inner = match.group(1, 2)
                if plain is not None:
                    append(_text(plain) if b"&" in plain or b"_x" in plain or b"\r" in plain
                           else plain.decode("utf-8", "replace"))
                else:
                    append(_rich_text(inner) if inner else "")
                end = match.end()
            tail = buffer[end:]
    return strings


def _number_value(number, style_kind, epoch):
    """A numeric cell: a float, or for a date/time format what python-calamine gives."""
    if style_kind == _DURATION:
        return datetime.timedelta(milliseconds=round(number * 86_400_000))
    if number < 1:
        milliseconds = round((number % 1) * 86_400_000) % 86_400_000
        return (datetime.datetime.min + datetime.timedelta(milliseconds=milliseconds)).time()
    moment = epoch + datetime.timedelta(milliseconds=round(number * 86_400_000))
    if number < 60 and epoch is _EXCEL_EPOCH:  # Excel's 1900-02-29 that never was: earlier serials shift by one
        moment += datetime.timedelta(days=1)
    return moment.date() if not (moment.hour or moment.minute or moment.second or moment.microsecond) else moment


def _iso_value(text):
    """A t="d" cell (ISO 8601 text)."""
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        try:
            return datetime.time.fromisoformat(text)
        except ValueError:
            return text
    return moment.date() if "T" not in text and " " not in text else moment


def _slow_cell(match_text, row_number, position, formulas):
    """(column index or None, t, s, raw <v>, inline text) of a cell the fast pattern did not take apart."""
    start = match_text[: match_text.index(b">") + 1]
    attributes = {name.split(b":")[-1]: double if double or not single else single
                  for name, double, single in _ATTR_RE.findall(start)}
    ref = attributes.get(b"r")
    column = column_index(ref.rstrip(b"0123456789").decode()) if ref else None
    body = b"" if start.endswith(b"/>") else match_text[len(start):]
    if body and _F_RE.search(body):
        formulas.append((row_number, column if column is not None else position))
    raw = inline = b""
    found = _V_RE.search(body) if body else None
    if found:
        raw = found.group(1) or b""
    found = _IS_RE.search(body) if body else None
    if found:
        inline = _rich_bytes(found.group(1) or b"")
    return column, attributes.get(b"t", b""), attributes.get(b"s", b""), raw, inline


def _sheet_tokens(prefix):
    """The tokenizer of a sheet whose SpreadsheetML elements carry ``prefix`` (b"" or e.g. b"x:").

    findall() gives one tuple per token: (r letters, s, t, <v> text, inline text) for a cell of
    the usual shape, the whole cell text for any other cell, or b"row" and the attributes for a
    row's start tag. ``prefix`` None: any prefix (slower).
    """
    p = re.escape(prefix) if prefix is not None else _P
    return re.compile(
        rb"<" + p + rb'c r="([A-Z]*)\d*"(?: s="(\d*)")?(?: t="(\w*)")?>'
        rb"(?:<" + p + rb"v>([^<]*)</" + p + rb"v>|<" + p + rb"is><" + p + rb't(?: xml:space="preserve")?>([^<]*)</'
        + p + rb"t></" + p + rb"is>)</" + p + rb"c>"
        rb"|(<" + p + rb"c(?=[\s/>])[^>]*?(?:/>|>.*?</" + p + rb"c>))"
        rb"|<" + p + rb"(row)(?=[\s/>])([^>]*)>",
        re.S,
    )


_SHEET_DATA_RE = re.compile(rb"<([A-Za-z_][\w.\-]*:)?sheetData[\s/>]")


def _fast_xlsx_rows(path, member, formulas):
    """(row number, values) of one sheet, every row from 1 to the last (gaps as empty rows).

    Formula cells found on the way are appended to ``formulas`` as (row, column index).
    """
    column_of = {}
    with zipfile.ZipFile(path) as archive:
        strings = _shared_strings(archive)
        style_kinds = _style_kinds(archive)
        try:
            epoch = _EPOCH_1904 if _DATE1904_RE.search(archive.read("xl/workbook.xml")) else _EXCEL_EPOCH
        except KeyError:
            epoch = _EXCEL_EPOCH
        try:
            stream = archive.open(member)
        except KeyError:
            return
        number, previous, values = None, 0, []
        tokens = None
        with stream:
            for chunk in _chunks(stream, b"row>"):
                if tokens is None:
                    found = _SHEET_DATA_RE.search(chunk)
                    tokens = _sheet_tokens((found.group(1) or b"") if found else None).findall
                for ref, style, kind, raw, text, other, is_row, row_attributes in tokens(chunk):
                    if is_row:
                        if number is not None:
                            yield number, values
                        found = _ROW_NUMBER_RE.search(row_attributes) if row_attributes else None
                        number = int(found.group(1)) if found else previous + 1
                        while previous + 1 < number:
                            previous += 1
                            yield previous, []
                        previous = max(previous, number)
                        values = []
                        if row_attributes.endswith(b"/"):  # <row r="7"/>: no cells
                            yield number, values
                            number = None
                        continue
                    if number is None:
                        continue  # a cell outside any row
                    if other:
                        column, kind, style, raw, text = _slow_cell(other, number, len(values), formulas)
                    else:
                        column = column_of.get(ref)
                        if column is None:
                            column = column_of[ref] = column_index(ref.decode())
                    if not kind or kind == b"n":
                        if raw:
                            value = float(raw)
                            if style:
                                style_kind = style_kinds.get(style)
                                if style_kind:
                                    value = _number_value(value, style_kind, epoch)
                        else:
                            value = None
                    elif kind == b"inlineStr":
                        if text:
                            value = _text(text) if b"&" in text or b"_x" in text or b"\r" in text \
                                else text.decode("utf-8", "replace")
                        else:
                            value = None
                    elif kind == b"s":
                        value = strings[int(raw)] if raw else None
                    elif kind == b"str":
                        value = _text(raw) if raw else None
                    elif kind == b"b":
                        value = (raw.strip() in (b"1", b"true")) if raw else None
                    elif kind == b"d":
                        value = _iso_value(_text(raw).strip()) if raw else None
                    else:  # t="e" (an error such as #N/A) reads as empty, as in python-calamine
                        value = None
                    if column is None or column == len(values):
                        values.append(value)
                    elif column > len(values):
                        values.extend([None] * (column - len(values)))
                        values.append(value)
                    else:
                        values[column] = value
            if number is not None:
                yield number, values


def read_all_cells_calamine(path):
    """Every cell of every sheet read with python-calamine (the benchmark's comparison)."""
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(path)
    count = 0
    for name in workbook.sheet_names:
        for values in workbook.get_sheet_by_name(name).iter_rows():
            count += len(values)
    return count


# ---- .xls ----------------------------------------------------------------------------------


def _open_xls(path):
    import xlrd

    try:
        book = xlrd.open_workbook(path, on_demand=True)
    except Exception:
        raise FileProblem("文件已损坏，无法作为 .xls 文件打开")

    def make_sheet(name):
        def rows():
            sheet = book.sheet_by_name(name)
            for index in range(sheet.nrows):
                values = []
                for cell in sheet.row(index):
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        try:
                            values.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                        except Exception:
                            values.append(cell.value)
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        values.append(bool(cell.value))
                    elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        values.append(None)
                    else:
                        values.append(cell.value)
                yield index + 1, values

        return Sheet(name, rows)

    return [make_sheet(name) for name in book.sheet_names()]


# ---- .csv ----------------------------------------------------------------------------------


def csv_encoding(path):
    """utf-8-sig when there is a BOM, utf-8 when the whole file decodes as such, else gb18030."""
    with open(path, "rb") as handle:
        if handle.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _open_csv(path):
    encoding = csv_encoding(path)

    def rows():
        with open(path, encoding=encoding, errors="replace", newline="") as handle:
            for number, values in enumerate(csv.reader(handle), start=1):
                yield number, values

    name = os.path.splitext(os.path.basename(path))[0]
    return [Sheet(name, rows)]


def open_sheets(path, filename=None):
    """The sheets of a checked file (FileProblem when the file is refused)."""
    file_type = check_file(path, filename or path)
    if file_type == "xlsx":
        return _open_xlsx(path)
    if file_type == "xls":
        return _open_xls(path)
    return _open_csv(path)


def read_all_cells(path, filename=None):
    """Read every cell of every sheet once (the benchmark's "raw read time")."""
    count = 0
    for sheet in open_sheets(path, filename):
        for _number, values in sheet.rows():
            count += len(values)
    return count



_DIMENSION_RE = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+:?[A-Z]*(\d*)"')


def estimate_rows(path, filename=None):
    """A cheap row count for choosing the background path and sizing the progress bar (None if unknown)."""
    try:
        file_type = check_file(path, filename or path)
    except FileProblem:
        return None
    if file_type == "csv":
        with open(path, "rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    if file_type == "xlsx":
        try:
            return _xlsx_dimension_rows(path)
        except (zipfile.BadZipFile, ElementTree.ParseError, OSError, KeyError, ValueError):
            return None
    return None


def _xlsx_dimension_rows(path):
    """Rows declared by the sheets' <dimension> elements (read from the first bytes of each sheet)."""
    total = 0
    with zipfile.ZipFile(path) as archive:
        for member in _xlsx_sheet_paths(path).values():
            try:
                with archive.open(member) as stream:
                    head = stream.read(4096)
            except KeyError:
                continue
            match = _DIMENSION_RE.search(head)
            if match and match.group(1):
                total += int(match.group(1))
    return total or None
