"""Archive, gallery, compliance, year closing, "六有" site, regional centres and the visit log."""

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from archives.models import ActivityRecord, YearClosing
from instructors.models import GuidanceVisit
from organizations.models import ActivitySite, Organization, RegionalCentre, SitePhoto

from .conftest import photo_upload


# --- archive and gallery -------------------------------------------------------------------------


def test_it_groups_the_year_by_category_with_counts(login, users, world, record_a):
    """The archive page lists the year's records under their category with counts."""
    ActivityRecord.objects.create(organization=world["org_a"], held_on=datetime.date(2026, 3, 1), category="theme_day", title="植树")
    response = login(users["leader"]).get(reverse("archives:archive", args=[world["org_a"].pk, 2026]))
    assert response.status_code == 200
    groups = {group["label"]: group["count"] for group in response.context["groups"]}
    assert groups["支委会"] == 1 and groups["主题党日"] == 1 and groups["党课"] == 0
    assert response.context["total"] == 2


def test_it_hides_another_towns_archive(login, users, world):
    assert login(users["staff"]).get(reverse("archives:archive", args=[world["org_b"].pk, 2026])).status_code == 404
    assert login(users["secretary"]).get(reverse("archives:gallery", args=[world["org_b"].pk, 2026])).status_code == 404


def test_it_pins_the_archive_query_count(login, users, world, record_a, django_assert_num_queries):
    """One record or forty: the same queries."""
    client = login(users["staff"])
    url = reverse("archives:archive", args=[world["org_a"].pk, 2026])
    client.get(url)
    with django_assert_num_queries(10):
        client.get(url)
    ActivityRecord.objects.bulk_create(
        ActivityRecord(organization=world["org_a"], held_on=datetime.date(2026, 1, 5), category="culture_sports", title=f"活动{n}") for n in range(39)
    )
    with django_assert_num_queries(10):
        client.get(url)


def test_it_shows_the_gallery_of_a_year(login, users, world, photo_a, django_assert_num_queries):
    """The gallery shows thumbnails via the protected view; its query count does not grow with photos."""
    client = login(users["instructor"])
    url = reverse("archives:gallery", args=[world["org_a"].pk, 2026])
    response = client.get(url)
    assert reverse("archives:thumbnail", args=[photo_a.pk]) in response.text
    from archives.services import photos_add

    # session, user, organization (scope), photos page, region?, session save (3)
    with django_assert_num_queries(8):
        client.get(url)
    photos_add(actor=users["staff"], record=photo_a.record, files=[photo_upload(f"{n}.jpg", size=(64, 48)) for n in range(5)])
    with django_assert_num_queries(8):
        assert client.get(url).text.count("/thumbnail/") == 6


# --- compliance ------------------------------------------------------------------------------------


@pytest.fixture
def this_quarter(world):
    from archives.selectors import quarter_bounds

    return quarter_bounds(datetime.date.today())


def test_it_lists_organizations_missing_meetings_this_quarter(login, users, world, this_quarter):
    """Staff see which organizations in scope miss which meetings; other towns are not listed."""
    response = login(users["staff"]).get(reverse("archives:compliance"), {"show": "all"})
    assert response.status_code == 200
    names = [row["organization"].name for row in response.context["rows"]]
    assert names == ["甪直科技有限公司党支部"]
    assert "支部党员大会（" in response.text


def test_it_sorts_the_compliance_page(login, users, world):
    """sort=name orders by name; the default puts the most missing first."""
    Organization.objects.create(name="阿尔法党支部", region=world["town_a"], founded_on=datetime.date(2010, 1, 1))
    client = login(users["staff"])
    by_name = client.get(reverse("archives:compliance"), {"show": "all", "sort": "name"}).context["rows"]
    names = [row["organization"].name for row in by_name]
    assert len(names) == 2 and names == sorted(names)


def test_it_pins_the_compliance_query_count(login, users, world, django_assert_num_queries):
    """2 organizations or 30: the same number of queries."""
    client = login(users["leader"])
    url = reverse("archives:compliance")
    client.get(url)
    # session, user, region, organizations (page), organizations (selector), requirements,
    # record aggregate, session save (3)
    with django_assert_num_queries(10):
        client.get(url, {"show": "all"})
    for n in range(28):
        org = Organization.objects.create(name=f"测试支部{n}", region=world["town_a"], founded_on=datetime.date(2010, 1, 1))
        ActivityRecord.objects.create(organization=org, held_on=datetime.date.today(), category="committee_meeting", title="支委会")
    with django_assert_num_queries(10):
        response = client.get(url, {"show": "all"})
    assert len(response.context["rows"]) == 29


