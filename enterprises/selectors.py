"""Reads about enterprises that span relations; each a fixed number of queries."""

from django.db.models import Exists, F, Func, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from instructors.models import Assignment
from members.models import Person
from organizations.models import Coverage


def covered_condition(day=None):
    """Exists: an active-on-``day`` coverage link to an organization active on ``day``."""
    day = day or timezone.localdate()
    return Exists(
        Coverage.objects.active_on(day).filter(
            enterprise=OuterRef("pk"),
            organization__founded_on__lte=day,
        ).exclude(organization__dissolved_on__lte=day)
    )


def instructed_condition(day=None):
    day = day or timezone.localdate()
    return Exists(Assignment.objects.active_on(day).filter(enterprise=OuterRef("pk")))


def count_subquery(queryset):
    """A correlated COUNT as an annotation (NetBox's count_related), never N+1.

    A plain COUNT() (not Django's Count aggregate) adds no GROUP BY, so SQLite keeps using the
    index on the correlated column instead of scanning the table for every row.
    """
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def enterprise_list_queryset(queryset, day=None):
    day = day or timezone.localdate()
    open_link = Coverage.objects.open().filter(enterprise=OuterRef("pk"))
    return queryset.select_related("region").annotate(
        organization_id_open=Subquery(open_link.values("organization_id")[:1]),
        organization_name_open=Subquery(open_link.values("organization__name")[:1]),
        instructor_count=count_subquery(Assignment.objects.active_on(day).filter(enterprise=OuterRef("pk"))),
        member_count=count_subquery(Person.objects.members_on(day).filter(enterprise=OuterRef("pk"))),
    )
