"""Cached dashboard figures, never stale.

A city dashboard costs about a second of database work at city scale, and leaders open the same
few dashboards over and over while the data changes far more rarely. The figures of a region
subtree (``region_report`` with the month trend's member dates, and the ``trend``) are kept in
Django's cache (Redis when ``CACHE_URL`` is set, shared by every app server), under a key made of:

- the **data version**: one query reading the newest change of every table the indicators are
  computed from. Every write in this system leaves a django-simple-history row (forms, services,
  admin, imports, deletions), so any change to that data gives a new version and the old entries
  are simply never read again (they expire after ``CACHE_SECONDS``). The highest primary key of
  each base table is read too, so rows written without history (bulk loads of a new database)
  also change the version;
- the **scope** of the user (role and anchor, not the user: two leaders of one township share
  their entries), the region, the as-of date, the year and the trend's step;
- the database's name, so two databases behind one cache never meet.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from archives.models import ActivityRecord, MeetingRequirement
from enterprises.models import Enterprise
from instructors.models import Assignment, Instructor
from members.models import Person, PersonRole
from organizations.models import ActivitySite, Coverage, Evaluation, EvaluationItem, Organization
from regions.models import Region, RegionStat

from . import selectors
from .models import Target

# Every table an indicator, a target or a warning count reads.
SOURCE_MODELS = (
    Region,
    RegionStat,
    Enterprise,
    Organization,
    Coverage,
    ActivitySite,
    Evaluation,
    EvaluationItem,
    Instructor,
    Assignment,
    Person,
    PersonRole,
    MeetingRequirement,
    ActivityRecord,
    Target,
)
CACHE_SECONDS = getattr(settings, "METRICS_CACHE_SECONDS", 900)


def _version_sql():
    quote = connection.ops.quote_name
    parts = []
    for model in SOURCE_MODELS:
        for table, column in (
            (model._meta.db_table, model._meta.pk.column),
            (model.history.model._meta.db_table, "history_id"),
        ):
            parts.append(f"(SELECT MAX({quote(column)}) FROM {quote(table)})")
    return "SELECT " + ", ".join(parts)


def data_version():
    """A short fingerprint of the newest row and newest change of every source table (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql())
        row = cursor.fetchone()
    return hashlib.blake2b(repr(row).encode(), digest_size=8).hexdigest()


def scope_key(user):
    """What ``for_user`` depends on; ``None`` (the command line) sees everything."""
    if user is None:
        return "all"
    if user.is_admin:
        return "admin"
    return f"{user.role}:{user.region_id}:{user.organization_id}:{user.instructor_id}"


def dashboard_data(user, region, as_of, year, by="month"):
    """``(RegionReport, Trend)`` of ``region`` for ``user``: from the cache when nothing changed."""
    key = ":".join(
        [
            "metrics-dashboard",
            str(connection.settings_dict["NAME"]),
            data_version(),
            scope_key(user),
            str(region.pk),
            region.path,
            as_of.isoformat(),
            str(year),
            by,
        ]
    )
    key = "metrics:" + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
    found = cache.get(key)
    if found is not None:
        return found
    dates = selectors.trend_dates(as_of, by)
    report = selectors.region_report(user, region, as_of, year, member_dates=dates)
    trend = selectors.trend(user, region, as_of, by=by, members=report.total.members_on(dates))
    cache.set(key, (report, trend), CACHE_SECONDS)
    return report, trend


def region_figures(user, region, as_of, year):
    """The figures of ``region`` (the dashboard's entry, shared with it)."""
    return dashboard_data(user, region, as_of, year)[0].total
