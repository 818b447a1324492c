from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from partybuild.dates import add_years
from partybuild.scoping import Role, ScopedQuerySet, region_subtree_q


class OrgLevel(models.TextChoices):
    COMMITTEE = "committee", "党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"


class Formation(models.TextChoices):
    STANDALONE = "standalone", "单独组建"
    JOINT = "joint", "联合组建"
    HOSTED = "hosted", "依托组建"


class OrgStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    DISSOLVED = "dissolved", "已撤销"


class DissolveReason(models.TextChoices):
    CLOSED = "closed", "企业停产关闭"
    MERGED = "merged", "合并"
    TOO_FEW_MEMBERS = "too_few", "党员不足"
    OTHER = "other", "其他"


# 中办《关于党的基层组织任期的意见》(2018): 党委 5 years, 党总支 and 党支部 3 years.
TERM_YEARS = {OrgLevel.COMMITTEE: 5, OrgLevel.GENERAL_BRANCH: 3, OrgLevel.BRANCH: 3}
JOINT_ADVISORY_MAX = 5


def organization_scope_q(user, prefix=""):
    """Q over an organization (or a relation ``prefix`` pointing at one) for the user's scope."""
    if user.role in (Role.STAFF, Role.LEADER):
        return region_subtree_q(user, field=f"{prefix}region")
    if user.role == Role.SECRETARY and user.organization_id:
        return Q(**{f"{prefix}pk": user.organization_id})
    if user.role == Role.INSTRUCTOR and user.instructor_id:
        from instructors.models import Assignment

        assigned = Assignment.objects.open().filter(instructor_id=user.instructor_id).values("enterprise_id")
        org_ids = Coverage.objects.open().filter(enterprise_id__in=assigned).values("organization_id")
        return Q(**{f"{prefix}pk__in": org_ids})
    return None


class OrganizationQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        return organization_scope_q(user)

    def active(self):
        return self.filter(status=OrgStatus.ACTIVE)

    def active_on(self, day):
        """Organizations that existed and were not yet dissolved on ``day``."""
        return self.filter(Q(founded_on__lte=day), Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day))


