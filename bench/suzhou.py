"""A deterministic city shaped like the 2003 Suzhou report, loaded with bulk_create.

``build(scale=1.0)`` loads, as of 2003-12-31 (year 2003), a city whose ``coverage_report``
reproduces every published figure of indicators.md at scale 1 (全市非公有制经济组织党建工作会议纪要,
2004): 289,513 registered enterprises, 252,963 operating (private 58,199 / foreign-invested 5,491 /
individual 189,273), 4,033 organizations (3,167 standalone + 866 joint, a third of those hosted),
10,547 covered enterprises, 应建已建率 100%, 6,930 instructors covering 70,498 enterprises
including all 20,755 with 25 or more staff, 56,595 members (15.58% of 363,254) and 1,880 admitted
in 2003 (20.75% of 9,060). At other scales every published count is ``round(count * scale)``:
``expected_figures(scale)`` gives the figures the builder designs.

The data carries the traps the indicators must step over: closed enterprises (some with members,
some covered by organizations dissolved in 2003), organizations founded after the report date,
people admitted after it or transferred out before it, probationary members confirmed in 2004,
ended and future assignments, enterprises with two instructors, instructors whose only
assignment ended, evaluations of 2002.

Run from the shell: ``.venv/bin/python -m bench.suzhou --scale 0.01`` (into the configured database).
"""

import datetime
import os
import sys

PUBLISHED = {
    "registered": 289_513,
    "private": 58_199,
    "foreign_invested": 5_491,
    "individual": 189_273,
    "standalone": 3_167,
    "joint": 866,
    "covered": 10_547,
    "instructors": 6_930,
    "instructed": 70_498,
    "staff25": 20_755,
    "members": 56_595,
    "new_in_year": 1_880,
    "stat_total": 363_254,
    "stat_new": 9_060,
}
AS_OF = datetime.date(2003, 12, 31)
YEAR = 2003
CITY = ("320500", "苏州市")
DISTRICTS = [
    ("320502", "沧浪区"),
    ("320503", "平江区"),
    ("320504", "金阊区"),
    ("320505", "虎丘区"),
    ("320506", "吴中区"),
    ("320507", "相城区"),
    ("320581", "常熟市"),
    ("320582", "张家港市"),
    ("320583", "昆山市"),
    ("320584", "吴江市"),
    ("320585", "太仓市"),
]
TOWNSHIPS_PER_DISTRICT = 4
TOWN_NAMES = ["城东", "城西", "城南", "城北"]
BATCH = 2000


def scaled(count, scale):
    return int(round(count * scale))


def plan(scale):
    """Every count the builder designs at ``scale``."""
    n = {key: scaled(value, scale) for key, value in PUBLISHED.items()}
    n["operating"] = n["private"] + n["foreign_invested"] + n["individual"]
    n["hosted"] = n["joint"] // 3
    n["joint_only"] = n["joint"] - n["hosted"]
    n["closed"] = scaled(1_500, scale)
    n["dissolved"] = min(scaled(120, scale), n["closed"])
    n["founded_later"] = scaled(50, scale)
    n["double_instructor"] = scaled(1_000, scale)
    n["ended_assignments"] = scaled(2_000, scale)
    n["future_assignments"] = scaled(1_000, scale)
    n["idle_instructors"] = scaled(300, scale)
    n["admitted_later"] = scaled(400, scale)
    n["transferred_out"] = scaled(200, scale)
    n["closed_members"] = min(scaled(300, scale), n["closed"])
    n["activists_new"] = scaled(3_000, scale)
    n["activists_old"] = scaled(500, scale)
    n["six_have"] = scaled(2_000, scale)
    n["double_strong"] = scaled(1_500, scale)
    n["five_good"] = scaled(1_200, scale)
    n["meeting_orgs"] = scaled(400, scale)
    assert n["registered"] >= n["operating"], "scale too small: registered < operating"
    assert n["covered"] >= n["standalone"] + 2 * n["joint"], "scale too small for the organizations"
    assert n["staff25"] <= n["private"] + n["foreign_invested"]
    assert n["staff25"] <= n["instructed"] <= n["operating"] - n["ended_assignments"] - n["future_assignments"]
    assert 2 <= n["instructors"] <= n["instructed"]
    return n


