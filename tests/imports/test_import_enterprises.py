"""Enterprise import: header detection, aliases, normalisation, upsert and history."""

import datetime

import pytest

from enterprises.models import Enterprise
from imports.engine import run_import
from partybuild.testdata import make_credit_code

from .conftest import ENTERPRISE_HEADER, enterprise_row, write_csv


def test_it_imports_a_file_with_a_title_row_and_aliased_headers(users, xlsx):
    """A merged title row, then aliases with line breaks, full-width brackets and a trailing *."""
    header = ["单位名称", "社会信用代码*", "所属镇（街道）", "市场主体类型", "登记状态", "从业\n人数", "注册日期", "备用列"]
    code = make_credit_code(4242, "320506")
    rows = [header, ["  甪直鼎盛机械有限公司 ", code.lower(), "甪直镇", "外商独资", "存续", "５６人", "2003年5月1日", "x"]]
    result = run_import("enterprises", xlsx(rows, title="XX镇非公企业名录（2003年）"), user=users["staff"])
    assert result.ok, result.errors
    assert (result.created, result.rows, result.unknown_columns) == (1, 1, ["备用列"])
    enterprise = Enterprise.objects.get(credit_code=code)
    assert enterprise.name == "甪直鼎盛机械有限公司"
    assert enterprise.region.name == "甪直镇"
    assert (enterprise.kind, enterprise.registry_type) == ("foreign_invested", "外商独资")
    assert (enterprise.status, enterprise.employees, enterprise.founded_on) == ("operating", 56, datetime.date(2003, 5, 1))


@pytest.mark.parametrize(
    "text,kind",
    [("个体工商户", "individual"), ("中外合资经营企业", "foreign_invested"), ("台港澳独资", "foreign_invested"),
     ("专业市场", "market"), ("个人独资企业", "private"), ("普通合伙", "private"), ("", "private")],
)
def test_it_classifies_the_registry_type(users, xlsx, text, kind):
    """企业类型 text maps onto the four kinds; empty is private."""
    result = run_import("enterprises", xlsx([ENTERPRISE_HEADER, enterprise_row(1, 企业类型=text)]), user=users["staff"])
    assert result.ok, result.errors
    assert Enterprise.objects.get(credit_code=enterprise_row(1)[1]).kind == kind


@pytest.mark.parametrize(
    "word,status",
    [("在业", "operating"), ("", "operating"), ("筹建", "not_started"), ("歇业", "suspended"), ("吊销", "closed"),
     ("迁出", "closed")],
)
def test_it_reads_status_words(users, xlsx, word, status):
    """经营状态 words map onto the four statuses; empty is operating."""
    result = run_import("enterprises", xlsx([ENTERPRISE_HEADER, enterprise_row(1, 经营状态=word)]), user=users["staff"])
    assert result.ok, result.errors
    assert Enterprise.objects.get(credit_code=enterprise_row(1)[1]).status == status


@pytest.mark.parametrize("value", ["2003-05-01", "2003/5/1", "2003.5.1", "2003年5月1日", "20030501",
                                   datetime.date(2003, 5, 1), 20030501])
def test_it_reads_every_date_form(users, xlsx, value):
    """The date forms of import-formats.md all read as 1 May 2003."""
    result = run_import("enterprises", xlsx([ENTERPRISE_HEADER, enterprise_row(1, 成立日期=value)]), user=users["staff"])
    assert result.ok, result.errors
    assert Enterprise.objects.get(credit_code=enterprise_row(1)[1]).founded_on == datetime.date(2003, 5, 1)


def test_it_reimports_the_same_file_as_all_unchanged(users, xlsx):
    """Upsert by credit code: the second run of the same file changes nothing."""
    path = xlsx([ENTERPRISE_HEADER] + [enterprise_row(i) for i in range(6)])
    first = run_import("enterprises", path, user=users["staff"])
    second = run_import("enterprises", path, user=users["staff"])
    assert (first.created, first.unchanged) == (6, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 6)


def test_it_updates_changed_rows_and_keeps_history_with_the_importer(users, xlsx):
    """A changed row is updated in bulk, with a history row naming the importing user."""
    run_import("enterprises", xlsx([ENTERPRISE_HEADER, enterprise_row(1), enterprise_row(2)]), user=users["staff"])
    rows = [ENTERPRISE_HEADER, enterprise_row(1, 职工人数=99, 经营状态="注销"), enterprise_row(2)]
    result = run_import("enterprises", xlsx(rows), user=users["staff"])
    assert (result.updated, result.unchanged) == (1, 1)
    enterprise = Enterprise.objects.get(credit_code=enterprise_row(1)[1])
    assert (enterprise.employees, enterprise.status, enterprise.status_changed_on) == (
        99, "closed", datetime.date.today())
    history = list(enterprise.history.order_by("history_date").values_list("history_type", "history_user__username"))
    assert history == [("+", "staff_a"), ("~", "staff_a")]


