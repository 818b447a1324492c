"""Deterministic generator of a city-scale data set in the import formats (import-formats.md).

The shape is the 2003 Suzhou city report of indicators.md, as of REFERENCE_DATE (2003-12-31):

- 289,513 registered enterprises, of which 252,963 operating: private 58,199, foreign-invested
  5,491, individual 189,273; the other 36,550 registered are not started or suspended. Closed
  enterprises (CLOSED_EXTRA) come on top of the 289,513.
- 4,033 organizations: 3,167 standalone + 866 joint, covering 10,547 operating enterprises.
- 6,930 instructors assigned to 70,498 operating enterprises, including every operating one with
  25 or more staff (exactly 20,755 have 25+).
- 56,595 Party members (54,715 full, 1,880 admitted in 2003), all in covered enterprises, so
  every enterprise with 3+ full members is covered; plus activists who are not members.
- 区域党员总量 for the city in 2003: 363,254 members, 9,060 admitted (shares 15.58% / 20.75%).

Row producers are importable, each yielding dicts keyed by the Chinese headers of its kind, in
the order of ``HEADERS[kind]``; ``scale`` shrinks every count (0.01 for tests and quick runs)::

    from bench.generate_city import iter_enterprises, HEADERS
    for row in iter_enterprises(0.01): ...

Command line: ``python bench/generate_city.py [--scale 1] [--out bench/data] [--format xlsx|csv]``
writes 区域.xlsx, 企业.xlsx, 党组织.xlsx, 指导员.xlsx, 党员.xlsx and 区域党员总量.xlsx.
"""

import argparse
import csv
import datetime
import os
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from partybuild.testdata import make_credit_code, make_id_number  # noqa: E402

REFERENCE_DATE = datetime.date(2003, 12, 31)
YEAR = REFERENCE_DATE.year

REGISTERED = 289_513
PRIVATE, FOREIGN, INDIVIDUAL = 58_199, 5_491, 189_273
OPERATING = PRIVATE + FOREIGN + INDIVIDUAL  # 252,963
NOT_OPERATING = REGISTERED - OPERATING  # 36,550 not started or suspended
CLOSED_EXTRA = 12_000
STANDALONE, JOINT = 3_167, 866
COVERED = 10_547
INSTRUCTORS, INSTRUCTED, STAFF25 = 6_930, 70_498, 20_755
MEMBERS, NEW_MEMBERS = 56_595, 1_880
REGION_TOTAL_MEMBERS, REGION_NEW_MEMBERS = 363_254, 9_060

