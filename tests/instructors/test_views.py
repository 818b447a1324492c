"""Instructor pages: roles, scope, assignments (一对一/一对多), the instructor's home, query pins."""

import datetime

import pytest

from instructors.models import Assignment, GuidanceVisit, Instructor
from tests.accounts.pagetools import grow_town, make_enterprise, pin_queries, status_for, statuses, url


def assignment_of(world):
    return Assignment.objects.get(instructor=world["instructor_a"])


EXPECTED = {
    ("instructors:instructor_list", None): [200, 200, 200, 200, 200, 200],
    ("instructors:instructor_detail", "instructor_a"): [200, 200, 200, 200, 200, 404],
    ("instructors:instructor_add", None): [200, 403, 403, 403, 200, 200],
    ("instructors:instructor_edit", "instructor_a"): [200, 403, 403, 403, 200, 404],
    ("instructors:assignment_add", None): [200, 403, 403, 403, 200, 200],
    ("instructors:assignment_end", "assignment"): [200, 403, 403, 403, 200, 404],
}


@pytest.mark.parametrize("name,key", list(EXPECTED))
def test_it_answers_each_role_by_permission_and_scope(client, users, world, name, key):
    """With permission 200, a role that may not act 403, an object outside the scope 404."""
    assert statuses(client, users, {**world, "assignment": assignment_of(world)}, name, key) == EXPECTED[(name, key)]



def test_it_sends_an_instructor_to_their_enterprises(client, users, world):
    """The instructor's home lists the enterprises assigned to them, with links."""
    client.force_login(users["instructor"])
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == url("instructors:my_enterprises")
    page = response.content.decode()
    assert world["ent_a"].get_absolute_url() in page and world["ent_b"].name not in page
    assert status_for(client, users["staff"], url("instructors:my_enterprises")) == 404


def test_it_adds_an_instructor_and_refuses_bad_ones(client, users, world):
    """A valid post saves; a bad phone, a duplicate phone or a bad ID number is refused in Chinese."""
    client.force_login(users["staff"])
    data = {"name": "王指导", "phone": "13912345678", "source": "organ", "region": world["town_a"].pk}
    for overrides, message in [
        ({"phone": "12345"}, "手机号码"),
        ({"phone": world["instructor_a"].phone}, "已存在"),
        ({"id_number": "320506198001011234"}, "身份证号"),
    ]:
        response = client.post(url("instructors:instructor_add"), {**data, **overrides})
        assert response.status_code == 200 and message in response.content.decode(), overrides
    response = client.post(url("instructors:instructor_add"), data)
    instructor = Instructor.objects.get(phone="13912345678")
    assert response.status_code == 302 and response.url == instructor.get_absolute_url()


def test_it_assigns_and_derives_the_mode(client, users, world):
    """One active assignment is 一对一, two are 一对多; ending one goes back to 一对一."""
    second = make_enterprise(world["town_a"], 7)
    client.force_login(users["staff"])
    detail = world["instructor_a"].get_absolute_url()
    assert "一对一" in client.get(detail).content.decode()
    add = url("instructors:assignment_add")
    response = client.post(add, {"instructor": world["instructor_a"].pk, "enterprise": world["ent_a"].credit_code, "start_on": "2024-01-01"})
    assert "该指导员已派驻此企业" in response.content.decode()
    response = client.post(add, {"instructor": world["instructor_a"].pk, "enterprise": second.credit_code, "start_on": "2024-01-01"})
    assert response.status_code == 302
    assert "一对多" in client.get(detail).content.decode()
    response = client.post(url("instructors:assignment_end", assignment_of_enterprise(second).pk), {"end_on": "2023-01-01"})
    assert "结束日期不能早于选派日期" in response.content.decode()
    response = client.post(url("instructors:assignment_end", assignment_of_enterprise(second).pk), {"end_on": "2025-01-01"})
    assert response.status_code == 302
    assert "一对一" in client.get(detail).content.decode()


def assignment_of_enterprise(enterprise):
    return Assignment.objects.get(enterprise=enterprise)


def test_it_refuses_an_instructor_outside_the_scope(client, users, world):
    """Instructor choices are limited to the clerk's scope."""
    client.force_login(users["staff"])
    response = client.post(
        url("instructors:assignment_add"),
        {"instructor": world["instructor_b"].pk, "enterprise": world["ent_a"].credit_code, "start_on": "2024-01-01"},
    )
    assert "选择一个有效的选项" in response.content.decode()


LIST_QUERIES = 8
DETAIL_QUERIES = 12


def test_it_pins_the_list_query_count(client, users, world, django_assert_num_queries):
    """The list runs the same number of queries with 1 instructor and with 50."""
    client.force_login(users["staff"])
    path = url("instructors:instructor_list") + "?assigned=yes&o=name"
    pin_queries(django_assert_num_queries, client, path, LIST_QUERIES, lambda: grow_town(world["town_a"], 49))


def test_it_pins_the_detail_query_count(client, users, world, django_assert_num_queries):
    """The detail page runs the same number of queries with 1 assignment/visit and with 50."""
    client.force_login(users["staff"])
    instructor = world["instructor_a"]
    GuidanceVisit.objects.create(instructor=instructor, enterprise=world["ent_a"], visited_on=datetime.date(2025, 1, 2), content="指导")
    path = instructor.get_absolute_url()

    def grow():
        for serial in range(49):
            enterprise = make_enterprise(world["town_a"], 200 + serial)
            Assignment.objects.create(instructor=instructor, enterprise=enterprise, start_on=datetime.date(2020, 1, 1))
            GuidanceVisit.objects.create(instructor=instructor, enterprise=enterprise, visited_on=datetime.date(2025, 1, 1), content="指导")

    pin_queries(django_assert_num_queries, client, path, DETAIL_QUERIES, grow)


def test_it_pins_the_instructor_home_query_count(client, users, world, django_assert_num_queries):
    """我联系的企业 runs the same number of queries with 1 and with 30 enterprises."""
    client.force_login(users["instructor"])
    path = url("instructors:my_enterprises")

    def grow():
        for serial in range(29):
            enterprise = make_enterprise(world["town_a"], 300 + serial)
            Assignment.objects.create(instructor=world["instructor_a"], enterprise=enterprise, start_on=datetime.date(2020, 1, 1))

    pin_queries(django_assert_num_queries, client, path, 7, grow)
