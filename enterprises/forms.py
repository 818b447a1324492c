from django import forms
from django.core.exceptions import ValidationError

from accounts.pages import ScopedModelForm
from enterprises.models import Enterprise


class EnterpriseCodeField(forms.CharField):
    """Picks an enterprise in the user's scope by 统一社会信用代码 (or exact name).

    A select of every enterprise would not load at city scale (289,513 rows). The form sets
    ``user`` (StyledFormMixin) so lookups stay inside the user's scope.
    """

    scoped_by_user = True

    def __init__(self, *, user=None, **kwargs):
        self.user = user
        kwargs.setdefault("label", "企业（统一社会信用代码或全称）")
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Enterprise):
            return value.credit_code
        if isinstance(value, int):
            # A prefilled ?enterprise=<pk> shows the code only for an enterprise in the user's scope.
            scoped = Enterprise.objects.for_user(self.user) if self.user is not None else Enterprise.objects.none()
            return scoped.filter(pk=value).values_list("credit_code", flat=True).first() or ""
        return value

    def clean(self, value):
        value = super().clean(value)
        value = (value or "").strip()
        if not value:
            return None
        scoped = Enterprise.objects.for_user(self.user)
        match = scoped.filter(credit_code=value.upper()).first()
        if match is None:
            by_name = list(scoped.filter(name=value)[:2])
            if len(by_name) > 1:
                raise ValidationError("有多家同名企业，请填写统一社会信用代码")
            match = by_name[0] if by_name else None
        if match is None:
            raise ValidationError("在您的管辖范围内找不到该企业，请核对统一社会信用代码")
        return match


class EnterpriseForm(ScopedModelForm):
    class Meta:
        model = Enterprise
        fields = [
            "name", "credit_code", "region", "kind", "registry_type", "status", "status_changed_on",
            "address", "legal_representative", "main_investor", "founded_on", "industry", "phone",
            "employees", "has_fixed_premises", "is_newly_introduced", "introduced_on",
            "has_trade_union", "has_youth_league", "has_women_committee",
        ]
