"""Enterprise pages: permissions, scope, forms, deletion rules and query-count pins."""

import datetime

import pytest

from enterprises.models import Enterprise
from instructors.models import Assignment, Instructor
from partybuild.testdata import make_credit_code
from tests.accounts.pagetools import grow_town, make_enterprise, make_person, pin_queries, statuses, url

EXPECTED = {
    # url name, object key: status per role in ROLES order (staff, leader, secretary, instructor, admin, staff_b)
    ("enterprises:enterprise_list", None): [200, 200, 200, 200, 200, 200],
    ("enterprises:enterprise_detail", "ent_a"): [200, 200, 200, 200, 200, 404],
    ("enterprises:enterprise_add", None): [200, 403, 403, 403, 200, 200],
    ("enterprises:enterprise_edit", "ent_a"): [200, 403, 403, 403, 200, 404],
    ("enterprises:enterprise_delete", "ent_a"): [200, 403, 403, 403, 200, 404],
}


@pytest.mark.parametrize("name,key", list(EXPECTED))
def test_it_answers_each_role_by_permission_and_scope(client, users, world, name, key):
    """With permission 200, a role that may not act 403, an object outside the scope 404."""
    assert statuses(client, users, world, name, key) == EXPECTED[(name, key)]



def enterprise_data(region, **overrides):
    data = {
        "name": "新建精密机械有限公司", "credit_code": make_credit_code(777, region.code[:6]), "region": region.pk,
        "kind": "private", "status": "operating", "employees": "60", "has_fixed_premises": "on",
    }
    data.update(overrides)
    return data


def test_it_adds_an_enterprise_and_records_who(client, users, world):
    """A valid post saves, redirects to the new page and the history names the clerk."""
    client.force_login(users["staff"])
    response = client.post(url("enterprises:enterprise_add"), enterprise_data(world["town_a"]))
    enterprise = Enterprise.objects.get(name="新建精密机械有限公司")
    assert response.status_code == 302 and response.url == enterprise.get_absolute_url()
    assert enterprise.history.first().history_user == users["staff"]
    page = client.get(enterprise.get_absolute_url()).content.decode()
    assert "变更记录" in page and "staff_a" in page


@pytest.mark.parametrize(
    "overrides,field_message",
    [
        ({"credit_code": "91320506MA1X2Y3Z4A"}, "统一社会信用代码"),
        ({"founded_on": (datetime.date.today() + datetime.timedelta(days=30)).isoformat()}, "成立日期不能晚于今天"),
        ({"introduced_on": "2020-01-01"}, "只有新引进企业才填写引进日期"),
        ({"name": ""}, "这个字段是必填项"),
    ],
)
def test_it_refuses_bad_input_with_chinese_messages(client, users, world, overrides, field_message):
    """Each refusal rule shows its message on the form and writes nothing."""
    client.force_login(users["staff"])
    response = client.post(url("enterprises:enterprise_add"), enterprise_data(world["town_a"], **overrides))
    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert not Enterprise.objects.filter(name="新建精密机械有限公司").exists()


def test_it_refuses_a_region_outside_the_clerks_subtree(client, users, world):
    """Region choices are limited to the clerk's scope."""
    client.force_login(users["staff"])
    response = client.post(url("enterprises:enterprise_add"), enterprise_data(world["town_b"]))
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Enterprise.objects.filter(name="新建精密机械有限公司").exists()


def test_it_refuses_to_delete_an_enterprise_something_hangs_off(client, users, world):
    """An enterprise with coverage, instructors or people is never deleted; a bare one is."""
    client.force_login(users["staff"])
    page = client.get(url("enterprises:enterprise_delete", world["ent_a"].pk)).content.decode()
    assert "不能删除" in page and "党组织覆盖记录 1 条" in page
    response = client.post(url("enterprises:enterprise_delete", world["ent_a"].pk), follow=True)
    assert "不能删除" in response.content.decode()
    assert Enterprise.objects.filter(pk=world["ent_a"].pk).exists()
    bare = make_enterprise(world["town_a"], 5)
    response = client.post(url("enterprises:enterprise_delete", bare.pk))
    assert response.status_code == 302
    assert not Enterprise.objects.filter(pk=bare.pk).exists()


