from django import forms
from django.utils import timezone

from accounts.pages import ScopedModelForm, StyledForm
from instructors.models import GuidanceVisit
from organizations.models import ActivitySite, Organization, RegionalCentre, SiteItem
from regions.models import Region

from .models import ActivityRecord, Category


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (phones pick several photos at once); content checks live in photos.py."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def photo_input(label="照片"):
    return MultipleFileField(
        label=label,
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment", "class": "form-control", "data-photo-input": "1"}),
        help_text="可一次选择多张；支持 JPEG、PNG、WebP、HEIC，单张不超过 20 MB。位置等拍摄信息会被自动去除。",
    )


def captions_from(data, count, prefix="caption_", fallback="captions"):
    """Per-photo captions: ``caption_0``, ``caption_1`` ... (added by archives.js) or one per line."""
    lines = [line.strip() for line in (data.get(fallback) or "").splitlines()]
    return [(data.get(f"{prefix}{index}") or (lines[index] if index < len(lines) else "")).strip() for index in range(count)]


class RecordForm(ScopedModelForm):
    photos = photo_input()
    captions = forms.CharField(
        label="照片说明", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="每行一条，按所选照片的顺序。"
    )
    attachments = MultipleFileField(
        label="附件",
        widget=MultipleFileInput(attrs={"accept": ".pdf,.doc,.docx,.xls,.xlsx", "class": "form-control"}),
        help_text="PDF、Word、Excel（按文件内容识别），单个不超过 30 MB。",
    )

    class Meta:
        model = ActivityRecord
        fields = [
            "organization", "held_on", "category", "title", "location",
            "expected_attendance", "actual_attendance", "host", "content",
        ]
        widgets = {"held_on": forms.DateInput(), "content": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user, fixed_organization=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fixed_organization = fixed_organization
        if fixed_organization is not None:
            del self.fields["organization"]
            self.instance.organization = fixed_organization
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("held_on", timezone.localdate())
        self.fields["expected_attendance"].widget.attrs["inputmode"] = "numeric"
        self.fields["actual_attendance"].widget.attrs["inputmode"] = "numeric"


class PhotoAddForm(StyledForm):
    photos = photo_input("添加照片")
    captions = forms.CharField(label="照片说明", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="每行一条，按所选照片的顺序。")


class RecordFilterForm(StyledForm):
    organization = forms.ModelChoiceField(label="党组织", queryset=Organization.objects.none(), required=False, empty_label="全部党组织")
    year = forms.IntegerField(label="年度", required=False, min_value=1921, max_value=2100)
    category = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别"), *Category.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.for_user(user).only("pk", "name")


class ExportForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=1921, max_value=2100)


class RegionExportForm(StyledForm):
    region = forms.ModelChoiceField(label="区域", queryset=Region.objects.none())
    year = forms.IntegerField(label="年度", min_value=1921, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.for_user(user)


class YearCloseForm(RegionExportForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.initial.setdefault("region", user.region_id)
        self.initial.setdefault("year", timezone.localdate().year - 1)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError("不能关账尚未到来的年度")
        return year


class SiteForm(ScopedModelForm):
    class Meta:
        model = ActivitySite
        fields = ["address", "area", "has_place", "has_facilities", "has_sign", "has_flag", "has_books", "has_rules"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in SiteItem:
            self.fields[f"photos_{item.value}"] = photo_input(f"{item.label}照片")
            self.fields[f"photos_{item.value}"].help_text = ""


class CentreForm(ScopedModelForm):
    class Meta:
        model = RegionalCentre
        fields = ["name", "region", "address", "area", "opened_on", "organizations"]
        widgets = {"opened_on": forms.DateInput(), "organizations": forms.CheckboxSelectMultiple()}


class VisitForm(ScopedModelForm):
    class Meta:
        model = GuidanceVisit
        fields = ["enterprise", "visited_on", "content"]
        widgets = {"visited_on": forms.DateInput(), "content": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("visited_on", timezone.localdate())
