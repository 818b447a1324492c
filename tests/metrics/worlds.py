"""A hand-built township world whose every indicator is worked out by hand in the tests.

Report date D = 2024-06-30, year 2024. Built on top of the shared ``world`` fixture (ent_a in
甪直镇 covered by org_a, instructor_a, full member person_a; the same in 木渎镇).
"""

import datetime

from archives.models import ActivityRecord
from enterprises.models import Enterprise
from instructors.models import Assignment, Instructor
from members.models import Person, PersonRole
from organizations.models import SCHEME_ITEMS, ActivitySite, Coverage, Evaluation, EvaluationItem, Organization
from partybuild.testdata import make_credit_code, make_id_number

D = datetime.date(2024, 6, 30)
Y = 2024
_serial = iter(range(100, 10_000))


def enterprise(region, name, kind="private", status="operating", employees=10):
    return Enterprise.objects.create(
        name=name,
        credit_code=make_credit_code(next(_serial), region.code[:6]),
        region=region,
        kind=kind,
        status=status,
        employees=employees,
    )


def person(ent, name, status="masses", **dates):
    if dates.get("admitted_on") and "applied_on" not in dates:
        dates["applied_on"] = dates["admitted_on"] - datetime.timedelta(days=3 * 365)
    if dates.get("activist_on") and "applied_on" not in dates:
        dates["applied_on"] = dates["activist_on"] - datetime.timedelta(days=100)
    return Person.objects.create(
        name=name,
        id_number=make_id_number(next(_serial), datetime.date(1985, 3, 3)),
        enterprise=ent,
        status=status,
        **dates,
    )


def full(ent, name, confirmed=datetime.date(2010, 7, 1), **extra):
    return person(ent, name, "full", admitted_on=confirmed - datetime.timedelta(days=366), confirmed_on=confirmed, **extra)


def evaluation(org, year, scheme, unmet=0):
    record = Evaluation.objects.create(organization=org, year=year, scheme=scheme)
    for position, (code, _) in enumerate(SCHEME_ITEMS[scheme]):
        EvaluationItem.objects.create(evaluation=record, item=code, met=position >= unmet)
    return record


