"""bench/generate_city.py at a small scale: deterministic, in the import formats, and imports cleanly."""

import datetime

from bench.generate_city import HEADERS, Plan, iter_enterprises, iter_members, write_kind
from enterprises.models import Enterprise
from imports.engine import run_import
from instructors.models import Assignment
from members.models import Person
from organizations.models import Coverage, Organization

SCALE = 0.005


def test_it_is_deterministic_and_keyed_by_the_chinese_headers():
    """Two runs give the same rows; each row has exactly its kind's headers."""
    first = list(iter_enterprises(SCALE))
    assert first == list(iter_enterprises(SCALE))
    assert list(first[0]) == HEADERS["enterprises"]
    assert list(next(iter_members(SCALE))) == HEADERS["members"]


def test_it_imports_every_file_in_order_without_error_with_the_planned_shape(db, tmp_path):
    """regions → enterprises → organizations → instructors → members → region_stats all import cleanly."""
    plan = Plan(SCALE)
    for kind in ["regions", "enterprises", "organizations", "instructors", "members", "region_stats"]:
        result = run_import(kind, str(write_kind(kind, SCALE, tmp_path)))
        assert result.ok, (kind, result.errors[:3])
    assert Enterprise.objects.operating().count() == plan.operating
    assert Enterprise.objects.registered().count() == plan.operating + plan.not_operating
    assert Organization.objects.filter(formation="standalone").count() == plan.standalone
    assert Organization.objects.filter(formation="joint").count() == plan.joint
    assert Coverage.objects.open().values("enterprise").distinct().count() == plan.covered
    assert Assignment.objects.open().values("enterprise").distinct().count() == plan.instructed
    assert Person.objects.members_on(datetime.date(2003, 12, 31)).count() == plan.members
    covered = set(Coverage.objects.open().values_list("enterprise_id", flat=True))
    with_three_full = {
        row["enterprise_id"]
        for row in Person.objects.full_members_on(datetime.date(2003, 12, 31)).values("enterprise_id")
    }
    assert with_three_full <= covered
