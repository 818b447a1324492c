"""backup_data / restore_data: a consistent round trip of database and media, refusing bad input.

Runs on the configured database: SQLite by default, PostgreSQL when DATABASE_URL says so
(pg_dump / pg_restore against pytest's test database, ``connection.settings_dict["NAME"]``).
"""

import datetime
import io
import json
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from PIL import Image

from archives.models import ActivityPhoto, ActivityRecord
from enterprises.models import Enterprise
from members.models import Person
from partybuild.testdata import make_credit_code

pytestmark = pytest.mark.django_db(transaction=True)


def _jpeg_bytes(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def archived(world, users, media):
    """The fixture world plus an activity record with one photo on disk."""
    record = ActivityRecord.objects.create(
        organization=world["org_a"], held_on=datetime.date(2025, 3, 5), category="branch_assembly", title="三月支部党员大会"
    )
    photo = ActivityPhoto(record=record, caption="会场")
    photo.image.save("meeting.jpg", ContentFile(_jpeg_bytes("red")), save=True)
    return {"record": record, "photo": photo, "photo_bytes": _jpeg_bytes("red"), **world}


def _backup(tmp_path):
    out = io.StringIO()
    call_command("backup_data", "--output", str(tmp_path / "backups"), stdout=out)
    (archive,) = (tmp_path / "backups").glob("partybuild-backup-*.tar.gz")
    assert "备份完成" in out.getvalue()
    return archive


def _wipe(media):
    call_command("flush", interactive=False, verbosity=0)
    for name in list(_all_files(media)):
        name.unlink()


def _all_files(root):
    return sorted(path for path in root.rglob("*") if path.is_file())


def _snapshot():
    return {
        "enterprises": sorted(Enterprise.objects.values_list("name", "credit_code")),
        "people": sorted(Person.objects.values_list("name", "id_number")),
        "photos": sorted(ActivityPhoto.objects.values_list("image", "caption")),
        "enterprise_history": Enterprise.history.count(),
    }


def test_it_round_trips_database_and_media(archived, tmp_path, media):
    """Back up, wipe everything, restore: the same rows, history and photo bytes come back."""
    before = _snapshot()
    archive = _backup(tmp_path)
    _wipe(media)
    assert Enterprise.objects.count() == 0 and _all_files(media) == []

    out = io.StringIO()
    call_command("restore_data", str(archive), stdout=out)

    assert "恢复完成" in out.getvalue()
    assert _snapshot() == before
    if connection.vendor == "postgresql":  # planner statistics gathered after pg_restore
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'enterprises_enterprise'")
            assert cursor.fetchone()[0] is not None
    photo = ActivityPhoto.objects.get()
    with default_storage.open(photo.image.name, "rb") as handle:
        assert handle.read() == archived["photo_bytes"]


def test_it_writes_a_manifest_with_counts_and_checksums(archived, tmp_path):
    """The manifest names the database dump with its SHA-256, counts rows per table and lists each file."""
    archive = _backup(tmp_path)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = tar.getnames()
    assert manifest["database"]["member"] in names
    assert len(manifest["database"]["sha256"]) == 64
    assert manifest["counts"]["enterprises.Enterprise"] == 2
    assert manifest["counts"]["members.Person"] == 2
    assert manifest["counts"]["archives.ActivityPhoto"] == 1
    (photo_name,) = manifest["media"]
    assert photo_name == archived["photo"].image.name and f"media/{photo_name}" in names


def test_it_refuses_to_overwrite_a_database_with_data_without_force(archived, tmp_path):
    """Restoring over existing data needs --force; without it nothing changes."""
    archive = _backup(tmp_path)
    Enterprise.objects.filter(pk=archived["ent_a"].pk).update(name="改名后的企业")
    with pytest.raises(CommandError, match="目标数据库不是空的.*--force"):
        call_command("restore_data", str(archive))
    assert Enterprise.objects.get(pk=archived["ent_a"].pk).name == "改名后的企业"


def test_it_overwrites_existing_data_with_force(archived, tmp_path, media):
    """With --force the database returns to the backup's state: later rows and edits are gone."""
    archive = _backup(tmp_path)
    original_name = archived["ent_a"].name
    Enterprise.objects.filter(pk=archived["ent_a"].pk).update(name="改名后的企业")
    Enterprise.objects.create(name="备份后新增企业", credit_code=make_credit_code(99, "320506"), region=archived["town_a"])

    call_command("restore_data", str(archive), "--force", stdout=io.StringIO())

    assert Enterprise.objects.get(pk=archived["ent_a"].pk).name == original_name
    assert not Enterprise.objects.filter(name="备份后新增企业").exists()


def test_it_refuses_a_damaged_archive_before_touching_anything(archived, tmp_path, media):
    """A media file whose bytes differ from the manifest: refused whole, database untouched."""
    archive = _backup(tmp_path)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name.startswith("media/"):
                data = _jpeg_bytes("blue")
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    _wipe(media)
    with pytest.raises(CommandError, match="校验和不符"):
        call_command("restore_data", str(damaged))
    assert Enterprise.objects.count() == 0 and _all_files(media) == []


def test_it_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    """A missing path or a foreign archive gets a Chinese message, not a traceback."""
    with pytest.raises(CommandError, match="备份文件不存在"):
        call_command("restore_data", str(tmp_path / "nope.tar.gz"))
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(CommandError, match="缺少 manifest.json"):
        call_command("restore_data", str(foreign))
    not_gzip = tmp_path / "plain.tar.gz"
    not_gzip.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="无法读取备份文件"):
        call_command("restore_data", str(not_gzip))
