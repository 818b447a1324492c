from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from organizations.models import organization_scope_q
from partybuild.scoping import Role, ScopedQuerySet, region_subtree_q


class Category(models.TextChoices):
    BRANCH_ASSEMBLY = "branch_assembly", "支部党员大会"
    COMMITTEE_MEETING = "committee_meeting", "支委会"
    GROUP_MEETING = "group_meeting", "党小组会"
    PARTY_LECTURE = "party_lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    ORG_LIFE_MEETING = "org_life_meeting", "组织生活会"
    MEMBER_REVIEW = "member_review", "民主评议党员"
    STUDY_TRAINING = "study_training", "学习培训"
    CULTURE_SPORTS = "culture_sports", "文体活动"
    PAIRING = "pairing", "结对共建"
    WORKER_RIGHTS = "worker_rights", "职工权益与劳动关系"
    OTHER = "other", "其他"


# 三会一课 proper (支部党员大会、支委会、党小组会、党课).
THREE_MEETINGS_ONE_LESSON = (
    Category.BRANCH_ASSEMBLY,
    Category.COMMITTEE_MEETING,
    Category.GROUP_MEETING,
    Category.PARTY_LECTURE,
)


class Period(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    YEAR = "year", "每年"


class MeetingRequirementQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        return Q()  # settings are readable by every signed-in role


class MeetingRequirement(models.Model):
    """Expected frequency of a category for a branch (支部工作条例（试行）, 2018). Settings, not constants."""

    category = models.CharField("活动类别", max_length=30, choices=Category.choices, unique=True)
    period = models.CharField("周期", max_length=10, choices=Period.choices)
    times = models.PositiveSmallIntegerField("次数", default=1, validators=[MinValueValidator(1)])

    history = HistoricalRecords()
    objects = MeetingRequirementQuerySet.as_manager()

    class Meta:
        verbose_name = "组织生活频次要求"
        verbose_name_plural = "组织生活频次要求"
        ordering = ["pk"]
        constraints = [models.CheckConstraint(name="meetingrequirement_times_positive", condition=Q(times__gte=1))]

    def __str__(self):
        return f"{self.get_category_display()} {self.get_period_display()}{self.times}次"


class ActivityRecordQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        return organization_scope_q(user, prefix="organization__")


class ActivityRecord(models.Model):
    """活动记录: one activity of an organization, with photos and attachments."""

    organization = models.ForeignKey(
        "organizations.Organization", verbose_name="党组织", on_delete=models.PROTECT, related_name="activities"
    )
    held_on = models.DateField("日期")
    category = models.CharField("类别", max_length=30, choices=Category.choices)
    title = models.CharField("标题", max_length=200)
    location = models.CharField("地点", max_length=200, blank=True)
    expected_attendance = models.PositiveIntegerField("应到人数", null=True, blank=True)
    actual_attendance = models.PositiveIntegerField("实到人数", null=True, blank=True)
    host = models.CharField("主持/主讲", max_length=100, blank=True)
    content = models.TextField("内容/纪要", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()
    objects = ActivityRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "活动记录"
        verbose_name_plural = "活动记录"
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["organization", "held_on"], name="activity_org_date"),
            models.Index(fields=["organization", "category", "held_on"], name="activity_org_cat_date"),
        ]
        constraints = [
            models.CheckConstraint(
                name="activity_actual_le_expected",
                condition=Q(expected_attendance__isnull=True)
                | Q(actual_attendance__isnull=True)
                | Q(actual_attendance__lte=models.F("expected_attendance")),
            ),
        ]

    def __str__(self):
        return f"{self.held_on} {self.title}"

    def clean(self):
        errors = {}
        if self.held_on and self.held_on > timezone.localdate():
            errors["held_on"] = "活动日期不能晚于今天"
        if (
            self.expected_attendance is not None
            and self.actual_attendance is not None
            and self.actual_attendance > self.expected_attendance
        ):
            errors["actual_attendance"] = "实到人数不能多于应到人数"
        if self.organization_id and self.held_on:
            org = self.organization
            if org.founded_on and self.held_on < org.founded_on:
                errors["held_on"] = "活动日期不能早于党组织成立日期"
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("archives:record_detail", args=[self.pk])

    @property
    def year_closed(self):
        """Whether staff closed this record's year for its region (secretaries may then only read)."""
        return YearClosing.is_closed(self.organization.region, self.held_on.year)


