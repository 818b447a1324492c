"""django-import-export in the admin, on the one import path (imports.engine) and the import format.

- Export: django-import-export's ExportMixin (its button, its view, the change list's filters
  and search, ``ScopedAdmin.get_queryset`` for the user's scope) with a Resource that yields the
  kind's export rows (masking included) and a format that writes them with
  ``imports.exporting`` — the same .xlsx as the list pages, so export → import is a no-op.
- Import (small files): django-import-export's row-by-row Resource import would be a second
  set of validation rules, so the admin's 导入 view hands the uploaded file to
  ``imports.engine.run_import`` with the signed-in user: the same rules, Chinese row errors,
  scope and role checks, all or nothing, history rows. It runs while the request waits and is
  meant for small files; larger ones are sent to the 数据导入 page (background task).
"""

import io
import os
import tempfile

import openpyxl
import tablib
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from import_export import resources
from import_export.admin import ExportMixin
from import_export.formats.base_formats import XLSX

from partybuild.scoping import role_can

from .engine import run_import
from .exporting import write_sheet
from .kinds import get_kind
from .readers import estimate_rows

ADMIN_IMPORT_MAX_ROWS = 5000  # above this the admin sends the clerk to the background import
SHOWN_ERRORS = 50


class KindResource(resources.Resource):
    """A django-import-export Resource whose export is an import kind's export rows."""

    kind_name = ""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def export(self, queryset=None, **kwargs):
        kind = get_kind(self.kind_name)
        if queryset is None:
            queryset = kind.export_queryset(self.user)
        dataset = tablib.Dataset(headers=kind.headers, title=kind.sheet_name)
        for row in kind.export_rows(queryset, self.user):
            dataset.append(row)
        return dataset


class ImportFormatXLSX(XLSX):
    """.xlsx in the import format, written by imports.exporting (formula-like text escaped)."""

    def export_data(self, dataset, **kwargs):
        workbook = openpyxl.Workbook(write_only=True)
        write_sheet(workbook, dataset.title or "Sheet1", list(dataset.headers), dataset)
        target = io.BytesIO()
        workbook.save(target)
        return target.getvalue()


class AdminImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件", help_text="小文件（不超过 5,000 行）；.xlsx、.xls 或 .csv，格式同“数据导入”页面")
    dry_run = forms.BooleanField(label="仅预览（不写入数据库）", required=False)


class EngineImportExportMixin(ExportMixin):
    """Admin import/export through django-import-export's UI and the project's import engine.

    Set ``import_kind`` to the name of an import kind (imports.kinds).
    """

    import_kind = ""
    import_export_change_list_template = "admin/import_export/change_list_import_export.html"
    import_template_name = "admin/import_export/import.html"
    export_formats = [ImportFormatXLSX]
    skip_export_form = True

    def get_export_resource_classes(self, request):
        return [type(f"{self.model.__name__}KindResource", (KindResource,), {"kind_name": self.import_kind})]

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def has_export_permission(self, request):
        return role_can(request.user, "export", self.model)

    def has_import_permission(self, request):
        return role_can(request.user, "import", self.model)

    def get_export_filename(self, request, queryset, file_format):
        return f"{get_kind(self.import_kind).label}.xlsx"

    def get_urls(self):
        info = self.get_model_info()
        return [
            path("import/", self.admin_site.admin_view(self.import_action), name="%s_%s_import" % info),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["has_import_permission"] = self.has_import_permission(request)
        return super().changelist_view(request, extra_context)

    def import_action(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = AdminImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            response = self._run_admin_import(request, form.cleaned_data["file"], form.cleaned_data["dry_run"])
            if response is not None:
                return response
        context = dict(self.admin_site.each_context(request), form=form, opts=self.model._meta,
                       title=f"导入{get_kind(self.import_kind).label}", fields_list=[])
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def _run_admin_import(self, request, uploaded, dry_run):
        kind = get_kind(self.import_kind)
        suffix = os.path.splitext(uploaded.name)[1].lower()[:8]
        if uploaded.size > settings.IMPORT_MAX_BYTES:
            messages.error(request, f"文件大小超过上限（{settings.IMPORT_MAX_BYTES / (1024 * 1024):g} MB）")
            return None
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            for piece in uploaded.chunks():
                handle.write(piece)
            handle.flush()
            rows = estimate_rows(handle.name, uploaded.name) or 0
            if rows > ADMIN_IMPORT_MAX_ROWS:
                messages.error(request, f"文件约有 {rows:,} 行，后台仅导入小文件；请使用“数据导入”页面（后台任务，带进度）")
                return None
            result = run_import(kind.name, handle.name, filename=uploaded.name, user=request.user, dry_run=dry_run)
        if not result.ok:
            messages.error(request, f"未导入：共 {len(result.errors)} 处错误，数据库未作任何修改")
            for error in result.errors[:SHOWN_ERRORS]:
                where = f"第 {error['row']} 行" if error["row"] else "文件"
                column = f"“{error['column']}”列" if error["column"] else ""
                messages.error(request, f"{where}{column}：{error['message']}")
            return None
        summary = f"新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}"
        if dry_run:
            messages.info(request, f"预览（未写入）：{summary}")
            return None
        messages.success(request, f"已导入{kind.label}：{summary}")
        return redirect(reverse("admin:%s_%s_changelist" % self.get_model_info()))
