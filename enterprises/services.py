from django.core.exceptions import ValidationError
from django.db import transaction

from enterprises.models import Enterprise


def enterprise_dependents(enterprise):
    """What hangs off an enterprise, as Chinese labels with counts (empty: deletable)."""
    counts = {
        "党组织覆盖记录": enterprise.coverages.count(),
        "指导员选派记录": enterprise.assignments.count(),
        "驻企指导记录": enterprise.visits.count(),
        "人员": enterprise.people.count(),
    }
    return {label: n for label, n in counts.items() if n}


@transaction.atomic
def enterprise_delete(*, actor, enterprise: Enterprise):
    """Delete an enterprise only when nothing hangs off it (else a Chinese refusal)."""
    dependents = enterprise_dependents(enterprise)
    if dependents:
        listed = "、".join(f"{label} {n} 条" for label, n in dependents.items())
        raise ValidationError(f"该企业已有{listed}，不能删除；如企业已关闭，请将经营状态改为“已关闭”")
    enterprise._history_user = actor
    enterprise.delete()
