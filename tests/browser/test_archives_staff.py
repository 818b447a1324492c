"""Staff on a desktop check 三会一课 compliance, open an organization's archive and export it as a zip."""

import datetime
import importlib
import io
import zipfile

import pytest

from archives.models import ActivityRecord
from tests.browser.conftest import DESKTOP, sign_in
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def meeting_requirements(transactional_db):
    """The frequency settings shipped by a data migration. An earlier transactional (browser) test
    flushes every table, and serialized_rollback cannot restore them under Playwright's greenlet,
    so they are put back here."""
    from archives.models import MeetingRequirement

    migration = importlib.import_module("archives.migrations.0003_default_meeting_requirements")
    for category, period, times in migration.DEFAULTS:
        MeetingRequirement.objects.get_or_create(category=category, defaults={"period": period, "times": times})


@pytest.mark.django_db(transaction=True)
def test_it_shows_compliance_and_exports_an_archive(live_server, users, world, meeting_requirements, page_factory, screenshot):
    """The compliance page names what is missing; the archive exports to a zip with the index."""
    today = datetime.date.today()
    ActivityRecord.objects.create(organization=world["org_a"], held_on=today, category="committee_meeting", title="本月支委会")
    page = page_factory(viewport=DESKTOP)
    sign_in(page, live_server, "staff_a", PASSWORD)
    page.goto(f"{live_server.url}/archives/compliance/?show=all")
    table = page.locator("#compliance-table")
    assert "甪直科技有限公司党支部" in table.inner_text()
    assert "支部党员大会" in table.inner_text()
    assert "木渎" not in table.inner_text()
    screenshot(page, "archives-compliance-desktop")

    page.goto(f"{live_server.url}/archives/organizations/{world['org_a'].pk}/{today.year}/")
    assert "本月支委会" in page.content()
    page.click("#export button[type=submit]")
    page.wait_for_selector(".pb-export-download:not([hidden])")
    screenshot(page, "archives-export-desktop")
    with page.expect_download() as download_info:
        page.click(".pb-export-download")
    archive = zipfile.ZipFile(io.BytesIO(open(download_info.value.path(), "rb").read()))
    assert "案卷目录.xlsx" in archive.namelist()
    assert any(name.endswith("本月支委会/纪要.txt") for name in archive.namelist())
