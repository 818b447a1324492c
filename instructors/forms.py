from django import forms

from accounts.pages import ScopedModelForm, StyledForm
from enterprises.forms import EnterpriseCodeField
from instructors.models import Instructor


class InstructorForm(ScopedModelForm):
    class Meta:
        model = Instructor
        fields = ["name", "gender", "phone", "id_number", "source", "work_unit", "position", "org_relation", "region"]


class AssignmentForm(StyledForm):
    instructor = forms.ModelChoiceField(label="指导员", queryset=Instructor.objects.none())
    enterprise = EnterpriseCodeField(label="企业（统一社会信用代码或全称）")
    start_on = forms.DateField(label="选派日期", widget=forms.DateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["instructor"].queryset = Instructor.objects.for_user(user)
        self.fields["instructor"].label_from_instance = lambda obj: f"{obj.name}（{obj.phone}）"
