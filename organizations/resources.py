"""Excel import/export of Party organizations and annual evaluations.

import-formats.md: `organizations` 党组织 (key 党组织名称; rows create dated Coverage links and
carry the dissolution fields) and `evaluations` 年度评定 (key 党组织名称 + 年度 + 评定类别,
one 是/否 column per item of the scheme).
"""

from collections import defaultdict

from enterprises.models import Enterprise
from imports.bulk import create_with_history, update_with_history
from imports.engine import Column, ModelKind, RowProblem, choice_parser, multi_code_parser
from imports.normalize import ValueProblem, to_bool, to_date, to_int
from partybuild.validators import credit_code_error

from .models import (
    SCHEME_ITEMS,
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


def labels_map(choices, **extra):
    return {label: value for value, label in choices} | extra


LEVEL_BY_LABEL = labels_map(OrgLevel.choices, 支部="branch", 总支="general_branch")
FORMATION_BY_LABEL = labels_map(Formation.choices, 单独="standalone", 联合="joint", 依托="hosted")
STATUS_BY_LABEL = labels_map(OrgStatus.choices, 撤销="dissolved", 在册="active")
REASON_BY_LABEL = labels_map(DissolveReason.choices)
LEVEL_LABELS, FORMATION_LABELS = dict(OrgLevel.choices), dict(Formation.choices)
STATUS_LABELS, REASON_LABELS = dict(OrgStatus.choices), dict(DissolveReason.choices)

ORGANIZATION_COLUMNS = [
    Column("党组织名称", "name", required=True, max_length=200, aliases=("组织名称", "党组织全称"),
           example="苏州示例科技有限公司党支部"),
    Column("组织类别", "level", choice_parser(LEVEL_BY_LABEL, "组织类别"), required=True,
           aliases=("党组织类别", "组织类型"), choices=tuple(LEVEL_LABELS.values()), example="党支部"),
    Column("组建方式", "formation", choice_parser(FORMATION_BY_LABEL, "组建方式"), required=True,
           aliases=("组建形式",), choices=tuple(FORMATION_LABELS.values()), example="单独组建"),
    Column("所属区域", "region", required=True, aliases=("所属镇（街道）", "镇（街道）", "镇街", "区域", "区域代码"),
           example="320506101"),
    Column("成立日期", "founded_on", to_date, required=True, aliases=("组建日期", "建立日期"), example="2003-07-01"),
    Column("覆盖企业信用代码", "coverage", multi_code_parser, required=True,
           aliases=("覆盖企业统一社会信用代码", "覆盖企业", "所在企业信用代码"), example="91320500000000001A"),
    Column("依托单位", "host_unit", max_length=200, example=""),
    Column("上级党组织", "parent_name", max_length=200, example="甪直镇非公企业党委"),
    Column("上次换届日期", "last_election_on", to_date, aliases=("换届日期",), example="2021-07-01"),
    Column("组织状态", "status", choice_parser(STATUS_BY_LABEL, "组织状态"), aliases=("状态",),
           choices=tuple(STATUS_LABELS.values()), example="正常"),
    Column("撤销日期", "dissolved_on", to_date, example=""),
    Column("撤销原因", "dissolve_reason", choice_parser(REASON_BY_LABEL, "撤销原因"),
           choices=tuple(REASON_LABELS.values()), example=""),
    Column("撤销文号", "dissolve_document", max_length=100, aliases=("文号",), example=""),
]


def enterprise_ids_by_code(ctx, codes):
    """(code → id in scope, codes that exist outside the scope)."""
    in_scope = dict(ctx.scoped(Enterprise).filter(credit_code__in=codes).values_list("credit_code", "pk"))
    missing = set(codes) - set(in_scope)
    outside = set(Enterprise.objects.filter(credit_code__in=missing).values_list("credit_code", flat=True))
    return in_scope, outside


def resolve_codes(ctx, codes, known, outside, header):
    """Enterprise ids for the codes of one cell (RowProblem naming the first bad code)."""
    ids = []
    for code in codes:
        error = credit_code_error(code)
        if error:
            raise RowProblem(header, f"{code}：{error}")
        if code in outside:
            raise RowProblem(header, f"企业“{code}”不在您的管辖范围内")
        if code not in known:
            raise RowProblem(header, f"企业“{code}”不存在（请先导入企业）")
        ids.append(known[code])
    return ids


class OrganizationImport(ModelKind):
    name = "organizations"
    label = "党组织"
    sheet_name = "党组织"
    model = Organization
    columns = ORGANIZATION_COLUMNS
    chunk_size = 1000
    touch_field = "updated_at"
    field_headers = {column.key: column.header for column in ORGANIZATION_COLUMNS} | {"region": "所属区域"}

    def key(self, values):
        return values["name"]

    def prepare(self, ctx):
        self._claimed = {}  # enterprise id → (row number, organization name) across the file

    def lookup(self, ctx, keys):
        found = {}
        for org in Organization.objects.filter(name__in=keys).order_by("status", "-dissolved_on", "-pk"):
            # "active" sorts first, so an active organization wins over dissolved namesakes.
            found.setdefault(org.name, org)
        return found

    def process_chunk(self, ctx, rows, result, sheet=None):
        codes = {code for row in rows for code in row.values["coverage"]}
        self._known, self._outside = enterprise_ids_by_code(ctx, codes)
        ids = list(self._known.values())
        self._open_links = {
            enterprise_id: (organization_id, name)
            for enterprise_id, organization_id, name in Coverage.objects.open()
            .filter(enterprise_id__in=ids)
            .values_list("enterprise_id", "organization_id", "organization__name")
        }
        self._wanted = {}
        super().process_chunk(ctx, rows, result, sheet)

    def row_fields(self, ctx, row, existing):
        values = row.values
        try:
            region_id = ctx.region_id(values["region"])
        except ValueProblem as problem:
            raise RowProblem("所属区域", str(problem))
        status = values.get("status") or OrgStatus.ACTIVE
        if existing is not None and existing.status == OrgStatus.DISSOLVED and status == OrgStatus.ACTIVE:
            raise RowProblem("组织状态", "同名党组织已撤销，不能恢复；重新成立请使用新的党组织名称")
        header = "覆盖企业信用代码"
        enterprise_ids = resolve_codes(ctx, values["coverage"], self._known, self._outside, header)
        formation = values["formation"]
        if formation == Formation.STANDALONE and len(enterprise_ids) != 1:
            raise RowProblem(header, "单独组建的党组织必须且只能覆盖一家企业")
        if formation == Formation.JOINT and len(enterprise_ids) < 2:
            raise RowProblem(header, "联合组建的党组织应覆盖两家及以上企业")
        if status == OrgStatus.ACTIVE:
            for code, enterprise_id in zip(values["coverage"], enterprise_ids):
                holder = self._open_links.get(enterprise_id)
                if holder and (existing is None or holder[0] != existing.pk):
                    raise RowProblem(header, f"企业“{code}”已被党组织“{holder[1]}”覆盖，请先结束原覆盖关系")
                claimed = self._claimed.get(enterprise_id)
                if claimed and claimed[1] != values["name"]:
                    raise RowProblem(header, f"企业“{code}”已由第 {claimed[0]} 行的党组织“{claimed[1]}”覆盖")
            for enterprise_id in enterprise_ids:
                self._claimed[enterprise_id] = (row.number, values["name"])
        self._wanted[row.number] = enterprise_ids
        fields = {
            "name": values["name"],
            "level": values["level"],
            "formation": formation,
            "region_id": region_id,
            "founded_on": values["founded_on"],
            "status": status,
        }
        for key in ("host_unit", "parent_name", "dissolve_document"):
            if key in ctx.present:
                fields[key] = values.get(key) or ""
        for key in ("last_election_on", "dissolved_on"):
            if key in ctx.present:
                fields[key] = values.get(key)
        if "dissolve_reason" in ctx.present:
            fields["dissolve_reason"] = values.get("dissolve_reason") or ""
        if status == OrgStatus.ACTIVE:
            fields.update(dissolved_on=None, dissolve_reason="", dissolve_document="")
        return fields

    def write_children(self, ctx, accepted, result, sheet):
        """Coverage links: open links follow the cell's codes; dissolving ends them on the dissolution date."""
        orgs = {obj.pk: (row, obj) for row, obj, _created, _changed in accepted}
        links = defaultdict(list)
        for link in Coverage.objects.filter(organization_id__in=orgs):
            links[link.organization_id].append(link)
        to_end, to_create, changed_rows, formation_changed = [], [], set(), []
        for org_id, (row, org) in orgs.items():
            wanted = self._wanted[row.number]
            org_links = links[org_id]
            if any(link.organization_standalone != org.is_standalone for link in org_links):
                formation_changed.append(org)
            if org.status == OrgStatus.DISSOLVED:
                for link in org_links:
                    if link.end_on is None:
                        link.end_on = max(link.start_on, org.dissolved_on)
                        to_end.append(link)
                linked = {link.enterprise_id for link in org_links}
                new = [eid for eid in wanted if eid not in linked]
                end_on = org.dissolved_on
            else:
                open_ids = {link.enterprise_id for link in org_links if link.end_on is None}
                for link in org_links:
                    if link.end_on is None and link.enterprise_id not in wanted:
                        link.end_on = max(link.start_on, ctx.today)
                        to_end.append(link)
                new = [eid for eid in wanted if eid not in open_ids]
                end_on = None
            start_on = org.founded_on if not org_links else max(org.founded_on, ctx.today)
            for enterprise_id in new:
                to_create.append(
                    Coverage(
                        organization=org,
                        enterprise_id=enterprise_id,
                        start_on=start_on,
                        end_on=end_on if end_on is None else max(end_on, start_on),
                        organization_standalone=org.is_standalone,
                    )
                )
            if new or any(link.organization_id == org_id for link in to_end):
                changed_rows.add(row.number)
        if to_end:
            update_with_history(to_end, Coverage, ["end_on"], ctx)
        for org in formation_changed:
            Coverage.objects.filter(organization=org).update(organization_standalone=org.is_standalone)
        if to_create:
            create_with_history(to_create, Coverage, ctx)
        return changed_rows

    def clean_instance(self, obj):
        # Organization.clean also checks the active-name clash with one query per row; the key
        # lookup above already matched a same-named active organization, so skip that part.
        name, obj.name = obj.name, ""
        try:
            obj.clean()
        finally:
            obj.name = name

    def export_queryset(self, user):
        return Organization.objects.for_user(user)

    def export_rows(self, queryset, user):
        rows = list(
            queryset.order_by("pk").values_list(
                "pk", "name", "level", "formation", "region__code", "founded_on", "host_unit", "parent_name",
                "last_election_on", "status", "dissolved_on", "dissolve_reason", "dissolve_document",
            )
        )
        codes = defaultdict(list)
        links = Coverage.objects.filter(organization__in=queryset.values("pk")).order_by("pk")
        for org_id, code, end_on, dissolved_on in links.values_list(
            "organization_id", "enterprise__credit_code", "end_on", "organization__dissolved_on"
        ):
            if end_on is None or end_on == dissolved_on:
                codes[org_id].append(code)
        for (pk, name, level, formation, region, founded, host, parent, election, status, dissolved, reason,
             document) in rows:
            yield [name, LEVEL_LABELS[level], FORMATION_LABELS[formation], region, founded, "、".join(codes[pk]),
                   host, parent, election, STATUS_LABELS[status], dissolved, REASON_LABELS.get(reason, ""), document]


# ---- evaluations -----------------------------------------------------------------------------

SCHEME_BY_LABEL = labels_map(Scheme.choices)
SCHEME_LABELS = dict(Scheme.choices)
ITEM_HEADERS = list(dict.fromkeys(label for items in SCHEME_ITEMS.values() for _code, label in items))

EVALUATION_COLUMNS = [
    Column("党组织名称", "organization", required=True, max_length=200, example="苏州示例科技有限公司党支部"),
    Column("年度", "year", to_int, required=True, aliases=("评定年度",), example=2003),
    Column("评定类别", "scheme", choice_parser(SCHEME_BY_LABEL, "评定类别"), required=True,
           aliases=("评定类型",), choices=tuple(SCHEME_LABELS.values()), example="双强六好"),
    *[Column(label, f"item:{label}", to_bool, choices=("是", "否"), example="是") for label in ITEM_HEADERS],
    Column("备注", "note", example=""),
]


class EvaluationImport(ModelKind):
    name = "evaluations"
    label = "年度评定"
    sheet_name = "年度评定"
    model = Evaluation
    columns = EVALUATION_COLUMNS
    field_headers = {"organization": "党组织名称", "year": "年度", "scheme": "评定类别", "note": "备注"}

    def key(self, values):
        return (values["organization"], values["year"], values["scheme"])

    def key_column(self):
        return "党组织名称"

    def lookup(self, ctx, keys):
        names = {name for name, _, _ in keys}
        self._orgs = {}
        for org in ctx.scoped(Organization).filter(name__in=names).order_by("status", "-pk"):
            self._orgs.setdefault(org.name, org.pk)
        evaluations = Evaluation.objects.filter(
            organization_id__in=self._orgs.values(), year__in={year for _, year, _ in keys}
        ).select_related("organization")
        return {(ev.organization.name, ev.year, ev.scheme): ev for ev in evaluations}

    def row_fields(self, ctx, row, existing):
        values = row.values
        org_id = self._orgs.get(values["organization"])
        if org_id is None:
            exists = Organization.objects.filter(name=values["organization"]).exists()
            message = "不在您的管辖范围内" if exists else "不存在（请先导入党组织）"
            raise RowProblem("党组织名称", f"党组织“{values['organization']}”{message}")
        scheme_labels = {label for _code, label in SCHEME_ITEMS[values["scheme"]]}
        for label in ITEM_HEADERS:
            if values.get(f"item:{label}") and label not in scheme_labels:
                raise RowProblem(label, f"“{label}”不属于评定类别“{SCHEME_LABELS[values['scheme']]}”")
        fields = {"organization_id": org_id, "year": values["year"], "scheme": values["scheme"]}
        if "note" in ctx.present:
            fields["note"] = values.get("note") or ""
        return fields

    def write_children(self, ctx, accepted, result, sheet):
        evaluations = {obj.pk: (row, obj) for row, obj, _created, _changed in accepted}
        current = {(item.evaluation_id, item.item): item for item in EvaluationItem.objects.filter(evaluation_id__in=evaluations)}
        to_create, to_update, changed_rows = [], [], set()
        for evaluation_id, (row, evaluation) in evaluations.items():
            for code, label in SCHEME_ITEMS[evaluation.scheme]:
                key = f"item:{label}"
                if key not in ctx.present:
                    continue
                met = bool(row.values.get(key))
                item = current.get((evaluation_id, code))
                if item is None:
                    to_create.append(EvaluationItem(evaluation=evaluation, item=code, met=met))
                    changed_rows.add(row.number)
                elif item.met != met:
                    item.met = met
                    to_update.append(item)
                    changed_rows.add(row.number)
        if to_create:
            create_with_history(to_create, EvaluationItem, ctx)
        if to_update:
            update_with_history(to_update, EvaluationItem, ["met"], ctx)
        return changed_rows

    def export_queryset(self, user):
        return Evaluation.objects.for_user(user)

    def export_rows(self, queryset, user):
        items = defaultdict(dict)
        for evaluation_id, code, met in EvaluationItem.objects.filter(evaluation__in=queryset.values("pk")).values_list(
            "evaluation_id", "item", "met"
        ):
            items[evaluation_id][code] = met
        for pk, name, year, scheme, note in queryset.order_by("pk").values_list(
            "pk", "organization__name", "year", "scheme", "note"
        ):
            by_label = {label: items[pk].get(code) for code, label in SCHEME_ITEMS[scheme]}
            cells = [("是" if by_label[label] else "否") if by_label.get(label) is not None else "" for label in ITEM_HEADERS]
            yield [name, year, SCHEME_LABELS[scheme], *cells, note]
