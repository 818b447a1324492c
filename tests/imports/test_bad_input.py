"""Bad input: each refusal has a Chinese message with row and column, and nothing is written."""

import datetime
import zipfile

import openpyxl
import pytest
from django.test import override_settings

from enterprises.models import Enterprise
from imports.engine import FORMULA_MESSAGE, run_import
from members.models import Person
from organizations.models import Organization
from partybuild.testdata import make_credit_code, make_id_number

from .conftest import ENTERPRISE_HEADER, enterprise_row, write_xlsx


def counts():
    return (Enterprise.objects.count(), Organization.objects.count(), Person.objects.count())


def refused(result, message_part, row=None, column=None):
    assert result.errors, "the import should be refused"
    assert not result.imported
    matches = [
        error for error in result.errors
        if message_part in error["message"]
        and (row is None or error["row"] == row)
        and (column is None or error["column"] == column)
    ]
    assert matches, result.errors
    return matches[0]


@pytest.fixture
def before(users):
    return counts()


def test_it_refuses_a_wrong_file_type(users, tmp_path, before):
    """A .txt file is refused by type."""
    path = tmp_path / "list.txt"
    path.write_text("企业名称\n", encoding="utf-8")
    result = run_import("enterprises", str(path), user=users["staff"])
    refused(result, "不支持的文件类型")
    assert counts() == before


def test_it_refuses_a_png_renamed_xlsx(users, tmp_path, before):
    """A PNG with an .xlsx name is refused by its content."""
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    result = run_import("enterprises", str(path), user=users["staff"])
    refused(result, "不是有效的 .xlsx 文件")
    assert counts() == before


def test_it_refuses_a_corrupt_zip(users, tmp_path, before):
    """A file that starts like a zip but is truncated garbage is refused as damaged."""
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"garbage" * 50)
    result = run_import("enterprises", str(path), user=users["staff"])
    refused(result, "文件已损坏")
    assert counts() == before


@override_settings(IMPORT_MAX_UNCOMPRESSED_BYTES=2000)
def test_it_refuses_an_xlsx_inflating_past_the_limit(users, xlsx, before):
    """The zip members' declared sizes are checked before reading: a sheet inflating past the limit is refused."""
    path = xlsx([ENTERPRISE_HEADER] + [enterprise_row(i) for i in range(200)])
    result = run_import("enterprises", path, user=users["staff"])
    refused(result, "文件解压后大小超过上限")
    assert counts() == before


@override_settings(IMPORT_MAX_BYTES=100)
def test_it_refuses_a_file_over_the_size_limit(users, xlsx, before):
    """A file larger than IMPORT_MAX_BYTES is refused."""
    result = run_import("enterprises", xlsx([ENTERPRISE_HEADER, enterprise_row(1)]), user=users["staff"])
    refused(result, "文件大小超过上限")
    assert counts() == before


def test_it_refuses_an_empty_sheet(users, tmp_path, before):
    """A workbook whose sheet has no cells says the sheet is empty."""
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    result = run_import("enterprises", str(path), user=users["staff"])
    refused(result, "工作表为空")
    assert counts() == before


def test_it_refuses_a_sheet_without_a_recognisable_header(users, xlsx, before):
    """No known column name in the first 10 rows: the header is not found."""
    result = run_import("enterprises", xlsx([["甲", "乙", "丙"], ["1", "2", "3"]]), user=users["staff"])
    refused(result, "未找到表头")
    assert counts() == before


def test_it_refuses_a_missing_required_column(users, xlsx, before):
    """A header without 统一社会信用代码 names the missing column."""
    result = run_import("enterprises", xlsx([["企业名称", "所属区域"], ["甲公司", "320506101"]]), user=users["staff"])
    refused(result, "缺少必填列", row=1, column="统一社会信用代码")
    assert counts() == before


