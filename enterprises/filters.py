import django_filters

from enterprises.models import Enterprise, EnterpriseKind, EnterpriseStatus
from enterprises.selectors import covered_condition, instructed_condition
from regions.filters import RegionSubtreeFilter, ScopedFilterSet, YesNoFilter

STAFF_BANDS = [("25", "25人以上"), ("50", "50人以上"), ("100", "100人以上")]


class EnterpriseFilter(ScopedFilterSet):
    """Filters of the enterprise list, reused by the Excel export."""

    search_fields = ("name__icontains", "phone__icontains", "legal_representative__icontains")
    code_fields = ("credit_code",)

    q = django_filters.CharFilter(method="search", label="搜索（名称/信用代码/电话）")
    region = RegionSubtreeFilter(field_name="region")
    kind = django_filters.ChoiceFilter(choices=EnterpriseKind.choices, label="企业类别", empty_label="全部类别")
    status = django_filters.ChoiceFilter(choices=EnterpriseStatus.choices, label="经营状态", empty_label="全部状态")
    staff = django_filters.ChoiceFilter(choices=STAFF_BANDS, method="filter_staff", label="职工人数", empty_label="不限")
    covered = YesNoFilter(condition=covered_condition, label="已建党组织（覆盖）")
    instructed = YesNoFilter(condition=instructed_condition, label="已派指导员")
    o = django_filters.OrderingFilter(
        fields=(("name", "name"), ("credit_code", "credit_code"), ("employees", "employees"), ("region__path", "region")),
        label="排序",
    )

    class Meta(ScopedFilterSet.Meta):
        model = Enterprise
        fields = []

    def filter_staff(self, queryset, name, value):
        return queryset.filter(employees__gte=int(value)) if value else queryset
