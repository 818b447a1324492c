"""Helpers shared by the page tests (tests/<app>/test_views.py)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enterprises.models import Enterprise
from instructors.models import Assignment, Instructor
from members.models import Person
from organizations.models import Coverage, Organization
from partybuild.testdata import make_credit_code, make_id_number

# Roles of tests/conftest.py users: in scope for town A objects, except staff_b.
ROLES = ["staff", "leader", "secretary", "instructor", "admin", "staff_b"]


def status_for(client, user, url, method="get", data=None):
    client.force_login(user)
    response = getattr(client, method)(url, data or {})
    return response.status_code


def statuses(client, users, objects, name, key):
    """The status each role in ROLES gets for GET of ``name`` (about ``objects[key]`` if given)."""
    path = url(name, objects[key].pk) if key else url(name)
    return [status_for(client, users[role], path) for role in ROLES]


def url(name, *args):
    return reverse(name, args=args)


def queries_for(client, path):
    """Number of SQL statements one GET of ``path`` runs (the client is signed in)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


def pin_queries(django_assert_num_queries, client, path, count, grow):
    """GET ``path`` runs exactly ``count`` statements, before and after ``grow()`` adds rows."""
    with django_assert_num_queries(count):
        client.get(path)
    grow()
    with django_assert_num_queries(count):
        client.get(path)


def make_enterprise(region, serial, **fields):
    return Enterprise.objects.create(
        name=f"测试企业{serial}有限公司", credit_code=make_credit_code(1000 + serial, region.code[:6]), region=region, **fields
    )


def make_organization(region, serial, **fields):
    fields.setdefault("founded_on", datetime.date(2018, 1, 1))
    return Organization.objects.create(name=f"测试党组织{serial}", region=region, **fields)


def make_person(enterprise, serial, organization=None, member=True):
    dates = (
        {"status": "full", "applied_on": datetime.date(2010, 1, 1), "admitted_on": datetime.date(2012, 1, 1), "confirmed_on": datetime.date(2013, 1, 1)}
        if member
        else {}
    )
    return Person.objects.create(
        name=f"人员{serial}",
        id_number=make_id_number(100 + serial, datetime.date(1985, 1, 1) + datetime.timedelta(days=serial)),
        enterprise=enterprise,
        organization=organization,
        **dates,
    )


def grow_town(region, count, start=0):
    """``count`` enterprises, each covered by its own organization, with an instructor and a member."""
    for serial in range(start, start + count):
        enterprise = make_enterprise(region, serial, employees=30 + serial)
        org = make_organization(region, serial)
        Coverage.objects.create(organization=org, enterprise=enterprise, start_on=datetime.date(2018, 1, 1))
        instructor = Instructor.objects.create(name=f"指导员{serial}", phone=f"1380000{serial:04d}", region=region)
        Assignment.objects.create(instructor=instructor, enterprise=enterprise, start_on=datetime.date(2019, 1, 1))
        make_person(enterprise, serial, organization=org)
