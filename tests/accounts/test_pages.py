"""Shared page machinery: change history, breadcrumbs, the url_if_exists tag, pagination."""

from django.template import Context, Template
from django.test import RequestFactory

from accounts.pages import history_rows, paginate, region_breadcrumbs
from enterprises.models import Enterprise


def test_it_lists_who_changed_what_with_masked_ids(users, world):
    """Each history row names the user, the action and old → new values; ID numbers masked for leaders."""
    person = world["person_a"]
    person.phone = "13800001111"
    person._history_user = users["staff"]
    person.save()
    rows = history_rows(person, users["leader"])
    assert [row.action for row in rows] == ["修改", "新建"]
    assert rows[0].who == str(users["staff"])
    assert rows[0].changes == [{"label": "手机号码", "old": "（空）", "new": "13800001111"}]
    created = {change["label"]: change["new"] for change in rows[1].changes}
    assert created["身份证号"] == person.masked_id_number
    assert created["所在企业"] == world["ent_a"].name and created["政治面貌"] == "正式党员"
    staff_view = {change["label"]: change["new"] for change in history_rows(person, users["staff"])[1].changes}
    assert staff_view["身份证号"] == person.id_number


def test_it_builds_breadcrumbs_from_the_region_tree_in_one_query(users, world, django_assert_num_queries):
    """Root to region in one query; regions outside the user's subtree are not links."""
    with django_assert_num_queries(1):
        crumbs = region_breadcrumbs(users["staff"], world["town_a"], [("企业", "/enterprises/")])
    assert [crumb["label"] for crumb in crumbs] == ["苏州市", "吴中区", "甪直镇", "企业"]
    assert crumbs[0]["url"] is None and crumbs[2]["url"] == world["town_a"].get_absolute_url()


def test_it_links_only_to_urls_that_exist():
    """url_if_exists gives "" for a page another app has not built, the URL otherwise."""
    template = Template('{% load pb %}{% url_if_exists "nowhere:page" as a %}[{{ a }}]{% url_if_exists "enterprises:enterprise_detail" 7 as b %}[{{ b }}]')
    assert template.render(Context({})) == "[][/enterprises/7/]"


def test_it_pages_by_fetching_one_row_more(world, django_assert_num_queries):
    """No COUNT: one query fetches the page and tells whether another follows."""
    request = RequestFactory().get("/enterprises/", {"page": "1", "kind": "private"})
    with django_assert_num_queries(1):
        page = paginate(request, Enterprise.objects.order_by("pk"), per_page=1)
    assert page.has_next and not page.has_previous and page.next_url == "?kind=private&page=2"
    request = RequestFactory().get("/enterprises/", {"page": "2"})
    page = paginate(request, Enterprise.objects.order_by("pk"), per_page=1)
    assert page.has_previous and not page.has_next and page.rows[0] == world["ent_b"]


def test_it_names_related_records_only_inside_the_viewers_scope(users, world):
    """A person moved from town B's enterprise to town A's: town A's staff see the move but not
    the name of town B's enterprise; the district leader sees both names."""
    from accounts.pages import OUT_OF_SIGHT

    person = world["person_b"]
    person.enterprise = world["ent_a"]
    person.organization = world["org_a"]
    person.save()
    change = {c["label"]: c for c in history_rows(person, users["staff"])[0].changes}["所在企业"]
    assert change == {"label": "所在企业", "old": OUT_OF_SIGHT, "new": world["ent_a"].name}
    wider = {c["label"]: c for c in history_rows(person, users["district_leader"])[0].changes}["所在企业"]
    assert wider["old"] == world["ent_b"].name
