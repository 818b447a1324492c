"""People pages: roles, scope, pipeline workflow, masking of ID numbers, deletion rules, query pins."""

import datetime

import pytest

from members.models import Person, PersonRole, Recommendation
from partybuild.testdata import make_id_number
from tests.accounts.pagetools import grow_town, pin_queries, status_for, statuses, url

TODAY = datetime.date.today()

EXPECTED = {
    ("members:person_list", None): [200, 200, 200, 403, 200, 200],
    ("members:person_detail", "person_a"): [200, 200, 200, 404, 200, 404],
    ("members:person_add", None): [200, 403, 403, 403, 200, 200],
    ("members:person_edit", "person_a"): [200, 403, 403, 404, 200, 404],
    ("members:person_advance", "person_a"): [200, 403, 403, 404, 200, 404],
    ("members:person_roles", "person_a"): [200, 403, 403, 404, 200, 404],
    ("members:recommendation_add", "person_a"): [200, 403, 403, 404, 200, 404],
    ("members:person_delete", "person_a"): [200, 403, 403, 404, 200, 404],
}


@pytest.mark.parametrize("name,key", list(EXPECTED))
def test_it_answers_each_role_by_permission_and_scope(client, users, world, name, key):
    """With permission 200, a role that may not act 403, an object outside the scope 404."""
    assert statuses(client, users, world, name, key) == EXPECTED[(name, key)]



def masses(world, born=datetime.date(1990, 3, 1), serial=50):
    return Person.objects.create(name="李群众", id_number=make_id_number(serial, born), enterprise=world["ent_a"])


def test_it_advances_one_stage_at_a_time(client, users, world):
    """Each step sets the status and its date; an out-of-order date is refused with the model's message."""
    person = masses(world)
    client.force_login(users["staff"])
    path = url("members:person_advance", person.pk)
    assert "申请入党日期" in client.get(path).content.decode()
    assert client.post(path, {"on": "2020-01-01"}).status_code == 302
    person.refresh_from_db()
    assert person.status == "applicant" and person.applied_on == datetime.date(2020, 1, 1)
    response = client.post(path, {"on": "2019-01-01"})
    assert "确定积极分子日期不能早于申请入党日期" in response.content.decode()
    person.refresh_from_db()
    assert person.status == "applicant" and person.activist_on is None


def test_it_refuses_an_applicant_under_18(client, users, world):
    """申请入党时须年满18周岁, computed from the ID number."""
    person = masses(world, born=TODAY.replace(year=TODAY.year - 17) - datetime.timedelta(days=2))
    client.force_login(users["staff"])
    response = client.post(url("members:person_advance", person.pk), {"on": TODAY.isoformat()})
    assert "申请入党时须年满18周岁" in response.content.decode()
    assert Person.objects.get(pk=person.pk).status == "masses"


def test_it_warns_when_an_activist_becomes_a_candidate_too_soon(client, users, world):
    """The pipeline rule is a warning shown after the step, not a refusal."""
    person = masses(world)
    client.force_login(users["staff"])
    path = url("members:person_advance", person.pk)
    client.post(path, {"on": "2023-01-01"})
    client.post(path, {"on": "2023-06-01"})
    response = client.post(path, {"on": "2023-12-01"}, follow=True)
    assert Person.objects.get(pk=person.pk).status == "candidate"
    assert "积极分子培养不满一年即列为发展对象" in response.content.decode()


def test_it_refuses_to_advance_past_the_last_stage(client, users, world):
    """A full member has no next stage: the page says so and a post is refused."""
    client.force_login(users["staff"])
    assert "已处于最后阶段，不能再推进" in client.get(url("members:person_advance", world["person_a"].pk)).content.decode()
    response = client.post(url("members:person_advance", world["person_a"].pk), {"on": "2024-01-01"})
    assert "已处于发展流程的最后阶段" in response.content.decode()


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"id_number": "320506199001011230"}, "身份证号"),
        ({"status": "full"}, "政治面貌为“正式党员”时必须填写转正日期"),
        ({"status": "applicant", "applied_on": "2020-01-01", "activist_on": "2021-01-01"}, "不应填写确定积极分子日期"),
    ],
)
def test_it_refuses_bad_people(client, users, world, overrides, message):
    """Each refusal rule shows its Chinese message; nothing is written."""
    client.force_login(users["staff"])
    data = {"name": "赵新", "id_number": make_id_number(61, datetime.date(1992, 2, 2)), "enterprise": world["ent_a"].credit_code, "status": "masses"}
    response = client.post(url("members:person_add"), {**data, **overrides})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Person.objects.filter(name="赵新").exists()
    response = client.post(url("members:person_add"), data)
    assert response.status_code == 302 and Person.objects.filter(name="赵新").exists()


