"""Web flow: upload → preview → confirm → result, error report, background runs, templates, permissions."""

import io

import openpyxl
import pytest
from django.urls import reverse

from enterprises.models import Enterprise
from imports.models import ImportJob

from .conftest import ENTERPRISE_HEADER, enterprise_row, write_xlsx

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def upload_file(client, path, kind="enterprises"):
    with open(path, "rb") as handle:
        return client.post(reverse("imports:upload"), {"kind": kind, "file": handle})


@pytest.fixture
def good_file(tmp_path):
    return write_xlsx(tmp_path / "good.xlsx", [ENTERPRISE_HEADER, enterprise_row(1), enterprise_row(2)])


@pytest.fixture
def bad_file(tmp_path):
    rows = [ENTERPRISE_HEADER, enterprise_row(1), enterprise_row(2, 经营状态="飞升"), enterprise_row(3)]
    return write_xlsx(tmp_path / "bad.xlsx", rows, title="甪直镇企业名录")


def test_it_shows_the_upload_form_with_the_kind_preselected(users, login, media):
    """Staff get the form; ?kind= preselects the kind."""
    response = login(users["staff"]).get(reverse("imports:upload") + "?kind=members")
    assert response.status_code == 200
    assert '<option value="members" selected>' in response.content.decode()


@pytest.mark.parametrize("role", ["leader", "secretary", "instructor"])
def test_it_forbids_upload_to_roles_without_import(users, login, media, role):
    """Leaders, secretaries and instructors may not import: 403."""
    assert login(users[role]).get(reverse("imports:upload")).status_code == 403


def test_it_previews_then_imports_on_confirm(users, login, media, good_file):
    """Upload writes nothing and shows the counts; confirm imports; the result page says so."""
    client = login(users["staff"])
    response = upload_file(client, good_file)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.status == "previewed" and job.preview["created"] == 2
    assert not Enterprise.objects.filter(credit_code=enterprise_row(1)[1]).exists()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "确认导入" in page and 'id="count-created">2<' in page
    client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "imported" and job.result["created"] == 2
    assert Enterprise.objects.filter(credit_code=enterprise_row(1)[1]).exists()
    assert "导入完成" in client.get(job.get_absolute_url()).content.decode()


