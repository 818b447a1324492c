from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from partybuild.scoping import Role, ScopedQuerySet, region_subtree_q
from partybuild.validators import validate_credit_code


class EnterpriseKind(models.TextChoices):
    PRIVATE = "private", "私营企业"
    FOREIGN_INVESTED = "foreign_invested", "外商投资企业"
    INDIVIDUAL = "individual", "个体工商户"
    MARKET = "market", "专业市场"


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", "在营（开业）"
    NOT_STARTED = "not_started", "未开业/筹建"
    SUSPENDED = "suspended", "停业/停产"
    CLOSED = "closed", "已关闭（吊销/注销/迁出）"


class EnterpriseQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        if user.role in (Role.STAFF, Role.LEADER):
            return region_subtree_q(user)
        if user.role == Role.SECRETARY and user.organization_id:
            from organizations.models import Coverage

            return Q(pk__in=Coverage.objects.open().filter(organization_id=user.organization_id).values("enterprise_id"))
        if user.role == Role.INSTRUCTOR and user.instructor_id:
            from instructors.models import Assignment

            return Q(pk__in=Assignment.objects.open().filter(instructor_id=user.instructor_id).values("enterprise_id"))
        return None

    def registered(self):
        """E_reg: every enterprise whose status is not closed."""
        return self.exclude(status=EnterpriseStatus.CLOSED)

    def operating(self):
        return self.filter(status=EnterpriseStatus.OPERATING)


class Enterprise(models.Model):
    """非公企业: one registered non-public economic organisation."""

    name = models.CharField("企业名称", max_length=200)
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code]
    )
    region = models.ForeignKey("regions.Region", verbose_name="所属区域", on_delete=models.PROTECT, related_name="enterprises")
    address = models.CharField("住所", max_length=255, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=100, blank=True)
    main_investor = models.CharField("主要出资人", max_length=200, blank=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    industry = models.CharField("所属行业", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    kind = models.CharField("企业类别", max_length=20, choices=EnterpriseKind.choices, default=EnterpriseKind.PRIVATE)
    registry_type = models.CharField("企业类型（登记原文）", max_length=100, blank=True)
    status = models.CharField(
        "经营状态", max_length=20, choices=EnterpriseStatus.choices, default=EnterpriseStatus.OPERATING
    )
    status_changed_on = models.DateField("状态变更日期", null=True, blank=True)
    employees = models.PositiveIntegerField("职工人数", null=True, blank=True)
    has_fixed_premises = models.BooleanField("是否有固定经营场所", default=True)
    is_newly_introduced = models.BooleanField("是否新引进企业", default=False)
    introduced_on = models.DateField("引进日期", null=True, blank=True)
    has_trade_union = models.BooleanField("是否建立工会", default=False)
    has_youth_league = models.BooleanField("是否建立共青团", default=False)
    has_women_committee = models.BooleanField("是否建立妇委会", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()
    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["status", "kind"], name="enterprise_status_kind"),
            models.Index(fields=["region", "status"], name="enterprise_region_status"),
            models.Index(fields=["employees"], name="enterprise_employees"),
            models.Index(fields=["name"], name="enterprise_name"),
        ]
        constraints = [
            models.CheckConstraint(
                name="enterprise_introduced_needs_flag",
                condition=Q(introduced_on__isnull=True) | Q(is_newly_introduced=True),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.founded_on and self.founded_on > today:
            errors["founded_on"] = "成立日期不能晚于今天"
        if self.status_changed_on and self.status_changed_on > today:
            errors["status_changed_on"] = "状态变更日期不能晚于今天"
        if self.introduced_on and not self.is_newly_introduced:
            errors["introduced_on"] = "只有新引进企业才填写引进日期"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        if self.pk:
            previous = Enterprise.objects.filter(pk=self.pk).values_list("status", "status_changed_on").first()
            # A status change without an explicit new date is dated today.
            if previous and previous[0] != self.status and self.status_changed_on == previous[1]:
                self.status_changed_on = timezone.localdate()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("enterprises:enterprise_detail", args=[self.pk])

    @property
    def is_registered(self):
        return self.status != EnterpriseStatus.CLOSED