def test_it_keeps_the_compliance_page_from_secretaries_and_instructors(login, users):
    for role in ("secretary", "instructor"):
        assert login(users[role]).get(reverse("archives:compliance")).status_code == 403


# --- organization panel tag -----------------------------------------------------------------------


def test_it_renders_the_organization_panel(users, world, record_a):
    """{% org_archive_panel organization %} shows this quarter's gaps, this year's counts and links."""
    request = RequestFactory().get("/")
    request.user = users["secretary"]
    ActivityRecord.objects.create(organization=world["org_a"], held_on=datetime.date.today(), category="theme_day", title="主题党日")
    html = Template("{% load archives_tags %}{% org_archive_panel organization %}").render(
        Context({"organization": world["org_a"], "request": request})
    )
    assert "本季度三会一课" in html and "尚缺" in html
    assert reverse("archives:archive", args=[world["org_a"].pk, datetime.date.today().year]) in html
    assert reverse("archives:site_detail", args=[world["org_a"].pk]) in html
    assert reverse("archives:record_add") in html
    assert "主题党日 1" in html


# --- year closing -----------------------------------------------------------------------------------


def test_it_lets_staff_close_a_year(login, users, world):
    """Staff close 2025 for their town; it is then closed for the town's organizations."""
    client = login(users["staff"])
    assert client.get(reverse("archives:year_close")).status_code == 200
    response = client.post(reverse("archives:year_close"), {"region": world["town_a"].pk, "year": 2025})
    assert response.status_code == 302
    assert YearClosing.is_closed(world["town_a"], 2025)
    assert not YearClosing.is_closed(world["town_b"], 2025)
    again = client.post(reverse("archives:year_close"), {"region": world["town_a"].pk, "year": 2025})
    assert "已关账" in again.text and YearClosing.objects.count() == 1


def test_it_refuses_year_closing_to_others(login, users, world):
    """Leaders read (no form, POST 403); secretaries 403; another town is not a choice."""
    leader = login(users["leader"])
    assert leader.get(reverse("archives:year_close")).status_code == 200
    assert leader.post(reverse("archives:year_close"), {"region": world["town_a"].pk, "year": 2025}).status_code == 403
    assert login(users["secretary"]).get(reverse("archives:year_close")).status_code == 403
    login(users["staff"]).post(reverse("archives:year_close"), {"region": world["town_b"].pk, "year": 2025})
    assert not YearClosing.objects.exists()


def test_it_reopens_a_closed_year_in_scope_only(login, users, world):
    closing_a = YearClosing.objects.create(region=world["town_a"], year=2025)
    closing_b = YearClosing.objects.create(region=world["town_b"], year=2025)
    assert login(users["leader"]).post(reverse("archives:year_reopen", args=[closing_a.pk])).status_code == 403
    assert login(users["staff"]).post(reverse("archives:year_reopen", args=[closing_b.pk])).status_code == 404
    assert login(users["staff"]).post(reverse("archives:year_reopen", args=[closing_a.pk])).status_code == 302
    assert list(YearClosing.objects.all()) == [closing_b]


# --- "六有" site sheet ---------------------------------------------------------------------------------


def test_it_lets_the_secretary_fill_the_site_sheet_with_photos(login, users, world):
    """Items and photos per item; compliant when all six hold."""
    client = login(users["secretary"])
    url = reverse("archives:site_edit", args=[world["org_a"].pk])
    assert client.get(url).status_code == 200
    data = {"address": "厂区二楼", "area": "80", "has_place": "on", "has_facilities": "on", "has_sign": "on", "has_flag": "on", "has_books": "on", "has_rules": "on"}
    data["photos_flag"] = [photo_upload("党旗.jpg")]
    data["photos_rules"] = [photo_upload("制度.jpg"), photo_upload("制度2.jpg")]
    response = client.post(url, data)
    assert response.status_code == 302
    site = ActivitySite.objects.get(organization=world["org_a"])
    assert site.is_compliant
    assert sorted(SitePhoto.objects.values_list("item", flat=True)) == ["flag", "rules", "rules"]
    page = login(users["instructor"]).get(reverse("archives:site_detail", args=[world["org_a"].pk]))
    assert "六有达标" in page.text and page.text.count("/thumbnail/") == 3