def test_it_finds_an_enterprise_by_credit_code_and_filters(client, users, world):
    """Search by credit code (any case), covered/uncovered and staff band filters work."""
    client.force_login(users["staff"])
    bare = make_enterprise(world["town_a"], 9, employees=10)
    page = client.get(url("enterprises:enterprise_list"), {"q": world["ent_a"].credit_code.lower()}).content.decode()
    assert world["ent_a"].name in page and bare.name not in page
    page = client.get(url("enterprises:enterprise_list"), {"covered": "no"}).content.decode()
    assert bare.name in page and world["ent_a"].name not in page
    page = client.get(url("enterprises:enterprise_list"), {"staff": "100"}).content.decode()
    assert world["ent_a"].name in page and bare.name not in page
    page = client.get(url("enterprises:enterprise_list"), {"region": world["town_b"].pk}).content.decode()
    assert "选择一个有效的选项" in page and world["ent_b"].name not in page


def test_it_links_export_and_import_by_role(client, users, world):
    """导出Excel keeps the list's query string and shows for roles with export; 导入 for importers."""
    client.force_login(users["staff"])
    page = client.get(url("enterprises:enterprise_list"), {"kind": "private"}).content.decode()
    assert "/imports/export/enterprises/?kind=private" in page and "/imports/upload/?kind=enterprises" in page
    client.force_login(users["leader"])
    page = client.get(url("enterprises:enterprise_list")).content.decode()
    assert "/imports/export/enterprises/" in page and "/imports/upload/" not in page
    client.force_login(users["secretary"])
    page = client.get(url("enterprises:enterprise_list")).content.decode()
    assert "导出Excel" not in page


def test_it_shows_coverage_instructors_and_people_on_the_enterprise_page(client, users, world):
    """The enterprise page lists what hangs off it; the ID is masked for a leader."""
    client.force_login(users["leader"])
    page = client.get(world["ent_a"].get_absolute_url()).content.decode()
    assert world["org_a"].name in page and "覆盖中" in page
    assert world["instructor_a"].name in page
    assert world["person_a"].masked_id_number in page and world["person_a"].id_number not in page


def test_it_offers_to_build_an_organization_only_for_uncovered_enterprises(client, users, world):
    """组建党组织 / 纳入已有党组织 appear on an uncovered enterprise, not on a covered one."""
    client.force_login(users["staff"])
    assert "组建党组织" not in client.get(world["ent_a"].get_absolute_url()).content.decode()
    bare = make_enterprise(world["town_a"], 6)
    page = client.get(bare.get_absolute_url()).content.decode()
    assert f"/organizations/add/?enterprise={bare.pk}" in page and f"/organizations/coverage/add/?enterprise={bare.pk}" in page


def test_it_paginates_without_counting(client, users, world):
    """Pages of 25 with 上一页/下一页; the second page holds the rest."""
    grow_town(world["town_a"], 30)
    client.force_login(users["staff"])
    first = client.get(url("enterprises:enterprise_list")).content.decode()
    assert "下一页" in first and 'rel="next"' in first
    second = client.get(url("enterprises:enterprise_list"), {"page": 2}).content.decode()
    assert 'rel="prev"' in second and 'rel="next"' not in second


LIST_QUERIES = 8
DETAIL_QUERIES = 16


def test_it_pins_the_list_query_count(client, users, world, django_assert_num_queries):
    """The list runs the same number of queries with 1 enterprise and with 50."""
    client.force_login(users["staff"])
    path = url("enterprises:enterprise_list") + "?covered=yes&staff=25&o=-employees"
    pin_queries(django_assert_num_queries, client, path, LIST_QUERIES, lambda: grow_town(world["town_a"], 49))


def test_it_pins_the_detail_query_count(client, users, world, django_assert_num_queries):
    """The detail page runs the same number of queries with 1 person/instructor and with 50."""
    client.force_login(users["staff"])
    path = world["ent_a"].get_absolute_url()

    def grow():
        for serial in range(49):
            make_person(world["ent_a"], serial, organization=world["org_a"])
            instructor = Instructor.objects.create(name=f"驻企{serial}", phone=f"1370000{serial:04d}", region=world["town_a"])
            Assignment.objects.create(instructor=instructor, enterprise=world["ent_a"], start_on=datetime.date(2020, 1, 1))
        world["ent_a"].employees = 300
        world["ent_a"].save()

    pin_queries(django_assert_num_queries, client, path, DETAIL_QUERIES, grow)
