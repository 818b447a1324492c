from django import forms

from regions.models import Region

from .models import Target


class ReportFilterForm(forms.Form):
    """Date and year of a report; both optional (defaults: today and its year)."""

    as_of = forms.DateField(label="统计日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    year = forms.IntegerField(label="统计年度", required=False, min_value=1949, max_value=2100)
    by = forms.ChoiceField(label="趋势", required=False, choices=[("month", "按月"), ("year", "按年")])


class TargetForm(forms.ModelForm):
    """A region's override of a default target. Regions are limited to the user's subtree."""

    class Meta:
        model = Target
        fields = [
            "indicator",
            "region",
            "comparison",
            "value",
            "value_max",
            "deadline_kind",
            "years_after_plan_start",
            "deadline",
            "document",
            "note",
        ]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].queryset = Region.objects.for_user(user)
        for bound in self.fields.values():
            css = "form-select" if isinstance(bound.widget, forms.Select) else "form-control"
            bound.widget.attrs.setdefault("class", css)
        if not user.is_admin:
            self.fields["region"].required = True
            self.fields["region"].empty_label = None

    def clean_region(self):
        region = self.cleaned_data.get("region")
        if region is None and not self.user.is_admin:
            raise forms.ValidationError("请选择适用区域（默认目标只能由系统管理员修改）")
        return region