def test_it_reports_a_duplicate_key_on_the_later_row_naming_the_earlier(users, xlsx, before):
    """The same credit code twice: error on the later row (Excel row 4) naming row 2."""
    rows = [ENTERPRISE_HEADER, enterprise_row(1), enterprise_row(2), enterprise_row(1)]
    result = run_import("enterprises", xlsx(rows), user=users["staff"])
    error = refused(result, "与第 2 行重复", row=4, column="统一社会信用代码")
    assert enterprise_row(1)[1] in error["message"]
    assert counts() == before


def test_it_refuses_an_invalid_check_character(users, xlsx, before):
    """A credit code with a wrong check character is refused with the GB 32100 message."""
    code = enterprise_row(1)[1]
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    rows = [ENTERPRISE_HEADER, enterprise_row(2), enterprise_row(1, 统一社会信用代码=bad)]
    result = run_import("enterprises", xlsx(rows), user=users["staff"])
    refused(result, "校验位错误", row=3, column="统一社会信用代码")
    assert counts() == before


def test_it_refuses_the_whole_import_when_a_row_names_a_region_outside_scope(users, xlsx, before):
    """staff_a (甪直镇) naming 木渎镇 on one row: that row errors and nothing at all is written."""
    rows = [ENTERPRISE_HEADER, enterprise_row(1), enterprise_row(2, region="320506102")]
    result = run_import("enterprises", xlsx(rows), user=users["staff"])
    refused(result, "不在您的管辖范围内", row=3, column="所属区域")
    assert counts() == before


def test_it_refuses_an_existing_enterprise_outside_scope(users, world, xlsx, before):
    """A credit code already registered in town B cannot be overwritten by town A's staff."""
    rows = [ENTERPRISE_HEADER, enterprise_row(1, 统一社会信用代码=world["ent_b"].credit_code)]
    result = run_import("enterprises", xlsx(rows), user=users["staff"])
    refused(result, "管辖范围以外", row=2, column="统一社会信用代码")
    assert Enterprise.objects.get(pk=world["ent_b"].pk).name == world["ent_b"].name


def test_it_refuses_a_state_owned_enterprise_type(users, xlsx, before):
    """国有独资 is not non-public: refused with that reason."""
    rows = [ENTERPRISE_HEADER, enterprise_row(1, 企业类型="有限责任公司（国有独资）")]
    result = run_import("enterprises", xlsx(rows), user=users["staff"])
    refused(result, "不是非公企业", row=2, column="企业类型")
    assert counts() == before


def test_it_refuses_an_unknown_status_word(users, xlsx, before):
    """An unknown 经营状态 lists the accepted words."""
    rows = [ENTERPRISE_HEADER, enterprise_row(1, 经营状态="飞升")]
    result = run_import("enterprises", xlsx(rows), user=users["staff"])
    refused(result, "经营状态“飞升”无法识别", row=2, column="经营状态")
    assert counts() == before


def test_it_refuses_an_unknown_level_word(users, world, xlsx, before):
    """An unknown 组织类别 on an organization row is refused."""
    rows = [
        ["党组织名称", "组织类别", "组建方式", "所属区域", "成立日期", "覆盖企业信用代码"],
        ["新党组织", "党小队", "单独组建", "320506101", "2010-01-01", world["ent_a"].credit_code],
    ]
    result = run_import("organizations", xlsx(rows), user=users["staff"])
    refused(result, "组织类别“党小队”无法识别", row=2, column="组织类别")
    assert counts() == before


def test_it_refuses_a_date_in_the_future(users, xlsx, before):
    """成立日期 after today is refused by the model's own rule."""
    rows = [ENTERPRISE_HEADER, enterprise_row(1, 成立日期="2999-01-01")]
    result = run_import("enterprises", xlsx(rows), user=users["staff"])
    refused(result, "成立日期不能晚于今天", row=2, column="成立日期")
    assert counts() == before


