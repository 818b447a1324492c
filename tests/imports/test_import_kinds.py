"""Organizations, instructors, members, region statistics, evaluations, regions and the workbook."""

import datetime

import pytest

from enterprises.models import Enterprise
from imports.engine import run_import
from instructors.models import Assignment, Instructor
from members.models import Person, PersonRole
from organizations.models import Coverage, Evaluation, Organization
from partybuild.testdata import make_credit_code, make_id_number
from regions.models import Region, RegionStat

from .conftest import ENTERPRISE_HEADER, enterprise_row, write_workbook

ORG_HEADER = ["党组织名称", "组织类别", "组建方式", "所属区域", "成立日期", "覆盖企业信用代码", "组织状态", "撤销日期",
              "撤销原因", "撤销文号"]


@pytest.fixture
def enterprises(users, xlsx):
    result = run_import("enterprises", xlsx([ENTERPRISE_HEADER] + [enterprise_row(i) for i in range(6)]),
                        user=users["staff"])
    assert result.ok
    return [enterprise_row(i)[1] for i in range(6)]


def test_it_creates_organizations_with_coverage_links(users, enterprises, xlsx):
    """Standalone covers one enterprise, joint several; links start on 成立日期."""
    rows = [ORG_HEADER,
            ["甲党支部", "党支部", "单独组建", "甪直镇", "2010-07-01", enterprises[0], "正常", "", "", ""],
            ["联合党支部", "党支部", "联合组建", "320506101", "2011-07-01", f"{enterprises[1]}，{enterprises[2]}\n{enterprises[3]}",
             "", "", "", ""]]
    result = run_import("organizations", xlsx(rows), user=users["staff"])
    assert result.ok, result.errors
    joint = Organization.objects.get(name="联合党支部")
    assert joint.formation == "joint"
    assert sorted(joint.coverages.values_list("enterprise__credit_code", flat=True)) == sorted(enterprises[1:4])
    assert set(joint.coverages.values_list("start_on", flat=True)) == {datetime.date(2011, 7, 1)}
    assert run_import("organizations", xlsx(rows), user=users["staff"]).unchanged == 2


def test_it_refuses_a_standalone_organization_with_two_enterprises(users, enterprises, xlsx):
    """单独组建 must name exactly one enterprise."""
    rows = [ORG_HEADER, ["甲党支部", "党支部", "单独组建", "甪直镇", "2010-07-01", f"{enterprises[0]}、{enterprises[1]}",
                         "", "", "", ""]]
    result = run_import("organizations", xlsx(rows), user=users["staff"])
    assert result.errors[0]["column"] == "覆盖企业信用代码" and "只能覆盖一家" in result.errors[0]["message"]
    assert not Organization.objects.filter(name="甲党支部").exists()


def test_it_refuses_an_enterprise_already_covered_by_another_organization(users, world, xlsx):
    """An enterprise with an open link elsewhere is refused, naming the holder."""
    rows = [ORG_HEADER, ["新党支部", "党支部", "单独组建", "甪直镇", "2010-07-01", world["ent_a"].credit_code,
                         "", "", "", ""]]
    result = run_import("organizations", xlsx(rows), user=users["staff"])
    assert world["org_a"].name in result.errors[0]["message"]


def test_it_dissolves_an_organization_and_ends_its_links(users, world, xlsx):
    """已撤销 with date, reason and document dissolves it and ends its coverage on that date."""
    org = world["org_a"]
    rows = [ORG_HEADER, [org.name, "党支部", "单独组建", "甪直镇", "2015-07-01", world["ent_a"].credit_code, "已撤销",
                         "2024-03-31", "企业停产关闭", "甪组〔2024〕3号"]]
    result = run_import("organizations", xlsx(rows), user=users["staff"])
    assert result.ok and result.updated == 1, result.errors
    org.refresh_from_db()
    assert (org.status, org.dissolved_on, org.dissolve_reason) == ("dissolved", datetime.date(2024, 3, 31), "closed")
    assert list(Coverage.objects.filter(organization=org).values_list("end_on", flat=True)) == [datetime.date(2024, 3, 31)]


def test_it_refuses_dissolution_without_a_document_number(users, world, xlsx):
    """The model's own rule: dissolving needs a document number."""
    org = world["org_a"]
    rows = [ORG_HEADER, [org.name, "党支部", "单独组建", "甪直镇", "2015-07-01", world["ent_a"].credit_code, "已撤销",
                         "2024-03-31", "合并", ""]]
    result = run_import("organizations", xlsx(rows), user=users["staff"])
    assert result.errors[0]["column"] == "撤销文号"
    assert Organization.objects.get(pk=org.pk).status == "active"


INSTRUCTOR_HEADER = ["姓名", "手机号码", "性别", "来源", "所属区域", "选派日期", "指导企业信用代码"]


