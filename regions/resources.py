"""Excel import/export of regions and region statistics (import-formats.md: `regions`, `region_stats`)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from imports.engine import Column, ImportKind, ModelKind, RowProblem, choice_parser
from imports.normalize import ValueProblem, to_code, to_int

from .models import Region, RegionKind, RegionStat

KIND_BY_LABEL = {label: value for value, label in RegionKind.choices} | {"县（市、区）": RegionKind.DISTRICT, "工业园": RegionKind.PARK}
KIND_LABELS = dict(RegionKind.choices)

REGION_COLUMNS = [
    Column("区域代码", "code", to_code, required=True, max_length=20, example="320506101"),
    Column("区域名称", "name", required=True, max_length=100, example="甪直镇"),
    Column("上级区域代码", "parent", to_code, max_length=20, example="320506"),
    Column("区域类型", "kind", choice_parser(KIND_BY_LABEL, "区域类型"),
           choices=tuple(label for _, label in RegionKind.choices), example="镇"),
]


class RegionImport(ImportKind):
    """Regions are few (hundreds): saved row by row so Region.save keeps the materialised paths."""

    name = "regions"
    label = "区域"
    sheet_name = "区域"
    model = Region
    columns = REGION_COLUMNS

    def key(self, values):
        return values["code"]

    def process_chunk(self, ctx, rows, result, sheet=None):
        scoped = ctx.scoped(Region)
        for row in rows:
            values = row.values
            try:
                with transaction.atomic():
                    status = self._save_row(ctx, scoped, values)
            except RowProblem as problem:
                result.error(row.number, problem.column, problem.message, sheet)
                continue
            setattr(result, status, getattr(result, status) + 1)
        ctx.reset_regions()

    def _save_row(self, ctx, scoped, values):
        code = values["code"]
        existing = Region.objects.filter(code=code).first()
        if existing is not None and not scoped.filter(pk=existing.pk).exists():
            raise RowProblem("区域代码", f"区域“{existing}”不在您的管辖范围内")
        parent = None
        if values.get("parent"):
            parent = scoped.filter(code=values["parent"]).first()
            if parent is None:
                exists = Region.objects.filter(code=values["parent"]).exists()
                message = "不在您的管辖范围内" if exists else "不存在（请先导入上级区域）"
                raise RowProblem("上级区域代码", f"上级区域“{values['parent']}”{message}")
        elif ctx.user is not None and not ctx.user.is_admin and (existing is None or existing.parent_id):
            raise RowProblem("上级区域代码", "只有系统管理员可以新增或修改顶级区域")
        kind = values.get("kind") or (existing.kind if existing else None)
        if kind is None:
            raise RowProblem("区域类型", "新增区域必须填写区域类型")
        region = existing or Region(code=code)
        wanted = {"name": values["name"], "kind": kind, "parent_id": parent.pk if parent else None}
        if "parent" not in ctx.present and existing is not None:
            wanted.pop("parent_id")
        changed = [name for name, value in wanted.items() if getattr(region, name) != value]
        if existing is not None and not changed:
            return "unchanged"
        for name, value in wanted.items():
            setattr(region, name, value)
        try:
            region.clean()
        except ValidationError as error:
            raise RowProblem("上级区域代码", "；".join(error.messages))
        region._history_user = ctx.history_user
        region.save()
        return "created" if existing is None else "updated"

    def export_queryset(self, user):
        return Region.objects.for_user(user)

    def export_rows(self, queryset, user):
        for code, name, parent, kind in queryset.order_by("path").values_list("code", "name", "parent__code", "kind"):
            yield [code, name, parent or "", KIND_LABELS.get(kind, kind)]


STAT_COLUMNS = [
    Column("区域代码", "region", to_code, required=True, example="320506101"),
    Column("年度", "year", to_int, required=True, example=2003),
    Column("党员总数", "total_members", to_int, required=True, example=1200),
    Column("当年发展党员数", "new_members", to_int, required=True, aliases=("当年发展党员总数",), example=40),
]


class RegionStatImport(ModelKind):
    name = "region_stats"
    label = "区域党员总量"
    sheet_name = "区域党员总量"
    model = RegionStat
    columns = STAT_COLUMNS
    field_headers = {"region": "区域代码", "year": "年度", "total_members": "党员总数", "new_members": "当年发展党员数"}

    def key(self, values):
        return (values["region"], values["year"])

    def key_column(self):
        return "区域代码"

    def lookup(self, ctx, keys):
        codes = {code for code, _ in keys}
        years = {year for _, year in keys}
        stats = RegionStat.objects.filter(region__code__in=codes, year__in=years).select_related("region")
        return {(stat.region.code.upper(), stat.year): stat for stat in stats}

    def row_fields(self, ctx, row, existing):
        values = row.values
        try:
            region_id = ctx.region_id(values["region"])
        except ValueProblem as problem:
            raise RowProblem("区域代码", str(problem))
        if values["year"] < 1949 or values["year"] > ctx.today.year:
            raise RowProblem("年度", f"年度应在 1949 至 {ctx.today.year} 之间")
        return {
            "region_id": region_id,
            "year": values["year"],
            "total_members": values["total_members"],
            "new_members": values["new_members"],
        }

    def export_queryset(self, user):
        return RegionStat.objects.for_user(user)

    def export_rows(self, queryset, user):
        fields = ("region__code", "year", "total_members", "new_members")
        for record in queryset.order_by("region__path", "year").values_list(*fields):
            yield list(record)
