"""Archive zip export: folder structure, index, background task progress, and who may download it."""

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archives.models import ActivityRecord, ArchiveExport
from archives.services import photos_add, record_save

from .conftest import photo_upload


@pytest.fixture
def year_of_records(world, users, record_a, photo_a):
    """org_a in 2026: the 支委会 with one photo, a 党课 with two photos and a PDF, and a 2025 record."""
    lecture = ActivityRecord(
        organization=world["org_a"], held_on=datetime.date(2026, 2, 2), category="party_lecture", title="党课：学习/讨论?", content="讲授党章。"
    )
    record_save(
        actor=users["secretary"],
        record=lecture,
        photos=[photo_upload("1.jpg"), photo_upload("2.jpg")],
        captions=["书记讲课", ""],
        attachments=[SimpleUploadedFile("课件.pdf", b"%PDF-1.4 slides")],
    )
    ActivityRecord.objects.create(organization=world["org_a"], held_on=datetime.date(2025, 12, 1), category="theme_day", title="去年的主题党日")
    return lecture


def _download(client, export):
    response = client.get(reverse("archives:export_download", args=[export.pk]))
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_it_exports_an_organization_year_as_folders_with_an_index(login, users, world, year_of_records, django_capture_on_commit_callbacks):
    """年度/类别/日期-标题/ with photos, attachments and 纪要.txt, plus 案卷目录.xlsx listing every record."""
    client = login(users["secretary"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("archives:export_organization", args=[world["org_a"].pk]), {"year": 2026})
    export = ArchiveExport.objects.get()
    assert response.status_code == 302 and response.url == export.get_absolute_url()
    export.refresh_from_db()
    assert export.status == ArchiveExport.Status.DONE and export.total == 2 and export.percent == 100

    archive = _download(client, export)
    names = set(archive.namelist())
    assert names == {
        "2026年度/支委会/2026-03-10-三月支委会/纪要.txt",
        "2026年度/支委会/2026-03-10-三月支委会/照片01-全体委员.jpg",
        "2026年度/党课/2026-02-02-党课：学习_讨论_/纪要.txt",
        "2026年度/党课/2026-02-02-党课：学习_讨论_/照片01-书记讲课.jpg",
        "2026年度/党课/2026-02-02-党课：学习_讨论_/照片02.jpg",
        "2026年度/党课/2026-02-02-党课：学习_讨论_/附件-课件.pdf",
        "案卷目录.xlsx",
    }
    minutes = archive.read("2026年度/党课/2026-02-02-党课：学习_讨论_/纪要.txt").decode("utf-8-sig")
    assert "讲授党章。" in minutes and "类别：党课" in minutes
    assert archive.read("2026年度/党课/2026-02-02-党课：学习_讨论_/附件-课件.pdf") == b"%PDF-1.4 slides"
    assert archive.read("2026年度/支委会/2026-03-10-三月支委会/照片01-全体委员.jpg")[:3] == b"\xff\xd8\xff"

    sheet = openpyxl.load_workbook(io.BytesIO(archive.read("案卷目录.xlsx"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("序号", "党组织", "日期", "类别", "标题")
    assert [(row[3], row[4], row[9], row[10]) for row in rows[1:]] == [("支委会", "三月支委会", 1, 0), ("党课", "党课：学习/讨论?", 2, 1)]
    assert rows[2][11] == "2026年度/党课/2026-02-02-党课：学习_讨论_/"


def test_it_exports_a_township_year_for_staff(login, users, world, year_of_records, record_b, django_capture_on_commit_callbacks):
    """Staff export their township: one folder per organization; town B's records are not in it."""
    client = login(users["staff"])
    assert client.get(reverse("archives:export_region")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("archives:export_region"), {"region": world["town_a"].pk, "year": 2026})
    names = _download(client, ArchiveExport.objects.get()).namelist()
    assert "甪直科技有限公司党支部/2026年度/支委会/2026-03-10-三月支委会/纪要.txt" in names
    assert not any("木渎" in name for name in names)


def test_it_refuses_region_export_outside_scope_and_to_other_roles(login, users, world):
    """A region out of scope is not a choice; secretaries and leaders may not export a region."""
    response = login(users["staff"]).post(reverse("archives:export_region"), {"region": world["town_b"].pk, "year": 2026})
    assert response.status_code == 200 and not ArchiveExport.objects.exists()
    assert login(users["secretary"]).get(reverse("archives:export_region")).status_code == 403
    assert login(users["leader"]).get(reverse("archives:export_region")).status_code == 403
    assert login(users["instructor"]).post(reverse("archives:export_organization", args=[world["org_a"].pk]), {"year": 2026}).status_code == 403
    assert login(users["staff"]).post(reverse("archives:export_organization", args=[world["org_b"].pk]), {"year": 2026}).status_code == 404


def test_it_lets_only_the_requester_download(login, users, world, record_a, django_capture_on_commit_callbacks):
    """Another user, even one with the same scope, gets 404 for the export page and the zip."""
    with django_capture_on_commit_callbacks(execute=True):
        login(users["staff"]).post(reverse("archives:export_organization", args=[world["org_a"].pk]), {"year": 2026})
    export = ArchiveExport.objects.get()
    for role in ("leader", "secretary", "staff_b", "district_leader"):
        client = login(users[role])
        assert client.get(reverse("archives:export_download", args=[export.pk])).status_code == 404, role
        assert client.get(reverse("archives:export_detail", args=[export.pk])).status_code == 404, role
    staff = login(users["staff"])
    status = staff.get(reverse("archives:export_detail", args=[export.pk]), {"format": "json"}).json()
    assert status["status"] == "done" and status["percent"] == 100 and status["download"]


def test_it_reports_progress_while_pending(login, users, world, record_a):
    """Before the worker runs, the export page shows 排队中 and no download (404 for the zip)."""
    export = ArchiveExport.objects.create(requested_by=users["secretary"], organization=world["org_a"], year=2026)
    client = login(users["secretary"])
    page = client.get(export.get_absolute_url())
    assert "排队中" in page.text
    assert client.get(reverse("archives:export_download", args=[export.pk])).status_code == 404


def test_it_streams_photos_from_storage_in_chunks(world, users, record_a, settings):
    """The zip copies each photo from storage (stored, not recompressed) and loses no byte."""
    from archives.tasks import write_archive_zip

    photos = photos_add(actor=users["staff"], record=record_a, files=[photo_upload(f"{n}.jpg", size=(1200, 900)) for n in range(3)])
    export = ArchiveExport.objects.create(requested_by=users["staff"], organization=world["org_a"], year=2026)
    buffer = io.BytesIO()
    assert write_archive_zip(export, buffer) == 1
    archive = zipfile.ZipFile(buffer)
    for number, photo in enumerate(photos, start=1):
        info = archive.getinfo(f"2026年度/支委会/2026-03-10-三月支委会/照片{number:02d}.jpg")
        assert info.compress_type == zipfile.ZIP_STORED
        with photo.image.open("rb") as stored:
            assert archive.read(info) == stored.read()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_runs_through_the_database_task_backend(users, world, record_a, settings):
    """With the production backend (django_tasks_db) the export waits in the queue until db_worker runs it."""
    from django.core.management import call_command

    from archives.services import export_request

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    export = export_request(actor=users["secretary"], organization=world["org_a"], year=2026)
    export.refresh_from_db()
    assert export.status == ArchiveExport.Status.PENDING
    call_command("db_worker", "--batch", verbosity=0)
    export.refresh_from_db()
    assert export.status == ArchiveExport.Status.DONE and export.file.name.endswith(".zip")


def test_it_prunes_old_exports_with_their_files(users, world, record_a, media_root, django_capture_on_commit_callbacks):
    """prune_archive_exports removes exports older than --days, zip included; newer ones stay."""
    from django.core.management import call_command
    from django.utils import timezone

    from archives.services import export_request

    with django_capture_on_commit_callbacks(execute=True):
        old = export_request(actor=users["staff"], organization=world["org_a"], year=2026)
    with django_capture_on_commit_callbacks(execute=True):
        new = export_request(actor=users["staff"], organization=world["org_a"], year=2026)
    old.refresh_from_db()
    old_file = media_root / old.file.name
    assert old_file.exists()
    ArchiveExport.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    call_command("prune_archive_exports", "--days", "7")
    assert list(ArchiveExport.objects.all()) == [new]
    assert not old_file.exists()


def test_it_notes_files_missing_from_storage_and_goes_on(users, world, photo_a):
    """A photo file lost from storage does not break the export: the index names it."""
    from archives.tasks import write_archive_zip

    photo_a.image.storage.delete(photo_a.image.name)
    export = ArchiveExport.objects.create(requested_by=users["staff"], organization=world["org_a"], year=2026)
    buffer = io.BytesIO()
    write_archive_zip(export, buffer)
    archive = zipfile.ZipFile(buffer)
    assert not any(name.endswith(".jpg") for name in archive.namelist())
    sheet = openpyxl.load_workbook(io.BytesIO(archive.read("案卷目录.xlsx"))).active
    assert list(sheet.iter_rows(values_only=True))[1][12] == "文件缺失：照片01"


def test_it_does_not_queue_the_same_export_twice(users, world, record_a):
    """A second click while the first export waits returns the same job."""
    from archives.services import export_request

    first = export_request(actor=users["secretary"], organization=world["org_a"], year=2026)
    second = export_request(actor=users["secretary"], organization=world["org_a"], year=2026)
    assert first.pk == second.pk and ArchiveExport.objects.count() == 1
