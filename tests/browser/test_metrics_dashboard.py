import importlib

import pytest
from django.apps import apps

from partybuild.scoping import Role
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.conftest import PASSWORD, make_user
from tests.metrics.worlds import build_town


@pytest.fixture
def shipped_data(db):
    """Transactional tests flush the rows data migrations ship: load the default targets and frequencies again."""
    for module in ("metrics.migrations.0002_default_targets", "archives.migrations.0003_default_meeting_requirements"):
        importlib.import_module(module).create_defaults(apps, None)


@pytest.mark.django_db(transaction=True)
def test_it_lets_a_city_leader_drill_from_the_city_to_a_township(live_server, world, shipped_data, page_factory, screenshot):
    """City → district → township: charts render (canvas) with Chinese, the township lists its organizations."""
    build_town(world)
    make_user("leader_city", Role.LEADER, region=world["city"])
    page = page_factory(viewport=DESKTOP)
    sign_in(page, live_server, "leader_city", PASSWORD)
    page.goto(f"{live_server.url}/metrics/?as_of=2024-06-30&year=2024")
    page.wait_for_selector("#chart-children canvas")
    page.wait_for_selector("#chart-trend canvas")
    assert "苏州市非公企业党建数据看板" in page.content()
    screenshot(page, "metrics-dashboard-city")
    page.click("#children-table >> text=吴中区")
    page.wait_for_selector("#children-table >> text=甪直镇")
    page.click("#children-table >> text=甪直镇")
    page.wait_for_selector("#organization-table")
    assert "甪直联合党支部" in page.inner_text("#organization-table")
    assert page.locator(".breadcrumb").inner_text().split() == ["苏州市", "吴中区", "甪直镇"] or "甪直镇" in page.locator(
        ".breadcrumb"
    ).inner_text()
    page.wait_for_selector("#chart-trend canvas")
    screenshot(page, "metrics-dashboard-township")
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("#trend-table").is_visible()  # the chart's data prints as a table too
    assert not page.locator(".pb-navbar").is_visible()
    assert not page.locator("a:has-text('导出 Excel')").is_visible()
    screenshot(page, "metrics-dashboard-township-print")


@pytest.mark.django_db(transaction=True)
def test_it_shows_the_dashboard_on_a_phone(live_server, world, shipped_data, page_factory, screenshot):
    """On a phone the cards stack and the trend chart still draws."""
    build_town(world)
    make_user("leader_town", Role.LEADER, region=world["town_a"])
    page = page_factory(viewport=PHONE)
    sign_in(page, live_server, "leader_town", PASSWORD)
    page.goto(f"{live_server.url}/metrics/?as_of=2024-06-30&year=2024")
    page.wait_for_selector("#chart-trend canvas")
    assert page.locator(".pb-target-card").count() == 10
    screenshot(page, "metrics-dashboard-phone")
