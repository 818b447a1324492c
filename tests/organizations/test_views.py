"""Organization pages and workflows: roles, scope, forms, dissolve, coverage, officers, evaluations."""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse

from archives.models import ActivityRecord
from organizations.models import Coverage, Evaluation, Organization, Pairing
from tests.accounts.pagetools import grow_town, make_enterprise, make_person, pin_queries, status_for, statuses, url

TODAY = datetime.date.today()


def coverage_of(world):
    return Coverage.objects.get(organization=world["org_a"])


EXPECTED = {
    ("organizations:organization_list", None): [200, 200, 200, 200, 200, 200],
    ("organizations:organization_detail", "org_a"): [200, 200, 200, 200, 200, 404],
    ("organizations:organization_add", None): [200, 403, 403, 403, 200, 200],
    ("organizations:organization_edit", "org_a"): [200, 403, 403, 403, 200, 404],
    ("organizations:organization_dissolve", "org_a"): [200, 403, 403, 403, 200, 404],
    ("organizations:organization_officers", "org_a"): [200, 403, 403, 403, 200, 404],
    ("organizations:evaluation_add", "org_a"): [200, 403, 403, 403, 200, 404],
    ("organizations:pairing_add", "org_a"): [200, 403, 403, 403, 200, 404],
    ("organizations:coverage_add", None): [200, 403, 403, 403, 200, 200],
    ("organizations:coverage_end", "coverage"): [200, 403, 403, 403, 200, 404],
}


@pytest.mark.parametrize("name,key", list(EXPECTED))
def test_it_answers_each_role_by_permission_and_scope(client, users, world, name, key):
    """With permission 200, a role that may not act 403, an object outside the scope 404."""
    assert statuses(client, users, {**world, "coverage": coverage_of(world)}, name, key) == EXPECTED[(name, key)]



def test_it_never_offers_to_delete_an_organization():
    """An organization is dissolved, never deleted: no delete URL exists."""
    with pytest.raises(NoReverseMatch):
        reverse("organizations:organization_delete", args=[1])


def test_it_sends_a_secretary_to_their_organization(client, users, world):
    """The secretary's home is their organization's page; others have no such page."""
    client.force_login(users["secretary"])
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == world["org_a"].get_absolute_url()
    assert status_for(client, users["staff"], url("organizations:my_organization")) == 404


def org_data(region, **overrides):
    data = {"name": "新建联合党支部", "region": region.pk, "founded_on": "2024-03-01", "level": "branch", "formation": "standalone"}
    data.update(overrides)
    return data


def test_it_adds_an_organization_covering_an_enterprise(client, users, world):
    """Adding with a credit code creates the organization and its coverage from the founding date."""
    bare = make_enterprise(world["town_a"], 3)
    client.force_login(users["staff"])
    response = client.post(url("organizations:organization_add"), org_data(world["town_a"], enterprise=bare.credit_code))
    org = Organization.objects.get(name="新建联合党支部")
    assert response.status_code == 302 and response.url == org.get_absolute_url()
    link = Coverage.objects.get(enterprise=bare)
    assert link.organization == org and link.start_on == datetime.date(2024, 3, 1) and link.end_on is None
    page = client.get(bare.get_absolute_url()).content.decode()
    assert org.name in page and "覆盖中" in page


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"formation": "hosted"}, "依托组建的党组织必须填写依托单位"),
        ({"name": "甪直科技有限公司党支部"}, "已有同名的党组织（未撤销）"),
        ({"founded_on": (TODAY + datetime.timedelta(days=3)).isoformat()}, "成立日期不能晚于今天"),
        ({"enterprise": "91320506XXXXXXXXXX"}, "在您的管辖范围内找不到该企业"),
    ],
)
def test_it_refuses_bad_organizations(client, users, world, overrides, message):
    """Each refusal shows its Chinese message and writes nothing."""
    client.force_login(users["staff"])
    before = Organization.objects.count()
    response = client.post(url("organizations:organization_add"), org_data(world["town_a"], **overrides))
    assert response.status_code == 200 and message in response.content.decode()
    assert Organization.objects.count() == before


def test_it_writes_nothing_when_the_enterprise_is_already_covered(client, users, world):
    """The organization is not half-created when its coverage is refused."""
    client.force_login(users["staff"])
    response = client.post(url("organizations:organization_add"), org_data(world["town_a"], enterprise=world["ent_a"].credit_code))
    assert "该企业已被其他党组织覆盖" in response.content.decode()
    assert not Organization.objects.filter(name="新建联合党支部").exists()


