"""Journey: an instructor signs in, sees the assigned enterprise and logs a guidance visit (驻企指导)."""

import datetime

import pytest

from instructors.models import GuidanceVisit
from tests.browser.conftest import PHONE, sign_in
from tests.conftest import PASSWORD
from tests.security.csp_watch import watch_csp


@pytest.fixture(autouse=True)
def fast_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db(transaction=True)
def test_it_lets_an_instructor_log_a_visit_from_the_phone(live_server, users, world, page_factory, screenshot):
    """Home → my enterprises → 记录驻企指导 → form (only assigned enterprises) → saved, listed; no CSP violation."""
    page = page_factory(viewport=PHONE)
    csp_violations = watch_csp(page)
    sign_in(page, live_server, "instructor_a", PASSWORD)

    # The instructor's home is their enterprises page.
    assert page.url.endswith("/instructors/mine/")
    assert page.get_by_text(world["ent_a"].name).first.is_visible()
    assert world["ent_b"].name not in page.content()
    screenshot(page, "journey-instructor-1-my-enterprises-phone")

    page.click("text=记录驻企指导")
    page.wait_for_url("**/archives/visits/add/")
    options = page.locator("#id_enterprise option").all_inner_texts()
    assert any(world["ent_a"].name in option for option in options)
    assert not any(world["ent_b"].name in option for option in options)
    page.select_option("#id_enterprise", str(world["ent_a"].pk))
    page.fill("#id_visited_on", "2026-03-18")
    page.fill("#id_content", "指导企业党支部制定年度工作计划，检查“三会一课”记录。")
    screenshot(page, "journey-instructor-2-visit-form-phone")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/archives/visits/")
    page.wait_for_load_state("networkidle")

    assert "已保存驻企指导记录" in page.content()
    assert page.get_by_text("指导企业党支部制定年度工作计划").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "journey-instructor-3-visit-list-phone")
    visit = GuidanceVisit.objects.get()
    assert (visit.instructor, visit.enterprise, visit.visited_on) == (
        world["instructor_a"], world["ent_a"], datetime.date(2026, 3, 18)
    )
    assert visit.recorded_by == users["instructor"]
    assert csp_violations() == []
