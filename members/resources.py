"""Excel import/export of people (import-formats.md: `members` 党员及发展对象, key 身份证号).

企业职务 (several) become PersonRole rows; 党内职务 (书记 / 副书记 / 委员) sets the officers of
the person's organization. ID numbers are masked in exports for roles that see them masked.
"""

from collections import defaultdict

from enterprises.models import Enterprise
from imports.bulk import create_with_history, update_with_history
from imports.engine import Column, ModelKind, RowProblem, choice_parser
from imports.normalize import split_multi, to_code, to_date
from organizations.models import Organization
from organizations.resources import labels_map
from partybuild.validators import id_number_error, mask_id_number

from .models import Education, EnterpriseRole, Gender, Person, PersonRole, PoliticalStatus

STATUS_BY_LABEL = labels_map(PoliticalStatus.choices, 中共党员="full", 党员="full", 中共预备党员="probationary",
                             积极分子="activist", 申请人="applicant", 转出="transferred_out")
EDUCATION_BY_LABEL = labels_map(
    Education.choices, 博士="postgraduate", 硕士="postgraduate", 博士研究生="postgraduate", 硕士研究生="postgraduate",
    本科="bachelor", 大学="bachelor", 大专="college", 专科="college", 中专="secondary", 高中="secondary",
    职高="secondary", 技校="secondary", 初中="junior", 小学="junior",
)
GENDER_BY_LABEL = labels_map(Gender.choices, 男性="male", 女性="female")
ROLE_BY_LABEL = labels_map(EnterpriseRole.choices, 出资人="main_investor", 管理层="management",
                           团支部书记="league_head", 妇女主任="women_head")
OFFICES = {"书记": "secretary", "副书记": "deputy", "委员": "committee", "支部委员": "committee"}
OFFICE_LABELS = {"secretary": "书记", "deputy": "副书记", "committee": "委员"}
STATUS_LABELS, EDUCATION_LABELS = dict(PoliticalStatus.choices), dict(Education.choices)
GENDER_LABELS, ROLE_LABELS = dict(Gender.choices), dict(EnterpriseRole.choices)
MILESTONES = [("applied_on", "申请入党日期"), ("activist_on", "确定积极分子日期"), ("candidate_on", "确定发展对象日期"),
              ("admitted_on", "入党日期"), ("confirmed_on", "转正日期"), ("transferred_out_on", "转出日期")]
parse_role = choice_parser(ROLE_BY_LABEL, "企业职务")
parse_office = choice_parser(OFFICES, "党内职务")


def parse_roles(raw):
    return sorted({parse_role(part) for part in split_multi(raw)})


PERSON_COLUMNS = [
    Column("姓名", "name", required=True, max_length=50, example="王五"),
    Column("身份证号", "id_number", to_code, required=True, aliases=("身份证号码", "公民身份号码"),
           example="320505198005010012"),
    Column("性别", "gender", choice_parser(GENDER_BY_LABEL, "性别"), choices=("男", "女"), example="男"),
    Column("所在企业信用代码", "enterprise", to_code, required=True,
           aliases=("所在企业统一社会信用代码", "企业信用代码", "统一社会信用代码"), example="91320500000000001A"),
    Column("所在党组织", "organization", max_length=200, aliases=("所在党组织名称", "党组织名称"),
           example="苏州示例科技有限公司党支部"),
    Column("政治面貌", "status", choice_parser(STATUS_BY_LABEL, "政治面貌"), required=True,
           choices=tuple(label for value, label in PoliticalStatus.choices if value != "transferred_out"),
           example="正式党员"),
    *[Column(header, field, to_date, example="") for field, header in MILESTONES[:5]],
    Column("学历", "education", choice_parser(EDUCATION_BY_LABEL, "学历"), aliases=("文化程度",),
           choices=tuple(EDUCATION_LABELS.values()), example="大学本科"),
    Column("手机号码", "phone", to_code, max_length=20, aliases=("手机", "联系电话"), example="13800000000"),
    Column("企业职务", "roles", parse_roles, aliases=("在企业担任职务",), choices=tuple(ROLE_LABELS.values()),
           example="技术骨干"),
    Column("党内职务", "office", parse_office, choices=("书记", "副书记", "委员"), example=""),
    Column("转出日期", "transferred_out_on", to_date, example=""),
]
FIELD_HEADERS = {column.key: column.header for column in PERSON_COLUMNS}


