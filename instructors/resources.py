"""Excel import/export of instructors (import-formats.md: `instructors` 指导员, key 手机号码).

Each code in 指导企业信用代码 becomes an assignment starting on 选派日期; open assignments to
enterprises no longer listed end today.
"""

from collections import defaultdict

from imports.bulk import create_with_history, update_with_history
from imports.engine import Column, ModelKind, RowProblem, choice_parser, multi_code_parser
from imports.normalize import ValueProblem, to_code, to_date
from organizations.resources import enterprise_ids_by_code, labels_map, resolve_codes
from partybuild.validators import MOBILE_RE, id_number_error, mask_id_number

from .models import Assignment, Gender, Instructor, InstructorSource

GENDER_BY_LABEL = labels_map(Gender.choices, 男性="male", 女性="female")
SOURCE_BY_LABEL = labels_map(InstructorSource.choices, 退休干部="retired", 离任干部="retired", 机关="organ")
GENDER_LABELS, SOURCE_LABELS = dict(Gender.choices), dict(InstructorSource.choices)
CODES_HEADER = "指导企业信用代码"

INSTRUCTOR_COLUMNS = [
    Column("姓名", "name", required=True, max_length=50, aliases=("指导员姓名",), example="李四"),
    Column("手机号码", "phone", to_code, required=True, aliases=("手机", "联系电话", "手机号"), example="13900000000"),
    Column("性别", "gender", choice_parser(GENDER_BY_LABEL, "性别"), choices=("男", "女"), example="男"),
    Column("身份证号", "id_number", to_code, aliases=("身份证号码", "公民身份号码"), example=""),
    Column("来源", "source", choice_parser(SOURCE_BY_LABEL, "来源"), aliases=("指导员来源",),
           choices=tuple(SOURCE_LABELS.values()), example="机关在职"),
    Column("工作单位", "work_unit", max_length=200, aliases=("单位",), example="甪直镇人民政府"),
    Column("职务", "position", max_length=100, example="科员"),
    Column("组织关系所在", "org_relation", max_length=200, aliases=("组织关系所在单位",), example="甪直镇机关党支部"),
    Column("所属区域", "region", required=True, aliases=("所属镇（街道）", "镇（街道）", "镇街", "区域", "区域代码"),
           example="320506101"),
    Column("选派日期", "start_on", to_date, required=True, aliases=("派驻日期", "选派时间"), example="2003-03-01"),
    Column(CODES_HEADER, "codes", multi_code_parser, required=True,
           aliases=("指导企业统一社会信用代码", "指导企业", "派驻企业信用代码"), example="91320500000000001A"),
]
TEXT_FIELDS = ("work_unit", "position", "org_relation")


class InstructorImport(ModelKind):
    name = "instructors"
    label = "指导员"
    sheet_name = "指导员"
    model = Instructor
    columns = INSTRUCTOR_COLUMNS
    field_headers = {column.key: column.header for column in INSTRUCTOR_COLUMNS} | {"region": "所属区域"}

    def key(self, values):
        return values["phone"]

    def prepare(self, ctx):
        self._id_rows = {}

    def lookup(self, ctx, keys):
        return {obj.phone: obj for obj in Instructor.objects.filter(phone__in=keys)}

    def process_chunk(self, ctx, rows, result, sheet=None):
        codes = {code for row in rows for code in row.values["codes"]}
        self._known, self._outside = enterprise_ids_by_code(ctx, codes)
        id_numbers = [row.values.get("id_number") for row in rows if row.values.get("id_number")]
        self._id_holders = dict(Instructor.objects.filter(id_number__in=id_numbers).values_list("id_number", "phone"))
        self._wanted = {}
        super().process_chunk(ctx, rows, result, sheet)

    def row_fields(self, ctx, row, existing):
        values = row.values
        if not MOBILE_RE.match(values["phone"]):
            raise RowProblem("手机号码", "手机号码应为11位，以1开头")
        id_number = values.get("id_number") or ""
        if id_number:
            error = id_number_error(id_number, ctx.today)
            if error:
                raise RowProblem("身份证号", error)
            holder = self._id_holders.get(id_number)
            if holder and holder != values["phone"]:
                raise RowProblem("身份证号", f"该身份证号已登记在手机号码为 {holder} 的指导员名下")
            earlier = self._id_rows.setdefault(id_number, row.number)
            if earlier != row.number:
                raise RowProblem("身份证号", f"与第 {earlier} 行的身份证号重复")
        try:
            region_id = ctx.region_id(values["region"])
        except ValueProblem as problem:
            raise RowProblem("所属区域", str(problem))
        if values["start_on"] > ctx.today:
            raise RowProblem("选派日期", "选派日期不能晚于今天")
        self._wanted[row.number] = (resolve_codes(ctx, values["codes"], self._known, self._outside, CODES_HEADER),
                                    values["start_on"])
        fields = {"name": values["name"], "phone": values["phone"], "region_id": region_id}
        if "id_number" in ctx.present:
            fields["id_number"] = id_number
        for key in ("gender", "source"):
            if key in ctx.present and values.get(key):
                fields[key] = values[key]
        if "gender" in ctx.present and not values.get("gender"):
            fields["gender"] = ""
        for key in TEXT_FIELDS:
            if key in ctx.present:
                fields[key] = values.get(key) or ""
        return fields

    def write_children(self, ctx, accepted, result, sheet):
        instructors = {obj.pk: (row, obj) for row, obj, _created, _changed in accepted}
        open_links = defaultdict(list)
        for assignment in Assignment.objects.open().filter(instructor_id__in=instructors):
            open_links[assignment.instructor_id].append(assignment)
        to_end, to_create, changed_rows = [], [], set()
        for instructor_id, (row, instructor) in instructors.items():
            wanted, start_on = self._wanted[row.number]
            current = {assignment.enterprise_id for assignment in open_links[instructor_id]}
            for assignment in open_links[instructor_id]:
                if assignment.enterprise_id not in wanted:
                    assignment.end_on = max(assignment.start_on, ctx.today)
                    to_end.append(assignment)
                    changed_rows.add(row.number)
            for enterprise_id in wanted:
                if enterprise_id not in current:
                    to_create.append(Assignment(instructor=instructor, enterprise_id=enterprise_id, start_on=start_on))
                    changed_rows.add(row.number)
        if to_end:
            update_with_history(to_end, Assignment, ["end_on"], ctx)
        if to_create:
            create_with_history(to_create, Assignment, ctx)
        return changed_rows

    def export_queryset(self, user):
        return Instructor.objects.for_user(user)

    def export_rows(self, queryset, user):
        codes, starts = defaultdict(list), {}
        assignments = Assignment.objects.open().filter(instructor__in=queryset.values("pk")).order_by("start_on", "pk")
        for instructor_id, code, start_on in assignments.values_list("instructor_id", "enterprise__credit_code", "start_on"):
            codes[instructor_id].append(code)
            starts.setdefault(instructor_id, start_on)
        full_id = getattr(user, "sees_full_id", False)
        fields = ("pk", "name", "phone", "gender", "id_number", "source", "work_unit", "position", "org_relation",
                  "region__code")
        for pk, name, phone, gender, id_number, source, unit, position, relation, region in (
            queryset.order_by("pk").values_list(*fields).iterator(chunk_size=2000)
        ):
            yield [name, phone, GENDER_LABELS.get(gender, ""), id_number if full_id else mask_id_number(id_number),
                   SOURCE_LABELS.get(source, ""), unit, position, relation, region, starts.get(pk), "、".join(codes[pk])]
