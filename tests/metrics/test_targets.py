"""Targets against figures: nearest override wins, deadlines from plan start / every year / fixed, status words."""

import datetime

import pytest

from metrics.models import Target
from metrics.selectors import STATUS_MET, STATUS_MISSED, STATUS_PENDING, region_figures, target_statuses

from .worlds import D, Y, build_town


def status_of(region, indicator, as_of=D):
    figures = region_figures(None, region, as_of=as_of, year=as_of.year)
    return {status.indicator: status for status in target_statuses(figures)}[indicator]


@pytest.mark.django_db
def test_it_takes_the_deadline_from_the_nearest_plan_start(world):
    """The city's plan start 2023-01-01 + 2 years: 双强六好 at 25% is 进行中 in 2024, 未达标 in 2025."""
    build_town(world)
    world["city"].plan_start = datetime.date(2023, 1, 1)
    world["city"].save()
    pending = status_of(world["town_a"], "evaluations.double_strong_six_good_rate")
    assert pending.deadline == datetime.date(2025, 1, 1)
    assert pending.status == STATUS_PENDING and pending.band == "warning"
    assert pending.value_display == "25%" and pending.target_display == "≥ 60%"
    assert pending.gap_display == "差 35.00 个百分点"
    assert pending.time_left == "剩余 185 天（2025-01-01）"
    missed = status_of(world["town_a"], "evaluations.double_strong_six_good_rate", as_of=datetime.date(2025, 3, 1))
    assert missed.status == STATUS_MISSED and missed.time_left == "已于 2025-01-01 到期"


@pytest.mark.django_db
def test_it_lets_the_nearest_region_override_win(world):
    """District override 20%, township override 25%: the township's wins and is met (达标)."""
    build_town(world)
    Target.objects.create(indicator="evaluations.double_strong_six_good_rate", region=world["district"], value="0.2")
    Target.objects.create(indicator="evaluations.double_strong_six_good_rate", region=world["town_a"], value="0.25")
    status = status_of(world["town_a"], "evaluations.double_strong_six_good_rate")
    assert status.target.region == world["town_a"]
    assert status.status == STATUS_MET and status.gap_display == "—"
    district = status_of(world["district"], "evaluations.double_strong_six_good_rate")
    assert district.target.region == world["district"]


@pytest.mark.django_db
def test_it_reads_every_year_targets_at_the_end_of_the_year(world):
    """新发展党员 5–8 per township, every year: 1 in 甪直镇 by 30 June is 进行中 until 31 December."""
    build_town(world)
    status = status_of(world["town_a"], "members.new_in_year")
    assert status.deadline == datetime.date(Y, 12, 31)
    assert status.value_display == "1" and status.target_display == "5～8名"
    assert status.status == STATUS_PENDING and status.gap_display == "差 4"
    assert status.label == "当年新发展党员数"
    above = status_of(world["district"], "members.new_in_year")
    assert above.label == "当年新发展党员数（平均每镇）" and above.value_display == "0.5"


@pytest.mark.django_db
def test_it_shows_no_status_word_for_an_empty_denominator(regions):
    """No enterprise with 100+ staff: the rate is — and the target 无数据, never 达标."""
    status = status_of(regions["town_a"], "coverage.staff100_org_rate")
    assert status.value_display == "—" and status.status == "无数据"