def build_town(world):
    """Adds the traps of the issue to 甪直镇 (town A). Returns the named objects."""
    town = world["town_a"]
    o = {"ent_a": world["ent_a"], "org_a": world["org_a"], "person_a": world["person_a"]}
    o["e2"] = enterprise(town, "二号外资有限公司", "foreign_invested", employees=60)
    o["e3"] = enterprise(town, "三号个体工商户", "individual", employees=30)
    o["e4"] = enterprise(town, "四号已关闭公司", status="closed", employees=200)
    o["e5"] = enterprise(town, "五号大厂有限公司", employees=150)
    o["e6"] = enterprise(town, "六号停业公司", status="suspended", employees=10)
    o["e7"] = enterprise(town, "七号新建公司", employees=10)
    o["e8"] = enterprise(town, "八号专业市场", "market", employees=5)
    o["e9"] = enterprise(town, "九号个体工商户", "individual", employees=3)
    o["e10"] = enterprise(town, "十号有限公司", employees=80)
    o["e11"] = enterprise(town, "十一号已关闭个体户", "individual", status="closed", employees=5)

    # People: members, the pipeline and its traps.
    o["p_full1"] = full(o["e2"], "二号正式党员甲")
    o["p_full2"] = full(o["e2"], "二号正式党员乙")
    o["p_prob"] = person(o["e2"], "二号预备党员", "probationary", admitted_on=datetime.date(2024, 3, 1))
    for k in range(3):
        full(o["e3"], f"三号正式党员{k}")
        full(o["e4"], f"四号正式党员{k}")  # closed enterprise: never counted
    o["p_later"] = person(  # admitted after D: a candidate on D
        o["ent_a"], "甪直晚入党", "probationary",
        activist_on=datetime.date(2023, 1, 1), candidate_on=datetime.date(2024, 2, 1), admitted_on=datetime.date(2024, 9, 1),
    )
    o["p_transferred"] = full(o["ent_a"], "甪直已转出", transferred_out_on=datetime.date(2024, 1, 15))
    o["p_transferred"].status = "transferred_out"
    o["p_transferred"].save()
    o["p_overdue"] = person(o["ent_a"], "甪直转正逾期", "probationary", admitted_on=datetime.date(2023, 3, 1))
    o["p_activist"] = person(o["ent_a"], "甪直积极分子", "activist", activist_on=datetime.date(2024, 2, 1))
    o["p_activist_old"] = person(o["e8"], "八号老积极分子", "activist", activist_on=datetime.date(2022, 5, 1))
    o["p_early"] = person(
        o["e9"], "九号过早发展对象", "candidate", activist_on=datetime.date(2023, 10, 1), candidate_on=datetime.date(2024, 3, 1)
    )
    o["p_union"] = person(o["e5"], "五号工会主席")
    PersonRole.objects.create(person=o["p_union"], role="union_chair")
    PersonRole.objects.create(person=o["person_a"], role="league_head")

    # Organizations: joint (due for election soon), hosted over a closed enterprise, dissolved, future.
    o["org_joint"] = Organization.objects.create(
        name="甪直联合党支部", region=town, formation="joint", level="branch",
        founded_on=datetime.date(2020, 1, 1), last_election_on=datetime.date(2021, 9, 15), secretary=o["p_full1"],
    )
    Coverage.objects.create(organization=o["org_joint"], enterprise=o["e8"], start_on=datetime.date(2020, 1, 1))
    Coverage.objects.create(organization=o["org_joint"], enterprise=o["e9"], start_on=datetime.date(2020, 1, 1))
    o["org_host"] = Organization.objects.create(
        name="甪直个体劳动者协会党委", region=town, formation="hosted", level="committee", host_unit="个体劳动者协会",
        founded_on=datetime.date(2023, 6, 1), secretary=o["p_full2"],
    )
    Coverage.objects.create(organization=o["org_host"], enterprise=o["e11"], start_on=datetime.date(2023, 6, 1))
    o["org_dissolved"] = Organization.objects.create(
        name="四号已关闭公司党支部", region=town, founded_on=datetime.date(2010, 1, 1),
        status="dissolved", dissolved_on=datetime.date(2023, 1, 1), dissolve_reason="closed", dissolve_document="甪组〔2023〕1号",
    )
    Coverage.objects.create(
        organization=o["org_dissolved"], enterprise=o["e4"], start_on=datetime.date(2010, 1, 1), end_on=datetime.date(2023, 1, 1)
    )
    o["org_future"] = Organization.objects.create(name="七号新建公司党支部", region=town, founded_on=datetime.date(2024, 9, 1))
    Coverage.objects.create(organization=o["org_future"], enterprise=o["e7"], start_on=datetime.date(2024, 9, 1))

    # Instructors: e2 has two; e5's assignment ended before D; e10's starts after D.
    o["i2"] = Instructor.objects.create(name="甪直第二指导员", phone="13900009999", region=town)
    Assignment.objects.create(instructor=world["instructor_a"], enterprise=o["e2"], start_on=datetime.date(2020, 1, 1))
    Assignment.objects.create(instructor=o["i2"], enterprise=o["e2"], start_on=datetime.date(2021, 1, 1))
    Assignment.objects.create(
        instructor=o["i2"], enterprise=o["e5"], start_on=datetime.date(2021, 1, 1), end_on=datetime.date(2024, 1, 1)
    )
    Assignment.objects.create(instructor=o["i2"], enterprise=o["e10"], start_on=datetime.date(2024, 8, 1))

    # Evaluations (2023 ones are another year), sites, 三会一课 in Q1 2024 for org_a only.
    evaluation(o["org_a"], 2024, "double_strong_six_good")
    evaluation(o["org_a"], 2023, "five_good")
    evaluation(o["org_joint"], 2024, "double_strong_six_good", unmet=1)
    evaluation(o["org_joint"], 2024, "five_good")
    six = dict(has_place=True, has_facilities=True, has_sign=True, has_flag=True, has_books=True)
    ActivitySite.objects.create(organization=o["org_a"], has_rules=True, **six)
    ActivitySite.objects.create(organization=o["org_joint"], has_rules=False, **six)
    for month in (1, 2, 3):
        for category in ("committee_meeting", "group_meeting", "theme_day"):
            ActivityRecord.objects.create(
                organization=o["org_a"], held_on=datetime.date(2024, month, 10), category=category, title=category
            )
    for category in ("branch_assembly", "party_lecture"):
        ActivityRecord.objects.create(organization=o["org_a"], held_on=datetime.date(2024, 3, 20), category=category, title=category)
    ActivityRecord.objects.create(organization=o["org_a"], held_on=datetime.date(2024, 6, 20), category="theme_day", title="六月主题党日")
    ActivityRecord.objects.create(organization=o["org_joint"], held_on=datetime.date(2024, 7, 5), category="theme_day", title="七月（D 之后）")
    return o