def expected_figures(scale=1.0):
    """The report figures the data set is built to give (keys of ``coverage_report --json``)."""
    n = plan(scale)
    return {
        "enterprises.registered": n["registered"],
        "enterprises.operating": n["operating"],
        "enterprises.operating_by_kind.private": n["private"],
        "enterprises.operating_by_kind.foreign_invested": n["foreign_invested"],
        "enterprises.operating_by_kind.individual": n["individual"],
        "enterprises.operating_by_kind.market": 0,
        "orgs.total": n["standalone"] + n["joint"],
        "orgs.standalone": n["standalone"],
        "orgs.joint": n["joint"],
        "coverage.covered": n["covered"],
        "coverage.org_rate.num": n["covered"],
        "coverage.should_build_rate.rate": 1.0,
        "instructors.total": n["instructors"],
        "instructors.enterprises_covered": n["instructed"],
        "instructors.staff25_rate.num": n["staff25"],
        "instructors.staff25_rate.den": n["staff25"],
        "members.total": n["members"],
        "members.share_of_region.num": n["members"],
        "members.share_of_region.den": n["stat_total"],
        "members.new_in_year": n["new_in_year"],
        "members.new_share_of_region.num": n["new_in_year"],
        "members.new_share_of_region.den": n["stat_new"],
    }


def _day(start, offset):
    return start + datetime.timedelta(days=offset)


