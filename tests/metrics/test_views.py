"""Dashboard, warnings, targets, annual report and organization view: access, scope, rendering."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["metrics:dashboard", "metrics:warnings", "metrics:annual_report", "metrics:target_list"])
def test_it_renders_office_pages_for_leaders_staff_and_admins(client, users, name):
    """Leaders, staff and admins open every office page."""
    for role in ("leader", "staff", "district_leader", "admin"):
        client.force_login(users[role])
        response = client.get(reverse(name))
        assert response.status_code == 200, (role, name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["metrics:dashboard", "metrics:dashboard_xlsx", "metrics:warnings", "metrics:annual_report", "metrics:target_list"]
)
def test_it_refuses_secretaries_and_instructors_with_403(client, users, name):
    """Roles with no dashboard get 403."""
    for role in ("secretary", "instructor"):
        client.force_login(users[role])
        assert client.get(reverse(name)).status_code == 403, (role, name)


@pytest.mark.django_db
def test_it_answers_404_for_a_region_outside_scope(client, users, world):
    """A township leader cannot drill into the other township or up to the district."""
    client.force_login(users["leader"])
    for code in (world["town_b"].code, world["district"].code, "999999"):
        for name in ("metrics:dashboard", "metrics:warnings", "metrics:annual_report", "metrics:dashboard_xlsx", "metrics:target_list"):
            assert client.get(reverse(name), {"region": code}).status_code == 404, (code, name)
    assert client.get(reverse("metrics:warning_list", args=["no_secretary"]), {"region": world["town_b"].code}).status_code == 404


import datetime
import io

from openpyxl import load_workbook

from metrics.models import Target

from .helpers import QueryCounter
from .worlds import D, Y, build_town


@pytest.fixture
def town(world):
    return build_town(world)


@pytest.mark.django_db
def test_it_shows_a_township_leader_their_township_with_its_organization_list(client, users, town):
    """The leader's dashboard is 甪直镇: target cards, the organizations (last drill level), warnings."""
    client.force_login(users["leader"])
    response = client.get(reverse("metrics:dashboard"), {"as_of": D.isoformat(), "year": Y})
    body = response.content.decode()
    assert "甪直镇非公企业党建数据看板" in body
    assert "应建已建率" in body and "“两个覆盖”率" not in body or "两个覆盖率" in body
    assert "甪直联合党支部" in body and "木渎" not in body
    assert 'id="metrics-chart-data"' in body and "<script>" not in body.split('id="metrics-chart-data"')[0][-200:]
    assert response.context["figures"]["orgs.total"] == 3


@pytest.mark.django_db
def test_it_drills_from_district_to_township(client, users, town, world):
    """A district leader sees both townships as rows linking to ?region=<code>; following one works."""
    client.force_login(users["district_leader"])
    response = client.get(reverse("metrics:dashboard"), {"as_of": D.isoformat()})
    names = [child["figures"].region.name for child in response.context["children"]]
    assert names == ["甪直镇", "木渎镇"]
    link = response.context["children"][0]["url"]
    assert f"region={world['town_a'].code}" in link
    drilled = client.get(link)
    assert drilled.status_code == 200 and drilled.context["region"] == world["town_a"]
    assert [crumb["label"] for crumb in drilled.context["breadcrumbs"]] == ["吴中区", "甪直镇"]


@pytest.mark.django_db
def test_it_lists_a_warning_with_links_to_detail_pages(client, users, town, world):
    """The list behind 职工25人以上无指导员 names the three enterprises, each linking to its detail page."""
    client.force_login(users["staff"])
    response = client.get(reverse("metrics:warning_list", args=["staff25_no_instructor"]), {"as_of": D.isoformat()})
    assert response.status_code == 200
    items = response.context["items"]
    assert {item["object"].name for item in items} == {"三号个体工商户", "五号大厂有限公司", "十号有限公司"}
    assert all(item["url"] == reverse("enterprises:enterprise_detail", args=[item["object"].pk]) for item in items)
    assert reverse("enterprises:enterprise_detail", args=[town["e5"].pk]) in response.content.decode()


@pytest.mark.django_db
def test_it_answers_404_for_an_unknown_warning(client, users):
    client.force_login(users["staff"])
    assert client.get(reverse("metrics:warning_list", args=["nonsense"])).status_code == 404


@pytest.mark.django_db
def test_it_paginates_warning_lists_with_a_fixed_number_of_queries(client, users, world):
    """One enterprise or sixty on the list: the page costs the same number of queries."""
    from .worlds import enterprise

    client.force_login(users["staff"])
    url = reverse("metrics:warning_list", args=["staff25_no_instructor"])
    enterprise(world["town_a"], "唯一无指导员企业", employees=40)
    with QueryCounter() as one:
        first = client.get(url)
    assert len(first.context["items"]) == 1
    for k in range(60):
        enterprise(world["town_a"], f"无指导员企业{k:02d}", employees=40)
    with QueryCounter() as many:
        second = client.get(url)
    assert len(second.context["items"]) == 50 and second.context["page"].paginator.count == 61
    assert len(one) == len(many)


