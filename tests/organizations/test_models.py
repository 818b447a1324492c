"""Organization, coverage, evaluation and site rules: absolute ones in the database, the rest in clean()."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from enterprises.models import Enterprise
from organizations.models import (
    SCHEME_ITEMS,
    ActivitySite,
    Coverage,
    Evaluation,
    EvaluationItem,
    Formation,
    Organization,
    OrgLevel,
    Pairing,
    Scheme,
)
from partybuild.testdata import make_credit_code

D = datetime.date


def refused_by_database(callable_):
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            callable_()


@pytest.fixture
def town(regions):
    return regions["town_a"]


def enterprise(town, serial):
    return Enterprise.objects.create(name=f"企业{serial}", credit_code=make_credit_code(serial, "320506"), region=town)


def org(town, name="甲党支部", **fields):
    return Organization.objects.create(name=name, region=town, founded_on=D(2010, 1, 1), **fields)


def test_it_refuses_two_active_organizations_with_one_name_but_allows_reuse_after_dissolving(town):
    """党组织名称 is unique among organizations not dissolved."""
    first = org(town)
    refused_by_database(lambda: org(town))
    with pytest.raises(ValidationError, match="已有同名的党组织"):
        Organization(name="甲党支部", region=town, founded_on=D(2012, 1, 1)).full_clean()
    first.status = "dissolved"
    first.dissolved_on = D(2020, 1, 1)
    first.dissolve_reason = "merged"
    first.dissolve_document = "组〔2020〕1号"
    first.save()
    assert org(town).pk != first.pk


def test_it_refuses_a_dissolution_without_date_reason_or_document(town):
    organization = org(town)
    refused_by_database(lambda: Organization.objects.filter(pk=organization.pk).update(status="dissolved"))
    organization.status = "dissolved"
    with pytest.raises(ValidationError) as caught:
        organization.full_clean()
    assert caught.value.message_dict["dissolved_on"] == ["撤销党组织必须填写撤销日期"]
    assert caught.value.message_dict["dissolve_reason"] == ["撤销党组织必须选择撤销原因"]
    assert caught.value.message_dict["dissolve_document"] == ["撤销党组织必须填写文号"]


def test_it_refuses_a_dissolution_dated_before_founding(town):
    organization = org(town)
    refused_by_database(
        lambda: Organization.objects.filter(pk=organization.pk).update(
            status="dissolved", dissolved_on=D(2009, 1, 1), dissolve_reason="other", dissolve_document="x"
        )
    )


def test_it_refuses_a_hosted_organization_without_host_unit(town):
    refused_by_database(lambda: org(town, formation=Formation.HOSTED))
    assert org(town, name="依托支部", formation=Formation.HOSTED, host_unit="个体私营企业协会").pk


def test_it_lets_a_standalone_organization_cover_exactly_one_enterprise_at_a_time(town):
    """A second open link on a standalone organization is refused by the database and by clean()."""
    organization = org(town)
    first, second = enterprise(town, 1), enterprise(town, 2)
    Coverage.objects.create(organization=organization, enterprise=first, start_on=D(2010, 1, 1))
    refused_by_database(lambda: Coverage.objects.create(organization=organization, enterprise=second, start_on=D(2011, 1, 1)))
    with pytest.raises(ValidationError, match="单独组建的党组织只能覆盖一家企业"):
        Coverage(organization=organization, enterprise=second, start_on=D(2011, 1, 1)).full_clean()
    # An ended link does not count: the organization may then cover another enterprise.
    Coverage.objects.filter(enterprise=first).update(end_on=D(2011, 1, 1))
    assert Coverage.objects.create(organization=organization, enterprise=second, start_on=D(2011, 1, 1)).pk


def test_it_keeps_the_standalone_copy_in_step_when_the_formation_changes(town):
    organization = org(town)
    Coverage.objects.create(organization=organization, enterprise=enterprise(town, 1), start_on=D(2010, 1, 1))
    organization.formation = Formation.JOINT
    organization.save()
    Coverage.objects.create(organization=organization, enterprise=enterprise(town, 2), start_on=D(2010, 1, 1))
    assert organization.coverages.filter(organization_standalone=False).count() == 2
    organization.formation = Formation.STANDALONE
    with pytest.raises(ValidationError, match="单独组建的党组织只能覆盖一家企业"):
        organization.full_clean()
    refused_by_database(organization.save)
    organization.coverages.filter(enterprise__credit_code=make_credit_code(2, "320506")).update(end_on=D(2012, 1, 1))
    organization.save()
    assert organization.coverages.filter(organization_standalone=True).count() == 2


def test_it_refuses_two_open_links_for_one_enterprise_and_links_ending_before_they_start(town):
    joint_one = org(town, name="联合一", formation=Formation.JOINT)
    joint_two = org(town, name="联合二", formation=Formation.JOINT)
    company = enterprise(town, 1)
    Coverage.objects.create(organization=joint_one, enterprise=company, start_on=D(2010, 1, 1))
    refused_by_database(lambda: Coverage.objects.create(organization=joint_two, enterprise=company, start_on=D(2012, 1, 1)))
    with pytest.raises(ValidationError, match="该企业已被其他党组织覆盖"):
        Coverage(organization=joint_two, enterprise=company, start_on=D(2012, 1, 1)).full_clean()
    refused_by_database(
        lambda: Coverage.objects.create(organization=joint_two, enterprise=enterprise(town, 2), start_on=D(2012, 1, 1), end_on=D(2011, 1, 1))
    )


def test_it_computes_coverage_on_a_past_date_from_the_link_dates(town):
    organization = org(town, formation=Formation.JOINT)
    company = enterprise(town, 1)
    Coverage.objects.create(organization=organization, enterprise=company, start_on=D(2012, 1, 1), end_on=D(2015, 1, 1))
    assert Coverage.objects.active_on(D(2011, 12, 31)).count() == 0
    assert Coverage.objects.active_on(D(2012, 1, 1)).count() == 1
    assert Coverage.objects.active_on(D(2014, 12, 31)).count() == 1
    assert Coverage.objects.active_on(D(2015, 1, 1)).count() == 0


def test_it_gives_advisory_warnings_without_refusing(town):
    organization = org(town, last_election_on=D(2015, 1, 1))
    warnings = organization.warnings(full_member_count=2, open_coverage_count=1)
    assert "单独组建的党支部应有 3 名以上正式党员" in warnings
    assert any(w.startswith("换届逾期") for w in warnings)
    assert "尚未配备书记" in warnings
    assert "正式党员 7 人以上的党支部应设立支部委员会" in organization.warnings(full_member_count=8)
    joint = org(town, name="联合", formation=Formation.JOINT, level=OrgLevel.BRANCH)
    assert any("一般不超过 5 家" in w for w in joint.warnings(open_coverage_count=6))


def test_it_uses_the_term_length_of_the_level(town):
    assert org(town, name="党委", level=OrgLevel.COMMITTEE, last_election_on=D(2020, 3, 1)).term_due_on == D(2025, 3, 1)
    assert org(town, name="支部", level=OrgLevel.BRANCH, last_election_on=D(2020, 2, 29)).term_due_on == D(2023, 2, 28)


def test_it_keeps_one_evaluation_per_organization_year_and_scheme_and_attains_only_when_every_item_is_met(town):
    organization = org(town)
    evaluation = Evaluation.objects.create(organization=organization, year=2024, scheme=Scheme.FIVE_GOOD)
    refused_by_database(lambda: Evaluation.objects.create(organization=organization, year=2024, scheme=Scheme.FIVE_GOOD))
    items = [EvaluationItem.objects.create(evaluation=evaluation, item=code, met=True) for code, _ in SCHEME_ITEMS[Scheme.FIVE_GOOD]]
    assert evaluation.is_attained()
    items[0].met = False
    items[0].save()
    assert not evaluation.is_attained()
    with pytest.raises(ValidationError, match="该项目不属于此评定类别"):
        EvaluationItem(evaluation=evaluation, item="party_building_strong").full_clean()


def test_it_judges_the_six_have_site(town):
    site = ActivitySite.objects.create(organization=org(town), has_place=True, has_facilities=True, has_sign=True, has_flag=True, has_books=True)
    assert not site.is_compliant
    assert site.missing_items == ["有制度"]
    site.has_rules = True
    assert site.is_compliant


def test_it_refuses_a_pairing_without_partner(town):
    organization = org(town)
    refused_by_database(lambda: Pairing.objects.create(organization=organization, start_on=D(2020, 1, 1)))
    with pytest.raises(ValidationError, match="请选择结对党组织或填写结对单位"):
        Pairing(organization=organization, start_on=D(2020, 1, 1)).full_clean()
