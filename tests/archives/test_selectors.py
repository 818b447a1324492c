"""三会一课 compliance selector."""

import datetime

from archives.models import ActivityRecord, MeetingRequirement
from archives.selectors import compliance_for_organizations, last_full_quarter_before, periods_within
from organizations.models import Organization


def _record(org, day, category):
    return ActivityRecord.objects.create(organization=org, held_on=day, category=category, title=f"{category} {day}")


def test_it_counts_expected_recorded_and_missing_for_a_month(world):
    """In March 2026 org_a held one 支委会 and no 党小组会/主题党日: those two are named missing."""
    org = world["org_a"]
    _record(org, datetime.date(2026, 3, 5), "committee_meeting")
    _record(org, datetime.date(2026, 3, 20), "committee_meeting")
    _record(org, datetime.date(2026, 2, 20), "group_meeting")  # outside the window
    result = compliance_for_organizations([org], datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    compliance = result[org.pk]
    assert compliance.expected["committee_meeting"] == 1
    assert compliance.recorded["committee_meeting"] == 2
    assert compliance.expected["group_meeting"] == 1
    assert compliance.recorded["group_meeting"] == 0
    # Quarterly and yearly requirements do not fit inside one month: nothing expected.
    assert compliance.expected["branch_assembly"] == 0
    assert compliance.expected["org_life_meeting"] == 0
    assert compliance.missing == ["党小组会（2026年3月）", "主题党日（2026年3月）"]
    assert not compliance.compliant


def test_it_checks_each_month_of_a_quarter_separately(world):
    """Three 支委会 in January do not make up for February and March."""
    org = world["org_a"]
    for day in (3, 10, 17):
        _record(org, datetime.date(2026, 1, day), "committee_meeting")
    result = compliance_for_organizations(Organization.objects.filter(pk=org.pk), *last_full_quarter_before(datetime.date(2026, 4, 15)))
    compliance = result[org.pk]
    assert compliance.expected["committee_meeting"] == 3
    assert compliance.recorded["committee_meeting"] == 3
    assert "支委会（2026年2月）" in compliance.missing
    assert "支委会（2026年3月）" in compliance.missing
    assert "支委会（2026年1月）" not in compliance.missing
    assert "支部党员大会（2026年第1季度）" in compliance.missing


def test_it_is_compliant_when_every_requirement_is_met(world):
    """A quarter with every monthly and quarterly meeting held is compliant."""
    org = world["org_a"]
    for month in (1, 2, 3):
        for category in ("committee_meeting", "group_meeting", "theme_day"):
            _record(org, datetime.date(2026, month, 8), category)
    _record(org, datetime.date(2026, 2, 8), "branch_assembly")
    _record(org, datetime.date(2026, 3, 8), "party_lecture")
    result = compliance_for_organizations([org], datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert result[org.pk].compliant, result[org.pk].missing
    assert result[org.pk].expected["org_life_meeting"] == 0


def test_it_follows_the_frequency_settings(world):
    """Frequencies are data: requiring two 支委会 a month names the shortfall."""
    MeetingRequirement.objects.filter(category="committee_meeting").update(times=2)
    org = world["org_a"]
    _record(org, datetime.date(2026, 3, 5), "committee_meeting")
    compliance = compliance_for_organizations([org], datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))[org.pk]
    assert compliance.expected["committee_meeting"] == 2
    assert "支委会（2026年3月，差1次）" in compliance.missing


def test_it_gives_a_new_organization_a_grace_period(world):
    """An organization founded mid-quarter is not held to that quarter."""
    org = world["org_a"]
    org.founded_on = datetime.date(2026, 2, 10)
    org.save()
    compliance = compliance_for_organizations([org], datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))[org.pk]
    assert compliance.expected["committee_meeting"] == 1  # March only
    assert compliance.expected["branch_assembly"] == 0


def test_it_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    """Organizations, requirements and one aggregate: three queries for 2 or 40 organizations."""
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)
    with django_assert_num_queries(3):
        compliance_for_organizations(Organization.objects.all(), start, end)
    for serial in range(38):
        org = Organization.objects.create(name=f"测试党支部{serial}", region=world["town_a"], founded_on=datetime.date(2010, 1, 1))
        _record(org, datetime.date(2026, 2, 1), "committee_meeting")
    with django_assert_num_queries(3):
        result = compliance_for_organizations(Organization.objects.all(), start, end)
    assert len(result) == 40


def test_it_lists_whole_periods_only():
    """Periods cut by the window's edges are not counted."""
    spans = periods_within("month", datetime.date(2026, 1, 15), datetime.date(2026, 4, 30))
    assert [span.label for span in spans] == ["2026年2月", "2026年3月", "2026年4月"]
    assert last_full_quarter_before(datetime.date(2026, 1, 1)) == (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))


def test_it_leaves_out_periods_not_yet_begun(world):
    """as_of: on 15 Feb, March is not expected yet; February (in progress) and January are."""
    org = world["org_a"]
    _record(org, datetime.date(2026, 1, 9), "committee_meeting")
    compliance = compliance_for_organizations(
        [org], datetime.date(2026, 1, 1), datetime.date(2026, 3, 31), as_of=datetime.date(2026, 2, 15)
    )[org.pk]
    assert compliance.expected["committee_meeting"] == 2
    assert "支委会（2026年2月）" in compliance.missing
    assert not any("3月" in label for label in compliance.missing)
    assert compliance.expected["branch_assembly"] == 1  # the quarter has begun


def test_it_summarises_the_gaps_per_category(world):
    """missing_summary names each category once with its periods."""
    org = world["org_a"]
    compliance = compliance_for_organizations([org], datetime.date(2026, 1, 1), datetime.date(2026, 2, 28))[org.pk]
    assert "支委会（2026年1月、2026年2月）" in compliance.missing_summary
    assert compliance.missing_summary.count("支委会") == 1
