from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm

from accounts.models import ROLES_STAFF_MAY_CREATE, User
from accounts.pages import ScopedModelForm, StyledForm
from accounts.services import password_errors
from partybuild.scoping import Role


class UserForm(ScopedModelForm):
    """Role and anchor: staff create roles below them with an anchor inside their subtree."""

    class Meta:
        model = User
        fields = ["username", "first_name", "phone", "role", "region", "organization", "instructor"]
        labels = {"first_name": "姓名"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        allowed = [choice for choice in Role.choices if user.is_admin or choice[0] in ROLES_STAFF_MAY_CREATE]
        self.fields["role"].choices = allowed
        self.fields["region"].help_text = "工作人员、领导账户填写"
        self.fields["organization"].help_text = "书记账户填写"
        self.fields["instructor"].help_text = "指导员账户填写"
        self.fields["organization"].queryset = self.fields["organization"].queryset.active()


class UserCreateForm(UserForm):
    password1 = forms.CharField(label="初始密码", widget=forms.PasswordInput, help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label="确认密码", widget=forms.PasswordInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", "两次输入的密码不一致")
        return cleaned


class SetPasswordForm(StyledForm):
    new_password1 = forms.CharField(label="新密码", widget=forms.PasswordInput, help_text=password_validation.password_validators_help_text_html())
    new_password2 = forms.CharField(label="确认新密码", widget=forms.PasswordInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_password1") and cleaned.get("new_password1") != cleaned.get("new_password2"):
            self.add_error("new_password2", "两次输入的密码不一致")
        return cleaned


class ChinesePasswordChangeForm(PasswordChangeForm):
    """Django's own password change, with every validator message in Chinese."""

    def validate_password_for_user(self, user, password_field_name="password2"):
        password = self.cleaned_data.get(password_field_name)
        if password:
            for message in password_errors(password, user):
                self.add_error(password_field_name, message)