def test_it_masks_id_numbers_for_leaders_and_secretaries_everywhere(client, users, world):
    """List, detail and history show the masked ID to masked roles; staff see it in full."""
    person = world["person_a"]
    person.phone = "13800001111"
    person.save()
    for role in ("leader", "secretary"):
        client.force_login(users[role])
        for path in (url("members:person_list"), person.get_absolute_url(), world["org_a"].get_absolute_url(), world["ent_a"].get_absolute_url()):
            page = client.get(path).content.decode()
            assert person.id_number not in page, (role, path)
            assert person.masked_id_number in page, (role, path)
    client.force_login(users["staff"])
    assert person.id_number in client.get(person.get_absolute_url()).content.decode()


def test_it_finds_people_by_id_number_and_status(client, users, world):
    """Search by ID number and filter by pipeline status."""
    other = masses(world)
    client.force_login(users["staff"])
    page = client.get(url("members:person_list"), {"q": world["person_a"].id_number}).content.decode()
    assert world["person_a"].name in page and other.name not in page
    page = client.get(url("members:person_list"), {"status": "masses"}).content.decode()
    assert other.name in page and world["person_a"].name not in page


def test_it_sets_roles_and_flags_key_cultivation(client, users, world):
    """A union chair who is not a member is shown as 重点培养对象; 三推三培 events are recorded."""
    person = masses(world)
    client.force_login(users["staff"])
    assert client.post(url("members:person_roles", person.pk), {"roles": ["union_chair", "technical"]}).status_code == 302
    assert set(PersonRole.objects.filter(person=person).values_list("role", flat=True)) == {"union_chair", "technical"}
    assert "应列为重点培养对象" in client.get(person.get_absolute_url()).content.decode()
    path = url("members:recommendation_add", person.pk)
    response = client.post(path, {"kind": "admission", "recommended_on": (TODAY + datetime.timedelta(days=1)).isoformat()})
    assert "推荐日期不能晚于今天" in response.content.decode()
    assert client.post(path, {"kind": "admission", "recommended_on": "2024-05-01"}).status_code == 302
    assert Recommendation.objects.filter(person=person, kind="admission").exists()


def test_it_refuses_to_delete_a_secretary(client, users, world):
    """A person holding an office is not deleted; a person with nothing attached is."""
    org = world["org_a"]
    org.secretary = world["person_a"]
    org.save()
    client.force_login(users["staff"])
    response = client.post(url("members:person_delete", world["person_a"].pk), follow=True)
    assert "不能删除" in response.content.decode()
    assert Person.objects.filter(pk=world["person_a"].pk).exists()
    other = masses(world)
    assert client.post(url("members:person_delete", other.pk)).status_code == 302
    assert not Person.objects.filter(pk=other.pk).exists()


LIST_QUERIES = 8
DETAIL_QUERIES = 13


def test_it_pins_the_list_query_count(client, users, world, django_assert_num_queries):
    """The list runs the same number of queries with 1 person and with 50."""
    client.force_login(users["leader"])
    path = url("members:person_list") + "?status=full&o=-admitted_on"
    pin_queries(django_assert_num_queries, client, path, LIST_QUERIES, lambda: grow_town(world["town_a"], 49))


def test_it_pins_the_detail_query_count(client, users, world, django_assert_num_queries):
    """The detail page runs the same number of queries with 1 role/event/change and with many."""
    client.force_login(users["staff"])
    person = world["person_a"]
    path = person.get_absolute_url()

    def grow():
        for role in ("management", "technical", "union_chair"):
            PersonRole.objects.create(person=person, role=role)
        for serial in range(49):
            Recommendation.objects.create(person=person, kind="management", recommended_on=datetime.date(2024, 1, 1))
            person.phone = f"1390000{serial:04d}"
            person.save()

    pin_queries(django_assert_num_queries, client, path, DETAIL_QUERIES, grow)


def test_it_keeps_people_in_the_secretarys_scope(client, users, world):
    """A secretary reads the people of their organization, not others'."""
    client.force_login(users["secretary"])
    page = client.get(url("members:person_list")).content.decode()
    assert world["person_a"].name in page and world["person_b"].name not in page
    assert status_for(client, users["secretary"], world["person_b"].get_absolute_url()) == 404
