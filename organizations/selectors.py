"""Reads about organizations that span relations; each a fixed number of queries."""

from django.db.models import Count, OuterRef
from django.utils import timezone

from enterprises.selectors import count_subquery
from members.models import Person
from organizations.models import Coverage


def organization_list_queryset(queryset):
    return queryset.select_related("region", "secretary").annotate(
        enterprise_count=count_subquery(Coverage.objects.open().filter(organization=OuterRef("pk"))),
    )


def add_member_counts(organizations, day=None):
    """Set ``member_count`` and ``full_member_count`` on the given organizations: two queries.

    Counted for the shown rows only, so the cost does not depend on how the planner rates the
    people table's organization index (a correlated subquery per row would).
    """
    day = day or timezone.localdate()
    people = Person.objects.filter(organization_id__in=[org.pk for org in organizations])

    def per_organization(queryset):
        rows = queryset.values("organization_id").annotate(n=Count("pk")).order_by()
        return {row["organization_id"]: row["n"] for row in rows}

    members = per_organization(people.members_on(day))
    full = per_organization(people.full_members_on(day))
    for org in organizations:
        org.member_count = members.get(org.pk, 0)
        org.full_member_count = full.get(org.pk, 0)
