"""Shared fixtures: a small region tree, one enterprise world per township, and users of every role.

World: 苏州市 (city) → 吴中区 (district) → 甪直镇 / 木渎镇 (townships).
- ``ent_a`` in 甪直镇 is covered by ``org_a`` (standalone), has instructor ``instructor_a``.
- ``ent_b`` in 木渎镇 is covered by ``org_b`` (standalone), has instructor ``instructor_b``.
Users: staff/leader anchored at 甪直镇 (in scope for A, out of scope for B), a district leader,
secretary of org_a, instructor_a's account, and an admin.
"""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps

from accounts.models import User
from enterprises.models import Enterprise
from instructors.models import Assignment, Instructor
from members.models import Person
from organizations.models import Coverage, Organization
from partybuild.scoping import Role
from partybuild.testdata import make_credit_code, make_id_number
from regions.models import Region

PASSWORD = "Test-password-2026"

# Rows that data migrations ship (default targets, meeting frequencies). A transactional test
# (live_server, transaction=True) flushes every table when it ends, so they are put back.
SHIPPED_DATA = ["metrics.migrations.0002_default_targets", "archives.migrations.0003_default_meeting_requirements"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: a rolled-back test database may reuse the ids (and so
    the data version, metrics/cache.py) of an earlier test's rows."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def shipped_data(request):
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if names & {"transactional_db", "live_server"} or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker:
        request.getfixturevalue("db")
    else:
        return
    from metrics.models import Target

    if not Target.objects.filter(region__isnull=True).exists():
        for module in SHIPPED_DATA:
            importlib.import_module(module).create_defaults(django_apps, None)


@pytest.fixture
def regions(db):
    city = Region.objects.create(code="320500", name="苏州市", kind="city")
    district = Region.objects.create(code="320506", name="吴中区", kind="district", parent=city)
    town_a = Region.objects.create(code="320506101", name="甪直镇", kind="township", parent=district)
    town_b = Region.objects.create(code="320506102", name="木渎镇", kind="township", parent=district)
    return {"city": city, "district": district, "town_a": town_a, "town_b": town_b}


def _world(region, serial, name):
    enterprise = Enterprise.objects.create(
        name=f"{name}科技有限公司", credit_code=make_credit_code(serial, region.code[:6]), region=region, employees=120
    )
    org = Organization.objects.create(
        name=f"{name}科技有限公司党支部", region=region, founded_on=datetime.date(2015, 7, 1)
    )
    Coverage.objects.create(organization=org, enterprise=enterprise, start_on=datetime.date(2015, 7, 1))
    instructor = Instructor.objects.create(name=f"{name}指导员", phone=f"1390000{serial:04d}", region=region)
    Assignment.objects.create(instructor=instructor, enterprise=enterprise, start_on=datetime.date(2016, 1, 1))
    person = Person.objects.create(
        name=f"{name}党员",
        id_number=make_id_number(serial, datetime.date(1980, 5, 1)),
        enterprise=enterprise,
        organization=org,
        status="full",
        applied_on=datetime.date(2005, 1, 1),
        admitted_on=datetime.date(2007, 1, 1),
        confirmed_on=datetime.date(2008, 1, 1),
    )
    return enterprise, org, instructor, person


@pytest.fixture
def world(regions):
    ent_a, org_a, instructor_a, person_a = _world(regions["town_a"], 1, "甪直")
    ent_b, org_b, instructor_b, person_b = _world(regions["town_b"], 2, "木渎")
    return {
        **regions,
        "ent_a": ent_a, "org_a": org_a, "instructor_a": instructor_a, "person_a": person_a,
        "ent_b": ent_b, "org_b": org_b, "instructor_b": instructor_b, "person_b": person_b,
    }


def make_user(username, role, **anchor):
    user = User(username=username, role=role, **anchor)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def users(world):
    """One user of each role; all anchored in or at 甪直镇 (town A) except the district leader and admin."""
    return {
        "staff": make_user("staff_a", Role.STAFF, region=world["town_a"]),
        "leader": make_user("leader_a", Role.LEADER, region=world["town_a"]),
        "district_leader": make_user("leader_d", Role.LEADER, region=world["district"]),
        "secretary": make_user("secretary_a", Role.SECRETARY, organization=world["org_a"]),
        "instructor": make_user("instructor_a", Role.INSTRUCTOR, instructor=world["instructor_a"]),
        "admin": make_user("admin", Role.ADMIN),
        "staff_b": make_user("staff_b", Role.STAFF, region=world["town_b"]),
    }
