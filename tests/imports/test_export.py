"""Export: the import format (export → import is a no-op for every kind), scope, filters, masking, escaping."""

import datetime

import openpyxl
import pytest
from django.urls import reverse

from enterprises.models import Enterprise
from imports.engine import run_import
from members.models import PersonRole
from organizations.models import Coverage, Evaluation, EvaluationItem, Organization
from partybuild.testdata import make_credit_code
from regions.models import RegionStat


@pytest.fixture
def rich_world(world, users):
    town_a = world["town_a"]
    joint_ents = [
        Enterprise.objects.create(name=name, credit_code=make_credit_code(500 + i, "320506"), region=town_a,
                                  employees=10 + i, kind="individual", status=status)
        for i, (name, status) in enumerate([("=HYPERLINK(\"http://x\")商行", "operating"), ("-甲 商店", "suspended"),
                                            ("乙商店", "closed")])
    ]
    joint = Organization.objects.create(name="甪直联合党支部", region=town_a, founded_on=datetime.date(2012, 3, 1),
                                        formation="joint", parent_name="甪直镇非公企业党委")
    for enterprise in joint_ents[:2]:
        Coverage.objects.create(organization=joint, enterprise=enterprise, start_on=datetime.date(2012, 3, 1))
    dissolved = Organization.objects.create(
        name="甪直乙商店党支部", region=town_a, founded_on=datetime.date(2010, 1, 1), status="dissolved",
        dissolved_on=datetime.date(2020, 6, 30), dissolve_reason="closed", dissolve_document="甪组〔2020〕5号",
    )
    Coverage.objects.create(organization=dissolved, enterprise=joint_ents[2], start_on=datetime.date(2010, 1, 1),
                            end_on=datetime.date(2020, 6, 30))
    person = world["person_a"]
    PersonRole.objects.create(person=person, role="technical")
    PersonRole.objects.create(person=person, role="union_chair")
    org_a = world["org_a"]
    org_a.secretary = person
    org_a.last_election_on = datetime.date(2021, 7, 1)
    org_a.save()
    evaluation = Evaluation.objects.create(organization=org_a, year=2023, scheme="five_good", note="良好")
    for index, (code, _label) in enumerate([("leadership_good", ""), ("members_good", ""), ("mechanism_good", ""),
                                            ("performance_good", ""), ("masses_good", "")]):
        EvaluationItem.objects.create(evaluation=evaluation, item=code, met=index != 2)
    RegionStat.objects.create(region=town_a, year=2023, total_members=1200, new_members=40)
    return world


def export_to_file(client, kind, tmp_path, query=""):
    response = client.get(reverse("imports:export", args=[kind]) + query)
    assert response.status_code == 200, response.status_code
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    return str(path)


def sheet_rows(path):
    return list(openpyxl.load_workbook(path).active.values)


@pytest.mark.parametrize("kind", ["regions", "enterprises", "organizations", "instructors", "members", "region_stats",
                                  "evaluations"])
def test_it_reimports_its_own_export_as_all_unchanged(rich_world, users, client, tmp_path, kind):
    """Export → import changes nothing: every row unchanged, no error."""
    user = users["admin"] if kind == "regions" else users["staff"]
    client.force_login(user)
    path = export_to_file(client, kind, tmp_path)
    result = run_import(kind, path, user=user)
    assert result.ok, result.errors
    assert result.rows > 0
    assert (result.created, result.updated, result.unchanged) == (0, 0, result.rows), result.as_dict()


def test_it_exports_only_the_scope_and_applies_the_list_filter(rich_world, users, client, tmp_path):
    """Town A's export has no town B enterprise; ?status=closed keeps only closed ones."""
    client.force_login(users["staff"])
    codes = [row[1] for row in sheet_rows(export_to_file(client, "enterprises", tmp_path))[1:]]
    assert rich_world["ent_a"].credit_code in codes and rich_world["ent_b"].credit_code not in codes
    closed = sheet_rows(export_to_file(client, "enterprises", tmp_path, "?status=closed"))[1:]
    assert [row[0] for row in closed] == ["乙商店"]


def test_it_masks_id_numbers_for_leaders(rich_world, users, client, tmp_path):
    """A leader's members export shows 3205**********123X; staff see the full number."""
    client.force_login(users["leader"])
    leader_ids = [row[1] for row in sheet_rows(export_to_file(client, "members", tmp_path))[1:]]
    full = rich_world["person_a"].id_number
    assert leader_ids == [full[:4] + "*" * 10 + full[-4:]]
    client.force_login(users["staff"])
    assert [row[1] for row in sheet_rows(export_to_file(client, "members", tmp_path))[1:]] == [full]


def test_it_writes_formula_like_text_so_excel_does_not_run_it(rich_world, users, client, tmp_path):
    """Text beginning with = or - is a quoted text cell, never a formula."""
    client.force_login(users["staff"])
    path = export_to_file(client, "enterprises", tmp_path)
    sheet = openpyxl.load_workbook(path).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2) if str(row[0].value).startswith(("=", "-"))]
    assert len(cells) == 2
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)


@pytest.mark.parametrize("role,status", [("secretary", 403), ("instructor", 403), ("leader", 200)])
def test_it_requires_the_export_action(rich_world, users, client, role, status):
    """Secretaries and instructors may not export enterprises (403); leaders may."""
    client.force_login(users[role])
    assert client.get(reverse("imports:export", args=["enterprises"])).status_code == status


def test_it_answers_404_for_an_unknown_kind(users, client):
    """An unknown export kind is 404."""
    client.force_login(users["staff"])
    assert client.get(reverse("imports:export", args=["planets"])).status_code == 404


def test_it_exports_organizations_with_canonical_headers_and_codes(rich_world, users, client, tmp_path):
    """The export is a real .xlsx in the import format: headers are the canonical ones."""
    client.force_login(users["leader"])
    rows = sheet_rows(export_to_file(client, "organizations", tmp_path))
    assert rows[0][:6] == ("党组织名称", "组织类别", "组建方式", "所属区域", "成立日期", "覆盖企业信用代码")
    assert any(row[0] == "甪直联合党支部" and row[5].count("、") == 1 for row in rows[1:])