class Organization(models.Model):
    """党组织: a Party committee, general branch or branch in one or more enterprises."""

    name = models.CharField("党组织名称", max_length=200)
    region = models.ForeignKey("regions.Region", verbose_name="所属区域", on_delete=models.PROTECT, related_name="organizations")
    parent_name = models.CharField("上级党组织", max_length=200, blank=True)
    founded_on = models.DateField("成立日期")
    level = models.CharField("组织类别", max_length=20, choices=OrgLevel.choices, default=OrgLevel.BRANCH)
    formation = models.CharField("组建方式", max_length=20, choices=Formation.choices, default=Formation.STANDALONE)
    host_unit = models.CharField("依托单位", max_length=200, blank=True, help_text="依托组建时填写，如市场监管所、个体私营企业协会")
    status = models.CharField("组织状态", max_length=20, choices=OrgStatus.choices, default=OrgStatus.ACTIVE)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    dissolve_reason = models.CharField("撤销原因", max_length=20, choices=DissolveReason.choices, blank=True)
    dissolve_document = models.CharField("撤销文号", max_length=100, blank=True)
    secretary = models.ForeignKey(
        "members.Person", verbose_name="书记", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deputy_secretary = models.ForeignKey(
        "members.Person", verbose_name="副书记", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    committee_members = models.ManyToManyField(
        "members.Person", verbose_name="委员", blank=True, related_name="committee_seats"
    )
    last_election_on = models.DateField("上次换届日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(m2m_fields=[committee_members])
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["status", "level"], name="org_status_level"),
            models.Index(fields=["region", "status"], name="org_region_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(status="active"), name="organization_unique_active_name"
            ),
            models.CheckConstraint(
                name="organization_dissolved_complete",
                condition=Q(status="active", dissolved_on__isnull=True)
                | Q(status="dissolved", dissolved_on__isnull=False, dissolve_document__gt="")
                & ~Q(dissolve_reason=""),
            ),
            models.CheckConstraint(
                name="organization_dissolved_after_founded",
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=models.F("founded_on")),
            ),
            models.CheckConstraint(
                name="organization_hosted_has_host",
                condition=~Q(formation="hosted") | Q(host_unit__gt=""),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.founded_on and self.founded_on > today:
            errors["founded_on"] = "成立日期不能晚于今天"
        if self.last_election_on and self.founded_on and self.last_election_on < self.founded_on:
            errors["last_election_on"] = "上次换届日期不能早于成立日期"
        if self.formation == Formation.HOSTED and not self.host_unit:
            errors["host_unit"] = "依托组建的党组织必须填写依托单位"
        if self.status == OrgStatus.DISSOLVED:
            if not self.dissolved_on:
                errors["dissolved_on"] = "撤销党组织必须填写撤销日期"
            if not self.dissolve_reason:
                errors["dissolve_reason"] = "撤销党组织必须选择撤销原因"
            if not self.dissolve_document:
                errors["dissolve_document"] = "撤销党组织必须填写文号"
        elif self.dissolved_on:
            errors["dissolved_on"] = "正常状态的党组织不能有撤销日期"
        if self.dissolved_on and self.founded_on and self.dissolved_on < self.founded_on:
            errors["dissolved_on"] = "撤销日期不能早于成立日期"
        if self.pk and self.is_standalone and self.coverages.filter(end_on__isnull=True).count() > 1:
            errors["formation"] = "单独组建的党组织只能覆盖一家企业，请先结束多余的覆盖关系"
        if self.name and self.status == OrgStatus.ACTIVE:
            clash = Organization.objects.filter(name=self.name, status=OrgStatus.ACTIVE).exclude(pk=self.pk)
            if clash.exists():
                errors["name"] = "已有同名的党组织（未撤销）"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            # Keep the coverage links' copy of "standalone" in step (it backs a DB constraint).
            self.coverages.exclude(organization_standalone=self.is_standalone).update(
                organization_standalone=self.is_standalone
            )

    def get_absolute_url(self):
        return reverse("organizations:organization_detail", args=[self.pk])

    @property
    def is_active(self):
        return self.status == OrgStatus.ACTIVE

    @property
    def is_standalone(self):
        return self.formation == Formation.STANDALONE

    @property
    def counts_as_joint(self):
        """Reports count hosted organizations with joint ones as 联合党组织."""
        return self.formation in (Formation.JOINT, Formation.HOSTED)

    @property
    def term_years(self):
        return TERM_YEARS[self.level]

    @property
    def term_due_on(self):
        start = self.last_election_on or self.founded_on
        return add_years(start, self.term_years) if start else None

    def warnings(self, full_member_count=None, open_coverage_count=None):
        """Advisory rules of domain.md, shown as warnings (never refusals)."""
        result = []
        if open_coverage_count is not None and self.formation == Formation.JOINT and open_coverage_count > JOINT_ADVISORY_MAX:
            result.append(f"联合党组织覆盖 {open_coverage_count} 家企业，一般不超过 {JOINT_ADVISORY_MAX} 家")
        if full_member_count is not None:
            if self.formation == Formation.STANDALONE and full_member_count < 3:
                result.append("单独组建的党支部应有 3 名以上正式党员")
            if self.level == OrgLevel.BRANCH and full_member_count >= 7:
                result.append("正式党员 7 人以上的党支部应设立支部委员会")
            if self.level == OrgLevel.BRANCH and full_member_count > 100:
                result.append("党员超过 100 人，可成立党委")
            elif self.level == OrgLevel.BRANCH and full_member_count > 50:
                result.append("党员超过 50 人，可成立党总支")
        due = self.term_due_on
        if self.is_active and due and due < timezone.localdate():
            result.append(f"换届逾期（应于 {due:%Y-%m-%d} 前换届）")
        if self.is_active and not self.secretary_id:
            result.append("尚未配备书记")
        return result


class CoverageQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        return organization_scope_q(user, prefix="organization__")

    def open(self):
        return self.filter(end_on__isnull=True)

    def active_on(self, day):
        return self.filter(Q(start_on__lte=day), Q(end_on__isnull=True) | Q(end_on__gt=day))


class Coverage(models.Model):
    """A dated link organization ↔ enterprise, so coverage on any past date can be recomputed.

    A link is active on day D when start_on <= D and (end_on is empty or end_on > D).
    """

    organization = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="coverages")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT, related_name="coverages"
    )
    start_on = models.DateField("覆盖开始日期")
    end_on = models.DateField("覆盖结束日期", null=True, blank=True)
    # Copy of organization.formation == standalone, kept by Organization.save, so the database
    # itself can refuse a second open link on a standalone organization.
    organization_standalone = models.BooleanField(default=False, editable=False)

    history = HistoricalRecords()
    objects = CoverageQuerySet.as_manager()

    class Meta:
        verbose_name = "党组织覆盖"
        verbose_name_plural = "党组织覆盖"
        ordering = ["-start_on", "pk"]
        indexes = [
            models.Index(fields=["enterprise", "start_on", "end_on"], name="coverage_enterprise_dates"),
            models.Index(fields=["organization", "end_on"], name="coverage_org_end"),
        ]
        constraints = [
            models.CheckConstraint(
                name="coverage_dates_in_order", condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on"))
            ),
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(end_on__isnull=True), name="coverage_one_open_link_per_enterprise"
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(end_on__isnull=True, organization_standalone=True),
                name="coverage_standalone_covers_one",
            ),
        ]

    def __str__(self):
        return f"{self.organization} → {self.enterprise}"

    def clean(self):
        errors = {}
        if self.start_on and self.end_on and self.end_on < self.start_on:
            errors["end_on"] = "覆盖结束日期不能早于开始日期"
        if self.organization_id and self.start_on:
            org = self.organization
            if org.founded_on and self.start_on < org.founded_on:
                errors["start_on"] = "覆盖开始日期不能早于党组织成立日期"
            if self.end_on is None and not org.is_active:
                errors["organization"] = "已撤销的党组织不能新增覆盖"
            if self.end_on is None and org.is_standalone:
                others = Coverage.objects.open().filter(organization=org).exclude(pk=self.pk)
                if others.exists():
                    errors["organization"] = "单独组建的党组织只能覆盖一家企业"
        if self.enterprise_id and self.end_on is None:
            clash = Coverage.objects.open().filter(enterprise_id=self.enterprise_id).exclude(pk=self.pk)
            if clash.exists():
                errors["enterprise"] = "该企业已被其他党组织覆盖，请先结束原覆盖关系"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.organization_standalone = Organization.objects.filter(
            pk=self.organization_id, formation=Formation.STANDALONE
        ).exists()
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.end_on is None


