"""Journey: a township clerk imports an enterprise register, reads the errors, fixes the file and imports it."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from enterprises.models import Enterprise
from partybuild.testdata import make_credit_code
from tests.browser.conftest import DESKTOP, sign_in
from tests.conftest import PASSWORD
from tests.security.csp_watch import watch_csp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def fast_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def register_rows():
    """Three enterprises of 甪直镇: the second has a wrong check character, the third a non-number head count."""
    good_code = make_credit_code(501, "320506")
    wrong_code = good_code[:17] + ("A" if good_code[17] != "A" else "B")
    return [
        ["甪直精工机械有限公司", make_credit_code(502, "320506"), "320506101", "在营", 86],
        ["甪直绿源食品有限公司", wrong_code, "320506101", "在营", 25],
        ["甪直云帆物流有限公司", make_credit_code(503, "320506"), "320506101", "在营", "很多"],
    ], good_code


def read_xlsx(path):
    """Playwright saves downloads without an extension, which openpyxl refuses: read the bytes."""
    return load_workbook(io.BytesIO(Path(path).read_bytes()))


def workbook_bytes(template_path, rows):
    """The downloaded template with its example row replaced by ``rows`` (first five columns)."""
    workbook = read_xlsx(template_path)
    sheet = workbook.active
    headers = [cell.value.rstrip("*") for cell in sheet[1] if cell.value]
    wanted = {"企业名称": 0, "统一社会信用代码": 1, "所属区域": 2, "经营状态": 3, "职工人数": 4}
    sheet.delete_rows(2, sheet.max_row)
    for row_number, values in enumerate(rows, start=2):
        for column_number, header in enumerate(headers, start=1):
            if header in wanted:
                sheet.cell(row=row_number, column=column_number, value=values[wanted[header]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(page, name, content):
    page.click("#mainnav >> text=数据导入")
    page.wait_for_url("**/imports/upload/")
    page.select_option("#id_kind", "enterprises")
    page.set_input_files("#id_file", {"name": name, "mimeType": XLSX, "buffer": content})
    page.click("main form button[type=submit]")
    page.wait_for_url("**/imports/jobs/*/")
    page.wait_for_load_state("networkidle")


@pytest.mark.django_db(transaction=True)
def test_it_lets_a_clerk_import_a_register_and_fix_its_errors(live_server, users, world, page_factory, screenshot):
    """Template → upload with errors (nothing written) → error report → fixed file → preview → confirm → listed."""
    page = page_factory(viewport=DESKTOP)
    csp_violations = watch_csp(page)
    sign_in(page, live_server, "staff_a", PASSWORD)
    before = Enterprise.objects.count()

    page.click("#mainnav >> text=数据导入")
    with page.expect_download() as template_download:
        page.click("text=企业模板")
    rows, good_code = register_rows()
    template_path = template_download.value.path()

    upload(page, "甪直镇企业名录.xlsx", workbook_bytes(template_path, rows))
    screenshot(page, "journey-clerk-1-preview-with-errors")
    assert page.inner_text("#count-errors") == "2"
    errors = page.inner_text("main table")
    assert "统一社会信用代码" in errors and "校验位" in errors
    assert "“很多”不是有效的数字" in errors
    assert "整个文件都不会导入" in page.content()
    assert page.locator("text=确认导入").count() == 0
    assert Enterprise.objects.count() == before

    with page.expect_download() as report_download:
        page.click("text=下载错误报告（.xlsx）")
    report = read_xlsx(report_download.value.path()).active
    report_rows = list(report.iter_rows(values_only=True))
    assert report_rows[0][0] == "Excel行号" and report_rows[0][-1] == "错误原因"
    assert [row[0] for row in report_rows[1:]] == [3, 4]
    assert "校验位" in report_rows[1][-1] and "很多" in report_rows[2][-1]

    rows[1][1], rows[2][4] = good_code, 40
    upload(page, "甪直镇企业名录（已修改）.xlsx", workbook_bytes(template_path, rows))
    assert page.inner_text("#count-errors") == "0"
    assert page.inner_text("#count-created") == "3"
    assert "以上为预览（尚未写入）" in page.content()
    assert Enterprise.objects.count() == before
    screenshot(page, "journey-clerk-2-preview-clean")

    page.click("text=确认导入")
    page.wait_for_selector("text=导入完成，数据已写入。")
    screenshot(page, "journey-clerk-3-imported")
    assert Enterprise.objects.count() == before + 3
    fixed = Enterprise.objects.get(credit_code=good_code)
    assert (fixed.name, fixed.region, fixed.employees) == ("甪直绿源食品有限公司", world["town_a"], 25)
    assert fixed.history.first().history_user == users["staff"]

    page.click("#mainnav >> text=企业")
    page.fill("input[name=q]", "绿源")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("甪直绿源食品有限公司").first.is_visible()
    screenshot(page, "journey-clerk-4-enterprise-list")
    assert csp_violations() == []
