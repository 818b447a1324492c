"""Fixtures for the archives tests: media in a temporary folder, generated images, records."""

import datetime
import io

import pytest
from PIL import Image

from archives.models import ActivityRecord
from partybuild.scoping import Role
from tests.conftest import PASSWORD, make_user


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """No test writes into the repository: media and exports go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # The shared ``users`` fixture hashes seven passwords per test; a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.MEDIA_ROOT


def jpeg_bytes(size=(640, 480), color=(200, 30, 30), exif=None, quality=85):
    """A real JPEG made with Pillow, with optional EXIF (a PIL.Image.Exif)."""
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    # A marker in the top-left corner so orientation is visible in the pixels.
    image.paste((0, 0, 255), (0, 0, size[0] // 4, size[1] // 4))
    kwargs = {"quality": quality}
    if exif is not None:
        kwargs["exif"] = exif
    image.save(buffer, "JPEG", **kwargs)
    return buffer.getvalue()


def png_bytes(size=(300, 200)):
    buffer = io.BytesIO()
    Image.new("RGBA", size, (10, 120, 10, 200)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def record_a(world, users):
    """A 支委会 of org_a (town A) recorded by its secretary."""
    return ActivityRecord.objects.create(
        organization=world["org_a"],
        held_on=datetime.date(2026, 3, 10),
        category="committee_meeting",
        title="三月支委会",
        location="公司会议室",
        expected_attendance=5,
        actual_attendance=5,
        host="张书记",
        content="研究发展党员工作。",
        recorded_by=users["secretary"],
    )


@pytest.fixture
def record_b(world, users):
    """A record of org_b (town B): out of scope for every town-A user."""
    return ActivityRecord.objects.create(
        organization=world["org_b"], held_on=datetime.date(2026, 3, 12), category="party_lecture", title="木渎党课"
    )


@pytest.fixture
def secretary_b(world):
    return make_user("secretary_b", Role.SECRETARY, organization=world["org_b"])


@pytest.fixture
def login(client):
    """``login(user)`` → the test client signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


__all__ = ["PASSWORD", "jpeg_bytes", "png_bytes"]


def photo_upload(name="现场.jpg", **kwargs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


@pytest.fixture
def photo_a(record_a, users):
    """One processed photo on record_a."""
    from archives.services import photos_add

    return photos_add(actor=users["staff"], record=record_a, files=[photo_upload()], captions=["全体委员"])[0]


@pytest.fixture
def photo_b(record_b, users):
    from archives.services import photos_add

    return photos_add(actor=users["admin"], record=record_b, files=[photo_upload()], captions=[""])[0]


def stored_files(root):
    """Every file under the media root (to check nothing is half-written)."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