def photo_path(instance, filename):
    return f"private/activities/{instance.record.organization_id}/{instance.record.held_on:%Y}/{filename}"


class RecordChildQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        return organization_scope_q(user, prefix="record__organization__")


class ActivityPhoto(models.Model):
    record = models.ForeignKey(ActivityRecord, verbose_name="活动记录", on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("照片", upload_to=photo_path)
    thumbnail = models.ImageField("缩略图", upload_to=photo_path, blank=True)
    caption = models.CharField("说明", max_length=200, blank=True)
    taken_at = models.DateTimeField("拍摄时间", null=True, blank=True)
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    history = HistoricalRecords()
    objects = RecordChildQuerySet.as_manager()

    class Meta:
        verbose_name = "活动照片"
        verbose_name_plural = "活动照片"
        ordering = ["pk"]

    def __str__(self):
        return self.caption or self.original_name or f"照片 {self.pk}"


class ActivityAttachment(models.Model):
    record = models.ForeignKey(ActivityRecord, verbose_name="活动记录", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to=photo_path)
    name = models.CharField("文件名", max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    history = HistoricalRecords()
    objects = RecordChildQuerySet.as_manager()

    class Meta:
        verbose_name = "活动附件"
        verbose_name_plural = "活动附件"
        ordering = ["pk"]

    def __str__(self):
        return self.name


class YearClosingQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        if user.role in (Role.STAFF, Role.LEADER):
            return region_subtree_q(user)
        return None


class YearClosing(models.Model):
    """A year's archive closed for a region subtree: its records are read-only to secretaries."""

    region = models.ForeignKey("regions.Region", verbose_name="区域", on_delete=models.PROTECT, related_name="closed_years")
    year = models.PositiveSmallIntegerField("年度")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="关账人", null=True, on_delete=models.SET_NULL)
    closed_at = models.DateTimeField("关账时间", auto_now_add=True)

    history = HistoricalRecords()
    objects = YearClosingQuerySet.as_manager()

    class Meta:
        verbose_name = "年度关账"
        verbose_name_plural = "年度关账"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="yearclosing_unique_region_year")]

    def __str__(self):
        return f"{self.region} {self.year}年度"

    @classmethod
    def is_closed(cls, region, year):
        """Closed when this region or any ancestor closed the year: one query."""
        return cls.objects.filter(year=year, region__path__in=region.ancestor_paths()).exists()


def export_path(instance, filename):
    return f"private/exports/{instance.requested_by_id}/{filename}"


class ArchiveExportQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        """Only the requester, and only while the archive is still in their scope."""
        from organizations.models import Organization
        from regions.models import Region

        in_scope = Q(organization__in=Organization.objects.for_user(user).values("pk")) | Q(
            region__in=Region.objects.for_user(user).values("pk")
        )
        return Q(requested_by=user) & in_scope


class ArchiveExport(models.Model):
    """A zip export of an organization's (or a township's) archive for one year, built in the background."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.CASCADE, related_name="archive_exports"
    )
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name="党组织", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name="区域", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField("记录总数", default=0)
    done = models.PositiveIntegerField("已处理", default=0)
    file = models.FileField("压缩包", upload_to=export_path, blank=True)
    error = models.TextField("错误信息", blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = ArchiveExportQuerySet.as_manager()

    class Meta:
        verbose_name = "档案导出"
        verbose_name_plural = "档案导出"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="archiveexport_one_target",
                condition=Q(organization__isnull=False, region__isnull=True)
                | Q(organization__isnull=True, region__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.organization or self.region} {self.year}年度档案"

    def get_absolute_url(self):
        return reverse("archives:export_detail", args=[self.pk])

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
