"""A demo city for trying the system: regions, enterprises, organizations, instructors, people,
activity records with generated photos, sites, evaluations, region statistics and one account
per role. Deterministic and idempotent: running it again changes nothing and duplicates nothing.
"""

import datetime
import io
import random

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from archives.models import ActivityPhoto, ActivityRecord, Category
from enterprises.models import Enterprise, EnterpriseKind, EnterpriseStatus
from instructors.models import Assignment, GuidanceVisit, Instructor, InstructorSource
from members.models import EnterpriseRole, Person, PersonRole, PoliticalStatus, Recommendation, RecommendationKind
from organizations.models import (
    SCHEME_ITEMS,
    ActivitySite,
    Coverage,
    DissolveReason,
    Evaluation,
    EvaluationItem,
    Formation,
    Organization,
    OrgLevel,
    OrgStatus,
    Scheme,
)
from partybuild.dates import add_years
from partybuild.scoping import Role
from partybuild.testdata import make_credit_code, make_id_number
from regions.models import Region, RegionStat

CITY = ("320500", "苏州市", "city", None)
REGIONS = [
    CITY,
    ("320506", "吴中区", "district", "320500"),
    ("320583", "昆山市", "county_city", "320500"),
    ("320508", "姑苏区", "district", "320500"),
    ("320506101", "甪直镇", "township", "320506"),
    ("320506102", "木渎镇", "township", "320506"),
    ("320506103", "胥口镇", "township", "320506"),
    ("320583102", "周市镇", "township", "320583"),
    ("320583103", "张浦镇", "township", "320583"),
    ("320508001", "平江街道", "subdistrict", "320508"),
    ("320508002", "金阊街道", "subdistrict", "320508"),
    ("320506101P1", "甪直工业园", "park", "320506101"),
]
TOWNSHIP_CODES = [code for code, _, kind, _ in REGIONS if kind in ("township", "subdistrict", "park")]

