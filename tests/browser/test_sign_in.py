import pytest

from tests.browser.conftest import PHONE, sign_in
from tests.conftest import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_it_signs_a_secretary_in_on_a_phone_and_shows_chinese_navigation(live_server, users, page_factory, screenshot):
    """A wrong password is refused in Chinese; the right one lands on a page with the role's menu."""
    page = page_factory(viewport=PHONE)
    sign_in(page, live_server, "secretary_a", "wrong-password")
    assert "请输入一个正确的" in page.content() or "用户名" in page.content()
    screenshot(page, "login-refused-phone")
    sign_in(page, live_server, "secretary_a", PASSWORD)
    assert "/accounts/login/" not in page.url
    assert "退出" in page.content() or page.locator(".navbar-toggler").is_visible()
    screenshot(page, "secretary-home-phone")
