"""coverage_report: JSON keyed as indicators.md, a Chinese table, a Chinese error for an unknown region."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from metrics.selectors import region_figures, warning_rows

from .worlds import D, build_town, person


@pytest.mark.django_db
def test_it_prints_one_json_object_keyed_as_the_spec(world):
    """Nested keys as the table of indicators.md; rates as num/den/rate."""
    build_town(world)
    out = io.StringIO()
    call_command("coverage_report", "--json", region=world["town_a"].code, as_of=D.isoformat(), year=2024, stdout=out)
    data = json.loads(out.getvalue())
    assert data["enterprises"]["operating_by_kind"] == {"private": 4, "foreign_invested": 1, "individual": 2, "market": 1}
    assert data["coverage"]["org_rate"] == {"num": 3, "den": 8, "rate": 0.375}
    for section, keys in {
        "enterprises": ["registered", "operating", "operating_by_kind"],
        "orgs": ["total", "standalone", "joint", "by_level"],
        "coverage": ["org_rate", "standalone_rate", "should_build_rate", "two_coverage_rate", "staff100_org_rate"],
        "instructors": ["total", "enterprises_covered", "staff25_rate"],
        "members": ["total", "full", "probationary", "share_of_region", "new_in_year", "new_share_of_region",
                    "staff50_rate", "activists", "activist_training_rate"],
        "evaluations": ["double_strong_six_good_rate", "five_good_rate"],
        "sites": ["six_have_rate"],
        "meetings": ["compliance_rate"],
        "terms": ["overdue"],
    }.items():
        assert set(keys) <= set(data[section]), section


@pytest.mark.django_db
def test_it_prints_a_readable_chinese_table(world):
    build_town(world)
    out = io.StringIO()
    call_command("coverage_report", region=world["town_a"].code, as_of=D.isoformat(), stdout=out)
    text = out.getvalue()
    assert "甪直镇（320506101）非公企业党建情况" in text
    assert "党组织覆盖率" in text and "37.50%（3/8）" in text
    assert "应建已建率" in text


@pytest.mark.django_db
def test_it_refuses_an_unknown_region_in_chinese(regions):
    """Unknown region → CommandError (exit status 1) with a Chinese message."""
    with pytest.raises(CommandError, match="区域代码“000000”不存在"):
        call_command("coverage_report", region="000000", stdout=io.StringIO())
    with pytest.raises(CommandError, match="日期“2024-13-01”格式错误"):
        call_command("coverage_report", as_of="2024-13-01", stdout=io.StringIO())


@pytest.mark.django_db
def test_it_reads_a_year_after_29_february_as_add_years_does(world):
    """Activist on 2020-02-29: a candidate on 2021-02-28 waited a full year; on 2021-02-27 did not."""
    ent = world["ent_a"]
    day = datetime.date(2021, 6, 1)
    person(ent, "闰日甲", "candidate", activist_on=datetime.date(2020, 2, 29), candidate_on=datetime.date(2021, 2, 28))
    person(ent, "闰日乙", "candidate", activist_on=datetime.date(2020, 2, 29), candidate_on=datetime.date(2021, 2, 27))
    names = {p.name for p in warning_rows(None, world["town_a"], "pipeline", as_of=day).queryset}
    assert names == {"闰日乙"}
    assert region_figures(None, world["town_a"], as_of=day).warning_counts["pipeline"] == 1
