"""Phone-sized pages: a secretary opens their organization; main pages fit 375 px."""

import pytest

from tests.browser.conftest import PHONE, sign_in
from tests.conftest import PASSWORD


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.django_db(transaction=True)
def test_it_opens_the_secretarys_organization_on_a_phone(live_server, users, world, page_factory, screenshot):
    """The secretary lands on their organization with members (ID masked) and nothing wider than the screen."""
    page = page_factory(viewport=PHONE)
    sign_in(page, live_server, "secretary_a", PASSWORD)
    assert page.url.endswith(world["org_a"].get_absolute_url())
    content = page.content()
    assert world["org_a"].name in content
    assert world["person_a"].masked_id_number in content and world["person_a"].id_number not in content
    assert fits_the_phone(page)
    screenshot(page, "pages-secretary-organization-phone")
    page.click(".navbar-toggler")
    page.wait_for_selector("#mainnav.show")
    assert page.locator("#mainnav").get_by_text("我的党组织").is_visible()
    assert page.locator("#mainnav").get_by_text("账户管理").count() == 0
    screenshot(page, "pages-secretary-menu-phone")


@pytest.mark.django_db(transaction=True)
def test_it_fits_the_clerks_main_pages_on_a_phone(live_server, users, world, page_factory, screenshot):
    """Lists scroll inside their table box; details and forms are one column at 375 px."""
    page = page_factory(viewport=PHONE)
    sign_in(page, live_server, "staff_a", PASSWORD)
    pages = {
        "enterprise-list": "/enterprises/",
        "organization-list": "/organizations/",
        "person-list": "/members/",
        "person-detail": world["person_a"].get_absolute_url(),
        "instructor-detail": world["instructor_a"].get_absolute_url(),
        "enterprise-detail": world["ent_a"].get_absolute_url(),
        "person-advance": f"/members/{world['person_a'].pk}/advance/",
        "user-add": "/accounts/users/add/",
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert fits_the_phone(page), name
        screenshot(page, f"pages-{name}-phone")
