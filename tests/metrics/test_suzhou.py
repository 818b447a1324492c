"""The Suzhou-shaped data set reproduces the 2003 report through ``coverage_report --json``."""

import io
import json

import pytest
from django.core.management import call_command

from bench.suzhou import AS_OF, PUBLISHED, expected_figures


def report_json(**options):
    out = io.StringIO()
    call_command("coverage_report", "--json", stdout=out, **options)
    return json.loads(out.getvalue())


def flatten(data, prefix=""):
    flat = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def build_and_report(scale):
    from bench.suzhou import build

    build(scale)
    return flatten(report_json(region="320500", as_of=AS_OF.isoformat(), year=2003))


@pytest.mark.django_db
def test_it_scales_every_published_figure_as_designed():
    """At 1/100 scale each published count is round(count / 100) and the rates stay exact where designed."""
    figures = build_and_report(0.01)
    expected = expected_figures(0.01)
    assert {key: figures[key] for key in expected} == expected
    assert expected["enterprises.registered"] == round(PUBLISHED["registered"] / 100)
    assert expected["enterprises.operating"] == 582 + 55 + 1893


@pytest.mark.cityscale
@pytest.mark.django_db
def test_it_reproduces_the_2003_suzhou_report_at_scale_1():
    """Scale 1 gives every figure of the right-hand column of indicators.md exactly."""
    figures = build_and_report(1.0)
    assert figures["enterprises.registered"] == 289_513
    assert figures["enterprises.operating"] == 252_963
    assert figures["enterprises.operating_by_kind.private"] == 58_199
    assert figures["enterprises.operating_by_kind.foreign_invested"] == 5_491
    assert figures["enterprises.operating_by_kind.individual"] == 189_273
    assert figures["orgs.total"] == 4_033
    assert figures["orgs.standalone"] == 3_167
    assert figures["orgs.joint"] == 866
    assert figures["coverage.org_rate.num"] == 10_547
    assert figures["coverage.should_build_rate.rate"] == 1.0
    assert figures["instructors.total"] == 6_930
    assert figures["instructors.enterprises_covered"] == 70_498
    assert figures["instructors.staff25_rate.num"] == figures["instructors.staff25_rate.den"] == 20_755
    assert figures["members.total"] == 56_595
    assert f"{figures['members.share_of_region.rate'] * 100:.2f}%" == "15.58%"
    assert figures["members.new_in_year"] == 1_880
    assert f"{figures['members.new_share_of_region.rate'] * 100:.2f}%" == "20.75%"


@pytest.mark.django_db
def test_it_runs_the_city_dashboard_and_report_in_the_same_number_of_queries_at_10x(client):
    """Scale 0.001 and scale 0.01 (ten times the rows): the same query count for both."""
    from accounts.models import User
    from bench.suzhou import build
    from django.core.management import call_command
    from django.db import transaction

    from .helpers import QueryCounter

    admin = User.objects.create(username="bench_admin", role="admin")
    client.force_login(admin)
    url = f"/metrics/?region=320500&as_of={AS_OF.isoformat()}&year={AS_OF.year}"
    counts = []
    for scale in (0.001, 0.01):
        sid = transaction.savepoint()
        build(scale)
        with QueryCounter() as dashboard:
            assert client.get(url).status_code == 200
        with QueryCounter() as report:
            call_command("coverage_report", "--json", region="320500", as_of=AS_OF.isoformat(), year=2003, stdout=io.StringIO())
        counts.append((len(dashboard), len(report)))
        transaction.savepoint_rollback(sid)
    assert counts[0] == counts[1], counts