def test_it_shows_errors_and_serves_an_error_report(users, login, media, bad_file):
    """A refused file lists row and column; the report holds the refused rows plus 错误原因."""
    client = login(users["staff"])
    upload_file(client, bad_file)
    job = ImportJob.objects.get()
    assert job.status == "refused"
    page = client.get(job.get_absolute_url()).content.decode()
    assert "<td>4</td><td>经营状态</td>" in page and "确认导入" not in page
    assert client.post(reverse("imports:confirm", args=[job.pk])).status_code == 403
    response = client.get(reverse("imports:error_report", args=[job.pk]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][0] == "Excel行号" and rows[0][-1] == "错误原因" and "企业名称" in rows[0]
    assert len(rows) == 2 and rows[1][0] == 4 and "经营状态" in rows[1][-1]
    assert Enterprise.objects.count() == 2  # the world's two, nothing more


def test_it_keeps_the_reason_in_its_own_column_when_a_row_ends_early(users, login, media, tmp_path):
    """A refused row whose last cells are empty (readers leave them out) still gets 错误原因 in the
    last column, under its header."""
    rows = [ENTERPRISE_HEADER + ["备注"], enterprise_row(1) + ["已核实"], enterprise_row(2, 经营状态="飞升")]
    rows[2][ENTERPRISE_HEADER.index("成立日期")] = None
    client = login(users["staff"])
    upload_file(client, write_xlsx(tmp_path / "short.xlsx", rows))
    job = ImportJob.objects.get()
    response = client.get(reverse("imports:error_report", args=[job.pk]))
    report = list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert report[0][-1] == "错误原因" and report[0][-2] == "备注"
    assert report[1][0] == 3 and "经营状态" in report[1][-1] and report[1][-2] is None


def test_it_refuses_a_file_naming_a_region_outside_scope(users, login, media, tmp_path):
    """Town A's staff uploading a town B row: refused, nothing written."""
    path = write_xlsx(tmp_path / "b.xlsx", [ENTERPRISE_HEADER, enterprise_row(1, region="320506102")])
    upload_file(login(users["staff"]), path)
    job = ImportJob.objects.get()
    assert job.status == "refused" and "管辖范围" in job.preview["errors"][0]["message"]


def test_it_hides_another_users_job(users, login, media, good_file):
    """Someone else's job answers 404 on every job URL."""
    upload_file(login(users["staff"]), good_file)
    job = ImportJob.objects.get()
    client = login(users["staff_b"])
    for name in ("imports:job", "imports:job_status", "imports:error_report"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:confirm", args=[job.pk])).status_code == 404


def test_it_runs_large_files_in_the_background_with_progress(users, login, media, good_file, settings):
    """Over the row threshold the run is a task (immediate backend here); status JSON reports progress."""
    settings.TASKS = IMMEDIATE
    settings.IMPORT_BACKGROUND_ROWS = 1
    client = login(users["staff"])
    upload_file(client, good_file)
    job = ImportJob.objects.get()
    assert job.background and job.status == "previewed"
    status = client.get(reverse("imports:job_status", args=[job.pk])).json()
    assert status == {"status": "previewed", "status_label": "待确认", "running": False, "done": 2, "total": 3,
                      "percent": 67}
    client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "imported" and Enterprise.objects.count() == 4


def test_it_reports_live_progress_of_a_running_job_after_reload(users, login, media, good_file):
    """While a run is under way the status endpoint reads its progress, so a reloaded page resumes the bar."""
    client = login(users["staff"])
    upload_file(client, good_file)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status="importing", progress_total=10)
    job.progress_file.write_text("4")
    status = client.get(reverse("imports:job_status", args=[job.pk])).json()
    assert (status["running"], status["done"], status["total"], status["percent"]) == (True, 4, 10, 40)
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'data-status-url="/imports/jobs/%d/status/"' % job.pk in page and "js/imports.js" in page


@pytest.mark.parametrize("kind", ["enterprises", "organizations", "instructors", "members", "region_stats",
                                  "evaluations"])
def test_it_serves_a_template_with_headers_example_and_dropdowns(users, login, kind):
    """Each kind's template has its headers (required marked *), an example row and drop-down lists."""
    response = login(users["staff"]).get(reverse("imports:template", args=[kind]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    headers = [cell.value for cell in sheet[1]]
    assert headers[0].endswith("*")
    assert any(cell.value not in (None, "") for cell in sheet[2])
    has_choices = kind != "region_stats"  # 区域党员总量 has numbers only
    assert bool(sheet.data_validations.dataValidation) == has_choices


def test_it_forbids_templates_to_roles_without_import(users, login):
    """A leader may not download import templates (403); an unknown kind is 404."""
    assert login(users["leader"]).get(reverse("imports:template", args=["enterprises"])).status_code == 403
    assert login(users["staff"]).get(reverse("imports:template", args=["nothing"])).status_code == 404


def test_it_refuses_a_renamed_png_upload_with_a_message(users, login, media, tmp_path):
    """A PNG named .xlsx uploads, then the preview refuses it with a Chinese message (no server error)."""
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    client = login(users["staff"])
    upload_file(client, path)
    job = ImportJob.objects.get()
    assert job.status == "refused"
    assert "不是有效的 .xlsx 文件" in client.get(job.get_absolute_url()).content.decode()


def test_it_refuses_a_wrong_extension_in_the_form(users, login, media, tmp_path):
    """A .pdf is refused by the form itself; no job is created."""
    path = tmp_path / "list.pdf"
    path.write_bytes(b"%PDF-1.4")
    response = upload_file(login(users["staff"]), path)
    assert response.status_code == 200 and "不支持的文件类型" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_it_offers_the_workbook_to_staff(users, login, media):
    """Staff may upload a multi-sheet workbook (sheets their role may not import are refused by name)."""
    page = login(users["staff"]).get(reverse("imports:upload")).content.decode()
    assert 'value="workbook"' in page and 'value="regions"' not in page


# Queries of the upload page: session, user, jobs list, plus the navigation's own lookups.
UPLOAD_PAGE_QUERIES = 7
# Queries of a job page: the same session, user and navigation lookups, then the job.
JOB_PAGE_QUERIES = 7


def test_it_renders_the_upload_page_in_a_fixed_number_of_queries(users, login, media, good_file,
                                                                 django_assert_num_queries):
    """The recent-jobs list costs the same queries with 1 job as with 4."""
    client = login(users["staff"])
    for count in (1, 3):
        for _ in range(count):
            upload_file(client, good_file)
        with django_assert_num_queries(UPLOAD_PAGE_QUERIES):
            assert client.get(reverse("imports:upload")).status_code == 200


def test_it_renders_the_job_page_in_a_fixed_number_of_queries(users, login, media, tmp_path,
                                                              django_assert_num_queries):
    """A job page costs the same queries with 1 error as with 50 errors."""
    client = login(users["staff"])
    for errors in (1, 50):
        rows = [ENTERPRISE_HEADER] + [enterprise_row(i, 经营状态="??") for i in range(errors)]
        upload_file(client, write_xlsx(tmp_path / f"e{errors}.xlsx", rows))
        job = ImportJob.objects.latest("pk")
        assert job.preview["error_count"] == errors
        with django_assert_num_queries(JOB_PAGE_QUERIES):
            client.get(job.get_absolute_url())


def test_it_previews_a_workbook_sheet_by_sheet(users, login, media, tmp_path):
    """A workbook upload shows one summary line per sheet."""
    from .conftest import write_workbook

    path = write_workbook(tmp_path / "book.xlsx", {"企业": [ENTERPRISE_HEADER, enterprise_row(1)]})
    client = login(users["staff"])
    upload_file(client, path, kind="workbook")
    job = ImportJob.objects.get()
    assert job.status == "previewed" and job.preview["sheets"][0]["created"] == 1
    assert "<td>企业</td><td>1</td><td>1</td>" in client.get(job.get_absolute_url()).content.decode()
