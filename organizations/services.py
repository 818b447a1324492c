"""Writes on organizations: each ``<entity>_<action>(*, actor, ...)`` is atomic and validated."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.services import validated_save
from organizations.models import SCHEME_ITEMS, Coverage, Evaluation, EvaluationItem, Organization, OrgStatus


@transaction.atomic
def organization_create(*, actor, organization: Organization, enterprise=None, coverage_start_on=None):
    """Create an organization and, when given, its first coverage link."""
    validated_save(organization, actor)
    if enterprise is not None:
        coverage_add(actor=actor, organization=organization, enterprise=enterprise, start_on=coverage_start_on or organization.founded_on)
    return organization


@transaction.atomic
def coverage_add(*, actor, organization, enterprise, start_on):
    return validated_save(Coverage(organization=organization, enterprise=enterprise, start_on=start_on), actor)


@transaction.atomic
def coverage_end(*, actor, coverage: Coverage, end_on):
    if coverage.end_on is not None:
        raise ValidationError("该覆盖关系已经结束")
    if end_on > timezone.localdate():
        raise ValidationError({"end_on": "覆盖结束日期不能晚于今天"})
    coverage.end_on = end_on
    return validated_save(coverage, actor)


@transaction.atomic
def organization_dissolve(*, actor, organization: Organization, dissolved_on, reason, document):
    """撤销: mark dissolved and end every open coverage link on that date."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if not organization.is_active:
        raise ValidationError("该党组织已撤销")
    if dissolved_on > timezone.localdate():
        raise ValidationError({"dissolved_on": "撤销日期不能晚于今天"})
    if dissolved_on < organization.founded_on:
        raise ValidationError({"dissolved_on": "撤销日期不能早于成立日期"})
    for link in Coverage.objects.open().filter(organization=organization):
        if link.start_on > dissolved_on:
            raise ValidationError(
                {"dissolved_on": f"撤销日期不能早于覆盖“{link.enterprise}”的开始日期 {link.start_on:%Y-%m-%d}"}
            )
        link.end_on = dissolved_on
        validated_save(link, actor)
    organization.status = OrgStatus.DISSOLVED
    organization.dissolved_on = dissolved_on
    organization.dissolve_reason = reason
    organization.dissolve_document = document
    return validated_save(organization, actor)


@transaction.atomic
def organization_set_officers(*, actor, organization, secretary, deputy_secretary, committee_members, last_election_on):
    """书记/副书记/委员, chosen from the organization's own members register."""
    errors = {}
    register = set(organization.members.values_list("pk", flat=True))
    if secretary and secretary.pk not in register:
        errors["secretary"] = "书记须为本党组织的党员"
    if deputy_secretary and deputy_secretary.pk not in register:
        errors["deputy_secretary"] = "副书记须为本党组织的党员"
    if secretary and deputy_secretary and secretary.pk == deputy_secretary.pk:
        errors["deputy_secretary"] = "副书记不能与书记为同一人"
    outsiders = [person.name for person in committee_members if person.pk not in register]
    if outsiders:
        errors["committee_members"] = f"委员须为本党组织的党员：{'、'.join(outsiders)}"
    if errors:
        raise ValidationError(errors)
    organization.secretary = secretary
    organization.deputy_secretary = deputy_secretary
    if last_election_on is not None:
        organization.last_election_on = last_election_on
    validated_save(organization, actor)
    organization.committee_members.set(committee_members)
    return organization


@transaction.atomic
def evaluation_record(*, actor, organization, year, scheme, evaluated_on=None, note="", items):
    """Record (or correct) the year's evaluation; ``items`` maps item code → (met, note)."""
    codes = [code for code, _ in SCHEME_ITEMS[scheme]]
    unknown = set(items) - set(codes)
    if unknown:
        raise ValidationError(f"评定项目不属于此评定类别：{'、'.join(sorted(unknown))}")
    evaluation = Evaluation.objects.filter(organization=organization, year=year, scheme=scheme).first()
    evaluation = evaluation or Evaluation(organization=organization, year=year, scheme=scheme)
    evaluation.evaluated_on = evaluated_on
    evaluation.note = note
    validated_save(evaluation, actor)
    existing = {item.item: item for item in evaluation.items.all()}
    for code in codes:
        met, item_note = items.get(code, (False, ""))
        item = existing.get(code) or EvaluationItem(evaluation=evaluation, item=code)
        item.met, item.note = met, item_note
        validated_save(item, actor)
    return evaluation
