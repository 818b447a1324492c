from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from partybuild.scoping import Role, ScopedQuerySet


class Indicator(models.TextChoices):
    TWO_COVERAGE_RATE = "coverage.two_coverage_rate", "两个覆盖率"
    SHOULD_BUILD_RATE = "coverage.should_build_rate", "应建已建率"
    ORG_RATE = "coverage.org_rate", "党组织覆盖率"
    STAFF100_ORG_RATE = "coverage.staff100_org_rate", "职工100人以上企业建立党组织比例"
    DOUBLE_STRONG_SIX_GOOD_RATE = "evaluations.double_strong_six_good_rate", "“双强六好”达标率"
    FIVE_GOOD_RATE = "evaluations.five_good_rate", "“五个好”达标率"
    STAFF50_RATE = "members.staff50_rate", "职工50人以上企业有党员比例"
    STAFF25_RATE = "instructors.staff25_rate", "职工25人以上企业选派指导员比例"
    NEW_IN_YEAR = "members.new_in_year", "当年新发展党员数"
    ACTIVIST_TRAINING_RATE = "members.activist_training_rate", "企业培养入党积极分子比例"
    SIX_HAVE_RATE = "sites.six_have_rate", "“六有”阵地达标率"
    MEETINGS_COMPLIANCE_RATE = "meetings.compliance_rate", "三会一课落实率"


class Comparison(models.TextChoices):
    AT_LEAST = "gte", "不低于"
    AT_MOST = "lte", "不高于"
    BETWEEN = "between", "介于"


class DeadlineKind(models.TextChoices):
    NONE = "none", "长期"
    AFTER_PLAN_START = "after_plan_start", "规划起始后若干年"
    EVERY_YEAR = "every_year", "每年"
    FIXED_DATE = "fixed_date", "指定日期"


class TargetQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        """Targets that apply to the user's region: global ones, its ancestors' and its subtree's."""
        if user.role in (Role.STAFF, Role.LEADER) and user.region_id:
            region = user.region
            return (
                Q(region__isnull=True)
                | Q(region__path__in=region.ancestor_paths())
                | Q(region__path__startswith=region.path)
            )
        if user.role == Role.SECRETARY and user.organization_id:
            region = user.organization.region
            return Q(region__isnull=True) | Q(region__path__in=region.ancestor_paths())
        return None

    def applying_to(self, region):
        """Targets in force for ``region``: the nearest region's override wins, in Python by the caller."""
        return self.filter(Q(region__isnull=True) | Q(region__path__in=region.ancestor_paths())).select_related("region")


class Target(models.Model):
    """A target is data: indicator, value, deadline, region (empty = everywhere), source document."""

    indicator = models.CharField("指标", max_length=60, choices=Indicator.choices)
    comparison = models.CharField("比较方式", max_length=10, choices=Comparison.choices, default=Comparison.AT_LEAST)
    value = models.DecimalField("目标值", max_digits=12, decimal_places=4, help_text="比率以小数表示，如 0.6 表示 60%")
    value_max = models.DecimalField("目标上限", max_digits=12, decimal_places=4, null=True, blank=True)
    deadline_kind = models.CharField("期限类型", max_length=20, choices=DeadlineKind.choices, default=DeadlineKind.NONE)
    years_after_plan_start = models.PositiveSmallIntegerField("规划起始后年数", null=True, blank=True)
    deadline = models.DateField("截止日期", null=True, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name="适用区域", null=True, blank=True, on_delete=models.CASCADE, related_name="targets",
        help_text="为空表示全部区域",
    )
    document = models.CharField("依据文件", max_length=255, blank=True)
    note = models.CharField("说明", max_length=255, blank=True)

    history = HistoricalRecords()
    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = "目标"
        verbose_name_plural = "目标"
        ordering = ["indicator", "region__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator"], condition=Q(region__isnull=True), name="target_one_default_per_indicator"
            ),
            models.UniqueConstraint(fields=["indicator", "region"], name="target_one_per_indicator_region"),
            models.CheckConstraint(
                name="target_between_has_max",
                condition=~Q(comparison="between") | Q(value_max__isnull=False, value_max__gte=models.F("value")),
            ),
            models.CheckConstraint(
                name="target_deadline_complete",
                condition=~Q(deadline_kind="fixed_date") | Q(deadline__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_indicator_display()} {self.get_comparison_display()} {self.value}"

    def clean(self):
        errors = {}
        if self.comparison == Comparison.BETWEEN and (self.value_max is None or self.value_max < self.value):
            errors["value_max"] = "“介于”类目标须填写不小于目标值的上限"
        if self.deadline_kind == DeadlineKind.FIXED_DATE and not self.deadline:
            errors["deadline"] = "请填写截止日期"
        if self.deadline_kind == DeadlineKind.AFTER_PLAN_START and not self.years_after_plan_start:
            errors["years_after_plan_start"] = "请填写规划起始后的年数"
        if errors:
            raise ValidationError(errors)
