from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from partybuild.scoping import Role, ScopedQuerySet, region_subtree_q
from partybuild.validators import id_number_error, validate_mobile


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class InstructorSource(models.TextChoices):
    ORGAN = "organ", "机关在职"
    PUBLIC_INSTITUTION = "institution", "事业单位在职"
    RETIRED = "retired", "离任或退休干部"
    VETERAN = "veteran", "转业军人"
    LOCAL_LEADER = "local_leader", "所在地党政领导兼任"
    OTHER = "other", "其他"


def _enterprises_of_secretary(user):
    from organizations.models import Coverage

    return Coverage.objects.open().filter(organization_id=user.organization_id).values("enterprise_id")


class InstructorQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        if user.role in (Role.STAFF, Role.LEADER):
            return region_subtree_q(user)
        if user.role == Role.SECRETARY and user.organization_id:
            assigned = Assignment.objects.open().filter(enterprise_id__in=_enterprises_of_secretary(user))
            return Q(pk__in=assigned.values("instructor_id"))
        if user.role == Role.INSTRUCTOR and user.instructor_id:
            return Q(pk=user.instructor_id)
        return None


class Instructor(models.Model):
    """党建工作指导员 stationed in enterprises."""

    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=10, choices=Gender.choices, blank=True)
    phone = models.CharField("手机号码", max_length=11, unique=True, validators=[validate_mobile])
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    source = models.CharField("来源", max_length=20, choices=InstructorSource.choices, default=InstructorSource.ORGAN)
    work_unit = models.CharField("工作单位", max_length=200, blank=True)
    position = models.CharField("职务", max_length=100, blank=True)
    org_relation = models.CharField("组织关系所在", max_length=200, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name="所属区域", on_delete=models.PROTECT, related_name="instructors")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    history = HistoricalRecords()
    objects = InstructorQuerySet.as_manager()

    class Meta:
        verbose_name = "党建工作指导员"
        verbose_name_plural = "党建工作指导员"
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="instructor_unique_id_number"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.id_number:
            error = id_number_error(self.id_number)
            if error:
                raise ValidationError({"id_number": error})

    def get_absolute_url(self):
        return reverse("instructors:instructor_detail", args=[self.pk])

    @staticmethod
    def mode_for(active_assignment_count):
        """一对一 with one active assignment, 一对多 with several (derived, never stored)."""
        if active_assignment_count == 1:
            return "一对一"
        if active_assignment_count > 1:
            return "一对多"
        return "未派驻"


class InstructorWorkQuerySet(ScopedQuerySet):
    """Scope of rows tying an instructor to an enterprise (assignments, visits)."""

    def scope_q(self, user):
        if user.role in (Role.STAFF, Role.LEADER) and user.region_id:
            prefix = user.region.path
            return Q(enterprise__region__path__startswith=prefix) | Q(instructor__region__path__startswith=prefix)
        if user.role == Role.SECRETARY and user.organization_id:
            return Q(enterprise_id__in=_enterprises_of_secretary(user))
        if user.role == Role.INSTRUCTOR and user.instructor_id:
            return Q(instructor_id=user.instructor_id)
        return None


class AssignmentQuerySet(InstructorWorkQuerySet):
    def open(self):
        return self.filter(end_on__isnull=True)

    def active_on(self, day):
        return self.filter(Q(start_on__lte=day), Q(end_on__isnull=True) | Q(end_on__gt=day))


class Assignment(models.Model):
    """An instructor stationed in an enterprise from start_on until end_on (exclusive)."""

    instructor = models.ForeignKey(Instructor, verbose_name="指导员", on_delete=models.PROTECT, related_name="assignments")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT, related_name="assignments"
    )
    start_on = models.DateField("选派日期")
    end_on = models.DateField("结束日期", null=True, blank=True)

    history = HistoricalRecords()
    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "指导员选派"
        verbose_name_plural = "指导员选派"
        ordering = ["-start_on", "pk"]
        indexes = [
            models.Index(fields=["enterprise", "start_on", "end_on"], name="assignment_enterprise_dates"),
            models.Index(fields=["instructor", "end_on"], name="assignment_instructor_end"),
        ]
        constraints = [
            models.CheckConstraint(
                name="assignment_dates_in_order", condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on"))
            ),
            models.UniqueConstraint(
                fields=["instructor", "enterprise"], condition=Q(end_on__isnull=True), name="assignment_one_open_per_pair"
            ),
        ]

    def __str__(self):
        return f"{self.instructor} → {self.enterprise}"

    def clean(self):
        errors = {}
        if self.start_on and self.end_on and self.end_on < self.start_on:
            errors["end_on"] = "结束日期不能早于选派日期"
        if self.start_on and self.start_on > timezone.localdate():
            errors["start_on"] = "选派日期不能晚于今天"
        if self.instructor_id and self.enterprise_id and self.end_on is None:
            clash = Assignment.objects.open().filter(instructor_id=self.instructor_id, enterprise_id=self.enterprise_id)
            if clash.exclude(pk=self.pk).exists():
                errors["enterprise"] = "该指导员已派驻此企业"
        if errors:
            raise ValidationError(errors)


class GuidanceVisit(models.Model):
    """驻企指导记录: a guidance visit logged by an instructor."""

    instructor = models.ForeignKey(Instructor, verbose_name="指导员", on_delete=models.PROTECT, related_name="visits")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("指导日期")
    content = models.TextField("指导内容")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.SET_NULL)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    history = HistoricalRecords()
    objects = InstructorWorkQuerySet.as_manager()

    class Meta:
        verbose_name = "驻企指导记录"
        verbose_name_plural = "驻企指导记录"
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["enterprise", "visited_on"], name="visit_enterprise_date")]

    def __str__(self):
        return f"{self.instructor} {self.visited_on} {self.enterprise}"

    def clean(self):
        if self.visited_on and self.visited_on > timezone.localdate():
            raise ValidationError({"visited_on": "指导日期不能晚于今天"})