def test_it_creates_instructors_with_assignments_from_the_posting_date(users, enterprises, xlsx):
    """Each code becomes an assignment starting on 选派日期; re-import is unchanged."""
    rows = [INSTRUCTOR_HEADER, ["钱七", "13912345678", "女", "离任或退休干部", "甪直镇", "2004/3/1",
                                f"{enterprises[0]};{enterprises[1]}"]]
    result = run_import("instructors", xlsx(rows), user=users["staff"])
    assert result.ok, result.errors
    instructor = Instructor.objects.get(phone="13912345678")
    assert (instructor.gender, instructor.source) == ("female", "retired")
    assert set(Assignment.objects.filter(instructor=instructor).values_list("start_on", flat=True)) == {
        datetime.date(2004, 3, 1)}
    assert instructor.assignments.count() == 2
    assert run_import("instructors", xlsx(rows), user=users["staff"]).unchanged == 1


def test_it_ends_assignments_to_enterprises_no_longer_listed(users, world, enterprises, xlsx):
    """An existing instructor's open assignment not in the new list ends today."""
    instructor = world["instructor_a"]
    rows = [INSTRUCTOR_HEADER, [instructor.name, instructor.phone, "", "机关在职", "甪直镇", "2016-01-01", enterprises[0]]]
    result = run_import("instructors", xlsx(rows), user=users["staff"])
    assert result.updated == 1, result.errors
    ended = Assignment.objects.get(instructor=instructor, enterprise=world["ent_a"])
    assert ended.end_on == datetime.date.today()


def test_it_refuses_a_bad_mobile_and_a_future_posting_date(users, enterprises, xlsx):
    """手机号码 must be a mobile number; 选派日期 cannot be in the future."""
    rows = [INSTRUCTOR_HEADER, ["甲", "12345", "", "", "甪直镇", "2004-03-01", enterprises[0]],
            ["乙", "13911112222", "", "", "甪直镇", "2999-03-01", enterprises[0]]]
    result = run_import("instructors", xlsx(rows), user=users["staff"])
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "手机号码"), (3, "选派日期")]
    assert not Instructor.objects.filter(name__in=["甲", "乙"]).exists()


MEMBER_HEADER = ["姓名", "身份证号", "性别", "所在企业信用代码", "所在党组织", "政治面貌", "申请入党日期", "入党日期",
                 "转正日期", "学历", "企业职务", "党内职务"]


def test_it_imports_members_with_roles_and_sets_the_officers(users, world, xlsx, person_id):
    """企业职务 (several) become roles; 党内职务 书记/委员 set the organization's officers."""
    org = world["org_a"]
    rows = [MEMBER_HEADER,
            ["孙八", person_id(11), "男", world["ent_a"].credit_code, org.name, "正式党员", "2005-01-01", "2006-01-01",
             "2007-01-01", "本科", "经营管理层、工会主席", "书记"],
            ["周九", person_id(12), "女", world["ent_a"].credit_code, org.name, "预备党员", "2022-01-01", "2023-06-01",
             "", "大专", "", "委员"]]
    result = run_import("members", xlsx(rows), user=users["staff"])
    assert result.ok, result.errors
    secretary = Person.objects.get(id_number=person_id(11))
    assert set(PersonRole.objects.filter(person=secretary).values_list("role", flat=True)) == {"management", "union_chair"}
    org.refresh_from_db()
    assert org.secretary == secretary
    assert list(org.committee_members.values_list("name", flat=True)) == ["周九"]
    again = run_import("members", xlsx(rows), user=users["staff"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2), again.as_dict()


def test_it_refuses_two_secretaries_of_one_organization(users, world, xlsx, person_id):
    """A second 书记 of the same organization errors on the later row."""
    org = world["org_a"]
    rows = [MEMBER_HEADER] + [
        [f"人{i}", person_id(20 + i), "男", world["ent_a"].credit_code, org.name, "正式党员", "2005-01-01", "2006-01-01",
         "2007-01-01", "", "", "书记"] for i in range(2)]
    result = run_import("members", xlsx(rows), user=users["staff"])
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "党内职务")]
    assert "第 2 行" in result.errors[0]["message"]


def test_it_refuses_an_invalid_id_number_and_a_missing_milestone(users, world, xlsx, person_id):
    """身份证号 check digit; a 正式党员 without 转正日期."""
    bad = person_id(30)[:17] + ("0" if person_id(30)[17] != "0" else "1")
    rows = [MEMBER_HEADER,
            ["甲", bad, "", world["ent_a"].credit_code, "", "群众", "", "", "", "", "", ""],
            ["乙", person_id(31), "", world["ent_a"].credit_code, "", "正式党员", "2005-01-01", "2006-01-01", "", "", "",
             ""]]
    result = run_import("members", xlsx(rows), user=users["staff"])
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "身份证号"), (3, "转正日期")]
    assert Person.objects.count() == 2


