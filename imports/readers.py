"""Streaming readers for .xlsx, .xls and .csv files.

Each reader yields ``(excel_row_number, [cell values])`` with column A at index 0, so the
validation code is the same whatever the file type. .xlsx is read with python-calamine (fast,
constant memory per row) and openpyxl read-only as fallback; .xls with xlrd; .csv with the
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
from xml.etree import ElementTree

from django.conf import settings

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SUPPORTED_EXTENSIONS = (".xlsx", ".xls", ".csv")
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_REF_RE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"')


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
    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    with zipfile.ZipFile(path) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        try:
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        except KeyError:
            return {}
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    result = {}
    for sheet in workbook.iter(f"{ns_main}sheet"):
        target = targets.get(sheet.get(f"{ns_rel}id"), "")
        target = target.lstrip("/")
        result[sheet.get("name")] = target if target.startswith("xl/") else f"xl/{target}"
    return result


def _xlsx_formula_cells(path, member):
    """(row, column index) of every formula cell, by streaming the sheet XML (never inflated whole)."""
    found = []
    tail = b""
    with zipfile.ZipFile(path) as archive:
        try:
            stream = archive.open(member)
        except KeyError:
            return found
        with stream:
            while True:
                chunk = stream.read(1 << 20)
                if not chunk:
                    break
                buffer = tail + chunk
                for match in _FORMULA_RE.finditer(buffer):
                    window = buffer[max(0, match.start() - 4000) : match.start()]
                    refs = list(_CELL_REF_RE.finditer(window))
                    if refs:
                        ref = refs[-1]
                        cell = (int(ref.group(2)), column_index(ref.group(1).decode()))
                        if not found or found[-1] != cell:
                            found.append(cell)
                tail = buffer[-4096:]
                # A match that began inside the kept tail is found again: the check above skips it.
    return found


def _open_xlsx(path):
    try:
        paths = _xlsx_sheet_paths(path)
    except (zipfile.BadZipFile, ElementTree.ParseError, OSError, KeyError):
        raise FileProblem("文件已损坏，无法作为 .xlsx 文件打开")
    if _largest_sheet_bytes(path, paths) > STREAM_ABOVE_BYTES:
        return _stream_sheets(path, paths)
    try:
        import python_calamine

        workbook = python_calamine.CalamineWorkbook.from_path(path)
        names = workbook.sheet_names
    except ImportError:  # pragma: no cover - calamine is a dependency; openpyxl is the fallback
        return _open_xlsx_openpyxl(path, paths)
    except Exception:
        raise FileProblem("文件已损坏，无法作为 .xlsx 文件打开")

    def make_sheet(name):
        def rows():
            try:
                sheet = workbook.get_sheet_by_name(name)
                offset = sheet.start[1] if sheet.start else 0
                for index, values in enumerate(sheet.iter_rows()):
                    yield index + 1, ([None] * offset + list(values)) if offset else values
            except FileProblem:
                raise
            except Exception:
                raise FileProblem(f"工作表“{name}”已损坏，无法读取")

        def formulas():
            return _xlsx_formula_cells(path, paths[name]) if name in paths else []

        return Sheet(name, rows, formulas)

    return [make_sheet(name) for name in names]


def _open_xlsx_openpyxl(path, paths):  # pragma: no cover - used only without calamine
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)

    def make_sheet(worksheet):
        def rows():
            for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
                yield number, list(cells)

        def formulas():
            return _xlsx_formula_cells(path, paths[worksheet.title]) if worksheet.title in paths else []

        return Sheet(worksheet.title, rows, formulas)

    return [make_sheet(worksheet) for worksheet in workbook.worksheets]


# A sheet whose XML inflates beyond this is streamed (constant memory) instead of being loaded
# whole by calamine, whose in-memory copy of a city registry alone passes 500 MiB.
STREAM_ABOVE_BYTES = 64 * 1024 * 1024
_BUILTIN_DATE_FORMATS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_DATE_CODE_RE = re.compile(r"[ymdhs]", re.IGNORECASE)
_QUOTED_RE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_TAG_C, _TAG_V, _TAG_IS, _TAG_T = (f"{_MAIN_NS}{name}" for name in ("c", "v", "is", "t"))
_TAG_ROW = f"{_MAIN_NS}row"
_TAG_SI, _TAG_R = f"{_MAIN_NS}si", f"{_MAIN_NS}r"


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _date_styles(archive):
    """Indexes of cellXfs whose number format is a date."""
    try:
        root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return set()
    custom = {}
    for element in root.iter():
        if _local(element.tag) == "numFmt":
            code = _QUOTED_RE.sub("", element.get("formatCode", ""))
            custom[int(element.get("numFmtId", "0"))] = bool(_DATE_CODE_RE.search(code))
    dates = set()
    for element in root.iter():
        if _local(element.tag) == "cellXfs":
            for index, xf in enumerate(element):
                number_format = int(xf.get("numFmtId", "0"))
                if number_format in _BUILTIN_DATE_FORMATS or custom.get(number_format):
                    dates.add(index)
    return dates


def _shared_strings(archive):
    """The shared-string table; rich-text runs are joined, phonetic guides (rPh) left out."""
    try:
        stream = archive.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    strings = []
    with stream:
        for _event, element in ElementTree.iterparse(stream):
            if element.tag == _TAG_SI:
                parts = []
                for child in element:
                    if child.tag == _TAG_T:
                        parts.append(child.text or "")
                    elif child.tag == _TAG_R:
                        parts.extend(node.text or "" for node in child.iter(_TAG_T))
                strings.append("".join(parts))
                element.clear()
    return strings


def _stream_xlsx_rows(path, member):
    """(row number, values) of one sheet, parsed incrementally: memory stays flat whatever its size."""
    column_of = {}
    with zipfile.ZipFile(path) as archive:
        strings = _shared_strings(archive)
        date_styles = _date_styles(archive)
        with archive.open(member) as stream:
            values, expected = [], 1
            for _event, element in ElementTree.iterparse(stream):
                tag = element.tag
                if tag == _TAG_C:
                    ref = element.get("r")
                    if ref:
                        letters = ref.rstrip("0123456789")
                        position = column_of.get(letters)
                        if position is None:
                            position = column_of[letters] = column_index(letters)
                        if position > len(values):
                            values.extend([None] * (position - len(values)))
                    kind = element.get("t")
                    raw = None
                    for child in element:
                        if child.tag == _TAG_V:
                            raw = child.text
                        elif child.tag == _TAG_IS:
                            raw = "".join(node.text or "" for node in child.iter(_TAG_T))
                    if raw is None:
                        value = None
                    elif kind == "s":
                        value = strings[int(raw)]
                    elif kind in ("inlineStr", "str", "e"):
                        value = raw
                    elif kind == "b":
                        value = raw == "1"
                    else:
                        number = float(raw)
                        style = element.get("s")
                        if style and int(style) in date_styles:
                            value = _EXCEL_EPOCH + datetime.timedelta(days=number)
                            value = value.date() if value.time() == datetime.time() else value
                        else:
                            value = int(number) if number.is_integer() else number
                    values.append(value)
                elif tag == _TAG_ROW:
                    number = int(element.get("r") or expected)
                    expected = number + 1
                    yield number, values
                    values = []
                    element.clear()  # drop the parsed cells: this is what keeps memory flat


def _stream_sheets(path, paths):
    return [
        Sheet(name, lambda member=member: _stream_xlsx_rows(path, member),
              lambda member=member: _xlsx_formula_cells(path, member))
        for name, member in paths.items()
    ]


def _largest_sheet_bytes(path, paths):
    with zipfile.ZipFile(path) as archive:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
    return max((sizes.get(member, 0) for member in paths.values()), default=0)


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
