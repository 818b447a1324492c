"""Filters shared by every list page: a region picker that selects a whole subtree."""

import re

import django_filters
from django import forms
from django.db.models import Q

from accounts.pages import StyledFormMixin
from regions.models import Region


CODE_RE = re.compile(r"^[0-9A-Za-z]{18}$")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * obj.depth}{obj.name}"


def regions_for_request(request):
    # Without a request (e.g. a management command) any region may narrow an already scoped list.
    if request is None:
        return Region.objects.all()
    return Region.objects.for_user(request.user)


class RegionSubtreeFilter(django_filters.ModelChoiceFilter):
    """Rows whose region (``field_name``) lies in the chosen region's subtree."""

    field_class = RegionChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", regions_for_request)
        kwargs.setdefault("label", "所属区域")
        kwargs.setdefault("empty_label", "全部区域")
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.filter(**{f"{self.field_name}__path__startswith": value.path})


class YesNoFilter(django_filters.ChoiceFilter):
    """是/否 filter whose meaning is a Q given by ``condition`` (evaluated per request)."""

    def __init__(self, *args, condition=None, **kwargs):
        kwargs.setdefault("choices", [("yes", "是"), ("no", "否")])
        kwargs.setdefault("empty_label", "不限")
        self.condition = condition
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if value not in ("yes", "no"):
            return queryset
        condition = self.condition()
        return queryset.filter(condition) if value == "yes" else queryset.exclude(condition)


class StyledFilterForm(StyledFormMixin, forms.Form):
    pass


class ScopedFilterSet(django_filters.FilterSet):
    """Base of every list FilterSet: Bootstrap-styled form; ``q`` searches several columns."""

    search_fields = ()
    # Codes stored upper-case (credit code, ID number): matched exactly on their unique index.
    code_fields = ()

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        if self.code_fields and CODE_RE.match(value):
            # An 18-character code: only the unique index, no scan of names (289,513 rows).
            condition = Q()
            for field in self.code_fields:
                condition |= Q(**{field: value.upper()})
            return queryset.filter(condition)
        condition = Q()
        for lookup in self.search_fields:
            condition |= Q(**{lookup: value})
        return queryset.filter(condition)

    class Meta:
        form = StyledFilterForm
