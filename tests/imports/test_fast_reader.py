"""The fast .xlsx reader (imports.readers) returns what python-calamine returns, cell by cell.

Workbooks are written by openpyxl (inline strings, styles, dates, formulas, gaps) and by hand
(shared strings with rich-text and phonetic runs, namespace prefixes, cells without ``r``,
self-closing cells, every ``t=``, entities, ``xml:space``, attributes in another order), and
every cell is compared after the normalisation the engine applies anyway: an empty cell is
None whether a reader gives "" or None, and a whole float equals the int.
"""

import datetime
import zipfile

import openpyxl
import pytest
import python_calamine

from imports.engine import run_import
from imports.readers import open_sheets

from .conftest import ENTERPRISE_HEADER, enterprise_row


def _cell(value):
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _trimmed(rows):
    result = []
    for number, values in rows:
        values = [_cell(value) for value in values]
        while values and values[-1] is None:
            values.pop()
        result.append((number, values))
    while result and not result[-1][1]:
        result.pop()
    return result


def calamine_rows(path, name):
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name)
    offset = sheet.start[1] if sheet.start else 0
    return _trimmed((index + 1, [None] * offset + list(values)) for index, values in enumerate(sheet.iter_rows()))


def fast_rows(path):
    return {sheet.name: _trimmed(sheet.rows()) for sheet in open_sheets(str(path))}


def assert_same_as_calamine(path):
    ours = fast_rows(path)
    names = python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names
    assert list(ours) == names
    for name in names:
        theirs = calamine_rows(path, name)
        assert ours[name] == theirs, name
    return ours


def test_it_reads_an_openpyxl_workbook_exactly_as_calamine(tmp_path):
    """Inline strings, numbers, booleans, dates, times, formulas, gaps, an offset start, two sheets."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "企业"
    sheet["C3"] = "甪直镇非公企业名录（2003年）"
    sheet.append([None, None, "名称", "代码", "人数", "日期", "时刻", "标志", "备注"])
    sheet.append([None, None, "甲&乙<公司>\"'", "91320500000000001A", 56, datetime.date(2003, 5, 1),
                  datetime.datetime(2003, 5, 1, 12, 30), True, "  前后空格  "])
    sheet.append([None, None, "第一行\r\n第二行", "x_x000D_y", 56.5, datetime.datetime(2003, 5, 1),
                  datetime.time(8, 15), False, "=1+2"])
    sheet.append([])
    sheet.append([None, None, "", None, 0, -3, 1e-7, 3e20, "中文 ＡＢＣ１２３"])
    sheet["D9"] = 12
    sheet["D9"].number_format = "yyyy\"年\"m\"月\"d\"日\""
    sheet["E9"] = 37742
    sheet["E9"].number_format = "0.00"
    sheet["F9"] = 1.5
    sheet["F9"].number_format = "[h]:mm"
    sheet["G9"] = 0.25
    sheet["G9"].number_format = "h:mm"
    sheet["H12"].number_format = "0.00"  # a styled empty cell
    other = workbook.create_sheet("第二页")
    other.append(["a", 1])
    other["B5"] = "=SUM(B1:B4)"
    path = tmp_path / "openpyxl.xlsx"
    workbook.save(path)
    rows = assert_same_as_calamine(path)
    assert rows["企业"][2] == (3, [None, None, "甪直镇非公企业名录（2003年）"])
    assert rows["企业"][4][1][2:6] == ["甲&乙<公司>\"'", "91320500000000001A", 56, datetime.date(2003, 5, 1)]


STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>
<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="2"/></cellXfs>
</styleSheet>"""

