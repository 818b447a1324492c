from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.services import validated_save
from instructors.models import Assignment


@transaction.atomic
def assignment_add(*, actor, instructor, enterprise, start_on):
    """Station an instructor in an enterprise from ``start_on``."""
    return validated_save(Assignment(instructor=instructor, enterprise=enterprise, start_on=start_on), actor)


@transaction.atomic
def assignment_end(*, actor, assignment, end_on):
    if assignment.end_on is not None:
        raise ValidationError("该选派已经结束")
    if end_on > timezone.localdate():
        raise ValidationError({"end_on": "结束日期不能晚于今天"})
    assignment.end_on = end_on
    return validated_save(assignment, actor)
