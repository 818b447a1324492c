from django.db.models import OuterRef
from django.utils import timezone

from enterprises.selectors import count_subquery
from instructors.models import Assignment


def instructor_list_queryset(queryset, day=None):
    day = day or timezone.localdate()
    return queryset.select_related("region").annotate(
        active_assignment_count=count_subquery(Assignment.objects.active_on(day).filter(instructor=OuterRef("pk"))),
    )