class OrganizationChildQuerySet(ScopedQuerySet):
    """Scope for rows that hang off one organization."""

    def scope_q(self, user):
        return organization_scope_q(user, prefix="organization__")


class EvaluationQuerySet(OrganizationChildQuerySet):
    def scope_q(self, user):
        if user.role == Role.INSTRUCTOR:
            return None  # roles.md: instructors do not read evaluations
        return super().scope_q(user)


class Pairing(models.Model):
    """结对共建 with another organization or an outside unit."""

    organization = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="pairings")
    partner_organization = models.ForeignKey(
        Organization, verbose_name="结对党组织", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    partner_unit = models.CharField("结对单位", max_length=200, blank=True)
    start_on = models.DateField("开始日期")
    end_on = models.DateField("结束日期", null=True, blank=True)
    content = models.TextField("共建内容", blank=True)

    history = HistoricalRecords()
    objects = OrganizationChildQuerySet.as_manager()

    class Meta:
        verbose_name = "结对共建"
        verbose_name_plural = "结对共建"
        ordering = ["-start_on"]
        constraints = [
            models.CheckConstraint(
                name="pairing_dates_in_order", condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on"))
            ),
            models.CheckConstraint(
                name="pairing_has_partner", condition=Q(partner_organization__isnull=False) | Q(partner_unit__gt="")
            ),
        ]

    def __str__(self):
        return f"{self.organization} ⇄ {self.partner_organization or self.partner_unit}"

    def clean(self):
        errors = {}
        if not self.partner_organization_id and not self.partner_unit:
            errors["partner_unit"] = "请选择结对党组织或填写结对单位"
        if self.partner_organization_id and self.partner_organization_id == self.organization_id:
            errors["partner_organization"] = "不能与本党组织结对"
        if self.start_on and self.end_on and self.end_on < self.start_on:
            errors["end_on"] = "结束日期不能早于开始日期"
        if errors:
            raise ValidationError(errors)


class SiteItem(models.TextChoices):
    PLACE = "place", "有场所"
    FACILITIES = "facilities", "有设施"
    SIGN = "sign", "有标志"
    FLAG = "flag", "有党旗"
    BOOKS = "books", "有书报"
    RULES = "rules", "有制度"


SITE_ITEM_FIELDS = {
    SiteItem.PLACE: "has_place",
    SiteItem.FACILITIES: "has_facilities",
    SiteItem.SIGN: "has_sign",
    SiteItem.FLAG: "has_flag",
    SiteItem.BOOKS: "has_books",
    SiteItem.RULES: "has_rules",
}


class ActivitySite(models.Model):
    """活动阵地: the "六有" sheet of one organization."""

    organization = models.OneToOneField(Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="site")
    address = models.CharField("阵地地址", max_length=255, blank=True)
    area = models.DecimalField("面积（平方米）", max_digits=8, decimal_places=1, null=True, blank=True)
    has_place = models.BooleanField("有场所", default=False)
    has_facilities = models.BooleanField("有设施", default=False)
    has_sign = models.BooleanField("有标志", default=False)
    has_flag = models.BooleanField("有党旗", default=False)
    has_books = models.BooleanField("有书报", default=False)
    has_rules = models.BooleanField("有制度", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()
    objects = OrganizationChildQuerySet.as_manager()

    class Meta:
        verbose_name = "活动阵地（六有）"
        verbose_name_plural = "活动阵地（六有）"
        constraints = [
            models.CheckConstraint(name="site_area_positive", condition=Q(area__isnull=True) | Q(area__gt=0)),
        ]

    def __str__(self):
        return f"{self.organization} 活动阵地"

    @property
    def is_compliant(self):
        return all(getattr(self, field) for field in SITE_ITEM_FIELDS.values())

    @property
    def missing_items(self):
        return [item.label for item, field in SITE_ITEM_FIELDS.items() if not getattr(self, field)]


def site_photo_path(instance, filename):
    return f"private/sites/{instance.site.organization_id}/{instance.item}/{filename}"


class SitePhotoQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        return organization_scope_q(user, prefix="site__organization__")


class SitePhoto(models.Model):
    site = models.ForeignKey(ActivitySite, verbose_name="活动阵地", on_delete=models.CASCADE, related_name="photos")
    item = models.CharField("项目", max_length=20, choices=SiteItem.choices)
    image = models.ImageField("照片", upload_to=site_photo_path)
    thumbnail = models.ImageField("缩略图", upload_to=site_photo_path, blank=True)
    caption = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = SitePhotoQuerySet.as_manager()

    class Meta:
        verbose_name = "阵地照片"
        verbose_name_plural = "阵地照片"
        ordering = ["item", "pk"]

    def __str__(self):
        return f"{self.site} {self.get_item_display()}"


class RegionalCentreQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        if user.role in (Role.STAFF, Role.LEADER):
            return region_subtree_q(user)
        org_ids = Organization.objects.for_user(user).values("pk")
        return Q(pk__in=RegionalCentre.organizations.through.objects.filter(organization_id__in=org_ids).values("regionalcentre_id"))


class RegionalCentre(models.Model):
    """区域性党员职工活动中心 ("五联一化") serving several organizations in a park."""

    name = models.CharField("活动中心名称", max_length=200, unique=True)
    region = models.ForeignKey("regions.Region", verbose_name="所属区域", on_delete=models.PROTECT, related_name="centres")
    address = models.CharField("地址", max_length=255, blank=True)
    area = models.DecimalField("面积（平方米）", max_digits=8, decimal_places=1, null=True, blank=True)
    organizations = models.ManyToManyField(Organization, verbose_name="服务党组织", blank=True, related_name="centres")
    opened_on = models.DateField("启用日期", null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[organizations])
    objects = RegionalCentreQuerySet.as_manager()

    class Meta:
        verbose_name = "区域性党员职工活动中心"
        verbose_name_plural = "区域性党员职工活动中心"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Scheme(models.TextChoices):
    DOUBLE_STRONG_SIX_GOOD = "double_strong_six_good", "双强六好"
    FIVE_GOOD = "five_good", "五个好"


SCHEME_ITEMS = {
    Scheme.DOUBLE_STRONG_SIX_GOOD: [
        ("party_building_strong", "党建强"),
        ("development_strong", "发展强"),
        ("business_good", "生产经营好"),
        ("culture_good", "企业文化好"),
        ("labour_relations_good", "劳动关系好"),
        ("leadership_good", "党组织班子好"),
        ("members_good", "党员队伍好"),
        ("reputation_good", "社会评价好"),
    ],
    Scheme.FIVE_GOOD: [
        ("leadership_good", "领导班子好"),
        ("members_good", "党员队伍好"),
        ("mechanism_good", "工作机制好"),
        ("performance_good", "发展业绩好"),
        ("masses_good", "群众反映好"),
    ],
}


class Evaluation(models.Model):
    """年度评定: one record per organization, year and scheme; items in EvaluationItem."""

    organization = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="evaluations")
    year = models.PositiveSmallIntegerField("年度")
    scheme = models.CharField("评定类别", max_length=30, choices=Scheme.choices)
    note = models.TextField("备注", blank=True)
    evaluated_on = models.DateField("评定日期", null=True, blank=True)

    history = HistoricalRecords()
    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = "年度评定"
        verbose_name_plural = "年度评定"
        ordering = ["-year", "scheme"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "scheme"], name="evaluation_unique_org_year_scheme"),
        ]

    def __str__(self):
        return f"{self.organization} {self.year}年 {self.get_scheme_display()}"

    def clean(self):
        if self.year and self.year > timezone.localdate().year:
            raise ValidationError({"year": "评定年度不能晚于今年"})

    @property
    def item_labels(self):
        return dict(SCHEME_ITEMS[self.scheme])

    def is_attained(self, items=None):
        """Attained when every item of the scheme is met."""
        items = list(self.items.all()) if items is None else items
        met = {item.item for item in items if item.met}
        return all(code in met for code, _ in SCHEME_ITEMS[self.scheme])


class EvaluationItemQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        if user.role == Role.INSTRUCTOR:
            return None
        return organization_scope_q(user, prefix="evaluation__organization__")


class EvaluationItem(models.Model):
    evaluation = models.ForeignKey(Evaluation, verbose_name="年度评定", on_delete=models.CASCADE, related_name="items")
    item = models.CharField("评定项目", max_length=40)
    met = models.BooleanField("是否达到", default=False)
    note = models.CharField("说明", max_length=255, blank=True)

    history = HistoricalRecords()
    objects = EvaluationItemQuerySet.as_manager()

    class Meta:
        verbose_name = "评定项目"
        verbose_name_plural = "评定项目"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "item"], name="evaluationitem_unique"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return dict(SCHEME_ITEMS[self.evaluation.scheme]).get(self.item, self.item)

    def clean(self):
        if self.evaluation_id and self.item not in dict(SCHEME_ITEMS[self.evaluation.scheme]):
            raise ValidationError({"item": "该项目不属于此评定类别"})

