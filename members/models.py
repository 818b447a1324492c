from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from instructors.models import Gender
from partybuild.dates import add_years
from partybuild.scoping import Role, ScopedQuerySet, region_subtree_q
from partybuild.validators import age_on, birth_date_from_id, mask_id_number, validate_id_number


class PoliticalStatus(models.TextChoices):
    MASSES = "masses", "群众"
    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"
    TRANSFERRED_OUT = "transferred_out", "已转出"


# The pipeline in order, each stage with the milestone field that dates it.
PIPELINE = [
    (PoliticalStatus.APPLICANT, "applied_on"),
    (PoliticalStatus.ACTIVIST, "activist_on"),
    (PoliticalStatus.CANDIDATE, "candidate_on"),
    (PoliticalStatus.PROBATIONARY, "admitted_on"),
    (PoliticalStatus.FULL, "confirmed_on"),
]
MILESTONE_FIELDS = [field for _, field in PIPELINE]
MILESTONE_OF = dict(PIPELINE)
MEMBER_STATUSES = (PoliticalStatus.PROBATIONARY, PoliticalStatus.FULL)
MIN_APPLICANT_AGE = 18


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", "研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大学专科"
    SECONDARY = "secondary", "中专/高中"
    JUNIOR = "junior", "初中及以下"


def _milestones_in_order_condition():
    condition = Q()
    for i, earlier in enumerate(MILESTONE_FIELDS):
        for later in MILESTONE_FIELDS[i + 1 :]:
            condition &= Q(**{f"{earlier}__isnull": True}) | Q(**{f"{later}__isnull": True}) | Q(**{f"{earlier}__lte": F(later)})
    return condition


def _status_has_milestone_condition():
    condition = Q()
    for status, field in PIPELINE:
        condition &= ~Q(status=status) | Q(**{f"{field}__isnull": False})
    return condition & (~Q(status="transferred_out") | Q(transferred_out_on__isnull=False))


class PersonQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        if user.role in (Role.STAFF, Role.LEADER):
            return region_subtree_q(user, field="enterprise__region")
        if user.role == Role.SECRETARY and user.organization_id:
            from organizations.models import Coverage

            covered = Coverage.objects.open().filter(organization_id=user.organization_id).values("enterprise_id")
            return Q(organization_id=user.organization_id) | Q(enterprise_id__in=covered)
        return None

    def with_status_on(self, day):
        """Annotate ``status_on``: the pipeline status derived from milestone dates on ``day``."""
        return self.annotate(
            status_on=Case(
                When(transferred_out_on__lte=day, then=Value(PoliticalStatus.TRANSFERRED_OUT.value)),
                When(confirmed_on__lte=day, then=Value(PoliticalStatus.FULL.value)),
                When(admitted_on__lte=day, then=Value(PoliticalStatus.PROBATIONARY.value)),
                When(candidate_on__lte=day, then=Value(PoliticalStatus.CANDIDATE.value)),
                When(activist_on__lte=day, then=Value(PoliticalStatus.ACTIVIST.value)),
                When(applied_on__lte=day, then=Value(PoliticalStatus.APPLICANT.value)),
                default=Value(PoliticalStatus.MASSES.value),
                output_field=models.CharField(),
            )
        )

    def members_on(self, day):
        """Party members (probationary or full) on ``day``, from the milestone dates."""
        return self.filter(Q(admitted_on__lte=day) | Q(confirmed_on__lte=day)).exclude(transferred_out_on__lte=day)

    def full_members_on(self, day):
        return self.filter(confirmed_on__lte=day).exclude(transferred_out_on__lte=day)