def test_it_imports_region_stats_and_evaluations(users, world, xlsx):
    """区域党员总量 by region and year; 年度评定 with one 是/否 column per item."""
    stats = xlsx([["区域代码", "年度", "党员总数", "当年发展党员数"], ["320506101", 2023, 1200, 40]])
    assert run_import("region_stats", stats, user=users["staff"]).created == 1
    assert RegionStat.objects.get(region=world["town_a"], year=2023).new_members == 40
    header = ["党组织名称", "年度", "评定类别", "领导班子好", "党员队伍好", "工作机制好", "发展业绩好", "群众反映好", "备注"]
    rows = [header, [world["org_a"].name, 2023, "五个好", "是", "是", "√", "Y", "1", "全部达到"]]
    result = run_import("evaluations", xlsx(rows), user=users["staff"])
    assert result.ok, result.errors
    evaluation = Evaluation.objects.get(organization=world["org_a"], year=2023)
    assert evaluation.is_attained() and evaluation.note == "全部达到"
    assert run_import("evaluations", xlsx(rows), user=users["staff"]).unchanged == 1


def test_it_refuses_an_evaluation_item_of_the_other_scheme(users, world, xlsx):
    """党建强 is a 双强六好 item: marking it on a 五个好 row is refused."""
    rows = [["党组织名称", "年度", "评定类别", "党建强"], [world["org_a"].name, 2023, "五个好", "是"]]
    result = run_import("evaluations", xlsx(rows), user=users["staff"])
    assert result.errors[0]["column"] == "党建强"
    assert not Evaluation.objects.exists()


def test_it_refuses_region_stats_outside_scope(users, world, xlsx):
    """A region statistic for town B from town A's staff is refused."""
    stats = xlsx([["区域代码", "年度", "党员总数", "当年发展党员数"], ["320506102", 2023, 1200, 40]])
    result = run_import("region_stats", stats, user=users["staff"])
    assert "管辖范围" in result.errors[0]["message"] and not RegionStat.objects.exists()


def test_it_imports_regions_for_an_admin_and_refuses_staff(users, regions, xlsx):
    """Regions: admins may import new nodes under a parent; staff have no import right on regions."""
    rows = [["区域代码", "区域名称", "上级区域代码", "区域类型"], ["320506101001", "甪直工业园", "320506101", "园区"]]
    assert "无权导入" in run_import("regions", xlsx(rows), user=users["staff"]).errors[0]["message"]
    result = run_import("regions", xlsx(rows), user=users["admin"])
    assert result.ok, result.errors
    assert Region.objects.get(code="320506101001").path == "320500/320506/320506101/320506101001/"


def test_it_imports_a_workbook_in_order_all_or_nothing(users, world, tmp_path, person_id):
    """Sheets 企业 → 党组织 → 指导员 → 党员 import in one go; one bad row refuses them all."""
    code = make_credit_code(9001, "320506")
    sheets = {
        "党员": [MEMBER_HEADER[:6], ["吴十", person_id(40), "男", code, "新企业党支部", "群众"]],
        "企业": [ENTERPRISE_HEADER, enterprise_row(1, 统一社会信用代码=code)],
        "党组织": [ORG_HEADER[:6], ["新企业党支部", "党支部", "单独组建", "甪直镇", "2020-01-01", code]],
        "指导员": [INSTRUCTOR_HEADER, ["郑十一", "13955556666", "男", "机关在职", "甪直镇", "2020-02-01", code]],
    }
    path = str(write_workbook(tmp_path / "all.xlsx", sheets))
    result = run_import("workbook", path, user=users["staff"])
    assert result.ok, result.errors
    assert [sheet["kind"] for sheet in result.sheets] == ["enterprises", "organizations", "instructors", "members"]
    assert Person.objects.get(id_number=person_id(40)).organization.name == "新企业党支部"
    sheets["党员"].append(["冯十二", person_id(41), "男", code, "新企业党支部", "党员？"])
    sheets["企业"].append(enterprise_row(2))
    path = str(write_workbook(tmp_path / "bad.xlsx", sheets))
    before = (Enterprise.objects.count(), Person.objects.count())
    result = run_import("workbook", path, user=users["admin"])
    assert [(e["sheet"], e["row"], e["column"]) for e in result.errors] == [("党员", 3, "政治面貌")]
    assert (Enterprise.objects.count(), Person.objects.count()) == before


def test_it_refuses_a_workbook_without_known_sheets(users, tmp_path):
    """A workbook whose sheets have other names is refused, naming the expected ones."""
    path = str(write_workbook(tmp_path / "x.xlsx", {"Sheet1": [["a"]]}))
    result = run_import("workbook", path, user=users["admin"])
    assert "没有可识别的工作表" in result.errors[0]["message"]
