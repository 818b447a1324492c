"""Pipeline rules of the members register."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from members.models import Person, PoliticalStatus
from partybuild.testdata import make_id_number

D = datetime.date


@pytest.fixture
def enterprise(world):
    return world["ent_a"]


def person(enterprise, serial=50, birth=D(1990, 6, 1), **fields):
    return Person(name="测试", id_number=make_id_number(serial, birth), enterprise=enterprise, **fields)


def refused_by_database(callable_):
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            callable_()


def test_it_accepts_a_full_member_with_milestones_in_order(enterprise):
    member = person(enterprise, status="full", applied_on=D(2010, 1, 1), activist_on=D(2010, 6, 1),
                    candidate_on=D(2011, 7, 1), admitted_on=D(2011, 10, 1), confirmed_on=D(2012, 10, 1))
    member.full_clean()
    member.save()
    assert member.status_on(D(2011, 12, 1)) == PoliticalStatus.PROBATIONARY
    assert member.status_on(D(2009, 1, 1)) == PoliticalStatus.MASSES
    assert member.pipeline_warnings() == []


def test_it_refuses_milestones_out_of_order_in_the_database_and_in_clean(enterprise):
    bad = person(enterprise, status="probationary", applied_on=D(2012, 1, 1), admitted_on=D(2011, 1, 1))
    with pytest.raises(ValidationError) as caught:
        bad.full_clean()
    assert caught.value.message_dict["admitted_on"] == ["入党日期不能早于申请入党日期"]
    refused_by_database(bad.save)


def test_it_refuses_a_status_without_its_milestone_date(enterprise):
    bad = person(enterprise, status="activist", applied_on=D(2012, 1, 1))
    with pytest.raises(ValidationError) as caught:
        bad.full_clean()
    assert caught.value.message_dict["activist_on"] == ["政治面貌为“入党积极分子”时必须填写确定积极分子日期"]
    refused_by_database(bad.save)


def test_it_refuses_an_applicant_under_eighteen(enterprise):
    young = person(enterprise, birth=D(2000, 6, 1), status="applicant", applied_on=D(2018, 5, 31))
    with pytest.raises(ValidationError, match="申请入党时须年满18周岁"):
        young.full_clean()
    young.applied_on = D(2018, 6, 1)
    young.full_clean()


def test_it_refuses_future_dates_and_milestones_beyond_the_status(enterprise):
    future = person(enterprise, status="applicant", applied_on=D.today() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="申请入党日期不能晚于今天"):
        future.full_clean()
    beyond = person(enterprise, status="applicant", applied_on=D(2015, 1, 1), admitted_on=D(2016, 1, 1))
    with pytest.raises(ValidationError, match="不应填写入党日期"):
        beyond.full_clean()


def test_it_refuses_a_duplicate_or_invalid_id_number(enterprise, world):
    with pytest.raises(ValidationError, match="身份证号校验位错误"):
        Person(name="x", id_number="110105194912310021", enterprise=enterprise).full_clean()
    refused_by_database(lambda: Person.objects.create(name="重复", id_number=world["person_a"].id_number, enterprise=enterprise))


def test_it_warns_on_short_activist_training_and_overdue_probation(enterprise):
    candidate = person(enterprise, status="probationary", applied_on=D(2019, 1, 1), activist_on=D(2019, 3, 1),
                       candidate_on=D(2019, 12, 1), admitted_on=D(2020, 3, 1))
    warnings = candidate.pipeline_warnings(today=D(2021, 6, 1))
    assert warnings == ["积极分子培养不满一年即列为发展对象", "预备期已满一年，转正逾期"]


def test_it_derives_members_on_a_date_in_the_database(enterprise, world):
    """members_on / with_status_on use the milestone dates, not the declared status."""
    person(enterprise, serial=60, status="probationary", applied_on=D(2020, 1, 1), activist_on=D(2020, 3, 1),
           candidate_on=D(2021, 4, 1), admitted_on=D(2021, 6, 1)).save()
    on = Person.objects.with_status_on(D(2021, 5, 1)).filter(enterprise=enterprise)
    assert dict(on.values_list("name", "status_on")) == {world["person_a"].name: "full", "测试": "candidate"}
    assert Person.objects.members_on(D(2021, 5, 1)).filter(enterprise=enterprise).count() == 1
    assert Person.objects.members_on(D(2021, 6, 1)).filter(enterprise=enterprise).count() == 2
    assert Person.objects.full_members_on(D(2021, 6, 1)).filter(enterprise=enterprise).count() == 1


def test_it_advances_one_stage_at_a_time(enterprise):
    masses = person(enterprise)
    assert masses.next_stage() == (PoliticalStatus.APPLICANT, "applied_on")
    masses.status = PoliticalStatus.CANDIDATE
    assert masses.next_stage() == (PoliticalStatus.PROBATIONARY, "admitted_on")
    masses.status = PoliticalStatus.FULL
    assert masses.next_stage() is None
