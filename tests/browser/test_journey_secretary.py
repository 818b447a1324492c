"""Journey: a secretary on a phone records a branch meeting with photos and finds it in the year's archive."""

import datetime
import io
import re

import pytest
from PIL import Image

from archives.models import ActivityRecord
from tests.browser.conftest import PHONE, sign_in
from tests.conftest import PASSWORD
from tests.security.csp_watch import watch_csp

# The live server's in-memory SQLite can refuse one of two simultaneous session writes
# ("table is locked"); a thumbnail that failed that way is asked for once more.
ALL_IMAGES_LOADED = """(count) => {
    const images = [...document.querySelectorAll('main img')];
    images.forEach((img) => {
        if (img.complete && img.naturalWidth === 0 && !img.dataset.retried) {
            img.dataset.retried = '1';
            img.src = img.src + '?again';
        }
    });
    return images.length === count && images.every((img) => img.complete && img.naturalWidth > 0);
}"""


@pytest.fixture(autouse=True)
def fast_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def phone_photo(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1500), colour).save(buffer, "JPEG", quality=85)
    return {"name": f"IMG_{colour[0]:04d}.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


@pytest.mark.django_db(transaction=True)
def test_it_lets_a_secretary_record_a_meeting_with_photos_on_a_phone(live_server, users, world, page_factory, screenshot):
    """Sign in → menu → 活动档案 → 记录活动 with 3 photos → detail → year archive → photo wall → a photo opens."""
    today = datetime.date.today()
    page = page_factory(viewport=PHONE)
    csp_violations = watch_csp(page)
    sign_in(page, live_server, "secretary_a", PASSWORD)
    assert page.url.endswith(f"/organizations/{world['org_a'].pk}/")  # 我的党组织
    assert world["org_a"].name in page.content()
    screenshot(page, "journey-secretary-1-my-organization-phone")

    page.click(".navbar-toggler")
    page.click("#mainnav >> text=活动档案")
    page.wait_for_url("**/archives/")
    page.click("text=＋ 记录活动")
    page.wait_for_url("**/archives/records/add/**")
    page.select_option("#id_category", "branch_assembly")
    page.fill("#id_held_on", today.isoformat())
    page.fill("#id_title", "主题党日：重温入党誓词")
    page.fill("#id_location", "公司党员活动室")
    page.fill("#id_expected_attendance", "12")
    page.fill("#id_actual_attendance", "11")
    page.fill("#id_host", "李书记")
    page.fill("#id_content", "全体党员重温入党誓词，学习党章第一章。1名党员请假。")
    page.set_input_files("#id_photos", [phone_photo((190, 30, 30)), phone_photo((30, 120, 200)), phone_photo((40, 160, 60))])
    for index, caption in enumerate(["重温誓词", "学习党章", "合影"]):
        page.fill(f"#caption_{index}", caption)
    screenshot(page, "journey-secretary-2-record-form-phone")
    page.click("form[data-upload-form] button[type=submit]")
    page.wait_for_url(re.compile(r".*/archives/records/\d+/$"))
    page.wait_for_function(ALL_IMAGES_LOADED, arg=3)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "journey-secretary-3-record-detail-phone")

    record = ActivityRecord.objects.get(title="主题党日：重温入党誓词")
    assert record.organization == world["org_a"] and record.recorded_by == users["secretary"]
    assert [photo.caption for photo in record.photos.all()] == ["重温誓词", "学习党章", "合影"]

    page.click(f"text=查看 {today.year}年度档案")
    page.wait_for_url(f"**/archives/organizations/{world['org_a'].pk}/{today.year}/")
    assert page.get_by_text("主题党日：重温入党誓词").first.is_visible()
    screenshot(page, "journey-secretary-4-year-archive-phone")
    page.click("text=照片墙")
    page.wait_for_url("**/gallery/")
    page.wait_for_function(ALL_IMAGES_LOADED, arg=3)
    screenshot(page, "journey-secretary-5-gallery-phone")

    photo_url = page.locator("main a[target=_blank]").first.get_attribute("href")
    response = page.request.get(f"{live_server.url}{photo_url}")
    assert response.status == 200 and response.headers["content-type"] == "image/jpeg"
    assert csp_violations() == []