SHARED = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="8" uniqueCount="8">
<si><t>企业名称</t></si>
<si><t xml:space="preserve">  有空格  </t></si>
<si><r><rPr><b/></rPr><t>苏州</t></r><r><t xml:space="preserve">示例 </t></r><r><t>公司</t></r></si>
<si><t>甪直</t><rPh sb="0" eb="2"><t>ろくちょく</t></rPh><phoneticPr fontId="1"/></si>
<si><t>A&amp;B &lt;C&gt; &#x4E2D;&#25991; &quot;q&quot;</t></si>
<si><t/></si>
<si><t>行一
行二</t></si>
<si><r><t>多</t></r><rPh sb="0" eb="1"><t>た</t></rPh><r><t>段</t></r></si>
</sst>"""

SHEET_BODY = """<{p}row r="1" spans="1:8"><{p}c r="A1" t="s"><{p}v>0</{p}v></{p}c><{p}c r="B1" t="s"><{p}v>1</{p}v></{p}c><{p}c r="C1" t="s"><{p}v>2</{p}v></{p}c></{p}row>
<{p}row r="2"><{p}c r="A2" t="s"><{p}v>3</{p}v></{p}c><{p}c r="C2" t="s"><{p}v>4</{p}v></{p}c><{p}c r="D2" t="s"><{p}v>5</{p}v></{p}c><{p}c r="E2" t="s"><{p}v>6</{p}v></{p}c><{p}c r="F2" t="s"><{p}v>7</{p}v></{p}c></{p}row>
<{p}row r="4"><{p}c r="A4"><{p}v>42</{p}v></{p}c><{p}c r="B4" t="n"><{p}v>-1.25</{p}v></{p}c><{p}c r="C4" s="1"><{p}v>37742</{p}v></{p}c><{p}c r="D4" s="2" t="n"><{p}v>37742.5</{p}v></{p}c><{p}c r="E4" s="3"><{p}v>37742</{p}v></{p}c><{p}c r="F4" t="b"><{p}v>1</{p}v></{p}c><{p}c r="G4" t="b"><{p}v>0</{p}v></{p}c><{p}c r="H4" t="e"><{p}v>#N/A</{p}v></{p}c></{p}row>
<{p}row r="5"/>
<{p}row r="6"><{p}c r="A6" t="str"><{p}f>"a"&amp;"b"</{p}f><{p}v>a&amp;b</{p}v></{p}c><{p}c r="B6"><{p}f>1+1</{p}f><{p}v>2</{p}v></{p}c><{p}c r="C6" t="inlineStr"><{p}is><{p}t xml:space="preserve"> 内联 </{p}t></{p}is></{p}c><{p}c r="D6" t="inlineStr"><{p}is><{p}r><{p}t>富</{p}t></{p}r><{p}r><{p}t>文本</{p}t></{p}r></{p}is></{p}c><{p}c r="E6" s="3"/><{p}c r="F6" t="inlineStr"><{p}is><{p}t>&#x4E2D;&amp;&lt;</{p}t></{p}is></{p}c></{p}row>
<{p}row><{p}c t="inlineStr"><{p}is><{p}t>无r甲</{p}t></{p}is></{p}c><{p}c t="n"><{p}v>7</{p}v></{p}c><{p}c r="E7" t="inlineStr"><{p}is><{p}t>跳到E</{p}t></{p}is></{p}c><{p}c><{p}v>8</{p}v></{p}c></{p}row>
<{p}row r="9">
  <{p}c t="inlineStr" r="A9"><{p}is><{p}t>属性倒序</{p}t></{p}is></{p}c>
  <{p}c r='B9' t='s'>
    <{p}v>4</{p}v>
  </{p}c>
  <{p}c r="C9" s="1" t="d"><{p}v>2003-05-01T00:00:00</{p}v></{p}c>
  <{p}c r="D9" t="n" s="1"><{p}v>37743</{p}v></{p}c>
  <{p}c r="E9" t="inlineStr"><{p}is><{p}t/></{p}is></{p}c>
  <{p}c r="F9" t="str"><{p}v></{p}v></{p}c>