def test_it_refuses_milestone_dates_out_of_order(users, world, xlsx, before):
    """入党日期 before 申请入党日期 is refused with the pipeline-order message."""
    rows = [
        ["姓名", "身份证号", "所在企业信用代码", "政治面貌", "申请入党日期", "入党日期"],
        ["赵六", make_id_number(77, datetime.date(1980, 1, 1)), world["ent_a"].credit_code, "预备党员",
         "2010-05-01", "2009-05-01"],
    ]
    result = run_import("members", xlsx(rows), user=users["staff"])
    refused(result, "入党日期不能早于申请入党日期", row=2, column="入党日期")
    assert counts() == before


def test_it_refuses_an_unreadable_date(users, xlsx, before):
    """A date that is not one of the accepted forms names the cell."""
    rows = [ENTERPRISE_HEADER, enterprise_row(1, 成立日期="去年春天")]
    result = run_import("enterprises", xlsx(rows), user=users["staff"])
    refused(result, "日期“去年春天”无法识别", row=2, column="成立日期")


def test_it_refuses_a_formula_cell(users, tmp_path, before):
    """A formula in a data cell is refused with its row and column."""
    path = tmp_path / "formula.xlsx"
    rows = [ENTERPRISE_HEADER, enterprise_row(1), enterprise_row(2)]
    rows[2][5] = "=10+20"
    write_xlsx(path, rows)
    result = run_import("enterprises", str(path), user=users["staff"])
    refused(result, FORMULA_MESSAGE, row=3, column="职工人数")
    assert counts() == before


def test_it_writes_nothing_when_only_the_last_of_many_rows_is_bad(users, xlsx, before, settings):
    """All or nothing across chunks: rows written in earlier chunks are rolled back."""
    from enterprises.resources import EnterpriseImport

    EnterpriseImport.chunk_size = 3
    try:
        rows = [ENTERPRISE_HEADER] + [enterprise_row(i) for i in range(10)] + [enterprise_row(11, 经营状态="??")]
        result = run_import("enterprises", xlsx(rows), user=users["staff"])
    finally:
        EnterpriseImport.chunk_size = 2000
    refused(result, "无法识别", row=12)
    assert counts() == before


def test_it_refuses_a_role_without_import(users, xlsx, before):
    """A leader may not import: refused whole."""
    result = run_import("enterprises", xlsx([ENTERPRISE_HEADER, enterprise_row(1)]), user=users["leader"])
    refused(result, "无权导入")
    assert counts() == before


def test_it_accepts_nothing_from_a_truncated_zip_member(users, tmp_path, before):
    """A zip that is valid but lacks the workbook part is refused as damaged."""
    path = tmp_path / "nozip.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    result = run_import("enterprises", str(path), user=users["staff"])
    refused(result, "文件已损坏")
    assert counts() == before


def test_it_refuses_an_employee_count_past_the_integer_range(users, xlsx, before):
    """3,000,000,000 staff: a Chinese row error (PostgreSQL could not store it), on both databases."""
    rows = [ENTERPRISE_HEADER, enterprise_row(1), enterprise_row(2, 职工人数=3_000_000_000)]
    result = run_import("enterprises", xlsx(rows), user=users["staff"])
    refused(result, "数字过大：不能超过 2147483647", row=3, column="职工人数")
    assert counts() == before


def test_it_drops_nul_characters_from_text(users, tmp_path, before):
    """A NUL character (here in a CSV cell) cannot be stored by PostgreSQL and means nothing: dropped."""
    header, row = ENTERPRISE_HEADER, enterprise_row(1, 企业名称="零字符\x00科技有限公司")
    path = tmp_path / "企业.csv"
    path.write_text("\n".join(",".join("" if v is None else str(v) for v in line) for line in (header, row)) + "\n",
                    encoding="utf-8")
    result = run_import("enterprises", str(path), user=users["staff"])
    assert result.ok and result.created == 1, result.errors
    assert Enterprise.objects.filter(name="零字符科技有限公司").exists()