CITY = ("320500", "苏州市", "市")
DISTRICTS = [
    ("320502", "沧浪区", "区"), ("320503", "平江区", "区"), ("320504", "金阊区", "区"), ("320505", "虎丘区", "区"),
    ("320506", "吴中区", "区"), ("320507", "相城区", "区"), ("320581", "常熟市", "县级市"),
    ("320582", "张家港市", "县级市"), ("320583", "昆山市", "县级市"), ("320584", "吴江市", "县级市"),
    ("320585", "太仓市", "县级市"),
]
TOWNSHIPS_PER_DISTRICT = 9
INDUSTRIES = ["制造业", "批发和零售业", "建筑业", "交通运输业", "住宿和餐饮业", "信息技术服务业", "租赁和商务服务业"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉"

HEADERS = {
    "regions": ["区域代码", "区域名称", "上级区域代码", "区域类型"],
    "enterprises": ["企业名称", "统一社会信用代码", "所属区域", "企业类型", "经营状态", "职工人数", "法定代表人",
                    "主要出资人", "成立日期", "所属行业", "住所", "联系电话", "是否建立工会", "是否建立共青团",
                    "是否建立妇委会", "是否新引进企业"],
    "organizations": ["党组织名称", "组织类别", "组建方式", "所属区域", "成立日期", "覆盖企业信用代码", "上级党组织",
                      "上次换届日期", "组织状态"],
    "instructors": ["姓名", "手机号码", "性别", "来源", "工作单位", "所属区域", "选派日期", "指导企业信用代码"],
    "members": ["姓名", "身份证号", "性别", "所在企业信用代码", "所在党组织", "政治面貌", "申请入党日期",
                "确定积极分子日期", "确定发展对象日期", "入党日期", "转正日期", "学历", "企业职务", "党内职务"],
    "region_stats": ["区域代码", "年度", "党员总数", "当年发展党员数"],
}
FILE_NAMES = {"regions": "区域", "enterprises": "企业", "organizations": "党组织", "instructors": "指导员",
              "members": "党员", "region_stats": "区域党员总量"}


class Plan:
    """The counts at a given scale; at scale 1 they are exactly the report's figures."""

    def __init__(self, scale=1.0):
        def part(value):
            return max(1, round(value * scale))

        self.scale = scale
        self.private, self.foreign, self.individual = part(PRIVATE), part(FOREIGN), part(INDIVIDUAL)
        self.not_operating, self.closed = part(NOT_OPERATING), part(CLOSED_EXTRA)
        self.standalone, self.joint = part(STANDALONE), part(JOINT)
        self.covered = max(part(COVERED), self.standalone + 2 * self.joint)
        self.staff25 = max(part(STAFF25), self.covered)
        self.instructors = part(INSTRUCTORS)
        self.instructed = max(part(INSTRUCTED), self.staff25, self.instructors)
        self.members = max(part(MEMBERS), 3 * self.standalone + 2)
        self.new_members = min(part(NEW_MEMBERS), self.members // 2)
        self.company = self.private + self.foreign  # private + foreign, indexed first
        self.operating = self.company + self.individual
        self.townships = [
            (f"{code}{n:03d}", f"{name[:-1]}第{n}{'街道' if kind == '区' else '镇'}", code)
            for code, name, kind in DISTRICTS
            for n in range(1, TOWNSHIPS_PER_DISTRICT + 1)
        ]

    def township(self, serial):
        return self.townships[serial % len(self.townships)]


def _person_name(n):
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)] + GIVEN[(n // 7) % len(GIVEN)]


def _day(start, offset):
    return start + datetime.timedelta(days=offset)


def credit_code(plan, serial):
    return make_credit_code(100_000 + serial, plan.township(serial)[2])


def iter_regions(scale=1.0):
    plan = Plan(scale)
    yield dict(zip(HEADERS["regions"], [CITY[0], CITY[1], "", CITY[2]]))
    for code, name, kind in DISTRICTS:
        yield dict(zip(HEADERS["regions"], [code, name, CITY[0], kind]))
    for code, name, district in plan.townships:
        yield dict(zip(HEADERS["regions"], [code, name, district, "街道" if name.endswith("街道") else "镇"]))


def _enterprise_shape(plan, serial):
    """(kind text, status text, employees) of enterprise ``serial``."""
    if serial < plan.company:
        kind = "有限责任公司（自然人投资或控股）" if serial < plan.private else "有限责任公司（外商投资）"
        # The first staff25 companies have 25+ staff; the rest fewer.
        employees = 25 + (serial * 37) % 480 if serial < plan.staff25 else 1 + serial % 24
        return kind, "在营", employees
    if serial < plan.operating:
        return "个体工商户", "在营", 1 + serial % 8
    if serial < plan.operating + plan.not_operating:
        return "有限责任公司", ("筹建" if serial % 3 == 0 else "停业"), serial % 20
    return "有限责任公司", ("注销" if serial % 2 else "吊销"), serial % 20


def enterprise_count(scale=1.0):
    plan = Plan(scale)
    return plan.operating + plan.not_operating + plan.closed


def iter_enterprises(scale=1.0):
    plan = Plan(scale)
    for serial in range(enterprise_count(scale)):
        kind, status, employees = _enterprise_shape(plan, serial)
        township = plan.township(serial)
        person = _person_name(serial)
        suffix = "商行" if kind == "个体工商户" else "有限公司"
        values = [
            f"苏州{township[1][:2]}{INDUSTRIES[serial % len(INDUSTRIES)][:2]}{serial:06d}{suffix}",
            credit_code(plan, serial),
            township[0],
            kind,
            status,
            employees,
            person,
            person,
            _day(datetime.date(1990, 1, 1), serial % 4900),
            INDUSTRIES[serial % len(INDUSTRIES)],
            f"{township[1]}工业路{serial % 999 + 1}号",
            f"0512-6{serial % 10_000_000:07d}",
            "是" if employees >= 25 and serial % 2 == 0 else "否",
            "是" if employees >= 100 and serial % 3 == 0 else "否",
            "是" if employees >= 100 and serial % 5 == 0 else "否",
            "否",
        ]
        yield dict(zip(HEADERS["enterprises"], values))


def _organization_groups(plan):
    """Yield (organization index, formation, [enterprise serials]); joint groups stay in one township."""
    for index in range(plan.standalone):
        yield index, "单独组建", [index]
    joint_serials = sorted(range(plan.standalone, plan.covered), key=lambda s: (s % len(plan.townships), s))
    size, extra = divmod(len(joint_serials), plan.joint)
    start = 0
    for group in range(plan.joint):
        count = size + (1 if group < extra else 0)
        yield plan.standalone + group, "联合组建", joint_serials[start : start + count]
        start += count


def organization_name(plan, index, serials):
    return f"{plan.township(serials[0])[1]}第{index + 1}{'联合' if len(serials) > 1 else ''}党支部"


def iter_organizations(scale=1.0):
    plan = Plan(scale)
    for index, formation, serials in _organization_groups(plan):
        founded = _day(datetime.date(1995, 7, 1), index % 2900)
        values = [
            organization_name(plan, index, serials),
            "党支部",
            formation,
            plan.township(serials[0])[0],
            founded,
            "、".join(credit_code(plan, serial) for serial in serials),
            f"{plan.township(serials[0])[1]}非公企业党委",
            _day(founded, 365 * 3) if index % 2 and _day(founded, 365 * 3) <= REFERENCE_DATE else "",
            "正常",
        ]
        yield dict(zip(HEADERS["organizations"], values))


def _instructed_serials(plan):
    """Every company (incl. every one with 25+ staff) first, then individuals, up to ``instructed``."""
    return range(min(plan.instructed, plan.operating))


def iter_instructors(scale=1.0):
    plan = Plan(scale)
    serials = list(_instructed_serials(plan))
    size, extra = divmod(len(serials), plan.instructors)
    start = 0
    for index in range(plan.instructors):
        count = size + (1 if index < extra else 0)
        mine = serials[start : start + count]
        start += count
        values = [
            _person_name(index + 7),
            f"139{index:08d}",
            "男" if index % 3 else "女",
            ["机关在职", "事业单位在职", "离任或退休干部", "转业军人", "所在地党政领导兼任"][index % 5],
            f"{plan.township(mine[0])[1]}人民政府",
            plan.township(mine[0])[0],
            _day(datetime.date(2003, 3, 1), index % 200),
            "、".join(credit_code(plan, serial) for serial in mine),
        ]
        yield dict(zip(HEADERS["instructors"], values))


def _person_id(number):
    birth = _day(datetime.date(1950, 1, 1), number % 9000)
    return make_id_number(number // 9000, birth, "320505")


def iter_members(scale=1.0):
    """Members (full, then probationary) spread over the covered enterprises, plus activists."""
    plan = Plan(scale)
    org_of = {}
    for index, _formation, serials in _organization_groups(plan):
        for serial in serials:
            org_of[serial] = (organization_name(plan, index, serials), serial == serials[0])
    per_enterprise, extra = divmod(plan.members, plan.covered)
    number = 0
    probationary_left = plan.new_members
    for serial in range(plan.covered):
        org_name, first = org_of[serial]
        count = per_enterprise + (1 if serial < extra else 0)
        for seat in range(count):
            probationary = seat == count - 1 and probationary_left > 0 and count > 3
            if probationary:
                probationary_left -= 1
                applied = _day(datetime.date(2001, 1, 1), number % 100)
                dates = [applied, _day(applied, 150), _day(applied, 520),
                         _day(datetime.date(2003, 2, 1), number % 300), ""]
                status = "预备党员"
            else:
                applied = _day(datetime.date(1993, 3, 1), number % 1000)
                dates = [applied, _day(applied, 200), _day(applied, 600), _day(applied, 800), _day(applied, 1200)]
                status = "正式党员"
            office = "书记" if first and seat == 0 else ("委员" if first and seat in (1, 2) else "")
            yield dict(zip(HEADERS["members"], [
                _person_name(number), _person_id(number), "男" if number % 2 else "女", credit_code(plan, serial),
                org_name, status, *dates, "大学本科" if number % 3 == 0 else "大学专科",
                "经营管理层" if seat == 0 else ("技术骨干" if seat == 1 else ""), office,
            ]))
            number += 1
        if serial % 4 == 0:
            applied = _day(datetime.date(2002, 6, 1), number % 100)
            yield dict(zip(HEADERS["members"], [
                _person_name(number), _person_id(number), "男", credit_code(plan, serial), org_name, "入党积极分子",
                applied, _day(datetime.date(2003, 3, 1), number % 200), "", "", "", "大学专科", "工会主席", "",
            ]))
            number += 1
    # Rounding at small scales can leave probationary seats unplaced: that only shifts the split.


def iter_region_stats(scale=1.0):
    values = [CITY[0], YEAR, max(1, round(REGION_TOTAL_MEMBERS * scale)), max(1, round(REGION_NEW_MEMBERS * scale))]
    yield dict(zip(HEADERS["region_stats"], values))


PRODUCERS = {
    "regions": iter_regions,
    "enterprises": iter_enterprises,
    "organizations": iter_organizations,
    "instructors": iter_instructors,
    "members": iter_members,
    "region_stats": iter_region_stats,
}


def write_kind(kind, scale, out_dir, file_format="xlsx"):
    """Write one kind's file; returns its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    headers = HEADERS[kind]
    path = out_dir / f"{FILE_NAMES[kind]}.{file_format}"
    rows = ([row[header] for header in headers] for row in PRODUCERS[kind](scale))
    if file_format == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            for row in rows:
                writer.writerow([value.isoformat() if isinstance(value, datetime.date) else value for value in row])
        return path
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(FILE_NAMES[kind])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "data"))
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--kinds", default=",".join(PRODUCERS), help="comma-separated kinds to write")
    args = parser.parse_args(argv)
    for kind in args.kinds.split(","):
        path = write_kind(kind, args.scale, args.out, args.format)
        print(f"{kind}: {path} ({os.path.getsize(path):,} bytes)")


if __name__ == "__main__":
    main()