class PersonImport(ModelKind):
    name = "members"
    label = "党员及发展对象"
    sheet_name = "党员"
    model = Person
    columns = PERSON_COLUMNS
    touch_field = "updated_at"
    field_headers = FIELD_HEADERS
    key_field = "id_number"
    compare_fields = ("name", "id_number", "enterprise_id", "status", "organization_id", "gender", "education", "phone",
                      *(field for field, _header in MILESTONES))

    def key(self, values):
        return values["id_number"]

    def prepare(self, ctx):
        self._offices = {}  # (organization id, office) → row number, for 书记/副书记 across the file

    def outside_scope_message(self, obj):
        return "该身份证号已登记在您管辖范围以外的人员，不能导入"

    def process_chunk(self, ctx, rows, result, sheet=None):
        codes = {row.values["enterprise"] for row in rows}
        self._enterprises = dict(ctx.scoped(Enterprise).filter(credit_code__in=codes).values_list("credit_code", "pk"))
        names = {row.values.get("organization") for row in rows if row.values.get("organization")}
        self._orgs = {}
        for org_id, name in ctx.scoped(Organization).filter(name__in=names).order_by("status", "-pk").values_list(
            "pk", "name"
        ):
            self._orgs.setdefault(name, org_id)
        self._row_extra = {}
        super().process_chunk(ctx, rows, result, sheet)

    def row_fields(self, ctx, row, existing):
        values = row.values
        error = id_number_error(values["id_number"], ctx.today)
        if error:
            raise RowProblem("身份证号", error)
        code = values["enterprise"]
        if code not in self._enterprises:
            exists = Enterprise.objects.filter(credit_code=code).exists()
            message = "不在您的管辖范围内" if exists else "不存在（请先导入企业）"
            raise RowProblem("所在企业信用代码", f"企业“{code}”{message}")
        org_id = None
        if values.get("organization"):
            org_id = self._orgs.get(values["organization"])
            if org_id is None:
                exists = Organization.objects.filter(name=values["organization"]).exists()
                message = "不在您的管辖范围内" if exists else "不存在（请先导入党组织）"
                raise RowProblem("所在党组织", f"党组织“{values['organization']}”{message}")
        office = values.get("office")
        if office:
            if org_id is None:
                raise RowProblem("党内职务", "填写党内职务时必须填写所在党组织")
            if office != "committee":
                earlier = self._offices.setdefault((org_id, office), row.number)
                if earlier != row.number:
                    raise RowProblem("党内职务", f"第 {earlier} 行已是该党组织的{OFFICE_LABELS[office]}")
        self._row_extra[row.number] = (values.get("roles"), office, org_id)
        fields = {
            "name": values["name"],
            "id_number": values["id_number"],
            "enterprise_id": self._enterprises[code],
            "status": values["status"],
        }
        if "organization" in ctx.present:
            fields["organization_id"] = org_id
        for key in ("gender", "education", "phone"):
            if key in ctx.present:
                fields[key] = values.get(key) or ""
        for field, _header in MILESTONES:
            if field in ctx.present:
                fields[field] = values.get(field)
        return fields

    def write_children(self, ctx, accepted, result, sheet):
        people = {obj.pk: (row, obj) for row, obj, _created, _changed in accepted}
        changed_rows = set()
        if "roles" in ctx.present:
            changed_rows |= self._write_roles(ctx, people)
        if "office" in ctx.present:
            changed_rows |= self._write_offices(ctx, people)
        return changed_rows

    def _write_roles(self, ctx, people):
        current = defaultdict(dict)
        for role in PersonRole.objects.filter(person_id__in=people):
            current[role.person_id][role.role] = role
        to_create, to_delete, changed_rows = [], [], set()
        for person_id, (row, person) in people.items():
            wanted = set(self._row_extra[row.number][0] or [])
            have = current[person_id]
            to_create += [PersonRole(person_id=person.pk, role=role) for role in wanted - set(have)]
            to_delete += [have[role].pk for role in set(have) - wanted]
            if wanted != set(have):
                changed_rows.add(row.number)
        if to_delete:
            PersonRole.objects.filter(pk__in=to_delete).delete()
        if to_create:
            create_with_history(to_create, PersonRole, ctx)
        return changed_rows

    def _write_offices(self, ctx, people):
        """The row's 党内职务 is the person's office in their organization (empty = none)."""
        through = Organization.committee_members.through
        person_ids = list(people)
        org_ids = {extra[2] for extra in self._row_extra.values() if extra[2]}
        orgs = {
            org.pk: org
            for org in Organization.objects.filter(pk__in=org_ids)
            | Organization.objects.filter(secretary_id__in=person_ids)
            | Organization.objects.filter(deputy_secretary_id__in=person_ids)
        }
        seats = defaultdict(set)
        for org_id, person_id in through.objects.filter(person_id__in=person_ids).values_list(
            "organization_id", "person_id"
        ):
            seats[person_id].add(org_id)
        held = defaultdict(set)
        for org in orgs.values():
            for attname in ("secretary_id", "deputy_secretary_id"):
                if getattr(org, attname):
                    held[getattr(org, attname)].add(org.pk)
        changed_orgs, changed_rows, add_seats, drop_seats = set(), set(), [], []
        for person_id, (row, _person) in people.items():
            _roles, office, org_id = self._row_extra[row.number]
            for org in [orgs[pk] for pk in held[person_id] | ({org_id} if org_id else set())]:
                for attname, name in (("secretary_id", "secretary"), ("deputy_secretary_id", "deputy")):
                    holds = getattr(org, attname) == person_id
                    should = org.pk == org_id and office == name
                    if should and not holds:
                        setattr(org, attname, person_id)
                    elif holds and not should:
                        setattr(org, attname, None)
                    else:
                        continue
                    changed_orgs.add(org.pk)
                    changed_rows.add(row.number)
            wanted_seat = org_id if office == "committee" else None
            for seat_org in seats[person_id] - {wanted_seat}:
                drop_seats.append((seat_org, person_id))
                changed_rows.add(row.number)
            if wanted_seat and wanted_seat not in seats[person_id]:
                add_seats.append((wanted_seat, person_id))
                changed_rows.add(row.number)
        if changed_orgs:
            for pk in changed_orgs:
                orgs[pk].updated_at = ctx.now
            update_with_history([orgs[pk] for pk in changed_orgs], Organization,
                                ["secretary", "deputy_secretary", "updated_at"], ctx)
        for org_id, person_id in drop_seats:
            through.objects.filter(organization_id=org_id, person_id=person_id).delete()
        if add_seats:
            through.objects.bulk_create([through(organization_id=o, person_id=p) for o, p in add_seats])
        return changed_rows

    def export_queryset(self, user):
        return Person.objects.for_user(user)

    def export_rows(self, queryset, user):
        roles = defaultdict(list)
        for person_id, role in PersonRole.objects.filter(person__in=queryset.values("pk")).order_by("pk").values_list(
            "person_id", "role"
        ):
            roles[person_id].append(ROLE_LABELS[role])
        offices = {}
        for person_id in Organization.objects.filter(secretary__isnull=False).values_list("secretary_id", flat=True):
            offices[person_id] = "书记"
        for person_id in Organization.objects.filter(deputy_secretary__isnull=False).values_list(
            "deputy_secretary_id", flat=True
        ):
            offices.setdefault(person_id, "副书记")
        seats = Organization.committee_members.through.objects.values_list("person_id", flat=True)
        for person_id in seats:
            offices.setdefault(person_id, "委员")
        full_id = getattr(user, "sees_full_id", False)
        fields = ("pk", "name", "id_number", "gender", "enterprise__credit_code", "organization__name", "status",
                  *[field for field, _ in MILESTONES[:5]], "education", "phone", "transferred_out_on")
        for record in queryset.order_by("pk").values_list(*fields).iterator(chunk_size=2000):
            pk, name, id_number, gender, code, org, status, *dates, education, phone, transferred = record
            yield [name, id_number if full_id else mask_id_number(id_number), GENDER_LABELS.get(gender, ""), code,
                   org or "", STATUS_LABELS[status], *dates, EDUCATION_LABELS.get(education, ""), phone,
                   "、".join(roles[pk]), offices.get(pk, ""), transferred]
