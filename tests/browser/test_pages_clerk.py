"""A township clerk's day in a real browser: find an enterprise, build its organization, see the coverage."""

import pytest

from tests.accounts.pagetools import make_enterprise
from tests.browser.conftest import PHONE, sign_in
from tests.conftest import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_it_lets_a_clerk_cover_an_enterprise_found_by_credit_code(live_server, users, world, page_factory, screenshot):
    """Search by credit code → enterprise page → 组建党组织 → the enterprise page shows the coverage."""
    enterprise = make_enterprise(world["town_a"], 42, employees=80)
    page = page_factory()
    sign_in(page, live_server, "staff_a", PASSWORD)
    assert page.url.endswith("/accounts/workbench/")
    screenshot(page, "pages-workbench-desktop")

    page.get_by_role("link", name="企业", exact=True).first.click()
    page.fill("#id_q", enterprise.credit_code.lower())
    page.click("button:has-text('查询')")
    page.wait_for_load_state("networkidle")
    assert page.locator("tbody tr").count() == 1
    screenshot(page, "pages-enterprise-search-desktop")
    page.click(f"text={enterprise.name}")
    page.click("text=组建党组织")
    assert page.input_value("#id_enterprise") == enterprise.credit_code
    page.fill("#id_name", "测试企业42有限公司党支部")
    page.select_option("#id_region", str(world["town_a"].pk))
    page.fill("#id_founded_on", "2024-03-01")
    screenshot(page, "pages-organization-add-desktop")
    page.click("button:has-text('保存')")
    page.wait_for_load_state("networkidle")
    assert "党组织已新增" in page.content()
    screenshot(page, "pages-organization-detail-desktop")

    page.click(f"a:has-text('{enterprise.name}')")
    page.wait_for_load_state("networkidle")
    coverage = page.locator("#coverage")
    assert "测试企业42有限公司党支部" in coverage.inner_text() and "覆盖中" in coverage.inner_text()
    assert "2024-03-01" in coverage.inner_text()
    screenshot(page, "pages-enterprise-detail-desktop")


@pytest.mark.django_db(transaction=True)
def test_it_shows_a_clerk_a_refusal_next_to_the_field(live_server, users, world, page_factory, screenshot):
    """A wrong credit code is refused in Chinese next to its field, on a phone."""
    page = page_factory(viewport=PHONE)
    sign_in(page, live_server, "staff_a", PASSWORD)
    page.goto(f"{live_server.url}/enterprises/add/")
    page.fill("#id_name", "错误代码有限公司")
    page.fill("#id_credit_code", "91320506MA1X2Y3Z4A")
    page.select_option("#id_region", str(world["town_a"].pk))
    page.click("button:has-text('保存')")
    page.wait_for_load_state("networkidle")
    feedback = page.locator(".pb-field.has-error .invalid-feedback").first.inner_text()
    assert "统一社会信用代码" in feedback
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "pages-enterprise-add-refused-phone")