NAME_HEADS = ["华兴", "宏达", "恒通", "金盛", "瑞丰", "天成", "永泰", "鑫源", "东方", "新科", "明德", "苏美", "博远", "中和", "嘉禾"]
NAME_TAILS = ["精密机械", "电子科技", "纺织", "新材料", "物流", "食品", "服饰", "光电", "环保科技", "建材", "模具", "软件"]
SHOP_TAILS = ["便利店", "五金店", "小吃店", "服装店", "家电维修部", "副食品店"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华", "建国", "志强", "晓东", "海燕", "春梅"]

DEMO_ACCOUNTS = [
    # username, role, password, anchor description
    ("admin", Role.ADMIN, "Pb-admin-2026!"),
    ("staff_luzhi", Role.STAFF, "Pb-staff-2026!"),
    ("leader_wuzhong", Role.LEADER, "Pb-leader-2026!"),
    ("leader_city", Role.LEADER, "Pb-city-2026!"),
    ("secretary_demo", Role.SECRETARY, "Pb-secretary-2026!"),
    ("instructor_demo", Role.INSTRUCTOR, "Pb-instructor-2026!"),
]


def person_name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def demo_photo(text, color):
    image = Image.new("RGB", (800, 600), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle([40, 40, 760, 560], outline=(255, 255, 255), width=6)
    draw.text((80, 280), text, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    thumb = image.copy()
    thumb.thumbnail((320, 320))
    thumb_buffer = io.BytesIO()
    thumb.save(thumb_buffer, "JPEG", quality=75)
    return buffer.getvalue(), thumb_buffer.getvalue()


class Command(BaseCommand):
    help = "生成演示数据（可重复运行，不会产生重复记录）"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="数据库中已有企业时跳过")
        parser.add_argument("--enterprises", type=int, default=320, help="演示企业数量")

    def handle(self, *args, **options):
        if options["if_empty"] and Enterprise.objects.exists():
            self.stdout.write("数据库已有数据，跳过演示数据生成。")
            return
        self.today = timezone.localdate()
        self.rng = random.Random(2026)
        with transaction.atomic():
            regions = self.seed_regions()
            enterprises = self.seed_enterprises(regions, options["enterprises"])
            orgs = self.seed_organizations(enterprises)
            self.seed_people(enterprises, orgs)
            instructors = self.seed_instructors(regions, enterprises)
            self.seed_activities(orgs)
            self.seed_sites_and_evaluations(orgs)
            self.seed_region_stats(regions)
            accounts = self.seed_accounts(regions, orgs, instructors)
        self.stdout.write(self.style.SUCCESS(
            f"演示数据就绪：{Region.objects.count()} 个区域，{Enterprise.objects.count()} 家企业，"
            f"{Organization.objects.count()} 个党组织，{Instructor.objects.count()} 名指导员，"
            f"{Person.objects.count()} 名人员，{ActivityRecord.objects.count()} 条活动记录。"
        ))
        self.stdout.write("演示账户（用户名 / 密码 / 角色 / 管辖范围）：")
        for username, password, user in accounts:
            self.stdout.write(f"  {username} / {password} / {user.get_role_display()} / {user.anchor or '全部'}")

    # Regions --------------------------------------------------------------------------------
    def seed_regions(self):
        regions = {}
        for code, name, kind, parent in REGIONS:
            region, _ = Region.objects.update_or_create(
                code=code, defaults={"name": name, "kind": kind, "parent": regions.get(parent)}
            )
            regions[code] = region
        city = regions["320500"]
        if city.plan_start is None:
            city.plan_start = datetime.date(self.today.year - 1, 1, 1)
            city.save()
        return regions

    # Enterprises ----------------------------------------------------------------------------
    def seed_enterprises(self, regions, count):
        rng = self.rng
        existing = {e.credit_code: e for e in Enterprise.objects.all()}
        result = []
        for i in range(count):
            region = regions[TOWNSHIP_CODES[i % len(TOWNSHIP_CODES)]]
            roll = rng.random()
            if roll < 0.55:
                kind, registry_type = EnterpriseKind.PRIVATE, rng.choice(["有限责任公司（自然人投资或控股）", "个人独资企业", "股份有限公司"])
            elif roll < 0.67:
                kind, registry_type = EnterpriseKind.FOREIGN_INVESTED, rng.choice(["有限责任公司（外商独资）", "有限责任公司（台港澳与境内合资）"])
            elif roll < 0.95:
                kind, registry_type = EnterpriseKind.INDIVIDUAL, "个体工商户"
            else:
                kind, registry_type = EnterpriseKind.MARKET, "专业市场"
            status_roll = rng.random()
            status = (
                EnterpriseStatus.OPERATING if status_roll < 0.8
                else EnterpriseStatus.NOT_STARTED if status_roll < 0.85
                else EnterpriseStatus.SUSPENDED if status_roll < 0.92
                else EnterpriseStatus.CLOSED
            )
            if kind == EnterpriseKind.INDIVIDUAL:
                name = f"{region.name.rstrip('镇街道园区')}{rng.choice(NAME_HEADS)}{rng.choice(SHOP_TAILS)}"
                employees = rng.randint(1, 8)
                prefix = "92"
            elif kind == EnterpriseKind.MARKET:
                name = f"{region.name.rstrip('镇街道园区')}{rng.choice(['轻纺', '五金', '农副产品', '建材'])}专业市场"
                employees = rng.randint(20, 80)
                prefix = "91"
            else:
                name = f"苏州{rng.choice(NAME_HEADS)}{rng.choice(NAME_TAILS)}有限公司"
                employees = int(rng.choice([rng.randint(5, 30), rng.randint(25, 120), rng.randint(50, 400), rng.randint(100, 1500)]))
                prefix = "91"
            name = f"{name}（{i + 1:03d}）" if kind != EnterpriseKind.MARKET else f"{name}{i + 1}号"
            code = make_credit_code(10_000 + i, region.code[:6], prefix)
            founded = datetime.date(rng.randint(1995, self.today.year - 1), rng.randint(1, 12), rng.randint(1, 28))
            introduced = kind != EnterpriseKind.INDIVIDUAL and rng.random() < 0.1
            fields = {
                "name": name,
                "region": region,
                "kind": kind,
                "registry_type": registry_type,
                "status": status,
                "status_changed_on": founded if status == EnterpriseStatus.OPERATING else datetime.date(self.today.year - 1, 6, 30),
                "employees": employees,
                "founded_on": founded,
                "legal_representative": person_name(rng),
                "main_investor": person_name(rng),
                "industry": rng.choice(["制造业", "批发和零售业", "信息技术服务业", "交通运输业", "住宿和餐饮业"]),
                "address": f"{region.name}{rng.choice(['长江路', '金港路', '胥江路', '人民路'])}{rng.randint(1, 999)}号",
                "phone": f"0512-{rng.randint(60000000, 69999999)}",
                "is_newly_introduced": introduced,
                "introduced_on": founded if introduced else None,
                "has_trade_union": employees >= 25 and rng.random() < 0.7,
                "has_youth_league": employees >= 50 and rng.random() < 0.5,
                "has_women_committee": employees >= 50 and rng.random() < 0.4,
            }
            enterprise = existing.get(code)
            if enterprise is None:
                enterprise = Enterprise.objects.create(credit_code=code, **fields)
            result.append(enterprise)
        return result

    # Organizations --------------------------------------------------------------------------
    def seed_organizations(self, enterprises):
        rng = self.rng
        existing = {o.name: o for o in Organization.objects.all()}
        orgs = []

        def make_org(name, region, level, formation, covered, host_unit=""):
            org = existing.get(name)
            founded = datetime.date(rng.randint(2008, self.today.year - 2), 7, 1)
            election = datetime.date(rng.randint(max(founded.year, self.today.year - 6), self.today.year - 1), rng.randint(1, 12), 1)
            if org is None:
                org = Organization.objects.create(
                    name=name, region=region, level=level, formation=formation, founded_on=founded,
                    host_unit=host_unit, parent_name=f"中共{region.name}委员会", last_election_on=election,
                )
                for enterprise in covered:
                    Coverage.objects.create(organization=org, enterprise=enterprise, start_on=founded)
            orgs.append(org)
            return org

        private_like = (EnterpriseKind.PRIVATE, EnterpriseKind.FOREIGN_INVESTED)
        big = [e for e in enterprises if e.kind in private_like and (e.employees or 0) >= 100 and e.status != EnterpriseStatus.NOT_STARTED]
        for enterprise in big:
            level = OrgLevel.COMMITTEE if enterprise.employees >= 1000 else OrgLevel.GENERAL_BRANCH if enterprise.employees >= 500 else OrgLevel.BRANCH
            suffix = {OrgLevel.COMMITTEE: "委员会", OrgLevel.GENERAL_BRANCH: "总支部委员会", OrgLevel.BRANCH: "支部委员会"}[level]
            make_org(f"中共{enterprise.name}{suffix}", enterprise.region, level, Formation.STANDALONE, [enterprise])
        covered_ids = {e.pk for e in big}
        by_region = {}
        for enterprise in enterprises:
            if (
                enterprise.pk not in covered_ids
                and enterprise.kind in private_like
                and enterprise.status == EnterpriseStatus.OPERATING
                and 10 <= (enterprise.employees or 0) < 100
            ):
                by_region.setdefault(enterprise.region, []).append(enterprise)
        for region, members in by_region.items():
            for group_no, start in enumerate(range(0, min(len(members), 12), 4), start=1):
                group = members[start:start + 4]
                if len(group) >= 2:
                    make_org(f"中共{region.name}非公企业第{group_no}联合支部委员会", region, OrgLevel.BRANCH, Formation.JOINT, group)
        for region_code in TOWNSHIP_CODES[:3]:
            region = Region.objects.get(code=region_code)
            hosted = [e for e in enterprises if e.region_id == region.pk and e.kind in (EnterpriseKind.INDIVIDUAL, EnterpriseKind.MARKET)
                      and e.status == EnterpriseStatus.OPERATING][:5]
            if hosted:
                make_org(f"中共{region.name}个体私营企业协会支部委员会", region, OrgLevel.BRANCH, Formation.HOSTED, hosted,
                         host_unit=f"{region.name}个体私营企业协会")
        # One organization dissolved because its enterprise closed: history stays readable.
        closed = next((o for o in orgs if o.formation == Formation.STANDALONE and o.coverages.filter(enterprise__status=EnterpriseStatus.CLOSED).exists()), None)
        if closed and closed.status == OrgStatus.ACTIVE:
            day = datetime.date(self.today.year - 1, 9, 30)
            closed.coverages.filter(end_on__isnull=True).update(end_on=day)
            closed.status = OrgStatus.DISSOLVED
            closed.dissolved_on = day
            closed.dissolve_reason = DissolveReason.CLOSED
            closed.dissolve_document = f"{closed.region.name}党委〔{day.year}〕12号"
            closed.save()
        return orgs

    # People ---------------------------------------------------------------------------------
    def seed_people(self, enterprises, orgs):
        existing = set(Person.objects.values_list("id_number", flat=True))
        serial = 0
        org_of = {c.enterprise_id: c.organization for c in Coverage.objects.select_related("organization")}
        for enterprise in enterprises:
            if enterprise.kind == EnterpriseKind.INDIVIDUAL:
                continue
            rng = random.Random(f"people-{enterprise.credit_code}")
            org = org_of.get(enterprise.pk)
            employees = enterprise.employees or 0
            count = rng.randint(3, 8) if org else (rng.randint(0, 4) if employees >= 25 else 0)
            for n in range(count):
                serial += 1
                birth = datetime.date(rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28))
                id_number = make_id_number(serial, birth, enterprise.region.code[:6])
                stage = rng.choices(
                    ["masses", "applicant", "activist", "candidate", "probationary", "full"],
                    weights=[1, 1, 2, 1, 1, 6] if org else [3, 1, 1, 0, 0, 3],
                )[0]
                person = Person(
                    name=person_name(rng), gender=rng.choice(["male", "female"]), id_number=id_number,
                    enterprise=enterprise, organization=org if org and org.status == OrgStatus.ACTIVE and stage in ("probationary", "full") else None,
                    education=rng.choice(["bachelor", "college", "secondary", "postgraduate"]),
                    phone=f"13{rng.randint(100000000, 999999999)}", status=stage,
                )
                self._set_milestones(rng, person, stage, birth)
                recommend = rng.random() < 0.5
                # Every draw is made before this check, so a re-run draws the same values.
                if id_number in existing:
                    continue
                existing.add(id_number)
                person.full_clean()
                person.save()
                if n == 0 and org:
                    PersonRole.objects.get_or_create(person=person, role=EnterpriseRole.MANAGEMENT)
                if n == 1 and enterprise.has_trade_union:
                    PersonRole.objects.get_or_create(person=person, role=EnterpriseRole.UNION_CHAIR)
                if stage == "activist" and recommend:
                    Recommendation.objects.get_or_create(
                        person=person, kind=RecommendationKind.ADMISSION, recommended_on=person.activist_on
                    )
        # Officers: the first full member of each active organization is its secretary.
        for org in orgs:
            if org.status != OrgStatus.ACTIVE or org.secretary_id:
                continue
            full = list(Person.objects.filter(organization=org, status=PoliticalStatus.FULL).order_by("pk")[:4])
            if full and random.Random(f"officers-{org.name}").random() < 0.9:
                org.secretary = full[0]
                if org.level != OrgLevel.BRANCH and len(full) > 1:
                    org.deputy_secretary = full[1]
                org.save()
                org.committee_members.set(full[1:])

    def _set_milestones(self, rng, person, stage, birth):
        order = ["applicant", "activist", "candidate", "probationary", "full"]
        if stage == "masses":
            return
        reached = order[: order.index(stage) + 1]
        # Walk backwards from a recent date so every milestone is in the past and in order.
        last = self.today - datetime.timedelta(days=rng.randint(20, 300))
        if stage == "full":
            last = self.today - datetime.timedelta(days=rng.randint(400, 5000))
        gaps = {"full": 365, "probationary": 90, "candidate": 380, "activist": 120}
        dates = {}
        day = last
        for step in reversed(reached):
            dates[step] = day
            day = day - datetime.timedelta(days=gaps.get(step, 60) + rng.randint(0, 60))
        if dates["applicant"] < add_years(birth, 18):
            person.status = PoliticalStatus.MASSES  # too young to have applied: stays 群众
            return
        person.applied_on = dates.get("applicant")
        person.activist_on = dates.get("activist")
        person.candidate_on = dates.get("candidate")
        person.admitted_on = dates.get("probationary")
        person.confirmed_on = dates.get("full")

    # Instructors ----------------------------------------------------------------------------
    def seed_instructors(self, regions, enterprises):
        covered = set(Coverage.objects.filter(end_on__isnull=True).values_list("enterprise_id", flat=True))
        candidates = [e for e in enterprises if e.status == EnterpriseStatus.OPERATING and (e.employees or 0) >= 25 and e.pk not in covered]
        instructors = []
        for i, region_code in enumerate(TOWNSHIP_CODES * 3):
            region = regions[region_code]
            rng = random.Random(f"instructor-{i}")
            phone = f"1391234{i:04d}"
            instructor, created = Instructor.objects.get_or_create(
                phone=phone,
                defaults={
                    "name": person_name(rng), "gender": rng.choice(["male", "female"]), "region": region,
                    "source": rng.choice(InstructorSource.values), "work_unit": f"{region.name}党政办",
                    "position": rng.choice(["科员", "副主任", "退休干部"]), "org_relation": f"{region.name}机关党支部",
                },
            )
            instructors.append(instructor)
            mine = [e for e in candidates if e.region_id == region.pk][i // len(TOWNSHIP_CODES)::3][: rng.randint(1, 3)]
            for enterprise in mine:
                start = datetime.date(self.today.year - 1, rng.randint(1, 12), 1)
                if not Assignment.objects.filter(instructor=instructor, enterprise=enterprise).exists():
                    Assignment.objects.create(instructor=instructor, enterprise=enterprise, start_on=start)
                    GuidanceVisit.objects.create(
                        instructor=instructor, enterprise=enterprise, visited_on=start + datetime.timedelta(days=20),
                        content="走访企业负责人，了解职工中党员情况，指导做好入党积极分子培养。",
                    )
        return instructors

    # Activity records -----------------------------------------------------------------------
    def seed_activities(self, orgs):
        active = [o for o in orgs if o.status == OrgStatus.ACTIVE]
        plan = [
            (Category.COMMITTEE_MEETING, "支委会：研究本月工作"),
            (Category.THEME_DAY, "主题党日：重温入党誓词"),
            (Category.BRANCH_ASSEMBLY, "支部党员大会：学习上级精神"),
            (Category.PARTY_LECTURE, "党课：发挥党员先锋模范作用"),
            (Category.STUDY_TRAINING, "与企业管理层联合学习"),
            (Category.CULTURE_SPORTS, "七一红歌赛"),
        ]
        photos_made = ActivityPhoto.objects.count()
        for index, org in enumerate(active):
            rng = random.Random(f"activities-{org.name}")
            for month_back in range(1, 7):
                held = (self.today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
                for _ in range(month_back - 1):
                    held = (held - datetime.timedelta(days=1)).replace(day=1)
                held = max(held.replace(day=min(10 + index % 15, 28)), org.founded_on)
                category, title = plan[(index + month_back) % len(plan)]
                if rng.random() < 0.2:
                    continue  # some months are missing: compliance has something to show
                record, created = ActivityRecord.objects.get_or_create(
                    organization=org, held_on=held, category=category, title=title,
                    defaults={
                        "location": "企业党员活动室", "expected_attendance": 8, "actual_attendance": rng.randint(5, 8),
                        "host": "党组织书记", "content": f"{title}。会议由书记主持，全体党员参加，讨论了下一阶段工作安排。",
                    },
                )
                if created and photos_made < 24 and index < 6:
                    for n in range(2):
                        image, thumb = demo_photo(f"{org.pk}-{held:%Y%m%d}-{n + 1}", (160 + 30 * n, 40, 40))
                        photo = ActivityPhoto(record=record, caption=f"{title}（{n + 1}）", original_name=f"demo-{n + 1}.jpg")
                        photo.image.save(f"demo-{record.pk}-{n + 1}.jpg", ContentFile(image), save=False)
                        photo.thumbnail.save(f"demo-{record.pk}-{n + 1}-thumb.jpg", ContentFile(thumb), save=False)
                        photo.save()
                        photos_made += 1

    # Sites, evaluations, statistics ---------------------------------------------------------
    def seed_sites_and_evaluations(self, orgs):
        last_year = self.today.year - 1
        for org in orgs:
            rng = random.Random(f"site-{org.name}")
            ActivitySite.objects.get_or_create(
                organization=org,
                defaults={
                    "address": "企业综合楼二楼党员活动室", "area": rng.choice([30, 45, 60, 80]),
                    "has_place": True, "has_facilities": rng.random() < 0.8, "has_sign": rng.random() < 0.85,
                    "has_flag": True, "has_books": rng.random() < 0.7, "has_rules": rng.random() < 0.8,
                },
            )
            if org.founded_on.year > last_year:
                continue
            for scheme in (Scheme.DOUBLE_STRONG_SIX_GOOD, Scheme.FIVE_GOOD):
                evaluation, created = Evaluation.objects.get_or_create(
                    organization=org, year=last_year, scheme=scheme, defaults={"evaluated_on": datetime.date(last_year, 12, 20)}
                )
                if created:
                    strong = rng.random() < 0.6
                    EvaluationItem.objects.bulk_create(
                        EvaluationItem(evaluation=evaluation, item=code, met=strong or rng.random() < 0.7)
                        for code, _ in SCHEME_ITEMS[scheme]
                    )

    def seed_region_stats(self, regions):
        for code in ["320500", "320506", "320583", "320508"]:
            for year in (self.today.year - 1, self.today.year):
                base = 360_000 if code == "320500" else 90_000
                RegionStat.objects.get_or_create(
                    region=regions[code], year=year, defaults={"total_members": base, "new_members": base // 40}
                )

    # Accounts -------------------------------------------------------------------------------
    def seed_accounts(self, regions, orgs, instructors):
        luzhi = regions["320506101"]
        # Prefer 甪直镇 (where the staff account works); any region will do for a small seed.
        secretary_org = min(
            (o for o in orgs if o.status == OrgStatus.ACTIVE and o.formation == Formation.STANDALONE),
            key=lambda o: (o.region_id != luzhi.pk, o.pk),
        )
        instructor = min(
            (i for i in instructors if i.assignments.exists()), key=lambda i: (i.region_id != luzhi.pk, i.pk)
        )
        anchors = {
            "admin": {},
            "staff_luzhi": {"region": luzhi},
            "leader_wuzhong": {"region": regions["320506"]},
            "leader_city": {"region": regions["320500"]},
            "secretary_demo": {"organization": secretary_org},
            "instructor_demo": {"instructor": instructor},
        }
        result = []
        for username, role, password in DEMO_ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, role=role, is_superuser=(role == Role.ADMIN), **anchors[username])
                user.last_name = {"admin": "系统管理员", "staff_luzhi": "甪直镇组织委员", "leader_wuzhong": "吴中区领导",
                                  "leader_city": "市委组织部领导", "secretary_demo": "企业党组织书记",
                                  "instructor_demo": "党建指导员"}[username]
                user.set_password(password)
                user.save()
            result.append((username, password, user))
        return result