def build(scale=1.0, stdout=None):
    """Load the city at ``scale`` into the default database (which should hold no enterprises yet)."""
    from django.db import transaction

    from enterprises.models import Enterprise
    from instructors.models import Assignment, Instructor
    from members.models import Person, PersonRole
    from organizations.models import ActivitySite, Coverage, Evaluation, EvaluationItem, Organization, SCHEME_ITEMS
    from archives.models import ActivityRecord
    from partybuild.testdata import make_credit_code, make_id_number
    from regions.models import Region, RegionStat

    n = plan(scale)

    def say(text):
        if stdout:
            stdout.write(text + "\n")
            stdout.flush()

    with transaction.atomic():
        city = Region.objects.create(code=CITY[0], name=CITY[1], kind="city", plan_start=datetime.date(2004, 1, 1))
        townships = []
        for code, name in DISTRICTS:
            kind = "county_city" if name.endswith("市") else "district"
            district = Region.objects.create(code=code, name=name, kind=kind, parent=city)
            for k in range(TOWNSHIPS_PER_DISTRICT):
                townships.append(
                    Region.objects.create(
                        code=f"{code}{101 + k:03d}", name=f"{name[:2]}{TOWN_NAMES[k]}镇", kind="township", parent=district
                    )
                )
        RegionStat.objects.create(region=city, year=YEAR, total_members=n["stat_total"], new_members=n["stat_new"])

        # ---- enterprises: operating ones first (private, foreign-invested, individual), then the rest.
        kinds = ["private"] * n["private"] + ["foreign_invested"] * n["foreign_invested"] + ["individual"] * n["individual"]
        enterprises = []
        serial = 0

        def enterprise(kind, status, employees, changed_on=None):
            nonlocal serial
            serial += 1
            town = townships[serial % len(townships)]
            label = "个体工商户" if kind == "individual" else "有限公司"
            return Enterprise(
                name=f"苏州{town.name}{serial:06d}号{label}",
                credit_code=make_credit_code(serial, town.code[:6], "92" if kind == "individual" else "91"),
                region=town,
                kind=kind,
                status=status,
                status_changed_on=changed_on,
                employees=employees,
                founded_on=_day(datetime.date(1992, 1, 1), serial % 3650),
            )

        for i, kind in enumerate(kinds):
            employees = 25 + (i * 37) % 500 if i < n["staff25"] else 1 + i % 24
            if i < n["standalone"]:
                employees = max(employees, 100)
            enterprises.append(enterprise(kind, "operating", employees))
        for j in range(n["registered"] - n["operating"]):
            enterprises.append(enterprise("private" if j % 3 else "individual", "not_started" if j % 2 else "suspended", 3))
        for j in range(n["closed"]):
            enterprises.append(enterprise("private", "closed", 10, datetime.date(2003, 3, 1)))
        Enterprise.objects.bulk_create(enterprises, batch_size=BATCH)
        say(f"enterprises: {len(enterprises)}")
        operating = enterprises[: n["operating"]]
        closed = enterprises[n["registered"] :]

        # ---- organizations and coverage links.
        orgs, links = [], []
        founded = datetime.date(2001, 7, 1)

        def organization(name, region, formation, level="branch", host="", **extra):
            org = Organization(
                name=name,
                region=region,
                formation=formation,
                level=level,
                host_unit=host,
                founded_on=extra.pop("founded_on", founded),
                last_election_on=extra.pop("last_election_on", None),
                **extra,
            )
            orgs.append(org)
            return org

        def cover(org, ent, start=founded, end=None):
            links.append(
                Coverage(
                    organization=org,
                    enterprise=ent,
                    start_on=start,
                    end_on=end,
                    organization_standalone=org.formation == "standalone",
                )
            )

        for i in range(n["standalone"]):
            ent = operating[i]
            level = "committee" if i < n["standalone"] // 30 else "general_branch" if i < n["standalone"] // 10 else "branch"
            org = organization(
                f"{ent.name}党{'委' if level == 'committee' else '总支' if level == 'general_branch' else '支部'}",
                ent.region,
                "standalone",
                level,
                founded_on=_day(datetime.date(1996, 1, 1), i % 2000),
                last_election_on=_day(datetime.date(2001, 1, 1), i % 1000),
            )
            cover(org, ent, org.founded_on)
        position = n["standalone"]
        joint_sizes = [2 + k % 4 for k in range(n["joint_only"])]
        hosted_total = n["covered"] - n["standalone"] - sum(joint_sizes)
        if n["hosted"] == 0:  # tiny scales: the joint organizations take the remainder
            joint_sizes[-1] += hosted_total
            hosted_total = 0
        for k, size in enumerate(joint_sizes):
            members = operating[position : position + size]
            position += size
            org = organization(f"{members[0].region.name}联合党支部{k + 1:04d}", members[0].region, "joint")
            for ent in members:
                cover(org, ent)
        hosted_start = n["private"] + n["foreign_invested"]
        for k in range(n["hosted"]):
            share = hosted_total // n["hosted"] + (1 if k < hosted_total % n["hosted"] else 0)
            members = operating[hosted_start : hosted_start + share]
            hosted_start += share
            org = organization(
                f"{members[0].region.name}个体私营企业协会党支部{k + 1:04d}",
                members[0].region,
                "hosted",
                host=f"{members[0].region.name}个体私营企业协会",
            )
            for ent in members:
                cover(org, ent)
        covered = [link.enterprise for link in links]
        # Traps: organizations dissolved in 2003 over closed enterprises; organizations founded in 2004.
        for k in range(n["dissolved"]):
            ent = closed[k]
            org = organization(
                f"{ent.name}党支部（已撤销）",
                ent.region,
                "standalone",
                status="dissolved",
                dissolved_on=datetime.date(2003, 3, 1),
                dissolve_reason="closed",
                dissolve_document=f"苏组〔2003〕{k + 1}号",
                founded_on=datetime.date(1998, 7, 1),
            )
            cover(org, ent, datetime.date(1998, 7, 1), datetime.date(2003, 3, 1))
        later_start = n["staff25"]
        for k in range(n["founded_later"]):
            ent = operating[later_start + k]
            org = organization(f"{ent.name}党支部", ent.region, "standalone", founded_on=datetime.date(2004, 5, 1))
            cover(org, ent, datetime.date(2004, 5, 1))
        Organization.objects.bulk_create(orgs, batch_size=BATCH)
        for link in links:
            link.organization_id = link.organization.pk
        Coverage.objects.bulk_create(links, batch_size=BATCH)
        say(f"organizations: {len(orgs)}, coverage links: {len(links)}")
        active_orgs = orgs[: n["standalone"] + n["joint"]]

        # ---- sites, evaluations (2003, and 2002 as a trap), activity records.
        ActivitySite.objects.bulk_create(
            [
                ActivitySite(
                    organization=org,
                    has_place=True,
                    has_facilities=True,
                    has_sign=True,
                    has_flag=True,
                    has_books=True,
                    has_rules=k < n["six_have"],
                )
                for k, org in enumerate(active_orgs[: n["six_have"] + n["six_have"] // 4])
            ],
            batch_size=BATCH,
        )
        evaluations = []
        for k, org in enumerate(active_orgs[: n["double_strong"] + n["double_strong"] // 5]):
            evaluations.append((Evaluation(organization=org, year=YEAR, scheme="double_strong_six_good"), k < n["double_strong"]))
            evaluations.append((Evaluation(organization=org, year=YEAR - 1, scheme="double_strong_six_good"), True))
        for k, org in enumerate(active_orgs[-(n["five_good"] + n["five_good"] // 5) :]):
            evaluations.append((Evaluation(organization=org, year=YEAR, scheme="five_good"), k >= n["five_good"] // 5))
        Evaluation.objects.bulk_create([evaluation for evaluation, _ in evaluations], batch_size=BATCH)
        items = []
        for evaluation, attained in evaluations:
            codes = [code for code, _ in SCHEME_ITEMS[evaluation.scheme]]
            for position_in_scheme, code in enumerate(codes):
                items.append(EvaluationItem(evaluation=evaluation, item=code, met=attained or position_in_scheme > 0))
        EvaluationItem.objects.bulk_create(items, batch_size=BATCH)
        records = []
        for org in [org for org in active_orgs if org.level == "branch"][: n["meeting_orgs"]]:
            for month in (7, 8, 9):
                for category in ("committee_meeting", "group_meeting", "theme_day"):
                    records.append(
                        ActivityRecord(organization=org, held_on=datetime.date(YEAR, month, 10), category=category, title=category)
                    )
            for category in ("branch_assembly", "party_lecture"):
                records.append(ActivityRecord(organization=org, held_on=datetime.date(YEAR, 9, 20), category=category, title=category))
            records.append(ActivityRecord(organization=org, held_on=datetime.date(YEAR, 12, 20), category="theme_day", title="主题党日"))
        ActivityRecord.objects.bulk_create(records, batch_size=BATCH)

        # ---- instructors and assignments.
        instructors = []
        for k in range(n["instructors"] + n["idle_instructors"]):
            instructors.append(
                Instructor(
                    name=f"指导员{k + 1:05d}",
                    phone=f"139{k + 1:08d}",
                    region=townships[k % len(townships)],
                    source=["organ", "institution", "retired", "veteran", "local_leader", "other"][k % 6],
                )
            )
        Instructor.objects.bulk_create(instructors, batch_size=BATCH)
        assignments = []
        start = datetime.date(2002, 3, 1)
        for i in range(n["instructed"]):
            assignments.append(Assignment(instructor=instructors[i % n["instructors"]], enterprise=operating[i], start_on=start))
        for i in range(n["double_instructor"]):
            assignments.append(
                Assignment(instructor=instructors[(i + 1) % n["instructors"]], enterprise=operating[i], start_on=start)
            )
        tail = n["instructed"]
        for k in range(n["ended_assignments"]):
            assignments.append(
                Assignment(
                    instructor=instructors[k % n["instructors"]],
                    enterprise=operating[tail + k],
                    start_on=start,
                    end_on=datetime.date(2003, 6, 30),
                )
            )
        tail += n["ended_assignments"]
        for k in range(n["future_assignments"]):
            assignments.append(
                Assignment(instructor=instructors[k % n["instructors"]], enterprise=operating[tail + k], start_on=datetime.date(2004, 3, 1))
            )
        for k in range(n["idle_instructors"]):
            assignments.append(
                Assignment(
                    instructor=instructors[n["instructors"] + k],
                    enterprise=operating[n["instructed"] + k % max(1, n["ended_assignments"])],
                    start_on=start,
                    end_on=datetime.date(2003, 1, 31),
                )
            )
        Assignment.objects.bulk_create(assignments, batch_size=BATCH)
        say(f"instructors: {len(instructors)}, assignments: {len(assignments)}")

        # ---- people.
        people, roles = [], []
        person_serial = 0

        def person(ent, status, admitted=None, confirmed=None, activist=None, candidate=None, transferred=None, applied=None):
            nonlocal person_serial
            person_serial += 1
            if admitted:
                applied = applied or _day(admitted, -3 * 365)
                activist = activist or _day(admitted, -2 * 365)
                candidate = candidate or _day(admitted, -180)
            elif activist and not applied:
                applied = _day(activist, -200)
            birth = _day(datetime.date(1960, 1, 1), person_serial // 1000)
            people.append(
                Person(
                    name=f"党员{person_serial:06d}" if admitted else f"职工{person_serial:06d}",
                    id_number=make_id_number(person_serial, birth, ent.region.code[:6]),
                    enterprise=ent,
                    status=status,
                    applied_on=applied,
                    activist_on=activist,
                    candidate_on=candidate,
                    admitted_on=admitted,
                    confirmed_on=confirmed,
                    transferred_out_on=transferred,
                )
            )
            return people[-1]

        def full_member(ent, k):
            admitted = _day(datetime.date(1995, 1, 1), k % 2500)
            return person(ent, "full", admitted=admitted, confirmed=_day(admitted, 366))

        full_total = n["members"] - n["new_in_year"]
        k = 0
        for ent in operating[: n["standalone"]]:  # a standalone organization has at least three full members
            for _ in range(3):
                full_member(ent, k)
                k += 1
        uncovered_staffed = operating[position : n["staff25"]]  # 25+ staff, not covered: at most one full member
        for ent in uncovered_staffed[: min(len(uncovered_staffed), full_total // 10)]:
            full_member(ent, k)
            k += 1
        cursor = 0
        while k < full_total:
            full_member(covered[cursor % len(covered)], k)
            cursor += 1
            k += 1
        for j in range(n["new_in_year"]):  # admitted in 2003: probationary on the report date
            admitted = _day(datetime.date(YEAR, 1, 1), j % 365)
            confirmed = _day(admitted, 366) if j % 2 else None
            person(operating[j % n["staff25"]], "full" if confirmed else "probationary", admitted=admitted, confirmed=confirmed)
        for j in range(n["admitted_later"]):  # admitted in 2004: a candidate on the report date
            person(operating[n["staff25"] + j], "probationary", admitted=datetime.date(2004, 3, 1))
        for j in range(n["transferred_out"]):
            full_member(operating[j % n["standalone"]], j)
            people[-1].status = "transferred_out"
            people[-1].transferred_out_on = datetime.date(2003, 5, 1)
        for j in range(n["closed_members"]):
            full_member(closed[j], j)
        for j in range(n["activists_new"]):  # activists of 2003 in half of the covered enterprises
            person(covered[j % max(1, len(covered) // 2)], "activist", activist=_day(datetime.date(YEAR, 2, 1), j % 300))
        for j in range(n["activists_old"]):
            person(operating[n["staff25"] + j], "activist", activist=datetime.date(2002, 5, 1))
        Person.objects.bulk_create(people, batch_size=BATCH)
        for j, someone in enumerate(people[-(n["activists_new"] + n["activists_old"]) :][:200]):
            roles.append(PersonRole(person=someone, role=["union_chair", "league_head", "women_head"][j % 3]))
        PersonRole.objects.bulk_create(roles, batch_size=BATCH)
        say(f"people: {len(people)}")
    return n


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description="Load the Suzhou-shaped city into the configured database.")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")
    import django

    django.setup()
    build(args.scale, stdout=sys.stdout)


if __name__ == "__main__":
    main()