</{p}row>
<{p}row r="11"><{p}c r="B11" t="inlineStr"><{p}is><{p}t>x_x000D_y_x0041_</{p}t></{p}is></{p}c><{p}c r="C11"><{p}v>1E-3</{p}v></{p}c></{p}row>"""


def _sheet_xml(prefix):
    p = f"{prefix}:" if prefix else ""
    declaration = f'xmlns:{prefix}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' if prefix else (
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {declaration}>'
            f'<{p}dimension ref="A1:H11"/><{p}sheetViews><{p}sheetView workbookViewId="0"/></{p}sheetViews>'
            f"<{p}cols><{p}col min=\"1\" max=\"2\" width=\"20\"/></{p}cols>"
            f"<{p}sheetData>\n{SHEET_BODY.format(p=p)}\n</{p}sheetData>"
            f'<{p}mergeCells count="1"><{p}mergeCell ref="A11:B11"/></{p}mergeCells></{p}worksheet>')


def write_hand_made_workbook(path, sheets, shared=SHARED, date1904=False):
    """sheets: [(name, sheet XML)] — a minimal but complete .xlsx package."""
    workbook_pr = '<workbookPr date1904="1"/>' if date1904 else ""
    entries = "".join(f'<sheet name="{name}" sheetId="{index}" r:id="rId{index}"/>'
                      for index, (name, _xml) in enumerate(sheets, start=1))
    relations = "".join(
        f'<Relationship Id="rId{index}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'worksheet" Target="worksheets/sheet{index}.xml"/>' for index in range(1, len(sheets) + 1))
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{index}.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for index in range(1, len(sheets) + 1))
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            f"{overrides}</Types>"),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"{workbook_pr}<sheets>{entries}</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{relations}"
            f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId{len(sheets) + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": shared,
    }
    for index, (_name, xml) in enumerate(sheets, start=1):
        files[f"xl/worksheets/sheet{index}.xml"] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode("utf-8"))
    return path


def test_it_reads_hand_written_sheet_xml_exactly_as_calamine(tmp_path):
    """Shared strings (rich, phonetic, entities), every t=, prefixes, cells without r, odd layouts."""
    path = write_hand_made_workbook(tmp_path / "hand.xlsx", [("普通", _sheet_xml("")), ("前缀", _sheet_xml("x"))])
    rows = assert_same_as_calamine(path)
    plain = dict(rows["普通"])
    assert rows["普通"] == rows["前缀"]
    assert plain[1] == ["企业名称", "  有空格  ", "苏州示例 公司"]
    assert plain[2] == ["甪直", None, "A&B <C> 中文 \"q\"", None, "行一\n行二", "多段"]
    assert plain[4][:5] == [42, -1.25, datetime.date(2003, 5, 1), datetime.datetime(2003, 5, 1, 12), 37742]
    assert plain[7] == ["无r甲", 7, None, None, "跳到E", 8]
    assert plain[11] == [None, "x\ryA", 0.001]


def test_it_notes_formula_cells_on_the_same_pass(tmp_path):
    """Formula cells (t="str" and numeric) are reported with their row and column, prefixed or not."""
    path = write_hand_made_workbook(tmp_path / "formulas.xlsx", [("普通", _sheet_xml("")), ("前缀", _sheet_xml("x"))])
    for sheet in open_sheets(str(path)):
        assert sheet.formula_cells() == [(6, 0), (6, 1)]  # before the rows are read: a scan
        list(sheet.rows())
        assert sheet.formula_cells() == [(6, 0), (6, 1)]  # after: noted on the way


def test_it_reads_1904_dates_as_calamine(tmp_path):
    """A workbook on the 1904 date system shifts every date cell by 1,462 days."""
    path = write_hand_made_workbook(tmp_path / "mac.xlsx", [("Sheet1", _sheet_xml(""))], date1904=True)
    rows = assert_same_as_calamine(path)
    assert dict(rows["Sheet1"])[4][2] == datetime.date(2007, 5, 2)


@pytest.mark.parametrize("prefix", ["", "x"])
def test_it_imports_a_shared_string_workbook_as_excel_writes_it(users, tmp_path, prefix):
    """An enterprise file with shared strings and a date style imports through the one reader."""
    rows = [ENTERPRISE_HEADER, enterprise_row(1), enterprise_row(2, 成立日期=datetime.date(2003, 5, 1))]
    strings, cells_xml = [], []
    p = f"{prefix}:" if prefix else ""
    for number, values in enumerate(rows, start=1):
        cells = []
        for column, value in enumerate(values):
            ref = f"{chr(65 + column)}{number}"
            if isinstance(value, datetime.date):
                serial = (value - datetime.date(1899, 12, 30)).days
                cells.append(f'<{p}c r="{ref}" s="1"><{p}v>{serial}</{p}v></{p}c>')
            elif isinstance(value, int):
                cells.append(f'<{p}c r="{ref}"><{p}v>{value}</{p}v></{p}c>')
            else:
                strings.append(value)
                cells.append(f'<{p}c r="{ref}" t="s"><{p}v>{len(strings) - 1}</{p}v></{p}c>')
        cells_xml.append(f'<{p}row r="{number}">{"".join(cells)}</{p}row>')
    namespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    declaration = f'xmlns:{prefix}="{namespace}"' if prefix else f'xmlns="{namespace}"'
    sheet = f'<{p}worksheet {declaration}><{p}sheetData>{"".join(cells_xml)}</{p}sheetData></{p}worksheet>'
    shared = (f'<sst xmlns="{namespace}">' + "".join(f"<si><t>{text}</t></si>" for text in strings) + "</sst>")
    path = write_hand_made_workbook(tmp_path / "excel.xlsx", [("企业", sheet)], shared=shared)
    assert_same_as_calamine(path)
    result = run_import("enterprises", str(path), user=users["staff"])
    assert result.ok and result.created == 2, result.errors
    from enterprises.models import Enterprise

    second = Enterprise.objects.get(credit_code=enterprise_row(2)[1])
    assert (second.founded_on, second.employees) == (datetime.date(2003, 5, 1), 32)


def test_it_refuses_a_sheet_whose_cells_cannot_be_read(users, tmp_path):
    """A shared-string index past the table, or a number that is not one: the sheet is damaged."""
    from enterprises.models import Enterprise

    before = Enterprise.objects.count()
    for cell in ('<c r="A2" t="s"><v>99</v></c>', '<c r="A2"><v>12abc</v></c>'):
        header = "".join(f'<c r="{chr(65 + index)}1" t="inlineStr"><is><t>{text}</t></is></c>'
                         for index, text in enumerate(ENTERPRISE_HEADER))
        sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                 f'<row r="1">{header}</row><row r="2">{cell}</row></sheetData></worksheet>')
        path = write_hand_made_workbook(tmp_path / "bad.xlsx", [("企业", sheet)])
        result = run_import("enterprises", str(path), user=users["staff"])
        assert [error["message"] for error in result.errors] == ["工作表“企业”已损坏，无法读取"]
        assert Enterprise.objects.count() == before
