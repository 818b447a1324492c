"""The workbench's recent changes: the newest history rows of each kind in the user's scope."""

from dataclasses import dataclass

from django.urls import reverse

from accounts.pages import HISTORY_TYPES
from enterprises.models import Enterprise
from instructors.models import Assignment, Instructor
from members.models import Person
from organizations.models import Coverage, Organization

RECENT_LIMIT = 20


@dataclass
class RecentChange:
    when: object
    who: str
    action: str
    kind: str
    label: str
    url: str | None


def _label_and_url(record, model):
    if model is Coverage:
        return f"{record.organization.name} → {record.enterprise.name}", reverse("organizations:organization_detail", args=[record.organization_id])
    if model is Assignment:
        return f"{record.instructor.name} → {record.enterprise.name}", reverse("instructors:instructor_detail", args=[record.instructor_id])
    url = None if record.history_type == "-" else reverse(f"{model._meta.app_label}:{model._meta.model_name}_detail", args=[record.id])
    return record.name, url


# Model, relations to load with each history row (so labels need no extra query).
TRACKED = [
    (Enterprise, ()),
    (Organization, ()),
    (Coverage, ("organization", "enterprise")),
    (Instructor, ()),
    (Assignment, ("instructor", "enterprise")),
    (Person, ()),
]


def recent_changes(user, limit=RECENT_LIMIT):
    """The ``limit`` newest changes across the tracked kinds: one query per kind."""
    changes = []
    for model, related in TRACKED:
        in_scope = model.objects.for_user(user).values("pk")
        records = (
            model.history.filter(id__in=in_scope)
            .select_related("history_user", *related)
            .order_by("-history_date")[:limit]
        )
        for record in records:
            label, url = _label_and_url(record, model)
            changes.append(
                RecentChange(
                    when=record.history_date,
                    who=str(record.history_user) if record.history_user else "系统",
                    action=HISTORY_TYPES.get(record.history_type, record.history_type),
                    kind=model._meta.verbose_name,
                    label=label,
                    url=url,
                )
            )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]
