from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from accounts.services import validated_save
from members.models import PersonRole, Recommendation
from organizations.models import Organization


@transaction.atomic
def person_advance(*, actor, person, on):
    """Move a person one pipeline stage on, dated ``on``; the model refuses out-of-order or
    under-18 steps with its Chinese messages."""
    step = person.next_stage()
    if step is None:
        raise ValidationError("该人员已处于发展流程的最后阶段，不能再推进")
    status, field = step
    person.status = status
    setattr(person, field, on)
    try:
        return validated_save(person, actor)
    except ValidationError as error:
        # The form has one date field: every message of the milestone lands on it.
        raise ValidationError({"on": error.messages}) from error


@transaction.atomic
def person_set_roles(*, actor, person, roles):
    wanted = set(roles)
    current = {role.role: role for role in person.roles.all()}
    for code, role in current.items():
        if code not in wanted:
            role._history_user = actor
            role.delete()
    for code in wanted - set(current):
        validated_save(PersonRole(person=person, role=code), actor)
    return person


@transaction.atomic
def recommendation_add(*, actor, person, kind, recommended_on, note=""):
    return validated_save(Recommendation(person=person, kind=kind, recommended_on=recommended_on, note=note), actor)


def person_dependents(person):
    counts = {
        "担任党组织书记或副书记": Organization.objects.filter(Q(secretary=person) | Q(deputy_secretary=person)).count(),
        "担任党组织委员": person.committee_seats.count(),
        "三推三培记录": person.recommendations.count(),
    }
    return {label: n for label, n in counts.items() if n}


@transaction.atomic
def person_delete(*, actor, person):
    dependents = person_dependents(person)
    if dependents:
        listed = "、".join(f"{label} {n} 条" for label, n in dependents.items())
        raise ValidationError(f"该人员有{listed}，不能删除；如已离开，请登记转出日期")
    person._history_user = actor
    person.delete()
