"""Chinese labels of the indicators and the annual report's wording (presentation only, no queries)."""

from enterprises.models import EnterpriseKind
from organizations.models import OrgLevel

from .selectors import Rate

KIND_LABELS = dict(EnterpriseKind.choices)
LEVEL_LABELS = dict(OrgLevel.choices)

# key of indicators.md → Chinese label, in the order of the report table.
INDICATOR_LABELS = {
    "enterprises.registered": "工商注册非公企业数",
    "enterprises.operating": "实际开业投产企业数",
    **{f"enterprises.operating_by_kind.{kind}": f"　其中：{label}" for kind, label in KIND_LABELS.items()},
    "orgs.total": "党组织总数",
    "orgs.standalone": "　单独组建党组织",
    "orgs.joint": "　联合党组织（含依托组建）",
    **{f"orgs.by_level.{level}": f"　{label}" for level, label in LEVEL_LABELS.items()},
    "coverage.covered": "党组织覆盖企业数",
    "coverage.org_rate": "党组织覆盖率",
    "coverage.standalone_rate": "单独组建率",
    "coverage.should_build_rate": "应建已建率",
    "coverage.two_coverage_rate": "“两个覆盖”率",
    "coverage.staff100_org_rate": "职工100人以上企业建立党组织比例",
    "instructors.total": "党建工作指导员人数",
    "instructors.enterprises_covered": "指导员覆盖企业数",
    "instructors.staff25_rate": "职工25人以上企业选派指导员比例",
    "members.total": "非公企业党员数",
    "members.full": "　正式党员",
    "members.probationary": "　预备党员",
    "members.share_of_region": "占区域党员总数比例",
    "members.new_in_year": "当年新发展党员数",
    "members.new_share_of_region": "占区域当年发展党员比例",
    "members.staff50_rate": "职工50人以上企业有党员比例",
    "members.activists": "入党积极分子数",
    "members.activist_training_rate": "党组织覆盖企业当年培养积极分子比例",
    "evaluations.double_strong_six_good_rate": "“双强六好”达标率",
    "evaluations.five_good_rate": "“五个好”达标率",
    "sites.six_have_rate": "“六有”阵地达标率",
    "meetings.compliance_rate": "上季度三会一课落实率",
    "terms.overdue": "换届逾期党组织数",
    "terms.due_soon": "90天内到期换届党组织数",
}

# The indicators shown as cards on the dashboard (the targets' indicators first).
CARD_KEYS = [
    "coverage.two_coverage_rate",
    "coverage.should_build_rate",
    "coverage.org_rate",
    "coverage.staff100_org_rate",
    "instructors.staff25_rate",
    "members.staff50_rate",
    "members.new_in_year",
    "members.activist_training_rate",
    "evaluations.double_strong_six_good_rate",
    "evaluations.five_good_rate",
    "sites.six_have_rate",
    "meetings.compliance_rate",
]

# Columns of the child-region table.
TABLE_KEYS = [
    "enterprises.registered",
    "enterprises.operating",
    "orgs.total",
    "coverage.covered",
    "coverage.org_rate",
    "coverage.should_build_rate",
    "coverage.two_coverage_rate",
    "instructors.total",
    "instructors.staff25_rate",
    "members.total",
    "members.new_in_year",
    "evaluations.double_strong_six_good_rate",
    "evaluations.five_good_rate",
    "sites.six_have_rate",
    "meetings.compliance_rate",
]

SHORT_LABELS = {
    "enterprises.registered": "注册企业",
    "enterprises.operating": "开业企业",
    "orgs.total": "党组织",
    "coverage.covered": "覆盖企业",
    "coverage.org_rate": "组织覆盖率",
    "coverage.should_build_rate": "应建已建率",
    "coverage.two_coverage_rate": "两个覆盖率",
    "instructors.total": "指导员",
    "instructors.staff25_rate": "25人以上有指导员",
    "members.total": "党员",
    "members.new_in_year": "新发展党员",
    "evaluations.double_strong_six_good_rate": "双强六好",
    "evaluations.five_good_rate": "五个好",
    "sites.six_have_rate": "六有达标",
    "meetings.compliance_rate": "三会一课",
}


def display(value):
    """How a figure reads in a table: 15.58% / — / 289,513."""
    if value is None:
        return "—"
    if isinstance(value, Rate):
        return value.percent
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def report_rows(figures):
    """(label, shown value) for every indicator, in report order."""
    rows = []
    for key, label in INDICATOR_LABELS.items():
        value = figures[key]
        text = display(value)
        if isinstance(value, Rate) and value.den:
            text = f"{text}（{value.num:,}/{value.den:,}）"
        rows.append((label, text))
    return rows


