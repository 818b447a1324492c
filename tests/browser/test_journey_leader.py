"""Journey: a city leader drills the dashboard from the city down to one organization, then exports the annual report."""

import importlib
import io

import pytest
from django.apps import apps
from openpyxl import load_workbook

from partybuild.scoping import Role
from tests.browser.conftest import DESKTOP, sign_in
from tests.conftest import PASSWORD, make_user
from tests.metrics.worlds import build_town
from tests.security.csp_watch import watch_csp


@pytest.fixture(autouse=True)
def fast_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def shipped_defaults(db):
    """Transactional tests flush the rows data migrations ship (targets, meeting frequencies): load them again."""
    for module in ("metrics.migrations.0002_default_targets", "archives.migrations.0003_default_meeting_requirements"):
        importlib.import_module(module).create_defaults(apps, None)


@pytest.mark.django_db(transaction=True)
def test_it_lets_a_leader_drill_to_an_organization_and_export_the_annual_report(
    live_server, world, shipped_defaults, page_factory, screenshot
):
    """City → 吴中区 → 甪直镇 → an organization's page; then 年度报表 for 2024 → Excel with the figures."""
    build_town(world)
    make_user("leader_city", Role.LEADER, region=world["city"])
    page = page_factory(viewport=DESKTOP)
    csp_violations = watch_csp(page)
    sign_in(page, live_server, "leader_city", PASSWORD)

    # A leader's home is the dashboard of their region.
    assert "/metrics/" in page.url
    page.fill("#id_as_of", "2024-06-30")
    page.fill("#id_year", "2024")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#chart-children canvas")
    screenshot(page, "journey-leader-1-city-dashboard")

    page.click("#children-table >> text=吴中区")
    page.wait_for_selector("#children-table >> text=甪直镇")
    screenshot(page, "journey-leader-2-district-dashboard")
    page.click("#children-table >> text=甪直镇")
    page.wait_for_selector("#organization-table")
    assert world["ent_b"].name not in page.inner_text("#organization-table")
    screenshot(page, "journey-leader-3-township-dashboard")

    page.click(f"#organization-table >> text={world['org_a'].name}")
    page.wait_for_url(f"**/organizations/{world['org_a'].pk}/")
    assert world["org_a"].name in page.inner_text("main")
    assert world["ent_a"].name in page.inner_text("main")
    screenshot(page, "journey-leader-4-organization")

    page.click("#mainnav >> text=年度报表")
    page.wait_for_url("**/metrics/annual/**")
    page.fill("#id_year", "2024")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#annual-table")
    screenshot(page, "journey-leader-5-annual-report")
    with page.expect_download() as download_info:
        page.click("text=导出 Excel")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx") and "2024" in download.suggested_filename
    sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    assert sheet["A1"].value == "苏州市2024年度非公有制经济组织党建工作统计"
    label, value = next(sheet.iter_rows(min_row=4, max_col=2, values_only=True))
    first_row = page.locator("#annual-table tr").first.locator("th, td").all_inner_texts()
    assert [label.strip(), str(value)] == [text.strip() for text in first_row]
    assert csp_violations() == []
