from django import forms
from django.utils import timezone

from accounts.pages import ScopedModelForm, StyledForm
from enterprises.forms import EnterpriseCodeField
from members.models import Person
from organizations.models import SCHEME_ITEMS, DissolveReason, Organization, Pairing, Scheme


class OrganizationForm(ScopedModelForm):
    class Meta:
        model = Organization
        fields = ["name", "region", "parent_name", "founded_on", "level", "formation", "host_unit", "last_election_on"]


class OrganizationCreateForm(OrganizationForm):
    """Adding an organization may at once link the enterprise it is built in."""

    enterprise = EnterpriseCodeField(required=False, label="覆盖企业（统一社会信用代码）", help_text="可留空，之后在党组织页面添加覆盖企业")
    coverage_start_on = forms.DateField(required=False, label="覆盖开始日期", help_text="留空则为成立日期", widget=forms.DateInput)


class DissolveForm(StyledForm):
    dissolved_on = forms.DateField(label="撤销日期", widget=forms.DateInput)
    reason = forms.ChoiceField(label="撤销原因", choices=[("", "请选择")] + list(DissolveReason.choices))
    document = forms.CharField(label="撤销文号", max_length=100)


class CoverageForm(StyledForm):
    organization = forms.ModelChoiceField(label="党组织", queryset=Organization.objects.active())
    enterprise = EnterpriseCodeField(label="企业（统一社会信用代码或全称）")
    start_on = forms.DateField(label="覆盖开始日期", widget=forms.DateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["organization"].queryset = Organization.objects.for_user(user).active().select_related("region")


class EndDateForm(StyledForm):
    end_on = forms.DateField(label="结束日期", widget=forms.DateInput, initial=timezone.localdate)


class OfficersForm(StyledForm):
    secretary = forms.ModelChoiceField(label="书记", queryset=Person.objects.none(), required=False, empty_label="（暂缺）")
    deputy_secretary = forms.ModelChoiceField(label="副书记", queryset=Person.objects.none(), required=False, empty_label="（暂缺）")
    committee_members = forms.ModelMultipleChoiceField(
        label="委员", queryset=Person.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    last_election_on = forms.DateField(label="上次换届日期", required=False, widget=forms.DateInput)

    def __init__(self, *args, user, organization, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        register = Person.objects.for_user(user).filter(organization=organization).order_by("name", "pk")
        for name in ("secretary", "deputy_secretary", "committee_members"):
            self.fields[name].queryset = register
        self.fields["secretary"].help_text = "从本党组织党员名册中选择"


class EvaluationForm(StyledForm):
    """One evaluation: a met checkbox and a note per item of the scheme."""

    year = forms.IntegerField(label="年度", min_value=1949)
    evaluated_on = forms.DateField(label="评定日期", required=False, widget=forms.DateInput)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, scheme=Scheme.DOUBLE_STRONG_SIX_GOOD, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.scheme = scheme
        for code, label in SCHEME_ITEMS[scheme]:
            self.fields[f"met_{code}"] = forms.BooleanField(label=f"{label}：已达到", required=False)
            self.fields[f"note_{code}"] = forms.CharField(label=f"{label}：说明", required=False, max_length=255)
        self.fields["year"].initial = timezone.localdate().year
        # The styling mixin ran before the item fields existed.
        for code, _ in SCHEME_ITEMS[scheme]:
            self.fields[f"met_{code}"].widget.attrs["class"] = "form-check-input"
            self.fields[f"note_{code}"].widget.attrs["class"] = "form-control"

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError("评定年度不能晚于今年")
        return year

    def items(self):
        return {
            code: (self.cleaned_data.get(f"met_{code}", False), self.cleaned_data.get(f"note_{code}", ""))
            for code, _ in SCHEME_ITEMS[self.scheme]
        }


class PairingForm(ScopedModelForm):
    class Meta:
        model = Pairing
        fields = ["partner_organization", "partner_unit", "start_on", "end_on", "content"]

    def __init__(self, *args, user, organization, **kwargs):
        kwargs.setdefault("instance", Pairing(organization=organization))
        super().__init__(*args, user=user, **kwargs)
        self.fields["partner_organization"].help_text = "与本辖区其他党组织结对时选择；与外单位结对时填写结对单位"
