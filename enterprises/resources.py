"""Excel import/export of enterprises (import-formats.md: `enterprises` 企业, key 统一社会信用代码)."""

from imports.engine import Column, ModelKind, RowProblem
from imports.normalize import ValueProblem, is_blank, normalize_header, to_bool, to_code, to_date, to_int, to_text
from partybuild.validators import credit_code_error

from .models import Enterprise, EnterpriseKind, EnterpriseStatus

# Checked in this order: a state-owned word wins over everything else.
STATE_OWNED_WORDS = ("国有", "全民所有制", "集体", "事业单位")
FOREIGN_WORDS = ("外商", "外资", "外国", "中外", "港澳台", "台港澳")

STATUS_WORDS = [
    (EnterpriseStatus.NOT_STARTED, ("未开业", "筹建")),
    (EnterpriseStatus.SUSPENDED, ("停业", "歇业", "停产")),
    (EnterpriseStatus.CLOSED, ("吊销", "注销", "关闭", "迁出")),
    (EnterpriseStatus.OPERATING, ("在营", "在业", "存续", "开业", "正常")),
]
STATUS_EXPORT = {
    EnterpriseStatus.OPERATING: "在营",
    EnterpriseStatus.NOT_STARTED: "未开业",
    EnterpriseStatus.SUSPENDED: "停业",
    EnterpriseStatus.CLOSED: "关闭",
}
KIND_LABELS = dict(EnterpriseKind.choices)


def classify_registry_type(text):
    """The enterprise kind named by a registry's 企业类型 text (ValueProblem for state-owned/collective)."""
    if not text:
        return EnterpriseKind.PRIVATE
    if any(word in text for word in STATE_OWNED_WORDS):
        raise ValueProblem(f"企业类型“{text}”属国有或集体性质，不是非公企业，不能导入")
    if any(word in text for word in FOREIGN_WORDS):
        return EnterpriseKind.FOREIGN_INVESTED
    if "个体" in text:
        return EnterpriseKind.INDIVIDUAL
    if "市场" in text:
        return EnterpriseKind.MARKET
    return EnterpriseKind.PRIVATE


def parse_status(raw):
    if is_blank(raw):
        return EnterpriseStatus.OPERATING
    text = normalize_header(to_text(raw))
    for status, words in STATUS_WORDS:
        if any(word in text for word in words):
            return status
    raise ValueProblem(f"经营状态“{to_text(raw)}”无法识别，可填：在营、存续、未开业、筹建、停业、歇业、吊销、注销、迁出")


def parse_registry_type(raw):
    text = to_text(raw)
    classify_registry_type(text)  # refuse state-owned types at the cell
    return text


YES_NO = ("是", "否")

COLUMNS = [
    Column("企业名称", "name", required=True, max_length=200,
           aliases=("单位名称", "名称", "企业（机构）名称", "市场主体名称"), example="苏州示例科技有限公司"),
    Column("统一社会信用代码", "credit_code", to_code, required=True, max_length=18,
           aliases=("信用代码", "社会信用代码", "统一代码"), example="91320500000000001A"),
    Column("所属区域", "region", required=True,
           aliases=("所属镇（街道）", "镇（街道）", "所属镇街", "镇街", "区域", "区域代码"), example="320506101"),
    Column("企业类型", "registry_type", parse_registry_type, max_length=100,
           aliases=("类型", "市场主体类型", "经济类型", "企业类别"),
           choices=("私营企业", "外商投资企业", "个体工商户", "专业市场"), example="有限责任公司（自然人投资或控股）"),
    Column("经营状态", "status", parse_status, aliases=("登记状态", "状态", "营业状态"),
           choices=("在营", "未开业", "停业", "关闭"), example="在营"),
    Column("职工人数", "employees", to_int, aliases=("从业人数", "员工人数", "在职职工人数", "参保人数"), example=56),
    Column("法定代表人", "legal_representative", max_length=100, aliases=("法人代表", "负责人", "经营者"), example="张三"),
    Column("主要出资人", "main_investor", max_length=200, aliases=("出资人", "投资人"), example="张三"),
    Column("成立日期", "founded_on", to_date, aliases=("注册日期", "登记日期", "开业日期"), example="2003-05-01"),
    Column("所属行业", "industry", max_length=100, aliases=("行业", "国民经济行业"), example="制造业"),
    Column("住所", "address", max_length=255, aliases=("地址", "注册地址", "经营场所"), example="苏州市吴中区甪直镇"),
    Column("联系电话", "phone", to_code, max_length=40, aliases=("电话",), example="0512-65000000"),
    Column("是否建立工会", "has_trade_union", to_bool, choices=YES_NO, example="是"),
    Column("是否建立共青团", "has_youth_league", to_bool, choices=YES_NO, example="否"),
    Column("是否建立妇委会", "has_women_committee", to_bool, choices=YES_NO, example="否"),
    Column("是否新引进企业", "is_newly_introduced", to_bool, choices=YES_NO, example="否"),
]

