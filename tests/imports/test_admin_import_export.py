"""Admin import/export (django-import-export UI) on the one import engine and the import format."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from enterprises.models import Enterprise
from imports.readers import open_sheets
from instructors.models import Instructor
from members.models import Person
from organizations.models import Organization
from regions.models import Region

from .conftest import ENTERPRISE_HEADER, enterprise_row, write_xlsx

ADMIN = {
    Enterprise: "/admin/enterprises/enterprise/",
    Organization: "/admin/organizations/organization/",
    Instructor: "/admin/instructors/instructor/",
    Person: "/admin/members/person/",
    Region: "/admin/regions/region/",
}


def _upload(tmp_path, rows, name="file.xlsx"):
    path = write_xlsx(tmp_path / name, rows)
    return SimpleUploadedFile(name, path.read_bytes())


def _messages(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_an_admin_import_of_a_small_file_creates_the_rows(login, users, tmp_path):
    """The admin's 导入 hands the file to the engine with the signed-in user: rows and history created."""
    client = login(users["staff"])
    assert client.get(ADMIN[Enterprise] + "import/").status_code == 200
    rows = [ENTERPRISE_HEADER, enterprise_row(1), enterprise_row(2)]
    response = client.post(ADMIN[Enterprise] + "import/", {"file": _upload(tmp_path, rows)}, follow=True)
    assert "已导入企业：新增 2，更新 0，未变 0" in _messages(response)
    created = Enterprise.objects.get(credit_code=enterprise_row(2)[1])
    assert created.history.get().history_user == users["staff"]


def test_an_admin_import_of_a_bad_file_shows_the_chinese_row_errors_and_writes_nothing(login, users, tmp_path):
    """A bad row refuses the file: its row, column and message are shown; nothing is written."""
    client = login(users["staff"])
    before = Enterprise.objects.count()
    rows = [ENTERPRISE_HEADER, enterprise_row(1), enterprise_row(2, 经营状态="倒闭中"),
            enterprise_row(3, 所属区域="320506102")]  # 木渎镇: outside staff_a's 甪直镇
    response = client.post(ADMIN[Enterprise] + "import/", {"file": _upload(tmp_path, rows)})
    assert response.status_code == 200
    shown = _messages(response)
    assert shown[0] == "未导入：共 2 处错误，数据库未作任何修改"
    assert any(text.startswith("第 3 行“经营状态”列：经营状态“倒闭中”无法识别") for text in shown), shown
    assert "第 4 行“所属区域”列：区域“320506102”不在您的管辖范围内" in shown, shown
    assert Enterprise.objects.count() == before


def test_an_admin_dry_run_writes_nothing(login, users, tmp_path):
    client = login(users["staff"])
    before = Enterprise.objects.count()
    rows = [ENTERPRISE_HEADER, enterprise_row(1)]
    response = client.post(ADMIN[Enterprise] + "import/", {"file": _upload(tmp_path, rows), "dry_run": "on"})
    assert "预览（未写入）：新增 1，更新 0，未变 0" in _messages(response)
    assert Enterprise.objects.count() == before


def test_the_admin_export_writes_the_import_format_within_scope(login, users, world, tmp_path):
    """Export through django-import-export: only the user's rows, in the import format (re-importable)."""
    client = login(users["staff"])
    response = client.get(ADMIN[Enterprise] + "export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)
                                                 if response.streaming else response.content))
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    in_scope = set(Enterprise.objects.for_user(users["staff"]).values_list("credit_code", flat=True))
    assert rows[0][:3] == ["企业名称", "统一社会信用代码", "所属区域"]
    assert {row[1] for row in rows[1:]} == in_scope and in_scope
    assert Enterprise.objects.exclude(credit_code__in=in_scope).exists()  # 木渎镇's rows exist, not exported
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
    again = client.post(ADMIN[Enterprise] + "import/", {"file": SimpleUploadedFile("export.xlsx", path.read_bytes())},
                        follow=True)
    assert f"已导入企业：新增 0，更新 0，未变 {len(in_scope)}" in _messages(again)
    assert [name for name in (sheet.name for sheet in open_sheets(str(path)))] == ["企业"]


@pytest.mark.parametrize("model", list(ADMIN))
def test_every_registry_admin_offers_import_and_export(login, users, model):
    """Enterprise, Organization, Instructor, Person and Region: both buttons, both views."""
    client = login(users["admin"])
    page = client.get(ADMIN[model]).content.decode()
    assert ADMIN[model] + "import/" in page and ADMIN[model] + "export/" in page
    assert client.get(ADMIN[model] + "import/").status_code == 200
    assert client.get(ADMIN[model] + "export/").status_code == 200


def test_the_admin_import_is_refused_to_a_role_without_import(login, users):
    """A role that may not import does not see or open the admin import."""
    from partybuild.scoping import role_can

    client = login(users["staff"])
    if role_can(users["staff"], "import", Region):
        pytest.skip("staff may import regions")
    assert client.get(ADMIN[Region] + "import/").status_code == 403
