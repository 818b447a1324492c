"""Web flow: upload → preview → confirm → result; error report; templates; exports."""

import importlib
import tempfile
from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partybuild.scoping import get_scoped_object_or_404, require_role_can, role_can

from . import services
from .engine import HEADER_SCAN_ROWS, find_header
from .exporting import write_error_report, write_export, write_template
from .forms import UploadForm
from .kinds import KIND_ORDER, all_kinds, get_kind
from .models import ImportJob
from .normalize import normalize_header
from .readers import FileProblem, open_sheets

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The list pages' filters, applied to exports (kind → "module.Class").
EXPORT_FILTERS = {
    "enterprises": "enterprises.filters.EnterpriseFilter",
    "organizations": "organizations.filters.OrganizationFilter",
    "instructors": "instructors.filters.InstructorFilter",
    "members": "members.filters.PersonFilter",
}


def importable_kinds(user):
    kinds = all_kinds()
    allowed = [name for name in KIND_ORDER if role_can(user, "import", kinds[name].model)]
    if allowed:
        allowed.append("workbook")  # sheets of kinds the role may not import are refused by the engine
    return allowed


def _xlsx_response(handle, filename):
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def _crumbs(*extra):
    return [{"label": "数据导入", "url": reverse("imports:upload")}, *extra]


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    allowed = importable_kinds(request.user)
    if not allowed:
        raise PermissionDenied("您的角色无权导入数据")
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, allowed_kinds=allowed)
        if form.is_valid():
            job = services.job_create(actor=request.user, kind=form.cleaned_data["kind"], uploaded=form.cleaned_data["file"])
            services.job_start(job, confirm=False)
            return redirect(job)
    else:
        initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") in allowed else {}
        form = UploadForm(initial=initial, allowed_kinds=allowed)
    jobs = ImportJob.objects.for_user(request.user).filter(user=request.user)[:10]
    kinds = all_kinds()
    templates = [(name, kinds[name].label) for name in KIND_ORDER if name in allowed]
    return render(request, "imports/upload.html", {
        "form": form, "jobs": jobs, "templates": templates, "breadcrumbs": _crumbs(),
    })


@login_required
@require_GET
def job_detail(request, pk):
    job = get_scoped_object_or_404(ImportJob, request.user, pk=pk)
    kind_label = dict((name, kind.label) for name, kind in all_kinds().items()).get(job.kind, "多工作表工作簿")
    return render(request, "imports/job.html", {
        "job": job, "kind_label": kind_label, "summary": job.summary, "progress": job.live_progress(),
        "breadcrumbs": _crumbs({"label": job.original_name, "url": None}),
    })


@login_required
@require_GET
def job_status(request, pk):
    job = get_scoped_object_or_404(ImportJob, request.user, pk=pk)
    done = job.live_progress()
    total = max(job.progress_total, done)
    return JsonResponse({
        "status": job.status,
        "status_label": job.get_status_display(),
        "running": job.is_running,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else (0 if job.is_running else 100),
    })


@login_required
@require_POST
def job_confirm(request, pk):
    job = get_scoped_object_or_404(ImportJob, request.user, pk=pk)
    if job.status != ImportJob.Status.PREVIEWED:
        raise PermissionDenied("只有校验通过、尚未导入的文件可以确认导入")
    services.job_start(job, confirm=True)
    return redirect(job)


@login_required
@require_GET
def error_report(request, pk):
    job = get_scoped_object_or_404(ImportJob, request.user, pk=pk)
    errors = job.all_errors()
    by_sheet = defaultdict(lambda: defaultdict(list))
    for error in errors:
        message = f"{error['column']}：{error['message']}" if error.get("column") else error["message"]
        by_sheet[error.get("sheet")][error["row"]].append(message)
    sheets = []
    try:
        for sheet in open_sheets(job.file.path, job.original_name):
            key = sheet.name if job.kind == "workbook" else None
            wanted = by_sheet.get(key)
            if not wanted:
                continue
            sheets.append(_refused_rows(job, sheet, wanted))
            if key is None:
                break
    except FileProblem:
        pass
    general = [reason for sheet in by_sheet.values() for reason in sheet.get(0, [])]
    if general:
        sheets.append(("文件错误", [], [("", [], "；".join(general))]))
    handle = tempfile.TemporaryFile()
    write_error_report(sheets, handle)
    return _xlsx_response(handle, f"错误报告-{job.original_name.rsplit('.', 1)[0]}.xlsx")


def _refused_rows(job, sheet, wanted):
    """(title, header, [(row number, values, reason)]) for the rows of ``sheet`` named in ``wanted``."""
    kinds = all_kinds()
    kind = kinds.get(job.kind) or next(
        (k for k in kinds.values() if normalize_header(k.sheet_name) == normalize_header(sheet.name)), None
    )
    rows, first = [], []
    for number, values in sheet.rows():
        if len(first) < HEADER_SCAN_ROWS:
            first.append((number, values))
        if number in wanted:
            rows.append((number, list(values), "；".join(wanted[number])))
    found = find_header(kind, first) if kind and first else None
    header = list(first[found[0]][1]) if found else []
    # Readers leave out a row's trailing empty cells: pad, so 错误原因 stays in its own column.
    width = max([len(header)] + [len(values) for _, values, _ in rows])
    header += [None] * (width - len(header))
    rows = [(number, values + [None] * (width - len(values)), reason) for number, values, reason in rows]
    return sheet.name, header, rows


def _kind_for(user, kind, action):
    """The import kind named in the URL (404 if unknown) once the role may take ``action`` on it (403)."""
    try:
        import_kind = get_kind(kind)
    except KeyError:
        raise Http404("没有这种数据类别")
    require_role_can(user, action, import_kind.model)
    return import_kind


@login_required
@require_GET
def template(request, kind):
    import_kind = _kind_for(request.user, kind, "import")
    handle = tempfile.TemporaryFile()
    write_template(import_kind, handle)
    return _xlsx_response(handle, f"{import_kind.label}导入模板.xlsx")


def _filtered(kind_name, queryset, request):
    """The list page's FilterSet applied to the scoped queryset (unfiltered if it is not there)."""
    dotted = EXPORT_FILTERS.get(kind_name)
    if not dotted:
        return queryset
    module_name, class_name = dotted.rsplit(".", 1)
    try:
        filter_class = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError):
        return queryset
    return filter_class(data=request.GET, queryset=queryset, request=request).qs


@login_required
@require_GET
def export(request, kind):
    import_kind = _kind_for(request.user, kind, "export")
    queryset = _filtered(kind, import_kind.export_queryset(request.user), request)
    handle = tempfile.TemporaryFile()
    write_export(import_kind, queryset, request.user, handle)
    return _xlsx_response(handle, f"{import_kind.label}-{timezone.localdate():%Y%m%d}.xlsx")