TEXT_FIELDS = ("legal_representative", "main_investor", "industry", "address", "phone")
BOOL_FIELDS = ("has_trade_union", "has_youth_league", "has_women_committee", "is_newly_introduced")


class EnterpriseImport(ModelKind):
    name = "enterprises"
    label = "企业"
    sheet_name = "企业"
    model = Enterprise
    columns = COLUMNS
    touch_field = "updated_at"
    key_field = "credit_code"
    compare_fields = ("name", "credit_code", "region_id", "kind", "registry_type", "status", "employees", "founded_on",
                      *TEXT_FIELDS, *BOOL_FIELDS, "introduced_on")
    # Every attribute Enterprise.clean() reads (tests/imports/test_fast_import.py checks it): new
    # rows are validated by that clean() on their values, without model instances.
    clean_attributes = ("founded_on", "status_changed_on", "introduced_on", "is_newly_introduced")
    field_headers = {column.key: column.header for column in COLUMNS} | {
        "region": "所属区域", "kind": "企业类型", "introduced_on": "是否新引进企业", "status_changed_on": "经营状态",
    }

    def key(self, values):
        return values["credit_code"]

    def key_column(self):
        return "统一社会信用代码"

    def outside_scope_message(self, obj):
        return "该统一社会信用代码已登记在您管辖范围以外的企业，不能导入"

    def row_fields(self, ctx, row, existing):
        values = row.values
        error = credit_code_error(values["credit_code"])
        if error:
            raise RowProblem("统一社会信用代码", error)
        try:
            region_id = ctx.region_id(values["region"])
        except ValueProblem as problem:
            raise RowProblem("所属区域", str(problem))
        fields = {"name": values["name"], "credit_code": values["credit_code"], "region_id": region_id}
        present = ctx.present
        if "registry_type" in present:
            text = values["registry_type"] or ""
            kind = classify_registry_type(text)
            fields["kind"] = kind
            # The kind's own label carries nothing beyond the kind: keep the original text only otherwise.
            fields["registry_type"] = "" if text == KIND_LABELS[kind] else text
        if "status" in present:
            fields["status"] = values["status"]
        if "employees" in present:
            fields["employees"] = values["employees"]
        if "founded_on" in present:
            fields["founded_on"] = values["founded_on"]
        for name in TEXT_FIELDS:
            if name in present:
                fields[name] = values[name] or ""
        for name in BOOL_FIELDS:
            if name in present:
                fields[name] = bool(values[name])
        if fields.get("is_newly_introduced") is False:
            fields["introduced_on"] = None
        return fields

    def on_change(self, ctx, obj, changed):
        # A status change is dated today, as Enterprise.save does for a form.
        if "status" in changed and "status_changed_on" not in changed:
            obj.status_changed_on = ctx.today
            changed.append("status_changed_on")
        super().on_change(ctx, obj, changed)

    def export_queryset(self, user):
        return Enterprise.objects.for_user(user)

    def export_rows(self, queryset, user):
        fields = ["name", "credit_code", "region__code", "registry_type", "kind", "status", "employees",
                  "legal_representative", "main_investor", "founded_on", "industry", "address", "phone",
                  *BOOL_FIELDS]
        for record in queryset.order_by("pk").values_list(*fields).iterator(chunk_size=2000):
            (name, code, region, registry_type, kind, status, employees, legal, investor, founded, industry,
             address, phone, *flags) = record
            yield [name, code, region, registry_type or KIND_LABELS[kind], STATUS_EXPORT[status], employees,
                   legal, investor, founded, industry, address, phone, *("是" if flag else "否" for flag in flags)]
