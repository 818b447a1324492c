from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from simple_history.models import HistoricalRecords

from partybuild.scoping import Role, ScopedQuerySet, region_subtree_q

PATH_SEPARATOR = "/"


class RegionKind(models.TextChoices):
    CITY = "city", "市"
    DISTRICT = "district", "区"
    COUNTY = "county", "县"
    COUNTY_CITY = "county_city", "县级市"
    TOWNSHIP = "township", "镇"
    SUBDISTRICT = "subdistrict", "街道"
    PARK = "park", "园区"
    DEV_ZONE = "dev_zone", "开发区"


class RegionQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        if user.role in (Role.STAFF, Role.LEADER):
            return Q(path__startswith=user.region.path) if user.region_id else None
        return None

    def subtree(self, region):
        """The region and all its descendants: one query whatever the depth."""
        return self.filter(path__startswith=region.path)


class Region(models.Model):
    """A node of the region tree 市 → 区/县 → 镇/街道 → 园区.

    ``path`` is the materialised path of codes ("320500/320505/320505001/"), so a subtree is a
    single ``path LIKE 'prefix%'`` and scope filters never recurse in Python.
    """

    code = models.CharField(
        "区域代码",
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z]{2,20}$", "区域代码只能由数字和字母组成（2至20位）")],
    )
    name = models.CharField("区域名称", max_length=100)
    kind = models.CharField("区域类型", max_length=20, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级区域", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("路径", max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField("层级", default=0, editable=False)
    plan_start = models.DateField("党建规划起始日期", null=True, blank=True, help_text="目标期限从此日期起算")

    history = HistoricalRecords()
    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "区域"
        verbose_name_plural = "区域"
        ordering = ["path"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.parent_id and self.pk:
            parent = Region.objects.only("path").get(pk=self.parent_id)
            if self.path and parent.path.startswith(self.path):
                raise ValidationError({"parent": "上级区域不能是本区域或其下级区域"})

    def save(self, *args, **kwargs):
        old_path = self.path
        parent_path = self.parent.path if self.parent_id else ""
        self.path = f"{parent_path}{self.code}{PATH_SEPARATOR}"
        self.depth = self.path.count(PATH_SEPARATOR) - 1
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # Moving or re-coding a node rewrites its descendants' paths in one statement.
                old_depth = old_path.count(PATH_SEPARATOR) - 1
                Region.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(models.Value(self.path), Substr("path", len(old_path) + 1)),
                    depth=models.F("depth") - old_depth + self.depth,
                )

    def get_absolute_url(self):
        return reverse("regions:region_detail", args=[self.pk])

    def ancestors(self):
        """Ancestors from the root down, excluding self: one query."""
        codes = self.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)[:-1]
        return Region.objects.filter(code__in=codes).order_by("depth")

    def ancestor_paths(self):
        parts = self.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)
        return [PATH_SEPARATOR.join(parts[: i + 1]) + PATH_SEPARATOR for i in range(len(parts))]

    def is_within(self, other):
        return self.path.startswith(other.path)


class RegionStatQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        if user.role in (Role.STAFF, Role.LEADER):
            return region_subtree_q(user)
        return None


class RegionStat(models.Model):
    """区域党员总量: denominators of the share figures, entered per region and year."""

    region = models.ForeignKey(Region, verbose_name="区域", on_delete=models.PROTECT, related_name="stats")
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(1949)])
    total_members = models.PositiveIntegerField("党员总数")
    new_members = models.PositiveIntegerField("当年发展党员数")

    history = HistoricalRecords()
    objects = RegionStatQuerySet.as_manager()

    class Meta:
        verbose_name = "区域党员总量"
        verbose_name_plural = "区域党员总量"
        ordering = ["region__path", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="regionstat_unique_region_year"),
            models.CheckConstraint(
                condition=Q(new_members__lte=models.F("total_members")), name="regionstat_new_le_total"
            ),
        ]

    def __str__(self):
        return f"{self.region} {self.year}年"

    def clean(self):
        if self.new_members is not None and self.total_members is not None and self.new_members > self.total_members:
            raise ValidationError({"new_members": "当年发展党员数不能大于党员总数"})
