"""The one scoping mechanism of roles.md.

Every scoped model's manager is built from ``ScopedQuerySet`` and defines ``scope_q(user)``:
the Q that keeps the rows inside a non-admin user's scope (``None`` = the role sees none).
Views, exports, imports, reports and the admin all call ``Model.objects.for_user(user)``; no
view filters by region by hand. Subtrees use the region's materialised path, so a scope
filter is one SQL statement whatever the depth of the tree.

What a role may *do* with an in-scope object is the ``PERMISSIONS`` table below, the
machine-readable form of roles.md. Out of scope answers 404; in scope but not allowed, 403.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404


class Role(models.TextChoices):
    STAFF = "staff", "组织部门工作人员"
    LEADER = "leader", "领导"
    SECRETARY = "secretary", "企业党组织书记"
    INSTRUCTOR = "instructor", "党建工作指导员"
    ADMIN = "admin", "系统管理员"


# Actions: view, add, change, delete, import, export. Each entry maps a model label
# ("app.model") to the roles allowed each action on objects in their scope.
STAFF, LEADER, SECRETARY, INSTRUCTOR = Role.STAFF, Role.LEADER, Role.SECRETARY, Role.INSTRUCTOR
_EDIT = {"view", "add", "change", "delete", "import", "export"}
_READ = {"view"}
_READ_EXPORT = {"view", "export"}

PERMISSIONS = {
    "regions.region": {STAFF: _READ_EXPORT, LEADER: _READ_EXPORT},
    "regions.regionstat": {STAFF: _EDIT, LEADER: _READ_EXPORT, SECRETARY: set(), INSTRUCTOR: set()},
    "enterprises.enterprise": {STAFF: _EDIT, LEADER: _READ_EXPORT, SECRETARY: _READ, INSTRUCTOR: _READ},
    "organizations.organization": {
        STAFF: _EDIT - {"delete"} | {"dissolve"},
        LEADER: _READ_EXPORT,
        SECRETARY: _READ,
        INSTRUCTOR: _READ,
    },
    "organizations.coverage": {STAFF: _EDIT, LEADER: _READ_EXPORT, SECRETARY: _READ, INSTRUCTOR: _READ},
    "organizations.pairing": {STAFF: _EDIT, LEADER: _READ_EXPORT, SECRETARY: _READ, INSTRUCTOR: _READ},
    "organizations.evaluation": {STAFF: _EDIT, LEADER: _READ_EXPORT, SECRETARY: _READ},
    "organizations.activitysite": {
        STAFF: _EDIT,
        LEADER: _READ,
        SECRETARY: {"view", "add", "change"},
        INSTRUCTOR: _READ,
    },
    "organizations.regionalcentre": {STAFF: _EDIT, LEADER: _READ, SECRETARY: _READ, INSTRUCTOR: _READ},
    "instructors.instructor": {STAFF: _EDIT, LEADER: _READ_EXPORT, SECRETARY: _READ, INSTRUCTOR: _READ},
    "instructors.assignment": {STAFF: _EDIT, LEADER: _READ_EXPORT, SECRETARY: _READ, INSTRUCTOR: _READ},
    "instructors.guidancevisit": {
        STAFF: _EDIT,
        LEADER: _READ_EXPORT,
        SECRETARY: _READ,
        INSTRUCTOR: {"view", "add", "change"},
    },
    "members.person": {STAFF: _EDIT, LEADER: _READ_EXPORT, SECRETARY: _READ},
    "members.personrole": {STAFF: _EDIT, LEADER: _READ, SECRETARY: _READ},
    "members.recommendation": {STAFF: _EDIT, LEADER: _READ, SECRETARY: _READ},
    "archives.activityrecord": {
        STAFF: _EDIT,
        LEADER: _READ_EXPORT,
        SECRETARY: {"view", "add", "change", "delete", "export"},
        INSTRUCTOR: _READ,
    },
    "archives.activityphoto": {
        STAFF: _EDIT,
        LEADER: _READ,
        SECRETARY: {"view", "add", "change", "delete"},
        INSTRUCTOR: _READ,
    },
    "archives.activityattachment": {
        STAFF: _EDIT,
        LEADER: _READ,
        SECRETARY: {"view", "add", "change", "delete"},
        INSTRUCTOR: _READ,
    },
    "archives.yearclosing": {STAFF: _EDIT, LEADER: _READ},
    "archives.meetingrequirement": {STAFF: _READ, LEADER: _READ, SECRETARY: _READ, INSTRUCTOR: _READ},
    "metrics.target": {STAFF: _EDIT, LEADER: _READ_EXPORT, SECRETARY: _READ},
    "accounts.user": {STAFF: {"view", "add", "change"}},
}


def has_full_scope(user):
    return bool(user and user.is_authenticated and (user.is_superuser or getattr(user, "role", None) == Role.ADMIN))


def role_can(user, action, model):
    """Whether the user's role may take ``action`` on ``model`` objects in its scope."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if has_full_scope(user):
        return True
    label = model if isinstance(model, str) else model._meta.label_lower
    return action in PERMISSIONS.get(label, {}).get(getattr(user, "role", None), set())


def region_subtree_q(user, field="region"):
    """Rows whose ``field`` region lies in the user's anchor region subtree."""
    region = user.region
    if region is None:
        return None
    return Q(**{f"{field}__path__startswith": region.path})


class ScopedQuerySet(models.QuerySet):
    """Base queryset for every scoped model. Subclasses implement ``scope_q``."""

    def for_user(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if has_full_scope(user):
            return self.all()
        condition = self.scope_q(user)
        if condition is None:
            return self.none()
        return self.filter(condition)

    def scope_q(self, user):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError


def get_scoped_object_or_404(queryset_or_model, user, **lookup):
    """The object if it is in the user's scope, else 404 (existence never leaks)."""
    manager = getattr(queryset_or_model, "objects", queryset_or_model)
    queryset = manager.for_user(user) if hasattr(manager, "for_user") else manager.all()
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404("对象不存在或不在您的管辖范围内")


def require_role_can(user, action, model):
    """403 when the role may not take ``action`` on an in-scope object."""
    if not role_can(user, action, model):
        raise PermissionDenied("您的角色无权执行此操作")