class Person(models.Model):
    """One person working in an enterprise, Party member or not (the development pipeline)."""

    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=10, choices=Gender.choices, blank=True)
    id_number = models.CharField("身份证号", max_length=18, unique=True, validators=[validate_id_number])
    education = models.CharField("学历", max_length=20, choices=Education.choices, blank=True)
    phone = models.CharField("手机号码", max_length=20, blank=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="所在企业", on_delete=models.PROTECT, related_name="people"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="所在党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text="可为空：组织关系在别处",
    )
    status = models.CharField("政治面貌", max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES)
    applied_on = models.DateField("申请入党日期", null=True, blank=True)
    activist_on = models.DateField("确定积极分子日期", null=True, blank=True)
    candidate_on = models.DateField("确定发展对象日期", null=True, blank=True)
    admitted_on = models.DateField("入党日期", null=True, blank=True)
    confirmed_on = models.DateField("转正日期", null=True, blank=True)
    transferred_out_on = models.DateField("转出日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "党员及发展对象"
        verbose_name_plural = "党员及发展对象"
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["enterprise", "status"], name="person_enterprise_status"),
            models.Index(fields=["organization", "status"], name="person_org_status"),
            models.Index(fields=["admitted_on"], name="person_admitted_on"),
            models.Index(fields=["activist_on"], name="person_activist_on"),
        ]
        constraints = [
            models.CheckConstraint(name="person_milestones_in_order", condition=_milestones_in_order_condition()),
            models.CheckConstraint(name="person_status_has_milestone", condition=_status_has_milestone_condition()),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        today = timezone.localdate()
        birth = self.birth_date
        dates = [(field, getattr(self, field)) for field in MILESTONE_FIELDS]
        labels = {field: self._meta.get_field(field).verbose_name for field in MILESTONE_FIELDS + ["transferred_out_on"]}
        for field, value in dates + [("transferred_out_on", self.transferred_out_on)]:
            if value and value > today:
                errors[field] = f"{labels[field]}不能晚于今天"
        previous = None
        for field, value in dates:
            if value is None:
                continue
            if previous and value < previous[1] and field not in errors:
                errors[field] = f"{labels[field]}不能早于{labels[previous[0]]}"
            previous = (field, value)
        if birth and self.applied_on and age_on(birth, self.applied_on) < MIN_APPLICANT_AGE and "applied_on" not in errors:
            errors["applied_on"] = f"申请入党时须年满{MIN_APPLICANT_AGE}周岁（按身份证出生日期计算）"
        if self.status in MILESTONE_OF and not getattr(self, MILESTONE_OF[self.status]):
            field = MILESTONE_OF[self.status]
            errors.setdefault(field, f"政治面貌为“{self.get_status_display()}”时必须填写{labels[field]}")
        if self.status == PoliticalStatus.TRANSFERRED_OUT and not self.transferred_out_on:
            errors["transferred_out_on"] = "已转出人员必须填写转出日期"
        later = self._milestones_after_status()
        if later:
            errors.setdefault(later, f"政治面貌为“{self.get_status_display()}”，不应填写{labels[later]}")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.id_number:
            self.id_number = self.id_number.strip().upper()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("members:person_detail", args=[self.pk])

    def _milestones_after_status(self):
        """The first milestone dated beyond the declared status, if any."""
        if self.status not in MILESTONE_OF and self.status != PoliticalStatus.MASSES:
            return None
        stage = MILESTONE_FIELDS.index(MILESTONE_OF[self.status]) if self.status in MILESTONE_OF else -1
        for field in MILESTONE_FIELDS[stage + 1 :]:
            if getattr(self, field):
                return field
        return None

    @property
    def birth_date(self):
        return birth_date_from_id(self.id_number) if self.id_number else None

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)

    def id_number_for(self, user):
        return self.id_number if getattr(user, "sees_full_id", False) else self.masked_id_number

    def status_on(self, day):
        if self.transferred_out_on and self.transferred_out_on <= day:
            return PoliticalStatus.TRANSFERRED_OUT
        for status, field in reversed(PIPELINE):
            value = getattr(self, field)
            if value and value <= day:
                return status
        return PoliticalStatus.MASSES

    def is_member_on(self, day):
        return self.status_on(day) in MEMBER_STATUSES

    def next_stage(self):
        """(status, milestone field) of the next pipeline step, or None at the end."""
        if self.status == PoliticalStatus.MASSES:
            return PIPELINE[0]
        for index, (status, _) in enumerate(PIPELINE[:-1]):
            if self.status == status:
                return PIPELINE[index + 1]
        return None

    def pipeline_warnings(self, today=None):
        """Rules of 中国共产党发展党员工作细则 (2014) checked as warnings."""
        today = today or timezone.localdate()
        result = []
        if self.activist_on and self.candidate_on and self.candidate_on < add_years(self.activist_on, 1):
            result.append("积极分子培养不满一年即列为发展对象")
        if self.status == PoliticalStatus.PROBATIONARY and self.admitted_on and today > add_years(self.admitted_on, 1):
            result.append("预备期已满一年，转正逾期")
        return result


class PersonChildQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        people = Person.objects.for_user(user)
        return Q(person__in=people.values("pk")) if user.role in (Role.STAFF, Role.LEADER, Role.SECRETARY) else None


class EnterpriseRole(models.TextChoices):
    MAIN_INVESTOR = "main_investor", "主要出资人"
    MANAGEMENT = "management", "经营管理层"
    TECHNICAL = "technical", "技术骨干"
    UNION_CHAIR = "union_chair", "工会主席"
    LEAGUE_HEAD = "league_head", "团组织负责人"
    WOMEN_HEAD = "women_head", "妇委会主任"


# Heads of union, League and women's committee who are not members become 重点培养对象.
MASS_ORG_HEAD_ROLES = (EnterpriseRole.UNION_CHAIR, EnterpriseRole.LEAGUE_HEAD, EnterpriseRole.WOMEN_HEAD)


class PersonRole(models.Model):
    """企业职务: a person may hold several."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="roles")
    role = models.CharField("企业职务", max_length=20, choices=EnterpriseRole.choices)

    history = HistoricalRecords()
    objects = PersonChildQuerySet.as_manager()

    class Meta:
        verbose_name = "企业职务"
        verbose_name_plural = "企业职务"
        constraints = [models.UniqueConstraint(fields=["person", "role"], name="personrole_unique")]

    def __str__(self):
        return f"{self.person} {self.get_role_display()}"


class RecommendationKind(models.TextChoices):
    EMPLOYMENT = "employment", "推荐党员到非公企业就业"
    ADMISSION = "admission", "推荐优秀职工入党"
    MANAGEMENT = "management", "推荐优秀党员进入管理层"


class Recommendation(models.Model):
    """三推三培 events, dated."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE, related_name="recommendations")
    kind = models.CharField("类别", max_length=20, choices=RecommendationKind.choices)
    recommended_on = models.DateField("推荐日期")
    note = models.CharField("说明", max_length=255, blank=True)

    history = HistoricalRecords()
    objects = PersonChildQuerySet.as_manager()

    class Meta:
        verbose_name = "三推三培"
        verbose_name_plural = "三推三培"
        ordering = ["-recommended_on"]

    def __str__(self):
        return f"{self.person} {self.get_kind_display()}"

    def clean(self):
        if self.recommended_on and self.recommended_on > timezone.localdate():
            raise ValidationError({"recommended_on": "推荐日期不能晚于今天"})
