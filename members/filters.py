import django_filters
from django import forms

from instructors.models import Gender
from members.models import Education, Person, PoliticalStatus
from regions.filters import RegionSubtreeFilter, ScopedFilterSet


class PersonFilter(ScopedFilterSet):
    """Filters of the people register, reused by the Excel export."""

    search_fields = ("name__icontains", "phone__icontains")
    code_fields = ("id_number",)

    q = django_filters.CharFilter(method="search", label="搜索（姓名/身份证号/手机）")
    region = RegionSubtreeFilter(field_name="enterprise__region")
    status = django_filters.ChoiceFilter(choices=PoliticalStatus.choices, label="政治面貌", empty_label="全部")
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label="性别", empty_label="不限")
    education = django_filters.ChoiceFilter(choices=Education.choices, label="学历", empty_label="不限")
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", widget=forms.HiddenInput)
    organization = django_filters.NumberFilter(field_name="organization_id", widget=forms.HiddenInput)
    o = django_filters.OrderingFilter(
        fields=(("name", "name"), ("applied_on", "applied_on"), ("admitted_on", "admitted_on"), ("enterprise__name", "enterprise")),
        label="排序",
    )

    class Meta(ScopedFilterSet.Meta):
        model = Person
        fields = []