def annual_report_rows(figures):
    """The figures of the 2003 Suzhou report's shape, as (label, value) with raw numbers."""
    ind = figures
    kinds = ind["enterprises.operating_by_kind"]
    share = ind["members.share_of_region"]
    new_share = ind["members.new_share_of_region"]
    return [
        ("工商注册的非公有制经济组织（家）", ind["enterprises.registered"]),
        ("实际开业投产的（家）", ind["enterprises.operating"]),
        ("　其中：私营企业（家）", kinds["private"]),
        ("　　　　外商投资企业（家）", kinds["foreign_invested"]),
        ("　　　　个体工商户（家）", kinds["individual"]),
        ("　　　　专业市场（家）", kinds["market"]),
        ("建立党组织（个）", ind["orgs.total"]),
        ("　其中：独立党组织（个）", ind["orgs.standalone"]),
        ("　　　　联合党组织（个）", ind["orgs.joint"]),
        ("党组织覆盖企业（家）", ind["coverage.covered"]),
        ("应建已建率", ind["coverage.should_build_rate"]),
        ("选派党建工作指导员（人）", ind["instructors.total"]),
        ("指导员覆盖企业（家）", ind["instructors.enterprises_covered"]),
        ("正式职工25人以上的非公企业（家）", ind["instructors.staff25_rate"].den),
        ("　其中选派指导员的（家）", ind["instructors.staff25_rate"].num),
        ("职工25人以上企业选派指导员比例", ind["instructors.staff25_rate"]),
        ("非公企业现有党员（名）", ind["members.total"]),
        ("占党员总数", share),
        ("全年新发展党员（名）", ind["members.new_in_year"]),
        ("占全年发展党员", new_share),
    ]


SCOPE_WORDS = {
    "city": "全市",
    "district": "全区",
    "county": "全县",
    "county_city": "全市",
    "township": "全镇",
    "subdistrict": "全街道",
    "park": "全园区",
    "dev_zone": "全开发区",
}


def _rate_words(rate):
    if rate is None or rate.rate is None:
        return None
    return f"{rate.rate * 100:.2f}%".replace(".00%", "%")


def annual_paragraph(figures):
    """The paragraph those figures make, modelled on the 2003 Suzhou city report."""
    f = figures
    scope = SCOPE_WORDS.get(f.region.kind, "全区域")
    kinds = f["enterprises.operating_by_kind"]
    kind_parts = [
        f"{KIND_LABELS[kind]}{kinds[kind]}家" for kind in ("private", "foreign_invested", "individual", "market") if kinds[kind]
    ]
    sentences = [
        f"截止{f.year}年，{scope}工商注册的非公有制经济组织共有{f['enterprises.registered']}家，"
        f"其中，实际开业投产的有{f['enterprises.operating']}家。",
    ]
    if kind_parts:
        sentences.append(f"在实际开业投产的非公有制经济组织中，{'，'.join(kind_parts)}。")
    should_build = _rate_words(f["coverage.should_build_rate"])
    sentence = (
        f"在这些非公经济组织中共建立党组织{f['orgs.total']}家，共覆盖{f['coverage.covered']}家企业，"
        f"其中独立党组织{f['orgs.standalone']}家，联合党组织{f['orgs.joint']}个"
    )
    sentences.append(sentence + (f"，应建已建率实现{should_build}。" if should_build else "。"))
    staff25 = f["instructors.staff25_rate"]
    staff25_words = _rate_words(staff25)
    sentence = (
        f"{scope}各级共选派非公有制经济组织党建工作指导员{f['instructors.total']}人，"
        f"覆盖企业{f['instructors.enterprises_covered']}家"
    )
    if staff25_words:
        sentence += f"，其中正式职工25人以上的{staff25.den}家非公企业，选派党建指导员实现了{staff25_words}"
    sentences.append(sentence + "。")
    share = _rate_words(f["members.share_of_region"])
    new_share = _rate_words(f["members.new_share_of_region"])
    sentence = f"{f.year}年{scope}非公有制经济组织中现有党员{f['members.total']}名"
    if share:
        sentence += f"，占党员总数的{share}"
    sentence += f"，全年新发展党员{f['members.new_in_year']}名"
    if new_share:
        sentence += f"，占{scope}全年发展党员的{new_share}"
    sentences.append(sentence + "。")
    return "".join(sentences)
