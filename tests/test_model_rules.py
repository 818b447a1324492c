"""Absolute rules in the database, advisory ones in clean(): regions, enterprises, instructors,
accounts, archives and targets (organizations and members have their own files)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from archives.models import ActivityRecord, MeetingRequirement, YearClosing
from enterprises.models import Enterprise
from instructors.models import Assignment, Instructor
from metrics.models import Target
from partybuild.scoping import Role
from partybuild.testdata import make_credit_code
from regions.models import Region, RegionStat

D = datetime.date


def refused_by_database(callable_):
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            callable_()


def test_it_keeps_the_materialised_path_when_a_branch_moves(regions):
    """Moving a district rewrites every descendant's path and depth in one statement."""
    other_city = Region.objects.create(code="320600", name="南通市", kind="city")
    district = regions["district"]
    district.parent = other_city
    district.save()
    town = Region.objects.get(pk=regions["town_a"].pk)
    assert town.path == "320600/320506/320506101/"
    assert town.depth == 2
    assert list(Region.objects.subtree(other_city).values_list("code", flat=True)) == [
        "320600", "320506", "320506101", "320506102"
    ]
    assert [r.code for r in town.ancestors()] == ["320600", "320506"]


def test_it_refuses_a_region_under_its_own_descendant(regions):
    district = regions["district"]
    district.parent = regions["town_a"]
    with pytest.raises(ValidationError, match="上级区域不能是本区域或其下级区域"):
        district.full_clean()


def test_it_refuses_duplicate_region_codes_and_region_statistics(regions):
    refused_by_database(lambda: Region.objects.create(code="320500", name="重复", kind="city"))
    RegionStat.objects.create(region=regions["city"], year=2003, total_members=363254, new_members=9060)
    refused_by_database(lambda: RegionStat.objects.create(region=regions["city"], year=2003, total_members=1, new_members=0))
    refused_by_database(lambda: RegionStat.objects.create(region=regions["city"], year=2004, total_members=1, new_members=5))


def test_it_refuses_a_duplicate_or_invalid_credit_code(regions):
    code = make_credit_code(7, "320506")
    Enterprise.objects.create(name="甲", credit_code=code, region=regions["town_a"])
    refused_by_database(lambda: Enterprise.objects.create(name="乙", credit_code=code, region=regions["town_a"]))
    with pytest.raises(ValidationError) as caught:
        Enterprise(name="丙", credit_code="91350100M000100Y44", region=regions["town_a"]).full_clean()
    assert caught.value.message_dict["credit_code"] == ["统一社会信用代码校验位错误"]


def test_it_dates_a_status_change(regions):
    company = Enterprise.objects.create(name="甲", credit_code=make_credit_code(8, "320506"), region=regions["town_a"],
                                        status_changed_on=D(2010, 1, 1))
    company.status = "closed"
    company.save()
    assert company.status_changed_on > D(2020, 1, 1)
    assert company.is_registered is False
    assert Enterprise.objects.registered().filter(pk=company.pk).exists() is False


def test_it_refuses_an_introduction_date_without_the_flag(regions):
    refused_by_database(lambda: Enterprise.objects.create(
        name="甲", credit_code=make_credit_code(9, "320506"), region=regions["town_a"], introduced_on=D(2020, 1, 1)))


def test_it_refuses_instructor_duplicates_and_assignments_ending_before_they_start(world):
    instructor, company = world["instructor_a"], world["ent_a"]
    refused_by_database(lambda: Instructor.objects.create(name="重复", phone=instructor.phone, region=world["town_a"]))
    refused_by_database(lambda: Assignment.objects.create(instructor=instructor, enterprise=company, start_on=D(2020, 1, 1)))
    refused_by_database(lambda: Assignment.objects.create(instructor=instructor, enterprise=world["ent_b"],
                                                          start_on=D(2020, 1, 1), end_on=D(2019, 1, 1)))
    with pytest.raises(ValidationError, match="手机号码应为11位"):
        Instructor(name="x", phone="123", region=world["town_a"]).full_clean()
    assert Instructor.mode_for(1) == "一对一" and Instructor.mode_for(3) == "一对多"


def test_it_keeps_each_account_anchored_as_its_role_says(world):
    """The database refuses a staff account without a region; save() drops anchors of other roles."""
    user = User(username="x", role=Role.SECRETARY, organization=world["org_a"], region=world["town_a"])
    user.save()
    assert user.region is None and user.organization == world["org_a"] and not user.is_staff
    refused_by_database(lambda: User.objects.filter(pk=user.pk).update(role=Role.STAFF))
    with pytest.raises(ValidationError, match="工作人员和领导账户必须指定所属区域"):
        User(username="y", role=Role.STAFF).clean()


def test_it_refuses_more_present_than_expected_at_an_activity(world):
    record = ActivityRecord(organization=world["org_a"], held_on=D(2024, 3, 1), category="committee_meeting",
                            title="支委会", expected_attendance=5, actual_attendance=6)
    with pytest.raises(ValidationError, match="实到人数不能多于应到人数"):
        record.full_clean()
    refused_by_database(record.save)


def test_it_closes_a_year_for_a_whole_subtree(world, users):
    record = ActivityRecord.objects.create(organization=world["org_a"], held_on=D(2024, 3, 1),
                                           category="committee_meeting", title="支委会")
    assert not record.year_closed
    YearClosing.objects.create(region=world["district"], year=2024, closed_by=users["staff"])
    assert record.year_closed
    refused_by_database(lambda: YearClosing.objects.create(region=world["district"], year=2024))


def test_it_ships_the_meeting_frequencies_and_default_targets_as_data(db):
    assert dict(MeetingRequirement.objects.values_list("category", "period")) == {
        "branch_assembly": "quarter", "committee_meeting": "month", "group_meeting": "month",
        "party_lecture": "quarter", "theme_day": "month", "org_life_meeting": "year", "member_review": "year",
    }
    defaults = {t.indicator: t for t in Target.objects.filter(region__isnull=True)}
    assert len(defaults) == 10
    assert str(defaults["evaluations.double_strong_six_good_rate"].value) == "0.6000"
    assert defaults["members.new_in_year"].comparison == "between" and defaults["members.new_in_year"].value_max == 8
    refused_by_database(lambda: Target.objects.create(indicator="sites.six_have_rate", value=1))
    refused_by_database(lambda: Target.objects.create(indicator="members.new_in_year", comparison="between", value=5,
                                                      ))
