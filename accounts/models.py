from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from partybuild.scoping import Role, ScopedQuerySet

# Roles a staff member may create below them (roles.md: accounts row).
ROLES_STAFF_MAY_CREATE = (Role.STAFF, Role.LEADER, Role.SECRETARY, Role.INSTRUCTOR)


class UserQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        if user.role == Role.STAFF and user.region_id:
            prefix = user.region.path
            return (
                Q(region__path__startswith=prefix)
                | Q(organization__region__path__startswith=prefix)
                | Q(instructor__region__path__startswith=prefix)
            )
        return Q(pk=user.pk)


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """An account with one role and one anchor (roles.md).

    staff and leader are anchored to a region node, a secretary to an organization, an
    instructor to an instructor record; admins have no anchor and see everything.
    """

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.LEADER)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所属区域", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="所属党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    instructor = models.ForeignKey(
        "instructors.Instructor",
        verbose_name="指导员档案",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField("手机号码", max_length=20, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    objects = ScopedUserManager()

    class Meta:
        verbose_name = "账户"
        verbose_name_plural = "账户"
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                name="user_anchor_matches_role",
                condition=(
                    Q(role__in=["staff", "leader"], region__isnull=False, organization__isnull=True, instructor__isnull=True)
                    | Q(role="secretary", organization__isnull=False, region__isnull=True, instructor__isnull=True)
                    | Q(role="instructor", instructor__isnull=False, region__isnull=True, organization__isnull=True)
                    | Q(role="admin", region__isnull=True, organization__isnull=True, instructor__isnull=True)
                ),
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()
        errors = {}
        if self.role in (Role.STAFF, Role.LEADER) and not self.region_id:
            errors["region"] = "工作人员和领导账户必须指定所属区域"
        if self.role == Role.SECRETARY and not self.organization_id:
            errors["organization"] = "书记账户必须指定所属党组织"
        if self.role == Role.INSTRUCTOR and not self.instructor_id:
            errors["instructor"] = "指导员账户必须关联指导员档案"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # Only the anchor that belongs to the role is kept.
        if self.is_superuser:
            self.role = Role.ADMIN
        if self.role != Role.SECRETARY:
            self.organization = None
        if self.role != Role.INSTRUCTOR:
            self.instructor = None
        if self.role not in (Role.STAFF, Role.LEADER):
            self.region = None
        # The Django admin is open to admins and staff clerks (scoped by for_user there too).
        self.is_staff = self.role in (Role.ADMIN, Role.STAFF)
        super().save(*args, **kwargs)

    @property
    def is_admin(self):
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def sees_full_id(self):
        """Staff and admins see full ID numbers; everyone else sees them masked (roles.md)."""
        return self.is_admin or self.role == Role.STAFF

    @property
    def anchor(self):
        return self.region or self.organization or self.instructor