@pytest.mark.django_db
def test_it_pins_the_dashboard_query_count_with_one_and_many_organizations(client, users, world, town):
    """The township dashboard with its organization list costs the same with 3 or 63 organizations."""
    from organizations.models import Organization

    client.force_login(users["leader"])
    params = {"as_of": D.isoformat(), "year": Y}
    with QueryCounter() as few:
        client.get(reverse("metrics:dashboard"), params)
    for k in range(60):
        Organization.objects.create(name=f"甪直新党支部{k:02d}", region=world["town_a"], founded_on=datetime.date(2020, 1, 1))
    with QueryCounter() as many:
        response = client.get(reverse("metrics:dashboard"), params)
    assert response.context["organizations"].paginator.count == 63
    assert len(few) == len(many)


@pytest.mark.django_db
def test_it_exports_the_dashboard_to_xlsx(client, users, town):
    """The workbook has the indicators, targets, trend and warnings sheets in Chinese."""
    client.force_login(users["leader"])
    response = client.get(reverse("metrics:dashboard_xlsx"), {"as_of": D.isoformat(), "year": Y})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["指标", "目标", "下级区域", "趋势", "工作提醒"]
    indicators = {row[0]: row[1] for row in workbook["指标"].iter_rows(min_row=2, values_only=True)}
    assert indicators["党组织覆盖率"] == "37.50%（3/8）"
    warnings = {row[1]: row[2] for row in workbook["工作提醒"].iter_rows(min_row=2, values_only=True)}
    assert warnings["职工25人以上无指导员"] == 3


@pytest.mark.django_db
def test_it_writes_the_annual_report_paragraph_and_workbook(client, users, world, town):
    """The annual report for 2024 reads like the 2003 Suzhou minutes and exports to xlsx."""
    from regions.models import RegionStat

    RegionStat.objects.create(region=world["town_a"], year=2024, total_members=40, new_members=4)
    client.force_login(users["leader"])
    response = client.get(reverse("metrics:annual_report"), {"year": 2024})
    paragraph = response.context["paragraph"]
    assert paragraph.startswith("截止2024年，全镇工商注册的非公有制经济组织共有9家，其中，实际开业投产的有8家。")
    assert "私营企业4家，外商投资企业1家，个体工商户2家，专业市场1家" in paragraph
    # As of 31 December 2024: the organization founded in September now counts, and covers e7.
    assert "共建立党组织4家，共覆盖4家企业，其中独立党组织2家，联合党组织2个" in paragraph
    assert "占党员总数的22.50%，全年新发展党员2名，占全镇全年发展党员的50%。" in paragraph
    xlsx = client.get(reverse("metrics:annual_report"), {"year": 2024, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=4, values_only=True) if row and row[0]}
    assert values["工商注册的非公有制经济组织（家）"] == 9
    assert values["占党员总数"] == pytest.approx(members_share(town))


def members_share(town):
    from metrics.selectors import region_figures

    figures = region_figures(None, town["ent_a"].region, as_of=datetime.date(2024, 12, 31), year=2024)
    return figures["members.total"] / 40


@pytest.mark.django_db
def test_it_lets_staff_override_a_target_for_their_township(client, users, world):
    """Staff add an override for 甪直镇; it wins over the default on the target list."""
    client.force_login(users["staff"])
    response = client.post(
        reverse("metrics:target_add"),
        {
            "indicator": "evaluations.double_strong_six_good_rate",
            "region": world["town_a"].pk,
            "comparison": "gte",
            "value": "0.8",
            "deadline_kind": "fixed_date",
            "deadline": "2027-12-31",
            "document": "甪直镇2026年党建工作要点",
        },
    )
    assert response.status_code == 302
    target = Target.objects.get(region=world["town_a"])
    listing = client.get(reverse("metrics:target_list"))
    status = {s.indicator: s for s in listing.context["statuses"]}["evaluations.double_strong_six_good_rate"]
    assert status.target == target and status.target_display == "≥ 80%"
    assert status.deadline == datetime.date(2027, 12, 31)


@pytest.mark.django_db
def test_it_refuses_a_bad_target_in_chinese_and_writes_nothing(client, users, world):
    """A 'between' target without an upper bound is refused with a Chinese message."""
    client.force_login(users["staff"])
    response = client.post(
        reverse("metrics:target_add"),
        {"indicator": "members.new_in_year", "region": world["town_a"].pk, "comparison": "between", "value": "5", "deadline_kind": "none"},
    )
    assert response.status_code == 200
    assert "上限" in response.content.decode()
    assert not Target.objects.filter(region=world["town_a"]).exists()


