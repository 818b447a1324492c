"""Reads about organizations that span relations; each a fixed number of queries."""

from django.db.models import OuterRef
from django.utils import timezone

from enterprises.selectors import count_subquery
from members.models import Person
from organizations.models import Coverage


def organization_list_queryset(queryset, day=None):
    day = day or timezone.localdate()
    return queryset.select_related("region", "secretary").annotate(
        enterprise_count=count_subquery(Coverage.objects.open().filter(organization=OuterRef("pk")), "organization"),
        member_count=count_subquery(Person.objects.members_on(day).filter(organization=OuterRef("pk")), "organization"),
        full_member_count=count_subquery(Person.objects.full_members_on(day).filter(organization=OuterRef("pk")), "organization"),
    )