def test_it_dissolves_and_ends_every_open_coverage(client, users, world):
    """Dissolving sets the date, reason and document and ends the coverage links on that date."""
    client.force_login(users["staff"])
    day = TODAY - datetime.timedelta(days=10)
    response = client.post(
        url("organizations:organization_dissolve", world["org_a"].pk),
        {"dissolved_on": day.isoformat(), "reason": "closed", "document": "吴组〔2026〕5号"},
    )
    assert response.status_code == 302
    org = Organization.objects.get(pk=world["org_a"].pk)
    assert org.status == "dissolved" and org.dissolved_on == day
    assert coverage_of(world).end_on == day
    page = client.get(org.get_absolute_url()).content.decode()
    assert "已撤销" in page and "吴组〔2026〕5号" in page
    assert status_for(client, users["staff"], url("organizations:organization_dissolve", org.pk)) == 200


@pytest.mark.parametrize(
    "posted,message",
    [
        ({"dissolved_on": (TODAY + datetime.timedelta(days=1)).isoformat()}, "撤销日期不能晚于今天"),
        ({"dissolved_on": "2015-06-01"}, "撤销日期不能早于成立日期"),
        ({"document": ""}, "这个字段是必填项"),
    ],
)
def test_it_refuses_bad_dissolutions(client, users, world, posted, message):
    """A future date, a date before founding or a missing document is refused; nothing changes."""
    client.force_login(users["staff"])
    data = {"dissolved_on": TODAY.isoformat(), "reason": "merged", "document": "文号1", **posted}
    response = client.post(url("organizations:organization_dissolve", world["org_a"].pk), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert Organization.objects.get(pk=world["org_a"].pk).status == "active"
    assert coverage_of(world).end_on is None


def test_it_adds_and_ends_coverage_links(client, users, world):
    """A standalone organization covers one enterprise; ending its link frees it for another."""
    bare = make_enterprise(world["town_a"], 4)
    client.force_login(users["staff"])
    add = url("organizations:coverage_add")
    response = client.post(add, {"organization": world["org_a"].pk, "enterprise": bare.credit_code, "start_on": "2020-01-01"})
    assert "单独组建的党组织只能覆盖一家企业" in response.content.decode()
    response = client.post(url("organizations:coverage_end", coverage_of(world).pk), {"end_on": "2021-01-01"})
    assert response.status_code == 302 and coverage_of(world).end_on == datetime.date(2021, 1, 1)
    response = client.post(add, {"organization": world["org_a"].pk, "enterprise": bare.credit_code, "start_on": "2021-01-01"})
    assert response.status_code == 302
    assert Coverage.objects.get(enterprise=bare).organization == world["org_a"]


def test_it_never_prefills_an_enterprise_outside_the_scope(client, users, world):
    """?enterprise=<pk> of another township shows nothing of it (no credit code leaks)."""
    client.force_login(users["staff_b"])
    for name in ("organizations:organization_add", "organizations:coverage_add"):
        page = client.get(url(name), {"enterprise": world["ent_a"].pk}).content.decode()
        assert world["ent_a"].credit_code not in page
    client.force_login(users["staff"])
    page = client.get(url("organizations:organization_add"), {"enterprise": world["ent_a"].pk}).content.decode()
    assert world["ent_a"].credit_code in page


def test_it_refuses_coverage_of_an_enterprise_outside_the_scope(client, users, world):
    """An enterprise of another township cannot be picked, even by its exact credit code."""
    client.force_login(users["staff"])
    response = client.post(
        url("organizations:coverage_add"), {"organization": world["org_a"].pk, "enterprise": world["ent_b"].credit_code, "start_on": "2020-01-01"}
    )
    assert "在您的管辖范围内找不到该企业" in response.content.decode()


def test_it_sets_officers_from_the_members_register(client, users, world):
    """书记/副书记/委员 come from the organization's own register; others are refused."""
    deputy = make_person(world["ent_a"], 1, organization=world["org_a"])
    client.force_login(users["staff"])
    officers = url("organizations:organization_officers", world["org_a"].pk)
    response = client.post(officers, {"secretary": world["person_b"].pk})
    assert "选择一个有效的选项" in response.content.decode()
    response = client.post(officers, {"secretary": world["person_a"].pk, "deputy_secretary": world["person_a"].pk})
    assert "副书记不能与书记为同一人" in response.content.decode()
    response = client.post(
        officers,
        {"secretary": world["person_a"].pk, "deputy_secretary": deputy.pk, "committee_members": [deputy.pk], "last_election_on": "2024-01-01"},
    )
    assert response.status_code == 302
    org = Organization.objects.get(pk=world["org_a"].pk)
    assert org.secretary == world["person_a"] and org.deputy_secretary == deputy
    assert list(org.committee_members.all()) == [deputy]


def test_it_records_an_evaluation_with_every_item(client, users, world):
    """All items met → 达标; one missing → 未达标 on the organization page; future years refused."""
    client.force_login(users["staff"])
    path = url("organizations:evaluation_add", world["org_a"].pk) + "?scheme=five_good"
    codes = ["leadership_good", "members_good", "mechanism_good", "performance_good", "masses_good"]
    data = {"year": TODAY.year - 1, **{f"met_{code}": "on" for code in codes}, "note_masses_good": "群众满意"}
    assert client.post(path, data).status_code == 302
    evaluation = Evaluation.objects.get(organization=world["org_a"], scheme="five_good")
    assert evaluation.is_attained() and evaluation.items.count() == 5
    assert "达标" in client.get(world["org_a"].get_absolute_url()).content.decode()
    del data["met_masses_good"]
    assert client.post(path, data).status_code == 302
    assert not Evaluation.objects.get(pk=evaluation.pk).is_attained()
    response = client.post(path, {**data, "year": TODAY.year + 1})
    assert "评定年度不能晚于今年" in response.content.decode()


def test_it_shows_advisory_warnings_and_masks_ids_for_the_secretary(client, users, world):
    """Organization.warnings() appears; the secretary sees members' ID numbers masked."""
    client.force_login(users["secretary"])
    page = client.get(world["org_a"].get_absolute_url()).content.decode()
    assert "单独组建的党支部应有 3 名以上正式党员" in page and "尚未配备书记" in page
    assert world["person_a"].masked_id_number in page and world["person_a"].id_number not in page
    assert "编辑" not in page and "撤销</a>" not in page


def test_it_records_a_pairing(client, users, world):
    """结对共建 needs a partner (organization or unit), never itself; a valid one shows on the page."""
    client.force_login(users["staff"])
    path = url("organizations:pairing_add", world["org_a"].pk)
    response = client.post(path, {"start_on": "2024-01-01"})
    assert "请选择结对党组织或填写结对单位" in response.content.decode()
    response = client.post(path, {"start_on": "2024-01-01", "partner_organization": world["org_a"].pk})
    assert "不能与本党组织结对" in response.content.decode()
    response = client.post(path, {"start_on": "2024-01-01", "partner_unit": "镇机关第一党支部", "content": "联学共建"})
    assert response.status_code == 302
    assert Pairing.objects.get(organization=world["org_a"]).partner_unit == "镇机关第一党支部"
    assert "镇机关第一党支部" in client.get(world["org_a"].get_absolute_url()).content.decode()


def test_it_counts_covered_enterprises_and_members_on_the_list(client, users, world):
    """Each row shows its open coverage links and its members (full members in brackets)."""
    make_person(world["ent_a"], 3, organization=world["org_a"])
    probationary = make_person(world["ent_a"], 4, organization=world["org_a"])
    probationary.status, probationary.confirmed_on = "probationary", None
    probationary.save()
    client.force_login(users["staff"])
    page = client.get(url("organizations:organization_list")).content.decode()
    row = page[page.index(world["org_a"].name) :]
    row = row[: row.index("</tr>")]
    assert "<td>1</td>" in row and "3（2）" in row


LIST_QUERIES = 10  # 8 + members and full members counted for the shown rows
DETAIL_QUERIES = 23


def test_it_pins_the_list_query_count(client, users, world, django_assert_num_queries):
    """The list runs the same number of queries with 1 organization and with 50."""
    client.force_login(users["staff"])
    path = url("organizations:organization_list") + "?level=branch&has_secretary=no&o=-founded_on"
    pin_queries(django_assert_num_queries, client, path, LIST_QUERIES, lambda: grow_town(world["town_a"], 49))


def test_it_pins_the_detail_query_count(client, users, world, django_assert_num_queries):
    """The detail page runs the same number of queries with 1 member/link/record and with 50."""
    client.force_login(users["staff"])
    org = world["org_a"]
    path = org.get_absolute_url()

    def grow():
        for serial in range(49):
            make_person(world["ent_a"], serial, organization=org)
            old = make_enterprise(world["town_a"], 100 + serial)
            Coverage.objects.create(organization=org, enterprise=old, start_on=datetime.date(2016, 1, 1), end_on=datetime.date(2017, 1, 1))
            Pairing.objects.create(organization=org, partner_unit=f"单位{serial}", start_on=datetime.date(2020, 1, 1))
            ActivityRecord.objects.create(organization=org, held_on=datetime.date(2025, 1, 1), category="theme_day", title=f"活动{serial}")
        Evaluation.objects.create(organization=org, year=2024, scheme="five_good")
        org.committee_members.set(org.members.all()[:10])

    pin_queries(django_assert_num_queries, client, path, DETAIL_QUERIES, grow)
