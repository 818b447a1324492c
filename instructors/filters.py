import django_filters
from django.db.models import Exists, OuterRef
from django.utils import timezone

from instructors.models import Assignment, Instructor, InstructorSource
from regions.filters import RegionSubtreeFilter, ScopedFilterSet, YesNoFilter


def _assigned():
    return Exists(Assignment.objects.active_on(timezone.localdate()).filter(instructor=OuterRef("pk")))


class InstructorFilter(ScopedFilterSet):
    """Filters of the instructor list, reused by the Excel export."""

    search_fields = ("name__icontains", "phone__icontains", "work_unit__icontains")
    code_fields = ("id_number",)

    q = django_filters.CharFilter(method="search", label="搜索（姓名/手机/身份证号/单位）")
    region = RegionSubtreeFilter(field_name="region")
    source = django_filters.ChoiceFilter(choices=InstructorSource.choices, label="来源", empty_label="全部来源")
    assigned = YesNoFilter(condition=_assigned, label="正在派驻")
    o = django_filters.OrderingFilter(
        fields=(("name", "name"), ("region__path", "region"), ("created_at", "created_at")), label="排序"
    )

    class Meta(ScopedFilterSet.Meta):
        model = Instructor
        fields = []
