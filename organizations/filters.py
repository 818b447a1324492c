import django_filters
from django.db.models import Q

from organizations.models import Formation, Organization, OrgLevel, OrgStatus
from regions.filters import RegionSubtreeFilter, ScopedFilterSet, YesNoFilter


def _has_secretary():
    return Q(secretary__isnull=False)


class OrganizationFilter(ScopedFilterSet):
    """Filters of the organization list, reused by the Excel export."""

    search_fields = ("name__icontains", "parent_name__icontains", "host_unit__icontains")

    q = django_filters.CharFilter(method="search", label="搜索（名称/上级党组织）")
    region = RegionSubtreeFilter(field_name="region")
    level = django_filters.ChoiceFilter(choices=OrgLevel.choices, label="组织类别", empty_label="全部类别")
    formation = django_filters.ChoiceFilter(choices=Formation.choices, label="组建方式", empty_label="全部方式")
    status = django_filters.ChoiceFilter(choices=OrgStatus.choices, label="组织状态", empty_label="全部状态")
    has_secretary = YesNoFilter(condition=_has_secretary, label="已配备书记")
    o = django_filters.OrderingFilter(
        fields=(("name", "name"), ("founded_on", "founded_on"), ("region__path", "region"), ("last_election_on", "last_election_on")),
        label="排序",
    )

    class Meta(ScopedFilterSet.Meta):
        model = Organization
        fields = []