@pytest.mark.django_db
def test_it_refuses_target_edits_to_leaders_and_outside_the_subtree(client, users, world):
    """Leaders may read targets but not add (403); staff of 木渎镇 cannot see 甪直镇's override (404); defaults are admin-only (403)."""
    override = Target.objects.create(indicator="sites.six_have_rate", region=world["town_a"], value="0.9")
    default = Target.objects.get(indicator="sites.six_have_rate", region=None)
    client.force_login(users["leader"])
    assert client.get(reverse("metrics:target_list")).status_code == 200
    assert client.get(reverse("metrics:target_add")).status_code == 403
    assert client.get(reverse("metrics:target_edit", args=[override.pk])).status_code == 403
    client.force_login(users["staff_b"])
    assert client.get(reverse("metrics:target_edit", args=[override.pk])).status_code == 404
    client.force_login(users["staff"])
    assert client.get(reverse("metrics:target_edit", args=[override.pk])).status_code == 200
    assert client.get(reverse("metrics:target_edit", args=[default.pk])).status_code == 403
    client.force_login(users["admin"])
    assert client.get(reverse("metrics:target_edit", args=[default.pk])).status_code == 200


@pytest.mark.django_db
def test_it_shows_a_secretary_their_own_organization(client, users, world, town):
    """The secretary's view lists warnings (no secretary, term overdue) and last quarter's 三会一课."""
    client.force_login(users["secretary"])
    response = client.get(reverse("metrics:org_view"))
    assert response.status_code == 200
    assert response.context["organization"] == world["org_a"]
    assert "尚未配备书记" in response.context["warnings"]
    assert [(e.year, e.scheme, attained) for e, attained in response.context["evaluations"]] == [
        (2024, "double_strong_six_good", True),
        (2023, "five_good", True),
    ]


@pytest.mark.django_db
def test_it_scopes_the_organization_view(client, users, world):
    """Staff open an organization in scope; another township's answers 404; instructors get 403."""
    client.force_login(users["staff"])
    assert client.get(reverse("metrics:org_view"), {"org": world["org_a"].pk}).status_code == 200
    assert client.get(reverse("metrics:org_view"), {"org": world["org_b"].pk}).status_code == 404
    client.force_login(users["instructor"])
    assert client.get(reverse("metrics:org_view")).status_code == 403


@pytest.mark.django_db
def test_it_draws_the_trend_by_year_on_request(client, users, town):
    """?by=year gives year-end points ending at the report date, readable as a table too."""
    client.force_login(users["leader"])
    response = client.get(reverse("metrics:dashboard"), {"as_of": D.isoformat(), "by": "year"})
    labels = response.context["trend"].labels
    assert labels[-1] == "2024年" and labels[-2] == "2023年" and len(labels) == 12
    assert 'id="trend-table"' in response.content.decode()


@pytest.mark.django_db
def test_it_writes_the_city_paragraph_in_the_2003_shape(client):
    """The Suzhou-shaped city at 1/100 scale: the annual paragraph starts like the 2004 minutes."""
    from accounts.models import User
    from bench.suzhou import build, plan

    build(0.01)
    n = plan(0.01)
    client.force_login(User.objects.create(username="city_admin", role="admin"))
    response = client.get(reverse("metrics:annual_report"), {"region": "320500", "year": 2003})
    paragraph = response.context["paragraph"]
    assert paragraph.startswith(
        f"截止2003年，全市工商注册的非公有制经济组织共有{n['registered']}家，其中，实际开业投产的有{n['operating']}家。"
        f"在实际开业投产的非公有制经济组织中，私营企业{n['private']}家，外商投资企业{n['foreign_invested']}家，"
        f"个体工商户{n['individual']}家。"
    )
    assert f"应建已建率实现100%" in paragraph
    assert f"其中正式职工25人以上的{n['staff25']}家非公企业，选派党建指导员实现了100%" in paragraph


@pytest.mark.django_db
def test_it_puts_the_organization_view_in_a_secretarys_menu(client, users):
    """Secretaries reach 评定与提醒 from the menu; leaders do not see it there."""
    client.force_login(users["secretary"])
    labels = [item["label"] for item in client.get(reverse("metrics:org_view")).context["nav_items"]]
    assert "评定与提醒" in labels and "数据看板" not in labels
    client.force_login(users["leader"])
    labels = [item["label"] for item in client.get(reverse("metrics:dashboard")).context["nav_items"]]
    assert "评定与提醒" not in labels and "数据看板" in labels