def test_it_leaves_columns_absent_from_the_file_untouched(users, world, xlsx):
    """A market-regulation list without 职工人数 does not wipe the employees already recorded."""
    ent = world["ent_a"]
    rows = [["企业名称", "统一社会信用代码", "所属区域"], [ent.name, ent.credit_code, "320506101"]]
    result = run_import("enterprises", xlsx(rows), user=users["staff"])
    assert result.unchanged == 1, result.as_dict()
    assert Enterprise.objects.get(pk=ent.pk).employees == 120


def test_it_does_not_write_on_a_dry_run(users, xlsx):
    """A dry run counts what would happen and writes nothing."""
    result = run_import("enterprises", xlsx([ENTERPRISE_HEADER, enterprise_row(1)]), user=users["staff"], dry_run=True)
    assert (result.ok, result.created, result.dry_run, result.imported) == (True, 1, True, False)
    assert not Enterprise.objects.filter(credit_code=enterprise_row(1)[1]).exists()


def test_it_skips_blank_rows_and_counts_them(users, xlsx):
    """Blank rows between data rows are skipped and counted."""
    rows = [ENTERPRISE_HEADER, enterprise_row(1), [None] * 7, ["", " ", "\u3000"], enterprise_row(2)]
    result = run_import("enterprises", xlsx(rows), user=users["staff"])
    assert (result.created, result.skipped_blank, result.rows) == (2, 2, 2)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_it_reads_csv_in_every_accepted_encoding(users, tmp_path, encoding):
    """CSV in UTF-8 with or without BOM and in GB18030 imports the same."""
    path = write_csv(tmp_path / "list.csv", [ENTERPRISE_HEADER, enterprise_row(1, 企业名称="甪直鑫龙纺织有限公司")], encoding)
    result = run_import("enterprises", str(path), user=users["staff"])
    assert result.ok, result.errors
    assert Enterprise.objects.get(credit_code=enterprise_row(1)[1]).name == "甪直鑫龙纺织有限公司"


def test_it_accepts_a_region_name_unique_in_scope(users, xlsx):
    """所属区域 may be a region name unique in the importer's scope."""
    result = run_import("enterprises", xlsx([ENTERPRISE_HEADER, enterprise_row(1, region="甪直镇")]), user=users["staff"])
    assert result.ok, result.errors


def test_it_reads_an_xls_file(users, tmp_path):
    """The old .xls format (read with xlrd) imports like .xlsx, dates included."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("企业")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for column, header in enumerate(ENTERPRISE_HEADER):
        sheet.write(0, column, header)
    for column, value in enumerate(enterprise_row(1)):
        if ENTERPRISE_HEADER[column] == "成立日期":
            sheet.write(1, column, datetime.date(2003, 5, 1), date_style)
        else:
            sheet.write(1, column, value)
    path = tmp_path / "old.xls"
    book.save(str(path))
    result = run_import("enterprises", str(path), user=users["staff"])
    assert result.ok, result.errors
    enterprise = Enterprise.objects.get(credit_code=enterprise_row(1)[1])
    assert (enterprise.founded_on, enterprise.employees) == (datetime.date(2003, 5, 1), 31)


def test_it_reads_title_rows_aliases_dates_and_formulas_with_the_streaming_reader(users, xlsx):
    """The constant-memory .xlsx reader (every size) gives the rows, dates and formula errors."""
    rows = [["单位名称", "社会信用代码*", "所属镇（街道）", "成立日期", "职工人数", "是否建立工会"],
            ["甲公司", enterprise_row(1)[1], "甪直镇", datetime.date(2003, 5, 1), 56.0, True],
            ["乙公司", enterprise_row(2)[1], "甪直镇", "2003/5/1", "=1+2", "否"]]
    path = xlsx(rows, title="甪直镇非公企业名录（2003年）")
    refused = run_import("enterprises", path, user=users["staff"])
    assert [(e["row"], e["column"]) for e in refused.errors] == [(4, "职工人数")]
    rows[2][4] = 7
    path = xlsx(rows, title="甪直镇非公企业名录（2003年）")
    result = run_import("enterprises", path, user=users["staff"])
    assert result.ok and result.created == 2, result.errors
    first = Enterprise.objects.get(credit_code=enterprise_row(1)[1])
    assert (first.name, first.founded_on, first.employees, first.has_trade_union) == (
        "甲公司", datetime.date(2003, 5, 1), 56, True)