def test_it_refuses_a_bad_site_photo_without_saving(login, users, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login(users["secretary"]).post(
        reverse("archives:site_edit", args=[world["org_a"].pk]),
        {"address": "x", "photos_sign": [SimpleUploadedFile("标志.jpg", b"not an image")]},
    )
    assert response.status_code == 200 and "不是照片文件" in response.text
    assert not ActivitySite.objects.exists()


def test_it_limits_the_site_sheet_by_role_and_scope(login, users, world, secretary_b):
    """Leaders/instructors read (edit 403); other organizations 404."""
    edit_a = reverse("archives:site_edit", args=[world["org_a"].pk])
    assert login(users["leader"]).get(edit_a).status_code == 403
    assert login(users["instructor"]).get(edit_a).status_code == 403
    assert login(users["leader"]).get(reverse("archives:site_detail", args=[world["org_a"].pk])).status_code == 200
    assert login(secretary_b).get(edit_a).status_code == 404
    assert login(secretary_b).get(reverse("archives:site_detail", args=[world["org_a"].pk])).status_code == 404


def test_it_deletes_a_site_photo(login, users, world):
    from archives.services import site_save

    site = site_save(actor=users["staff"], site=ActivitySite(organization=world["org_a"]), photos_by_item={"books": [photo_upload()]})
    photo = site.photos.get()
    assert login(users["leader"]).post(reverse("archives:site_photo_delete", args=[photo.pk])).status_code == 403
    assert login(users["staff_b"]).post(reverse("archives:site_photo_delete", args=[photo.pk])).status_code == 404
    assert login(users["secretary"]).post(reverse("archives:site_photo_delete", args=[photo.pk])).status_code == 302
    assert not SitePhoto.objects.exists()


# --- regional centres -----------------------------------------------------------------------------


@pytest.fixture
def centre(world):
    centre = RegionalCentre.objects.create(name="甪直工业园党员职工活动中心", region=world["town_a"])
    centre.organizations.add(world["org_a"])
    return centre


def test_it_lets_staff_manage_regional_centres(login, users, world):
    client = login(users["staff"])
    response = client.post(reverse("archives:centre_add"), {"name": "新中心", "region": world["town_a"].pk, "organizations": [world["org_a"].pk]})
    centre = RegionalCentre.objects.get(name="新中心")
    assert response.status_code == 302 and list(centre.organizations.all()) == [world["org_a"]]
    client.post(reverse("archives:centre_edit", args=[centre.pk]), {"name": "新中心（改）", "region": world["town_a"].pk})
    centre.refresh_from_db()
    assert centre.name == "新中心（改）"


def test_it_lets_others_read_centres_only(login, users, world, centre):
    for role in ("leader", "secretary", "instructor"):
        client = login(users[role])
        assert "甪直工业园" in client.get(reverse("archives:centre_list")).text, role
        assert client.get(reverse("archives:centre_detail", args=[centre.pk])).status_code == 200
        assert client.get(reverse("archives:centre_edit", args=[centre.pk])).status_code == 403
        assert client.get(reverse("archives:centre_add")).status_code == 403
    assert login(users["staff_b"]).get(reverse("archives:centre_detail", args=[centre.pk])).status_code == 404
    assert login(users["staff_b"]).get(reverse("archives:centre_edit", args=[centre.pk])).status_code == 404


def test_it_pins_the_centre_list_query_count(login, users, world, centre, django_assert_num_queries):
    client = login(users["staff"])
    client.get(reverse("archives:centre_list"))
    with django_assert_num_queries(7):
        client.get(reverse("archives:centre_list"))
    RegionalCentre.objects.bulk_create(RegionalCentre(name=f"中心{n}", region=world["town_a"]) for n in range(20))
    with django_assert_num_queries(7):
        client.get(reverse("archives:centre_list"))


# --- visit log --------------------------------------------------------------------------------------


def test_it_lets_an_instructor_log_a_visit_to_an_assigned_enterprise(login, users, world):
    client = login(users["instructor"])
    assert client.get(reverse("archives:visit_add")).status_code == 200
    response = client.post(reverse("archives:visit_add"), {"enterprise": world["ent_a"].pk, "visited_on": "2026-03-02", "content": "指导开展主题党日"})
    assert response.status_code == 302
    visit = GuidanceVisit.objects.get()
    assert visit.instructor == world["instructor_a"] and visit.recorded_by == users["instructor"]
    refused = client.post(reverse("archives:visit_add"), {"enterprise": world["ent_b"].pk, "visited_on": "2026-03-02", "content": "x"})
    assert refused.status_code == 200 and GuidanceVisit.objects.count() == 1


def test_it_limits_the_visit_log(login, users, world):
    """Instructors list their own; staff read/correct in scope; others 403/404."""
    visit_a = GuidanceVisit.objects.create(instructor=world["instructor_a"], enterprise=world["ent_a"], visited_on=datetime.date(2026, 3, 1), content="甲镇指导")
    visit_b = GuidanceVisit.objects.create(instructor=world["instructor_b"], enterprise=world["ent_b"], visited_on=datetime.date(2026, 3, 1), content="乙镇指导")
    listing = login(users["instructor"]).get(reverse("archives:visit_list")).text
    assert "甲镇指导" in listing and "乙镇指导" not in listing
    staff = login(users["staff"])
    assert staff.get(reverse("archives:visit_edit", args=[visit_b.pk])).status_code == 404
    response = staff.post(reverse("archives:visit_edit", args=[visit_a.pk]), {"enterprise": world["ent_a"].pk, "visited_on": "2026-03-01", "content": "更正后的内容"})
    assert response.status_code == 302
    assert login(users["staff"]).get(reverse("archives:visit_add")).status_code == 403
    assert login(users["leader"]).get(reverse("archives:visit_edit", args=[visit_a.pk])).status_code == 403


def test_it_pins_the_visit_list_query_count(login, users, world, django_assert_num_queries):
    GuidanceVisit.objects.create(instructor=world["instructor_a"], enterprise=world["ent_a"], visited_on=datetime.date(2026, 3, 1), content="一次")
    client = login(users["instructor"])
    client.get(reverse("archives:visit_list"))
    with django_assert_num_queries(7):
        client.get(reverse("archives:visit_list"))
    GuidanceVisit.objects.bulk_create(
        GuidanceVisit(instructor=world["instructor_a"], enterprise=world["ent_a"], visited_on=datetime.date(2026, 1, 1), content=f"第{n}次") for n in range(30)
    )
    with django_assert_num_queries(7):
        client.get(reverse("archives:visit_list"))


def test_it_lets_admins_see_exports_in_the_admin(login, users, world):
    """ArchiveExport is listed in the admin for admins only."""
    from archives.models import ArchiveExport

    ArchiveExport.objects.create(requested_by=users["staff"], organization=world["org_a"], year=2026)
    assert login(users["admin"]).get("/admin/archives/archiveexport/").status_code == 200
    assert login(users["staff"]).get("/admin/archives/archiveexport/").status_code in (302, 403)


def test_it_checks_last_month_on_request(login, users, world):
    """period=previous_month checks last calendar month: a record there clears its 支委会."""
    today = datetime.date.today()
    last_month_day = today.replace(day=1) - datetime.timedelta(days=1)
    ActivityRecord.objects.create(organization=world["org_a"], held_on=last_month_day, category="committee_meeting", title="上月支委会")
    response = login(users["staff"]).get(reverse("archives:compliance"), {"period": "previous_month", "show": "all"})
    compliance = response.context["rows"][0]["compliance"]
    assert compliance.expected["committee_meeting"] == 1 and compliance.recorded["committee_meeting"] == 1
    assert not any(label.startswith("支委会") for label in compliance.missing)
    assert any(label.startswith("党小组会") for label in compliance.missing)


def test_it_reuses_the_site_the_page_already_loaded(users, world, django_assert_num_queries):
    """On the organization page (which puts ``site`` in its context) the panel runs three queries, else four."""
    request = RequestFactory().get("/")
    request.user = users["staff"]
    template = Template("{% load archives_tags %}{% org_archive_panel organization %}")
    organization = world["org_a"]
    with django_assert_num_queries(4):
        template.render(Context({"organization": organization, "request": request}))
    with django_assert_num_queries(3):
        html = template.render(Context({"organization": organization, "request": request, "site": None}))
    assert "未填写" in html
