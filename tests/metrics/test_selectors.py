"""Every indicator of indicators.md on a hand-built township, each value worked out by hand."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.selectors import Rate, WARNINGS, region_figures, region_report, trend, warning_rows

from .worlds import D, Y, build_town


@pytest.fixture
def town(world):
    return build_town(world)


@pytest.fixture
def figures(world, town):
    return region_figures(None, world["town_a"], as_of=D, year=Y)


@pytest.mark.django_db
def test_it_counts_enterprises_by_status_and_kind(figures):
    """Registered excludes the two closed ones (9 of 11); operating by kind 4/1/2/1."""
    assert figures["enterprises.registered"] == 9
    assert figures["enterprises.operating"] == 8
    assert figures["enterprises.operating_by_kind"] == {"private": 4, "foreign_invested": 1, "individual": 2, "market": 1}


@pytest.mark.django_db
def test_it_counts_organizations_active_on_the_day(figures):
    """The dissolved organization and the one founded after D are left out; hosted counts as joint."""
    assert figures["orgs.total"] == 3
    assert figures["orgs.standalone"] == 1
    assert figures["orgs.joint"] == 2
    assert figures["orgs.by_level"] == {"committee": 1, "general_branch": 0, "branch": 2}


@pytest.mark.django_db
def test_it_computes_coverage_rates(figures):
    """Covered on D: ent_a, e8, e9 (e7's organization starts after D, e4 is closed and dissolved)."""
    assert figures["coverage.org_rate"] == Rate(3, 8)
    assert figures["coverage.standalone_rate"] == Rate(1, 8)
    # Only e3 has three full members on D (ent_a's second full member transferred out); not covered.
    assert figures["coverage.should_build_rate"] == Rate(0, 1)
    # {ent_a, e8, e9} ∪ {ent_a, e2}: e5's assignment ended, e10's starts after D.
    assert figures["coverage.two_coverage_rate"] == Rate(4, 8)
    assert figures["coverage.staff100_org_rate"] == Rate(1, 2)


@pytest.mark.django_db
def test_it_counts_instructors_and_their_enterprises_once(figures):
    """e2 has two instructors but counts once; instructors are counted by an active assignment."""
    assert figures["instructors.total"] == 2
    assert figures["instructors.enterprises_covered"] == 2
    assert figures["instructors.staff25_rate"] == Rate(2, 5)


@pytest.mark.django_db
def test_it_counts_members_from_milestones_on_the_day(figures):
    """6 full + 2 probationary: the closed enterprise's, the transferred and the later-admitted are not members."""
    assert figures["members.total"] == 8
    assert figures["members.full"] == 6
    assert figures["members.probationary"] == 2
    assert figures["members.new_in_year"] == 1  # admitted 2024-03-01; the 2024-09-01 admission is after D
    assert figures["members.share_of_region"] is None  # no 区域党员总量 entered
    assert figures["members.new_share_of_region"] is None
    assert figures["members.staff50_rate"] == Rate(2, 4)
    assert figures["members.activists"] == 2
    assert figures["members.activist_training_rate"] == Rate(1, 3)


@pytest.mark.django_db
def test_it_reads_evaluations_sites_meetings_and_terms(figures):
    """Evaluations of 2023 and items not all met do not count; the 2024-founded organization is in the year-end denominator."""
    assert figures["evaluations.double_strong_six_good_rate"] == Rate(1, 4)
    assert figures["evaluations.five_good_rate"] == Rate(1, 4)
    assert figures["sites.six_have_rate"] == Rate(1, 3)
    assert figures["meetings.compliance_rate"] == Rate(1, 2)
    assert figures["terms.overdue"] == 1
    assert figures["terms.due_soon"] == 1


@pytest.mark.django_db
def test_it_gives_null_rates_when_the_denominator_is_zero(regions):
    """An empty region: every rate is {"num": 0, "den": 0, "rate": None}, shown as —."""
    figures = region_figures(None, regions["town_a"], as_of=D, year=Y)
    assert figures["coverage.org_rate"].as_dict() == {"num": 0, "den": 0, "rate": None}
    assert figures["coverage.org_rate"].percent == "—"
    assert figures.as_json()["meetings"]["compliance_rate"]["rate"] is None


@pytest.mark.django_db
def test_it_uses_the_region_statistics_for_the_shares(world, town):
    """Shares divide by 区域党员总量 of the year."""
    from regions.models import RegionStat

    RegionStat.objects.create(region=world["town_a"], year=Y, total_members=40, new_members=4)
    RegionStat.objects.create(region=world["town_a"], year=Y - 1, total_members=1, new_members=1)
    figures = region_figures(None, world["town_a"], as_of=D, year=Y)
    assert figures["members.share_of_region"] == Rate(8, 40)
    assert figures["members.new_share_of_region"] == Rate(1, 4)


WARNING_EXPECTED = {
    "should_build": {"三号个体工商户"},
    "staff50_no_member": {"五号大厂有限公司", "十号有限公司"},
    "staff100_no_org": {"五号大厂有限公司"},
    "staff25_no_instructor": {"三号个体工商户", "五号大厂有限公司", "十号有限公司"},
    "closed_enterprise_org": {"甪直个体劳动者协会党委"},
    "term_due": {"甪直科技有限公司党支部", "甪直联合党支部"},
    "meetings_incomplete": {"甪直联合党支部"},
    "no_secretary": {"甪直科技有限公司党支部"},
    "six_have_unmet": {"甪直联合党支部", "甪直个体劳动者协会党委"},
    "mass_org_head": {"五号工会主席"},
    "pipeline": {"甪直转正逾期", "九号过早发展对象"},
    "silent_org": {"甪直联合党支部", "甪直个体劳动者协会党委"},
}


@pytest.mark.django_db
def test_it_lists_the_objects_behind_each_warning_and_counts_them(world, town, figures):
    """Each of the twelve warnings: its list is exactly the hand-worked set and its count matches."""
    assert [kind.key for kind in WARNINGS] == list(WARNING_EXPECTED)
    for key, names in WARNING_EXPECTED.items():
        rows = warning_rows(None, world["town_a"], key, as_of=D)
        assert {obj.name for obj in rows.queryset} == names, key
        assert figures.warning_counts[key] == len(names), key


@pytest.mark.django_db
def test_it_explains_what_is_missing_and_which_term_rule_applies(world, town):
    """Warning 7 names the missing meetings; warning 6 tells overdue from due soon; 11 tells which rule."""
    meetings = warning_rows(None, world["town_a"], "meetings_incomplete", as_of=D)
    joint = meetings.queryset.get()
    assert "支委会（2024年1月）" in meetings.note_for(joint)
    terms = {org.name: org.warning_note for org in warning_rows(None, world["town_a"], "term_due", as_of=D).queryset}
    assert terms == {"甪直科技有限公司党支部": "换届逾期", "甪直联合党支部": "90天内到期"}
    pipeline = {p.name: p.warning_note for p in warning_rows(None, world["town_a"], "pipeline", as_of=D).queryset}
    assert pipeline == {"甪直转正逾期": "预备党员转正逾期", "九号过早发展对象": "积极分子培养不满一年即列为发展对象"}


@pytest.mark.django_db
def test_it_limits_a_township_leaders_figures_to_that_township(world, town, users):
    """Asked about the district, a 甪直镇 leader still gets only 甪直镇's figures; an admin gets both towns."""
    leader = region_figures(users["leader"], world["district"], as_of=D, year=Y)
    admin = region_figures(users["admin"], world["district"], as_of=D, year=Y)
    assert leader["enterprises.registered"] == 9
    assert admin["enterprises.registered"] == 10
    assert leader["orgs.total"] == 3 and admin["orgs.total"] == 4
    assert leader["members.total"] == 8 and admin["members.total"] == 9


@pytest.mark.django_db
def test_it_rolls_up_children_in_the_same_queries(world, town, users):
    """The district report carries each township's figures; they add up to the district's."""
    report = region_report(users["admin"], world["district"], as_of=D, year=Y)
    assert [child.region.name for child in report.children] == ["甪直镇", "木渎镇"]
    assert [child["enterprises.operating"] for child in report.children] == [8, 1]
    assert report.total["coverage.org_rate"] == Rate(4, 9)


@pytest.mark.django_db
def test_it_gives_the_same_answer_for_a_past_date_after_later_changes(world, town):
    """Dissolving an organization after D does not change the figures as of D (evaluations count at year end)."""
    before = region_figures(None, world["town_a"], as_of=D, year=Y).as_json()
    org = town["org_joint"]
    org.status, org.dissolved_on, org.dissolve_reason, org.dissolve_document = "dissolved", D.replace(month=8), "merged", "x"
    org.save()
    after = region_figures(None, world["town_a"], as_of=D, year=Y).as_json()
    # Evaluations are over organizations active at the end of Y: the dissolved one leaves that set.
    assert after.pop("evaluations")["five_good_rate"] == {"num": 0, "den": 3, "rate": 0.0}
    before.pop("evaluations")
    assert after == before
    assert region_figures(None, world["town_a"], as_of=D.replace(month=9), year=Y)["orgs.total"] == 3  # future one now active


@pytest.mark.django_db
def test_it_draws_trends_from_effective_dates(world, town):
    """Monthly series end at D; the organization founded after D never appears."""
    result = trend(None, world["town_a"], as_of=D, by="month", points=12)
    assert result.labels[-1] == "2024-06" and len(result.labels) == 12
    assert result.series["党组织数"][-1] == 3
    assert result.series["党组织数"][0] == 3  # 2023-07-31: org_host founded 2023-06-01
    assert result.series["党员数"][-1] == 8
    # e2's two instructors count once; e5 (ended 2024-01-01) counts until December 2023.
    assert result.series["指导员覆盖企业数"][-1] == 2
    assert result.series["指导员覆盖企业数"][result.labels.index("2023-12")] == 3
    assert result.series["党组织覆盖企业数"][-1] == 3


@pytest.mark.django_db
def test_it_runs_a_fixed_number_of_queries_whatever_the_data_size(world, town, regions):
    """The region report costs the same number of queries on an empty township and on the busy one."""
    with CaptureQueriesContext(connection) as empty:
        region_report(None, regions["town_b"], as_of=D, year=Y)
    with CaptureQueriesContext(connection) as busy:
        region_report(None, world["city"], as_of=D, year=Y)
    assert len(empty.captured_queries) == len(busy.captured_queries)


@pytest.mark.django_db
def test_it_counts_the_member_series_with_the_report(world, town):
    """The member series counted in the report's pass over people equals the trend's own count."""
    from metrics.selectors import trend_dates

    dates = trend_dates(D, "month")
    report = region_report(None, world["town_a"], as_of=D, year=Y, member_dates=dates)
    assert report.total.members_on(dates) == trend(None, world["town_a"], as_of=D).series["党员数"]
