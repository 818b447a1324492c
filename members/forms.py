from django import forms

from accounts.pages import ScopedModelForm, StyledForm
from enterprises.forms import EnterpriseCodeField
from members.models import EnterpriseRole, Person, Recommendation


class PersonForm(ScopedModelForm):
    enterprise = EnterpriseCodeField(label="所在企业（统一社会信用代码或全称）")

    class Meta:
        model = Person
        fields = [
            "name", "gender", "id_number", "education", "phone", "enterprise", "organization", "status",
            "applied_on", "activist_on", "candidate_on", "admitted_on", "confirmed_on", "transferred_out_on",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["organization"].queryset = self.fields["organization"].queryset.active()
        self.fields["status"].help_text = "发展阶段变化请使用人员页面上的“推进发展阶段”"


class AdvanceForm(StyledForm):
    on = forms.DateField(label="日期", widget=forms.DateInput)

    def __init__(self, *args, user=None, label="日期", **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["on"].label = label


class RolesForm(StyledForm):
    roles = forms.MultipleChoiceField(
        label="企业职务", choices=EnterpriseRole.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class RecommendationForm(ScopedModelForm):
    class Meta:
        model = Recommendation
        fields = ["kind", "recommended_on", "note"]
