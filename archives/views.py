"""Pages of the activity archives: records, photos, attachments, archive/gallery/export,
三会一课 compliance, year closing, the "六有" site sheet, regional centres and the visit log.

Every view starts from ``Model.objects.for_user(request.user)``: out of scope is 404 (files
included), in scope but not allowed is 403 with a Chinese message.
"""

import datetime
import functools
import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from accounts.pages import add_validation_error, history_rows, paginate
from instructors.models import Assignment, GuidanceVisit
from organizations.models import SITE_ITEM_FIELDS, ActivitySite, Organization, RegionalCentre, SiteItem, SitePhoto
from partybuild.scoping import Role, get_scoped_object_or_404, require_role_can, role_can

from . import services
from .forms import (
    CentreForm,
    ExportForm,
    PhotoAddForm,
    RecordFilterForm,
    RecordForm,
    RegionExportForm,
    SiteForm,
    VisitForm,
    YearCloseForm,
    captions_from,
)
from .models import ActivityAttachment, ActivityPhoto, ActivityRecord, ArchiveExport, Category, YearClosing
from .photos import attachment_content_type
from .selectors import compliance_for_organizations, quarter_bounds, records_with_counts
from .tasks import zip_filename


def archive_view(view):
    """Signed in; a refused action renders a 403 page that says why (in Chinese)."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as denied:
            message = str(denied) or "您的角色无权执行此操作"
            if _wants_json(request):
                return JsonResponse({"errors": [message]}, status=403)
            return render(request, "archives/forbidden.html", {"message": message}, status=403)

    return wrapped


def _wants_json(request):
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _finish(request, form, url):
    """Redirect (or tell archives.js where to go); with errors, re-render or answer them as JSON."""
    if _wants_json(request):
        if form is None or not form.errors:
            return JsonResponse({"redirect": url})
        errors = [f"{form.fields[name].label if name in form.fields else ''}{'：' if name in form.fields else ''}{error}"
                  for name, field_errors in form.errors.items() for error in field_errors]
        return JsonResponse({"errors": errors}, status=400)
    return redirect(url)


# --- Protected files ----------------------------------------------------------------------------


def protected_file_response(field_file, *, filename=None, as_attachment=False, content_type=None):
    """Hand a stored file to the client per PROTECTED_MEDIA_SERVER, never via a public URL."""
    if not field_file:
        raise Http404("文件不存在")
    name = field_file.name
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    server = settings.PROTECTED_MEDIA_SERVER
    if server == "nginx":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.PROTECTED_MEDIA_INTERNAL_URL.rstrip("/") + "/" + quote(name)
    elif server == "apache":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = field_file.storage.path(name)
    else:
        try:
            handle = field_file.storage.open(name, "rb")
        except FileNotFoundError:
            raise Http404("文件不存在")
        response = FileResponse(handle, content_type=content_type)
    if filename or as_attachment:
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename or name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _image_view(model, field_name):
    """A photo or its thumbnail, for a user who may see it (404 otherwise)."""

    @archive_view
    def view(request, pk):
        item = get_scoped_object_or_404(model, request.user, pk=pk)
        return protected_file_response(getattr(item, field_name) or item.image, content_type="image/jpeg")

    return view


photo = _image_view(ActivityPhoto, "image")
thumbnail = _image_view(ActivityPhoto, "thumbnail")
site_photo = _image_view(SitePhoto, "image")
site_thumbnail = _image_view(SitePhoto, "thumbnail")


@archive_view
def attachment(request, pk):
    item = get_scoped_object_or_404(ActivityAttachment, request.user, pk=pk)
    return protected_file_response(
        item.file, filename=item.name, as_attachment=True, content_type=attachment_content_type(item.file.name)
    )


# --- Records --------------------------------------------------------------------------------------


def _record_breadcrumbs(record=None, tail=None):
    crumbs = [{"label": "活动档案", "url": reverse("archives:record_list")}]
    if record is not None:
        crumbs.append({"label": record.title, "url": record.get_absolute_url()})
    if tail:
        crumbs.append({"label": tail, "url": None})
    return crumbs


@archive_view
def record_list(request):
    user = request.user
    require_role_can(user, "view", ActivityRecord)
    form = RecordFilterForm(request.GET or None, user=user)
    records = records_with_counts(ActivityRecord.objects.for_user(user).select_related("organization"))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["organization"]:
            records = records.filter(organization=data["organization"])
        if data["year"]:
            records = records.filter(held_on__year=data["year"])
        if data["category"]:
            records = records.filter(category=data["category"])
    elif form.is_bound:
        records = records.none()
    page = paginate(request, records)
    own_org = user.organization if user.role == Role.SECRETARY else None
    return render(request, "archives/record_list.html", {
        "form": form,
        "page": page,
        "rows": page.rows,
        "can_add": role_can(user, "add", ActivityRecord),
        "own_org": own_org,
        "this_year": timezone.localdate().year,
        "breadcrumbs": [{"label": "活动档案", "url": None}],
    })


@archive_view
def record_detail(request, pk):
    user = request.user
    record = get_scoped_object_or_404(
        ActivityRecord.objects.select_related("organization__region", "recorded_by").prefetch_related(
            Prefetch("photos", queryset=ActivityPhoto.objects.order_by("pk")), "attachments"
        ),
        user,
        pk=pk,
    )
    require_role_can(user, "view", ActivityRecord)
    year_closed = record.year_closed
    can_edit = role_can(user, "change", ActivityRecord) and not (year_closed and user.role == Role.SECRETARY and not user.is_admin)
    return render(request, "archives/record_detail.html", {
        "record": record,
        "photos": list(record.photos.all()),
        "attachments": list(record.attachments.all()),
        "year_closed": year_closed,
        "can_edit": can_edit,
        "can_delete": can_edit and role_can(user, "delete", ActivityRecord),
        "photo_form": PhotoAddForm() if can_edit else None,
        "history": history_rows(record, user),
        "breadcrumbs": _record_breadcrumbs(record),
    })


def _organization_for_new_record(request):
    """Secretaries record for their own organization; staff pick one in scope."""
    user = request.user
    if user.role == Role.SECRETARY and not user.is_admin:
        if not user.organization_id:
            raise PermissionDenied("您的账户没有关联党组织")
        return get_scoped_object_or_404(Organization, user, pk=user.organization_id), True
    wanted = request.GET.get("organization") or request.POST.get("organization")
    if wanted and str(wanted).isdigit():
        return get_scoped_object_or_404(Organization, user, pk=int(wanted)), False
    return None, False


def _save_record(request, form, record):
    files = request.FILES.getlist("photos")
    try:
        services.record_save(
            actor=request.user,
            record=record,
            photos=files,
            captions=captions_from(request.POST, len(files)),
            attachments=request.FILES.getlist("attachments"),
        )
    except ValidationError as error:
        add_validation_error(form, error)
        return False
    return True


@archive_view
def record_add(request):
    user = request.user
    require_role_can(user, "add", ActivityRecord)
    organization, fixed = _organization_for_new_record(request)
    form_kwargs = {"user": user, "fixed_organization": organization if fixed else None}
    if request.method == "POST":
        form = RecordForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            record = form.save(commit=False)
            try:
                saved = _save_record(request, form, record)
            except PermissionDenied as denied:  # a closed year: say so next to the date
                form.add_error("held_on", str(denied))
                saved = False
            if saved:
                messages.success(request, f"已记录活动“{record.title}”")
                return _finish(request, None, record.get_absolute_url())
        return _finish(request, form, "") if _wants_json(request) else _render_record_form(request, form, "记录活动")
    initial = {"organization": organization.pk} if organization and not fixed else {}
    category = request.GET.get("category")
    if category in Category.values:
        initial["category"] = category
    form = RecordForm(initial=initial, **form_kwargs)
    return _render_record_form(request, form, "记录活动")


def _render_record_form(request, form, title, record=None):
    return render(request, "archives/record_form.html", {
        "form": form,
        "title": title,
        "record": record,
        "cancel_url": record.get_absolute_url() if record else reverse("archives:record_list"),
        "breadcrumbs": _record_breadcrumbs(record, title),
    })


@archive_view
def record_edit(request, pk):
    user = request.user
    record = get_scoped_object_or_404(ActivityRecord.objects.select_related("organization__region"), user, pk=pk)
    services.ensure_can_write_record(user, record)
    fixed = record.organization if user.role == Role.SECRETARY else None
    if request.method == "POST":
        form = RecordForm(request.POST, request.FILES, instance=record, user=user, fixed_organization=fixed)
        if form.is_valid():
            record = form.save(commit=False)
            try:
                saved = _save_record(request, form, record)
            except PermissionDenied as denied:
                form.add_error("held_on", str(denied))
                saved = False
            if saved:
                messages.success(request, "已保存修改")
                return _finish(request, None, record.get_absolute_url())
        if _wants_json(request):
            return _finish(request, form, "")
    else:
        form = RecordForm(instance=record, user=user, fixed_organization=fixed)
    return _render_record_form(request, form, "修改活动记录", record)


@archive_view
def record_delete(request, pk):
    user = request.user
    record = get_scoped_object_or_404(ActivityRecord.objects.select_related("organization__region"), user, pk=pk)
    services.ensure_can_write_record(user, record, action="delete")
    if request.method == "POST":
        title = record.title
        services.record_delete(actor=user, record=record)
        messages.success(request, f"已删除活动记录“{title}”")
        return redirect("archives:record_list")
    return render(request, "archives/confirm_delete.html", {
        "object": record,
        "what": "活动记录（含全部照片和附件）",
        "cancel_url": record.get_absolute_url(),
        "breadcrumbs": _record_breadcrumbs(record, "删除"),
    })


@archive_view
@require_POST
def photo_add(request, pk):
    user = request.user
    record = get_scoped_object_or_404(ActivityRecord.objects.select_related("organization__region"), user, pk=pk)
    form = PhotoAddForm(request.POST, request.FILES)
    files = request.FILES.getlist("photos")
    if form.is_valid() and not files:
        form.add_error("photos", "请选择要上传的照片")
    if form.is_valid():
        try:
            added = services.photos_add(actor=user, record=record, files=files, captions=captions_from(request.POST, len(files)))
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, f"已上传 {len(added)} 张照片")
            return _finish(request, None, record.get_absolute_url())
    if _wants_json(request):
        return _finish(request, form, "")
    for error in form.errors.get("photos", []) + form.non_field_errors():
        messages.error(request, error)
    return redirect(record)


@archive_view
@require_POST
def photo_edit(request, pk):
    item = get_scoped_object_or_404(ActivityPhoto.objects.select_related("record__organization__region"), request.user, pk=pk)
    services.photo_caption_set(actor=request.user, photo=item, caption=request.POST.get("caption", ""))
    messages.success(request, "已修改照片说明")
    return redirect(item.record)


@archive_view
@require_POST
def photo_delete(request, pk):
    item = get_scoped_object_or_404(ActivityPhoto.objects.select_related("record__organization__region"), request.user, pk=pk)
    services.photo_delete(actor=request.user, photo=item)
    messages.success(request, "已删除照片")
    return redirect(item.record)


@archive_view
@require_POST
def attachment_delete(request, pk):
    item = get_scoped_object_or_404(ActivityAttachment.objects.select_related("record__organization__region"), request.user, pk=pk)
    services.attachment_delete(actor=request.user, attachment=item)
    messages.success(request, "已删除附件")
    return redirect(item.record)


# --- Archive (organization × year), gallery, export ---------------------------------------------


def _year_from(value):
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise Http404("年度无效")
    if not 1921 <= year <= 2100:
        raise Http404("年度无效")
    return year


@archive_view
def archive(request, organization_id, year):
    user = request.user
    organization = get_scoped_object_or_404(Organization.objects.select_related("region"), user, pk=organization_id)
    require_role_can(user, "view", ActivityRecord)
    year = _year_from(year)
    records = list(
        records_with_counts(ActivityRecord.objects.for_user(user).filter(organization=organization, held_on__year=year))
        .order_by("held_on", "pk")
    )
    groups = []
    labels = dict(Category.choices)
    for code in Category.values:
        rows = [record for record in records if record.category == code]
        groups.append({"code": code, "label": labels[code], "records": rows, "count": len(rows)})
    return render(request, "archives/archive.html", {
        "organization": organization,
        "year": year,
        "groups": groups,
        "total": len(records),
        "year_closed": YearClosing.is_closed(organization.region, year),
        "years": range(timezone.localdate().year, max(organization.founded_on.year, 2000) - 1, -1),
        "can_export": role_can(user, "export", ActivityRecord),
        "can_add": role_can(user, "add", ActivityRecord),
        "exports": ArchiveExport.objects.for_user(user).filter(organization=organization, year=year)[:5],
        "breadcrumbs": [{"label": "活动档案", "url": reverse("archives:record_list")}, {"label": f"{organization.name} {year}年度", "url": None}],
    })


@archive_view
def gallery(request, organization_id, year):
    user = request.user
    organization = get_scoped_object_or_404(Organization, user, pk=organization_id)
    require_role_can(user, "view", ActivityPhoto)
    year = _year_from(year)
    photos = paginate(
        request,
        ActivityPhoto.objects.for_user(user)
        .filter(record__organization=organization, record__held_on__year=year)
        .select_related("record")
        .order_by("record__held_on", "pk"),
        per_page=60,
    )
    return render(request, "archives/gallery.html", {
        "organization": organization,
        "year": year,
        "page": photos,
        "breadcrumbs": [
            {"label": "活动档案", "url": reverse("archives:record_list")},
            {"label": f"{organization.name} {year}年度", "url": reverse("archives:archive", args=[organization.pk, year])},
            {"label": "照片墙", "url": None},
        ],
    })


@archive_view
@require_POST
def export_organization(request, organization_id):
    user = request.user
    organization = get_scoped_object_or_404(Organization, user, pk=organization_id)
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写正确的年度")
        return redirect("archives:record_list")
    export = services.export_request(actor=user, organization=organization, year=form.cleaned_data["year"])
    messages.info(request, "已开始生成档案压缩包，完成后可在本页下载。")
    return redirect(export)


@archive_view
def export_region(request):
    user = request.user
    require_role_can(user, "export", ActivityRecord)
    if user.role not in (Role.STAFF,) and not user.is_admin:
        raise PermissionDenied("只有组织部门工作人员可以导出整个区域的档案")
    form = RegionExportForm(request.POST or None, user=user, initial={"region": user.region_id, "year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        export = services.export_request(actor=user, region=form.cleaned_data["region"], year=form.cleaned_data["year"])
        messages.info(request, "已开始生成档案压缩包，完成后可在本页下载。")
        return redirect(export)
    return render(request, "archives/export_region.html", {
        "form": form,
        "exports": ArchiveExport.objects.for_user(user).select_related("organization", "region")[:20],
        "breadcrumbs": [{"label": "活动档案", "url": reverse("archives:record_list")}, {"label": "导出区域档案", "url": None}],
    })


@archive_view
def export_detail(request, pk):
    export = get_scoped_object_or_404(ArchiveExport.objects.select_related("organization", "region"), request.user, pk=pk)
    if request.GET.get("format") == "json":
        return JsonResponse({
            "status": export.status,
            "status_label": export.get_status_display(),
            "percent": export.percent,
            "done": export.done,
            "total": export.total,
            "download": reverse("archives:export_download", args=[export.pk]) if export.status == ArchiveExport.Status.DONE else "",
            "error": export.error,
        })
    return render(request, "archives/export_detail.html", {
        "export": export,
        "breadcrumbs": [{"label": "活动档案", "url": reverse("archives:record_list")}, {"label": str(export), "url": None}],
    })


@archive_view
def export_download(request, pk):
    export = get_scoped_object_or_404(ArchiveExport.objects.select_related("organization", "region"), request.user, pk=pk)
    if export.status != ArchiveExport.Status.DONE:
        raise Http404("压缩包尚未生成")
    return protected_file_response(export.file, filename=zip_filename(export), as_attachment=True, content_type="application/zip")


# --- 三会一课 compliance ------------------------------------------------------------------------


COMPLIANCE_SORTS = {
    "name": lambda row: (row["organization"].name,),
    "missing": lambda row: (-len(row["compliance"].missing), row["organization"].name),
}
COMPLIANCE_PERIODS = [
    ("month", "本月"), ("previous_month", "上月"), ("quarter", "本季度"), ("previous_quarter", "上季度"),
]


def _compliance_window(period, today):
    """[start, end] and whether it is still running (then periods not begun are left out)."""
    month_start = today.replace(day=1)
    if period == "month":
        return month_start, _month_end(month_start), True
    if period == "previous_month":
        last = month_start - datetime.timedelta(days=1)
        return last.replace(day=1), last, False
    start, end = quarter_bounds(today)
    if period == "previous_quarter":
        start, end = quarter_bounds(start - datetime.timedelta(days=1))
        return start, end, False
    return start, end, True


def _month_end(first):
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


@archive_view
def compliance(request):
    """Which organizations in scope miss which meetings: a fixed number of queries for any number of them."""
    user = request.user
    if user.role not in (Role.STAFF, Role.LEADER) and not user.is_admin:
        raise PermissionDenied("三会一课情况汇总仅供组织部门工作人员和领导查看")
    today = timezone.localdate()
    period = request.GET.get("period", "quarter")
    if period not in dict(COMPLIANCE_PERIODS):
        period = "quarter"
    start, end, running = _compliance_window(period, today)
    scoped = Organization.objects.for_user(user).active()
    organizations = list(scoped.select_related("region").order_by("name"))
    # The queryset (not the list) keeps the record aggregate a subquery: no IN list of 4,000 ids.
    results = compliance_for_organizations(scoped, start, end, as_of=today if running else None)
    rows = [{"organization": org, "compliance": results[org.pk]} for org in organizations]
    sort = request.GET.get("sort") if request.GET.get("sort") in COMPLIANCE_SORTS else "missing"
    rows.sort(key=COMPLIANCE_SORTS[sort])
    show = "all" if request.GET.get("show") == "all" else "missing"
    if show == "missing":
        rows = [row for row in rows if not row["compliance"].compliant]
    page = paginate(request, rows, per_page=50)
    return render(request, "archives/compliance.html", {
        "page": page,
        "rows": page.rows,
        "start": start,
        "end": end,
        "sort": sort,
        "show": show,
        "period": period,
        "periods": COMPLIANCE_PERIODS,
        "total": len(organizations),
        "compliant_count": sum(1 for c in results.values() if c.compliant),
        "breadcrumbs": [{"label": "活动档案", "url": reverse("archives:record_list")}, {"label": "三会一课情况", "url": None}],
    })


# --- Year closing -------------------------------------------------------------------------------


@archive_view
def year_close(request):
    user = request.user
    require_role_can(user, "view", YearClosing)
    can_close = role_can(user, "add", YearClosing)
    form = YearCloseForm(request.POST or None, user=user) if can_close else None
    if request.method == "POST":
        require_role_can(user, "add", YearClosing)
        if form.is_valid():
            try:
                services.year_close(actor=user, region=form.cleaned_data["region"], year=form.cleaned_data["year"])
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, f"已关账 {form.cleaned_data['region']} {form.cleaned_data['year']}年度档案")
                return redirect("archives:year_close")
    closings = YearClosing.objects.for_user(user).select_related("region", "closed_by")[:100]
    return render(request, "archives/year_close.html", {
        "form": form,
        "closings": closings,
        "can_reopen": role_can(user, "delete", YearClosing),
        "breadcrumbs": [{"label": "活动档案", "url": reverse("archives:record_list")}, {"label": "年度关账", "url": None}],
    })


@archive_view
@require_POST
def year_reopen(request, pk):
    closing = get_scoped_object_or_404(YearClosing.objects.select_related("region"), request.user, pk=pk)
    services.year_reopen(actor=request.user, closing=closing)
    messages.success(request, f"已取消 {closing.region} {closing.year}年度关账")
    return redirect("archives:year_close")


# --- "六有" site sheet ----------------------------------------------------------------------------


def _site_for(user, organization_id):
    organization = get_scoped_object_or_404(Organization.objects.select_related("region"), user, pk=organization_id)
    site = ActivitySite.objects.filter(organization=organization).first() or ActivitySite(organization=organization)
    return organization, site


def _site_breadcrumbs(organization, tail=None):
    crumbs = [{"label": organization.name, "url": _organization_url(organization)}, {"label": "活动阵地（六有）", "url": reverse("archives:site_detail", args=[organization.pk])}]
    if tail:
        crumbs.append({"label": tail, "url": None})
    return crumbs


def _organization_url(organization):
    try:
        return organization.get_absolute_url()
    except Exception:  # the organizations pages may not be installed yet
        return None


@archive_view
def site_detail(request, organization_id):
    user = request.user
    organization, site = _site_for(user, organization_id)
    require_role_can(user, "view", ActivitySite)
    photos = list(SitePhoto.objects.for_user(user).filter(site=site)) if site.pk else []
    items = [
        {"code": item.value, "label": item.label, "held": getattr(site, SITE_ITEM_FIELDS[item]),
         "photos": [p for p in photos if p.item == item.value]}
        for item in SiteItem
    ]
    return render(request, "archives/site_detail.html", {
        "organization": organization,
        "site": site,
        "items": items,
        "can_edit": role_can(user, "change", ActivitySite),
        "centres": list(RegionalCentre.objects.for_user(user).filter(organizations=organization)),
        "breadcrumbs": _site_breadcrumbs(organization),
    })


@archive_view
def site_edit(request, organization_id):
    user = request.user
    organization, site = _site_for(user, organization_id)
    require_role_can(user, "change", ActivitySite)
    form = SiteForm(request.POST or None, request.FILES or None, instance=site, user=user)
    if request.method == "POST" and form.is_valid():
        site = form.save(commit=False)
        photos_by_item = {item.value: request.FILES.getlist(f"photos_{item.value}") for item in SiteItem}
        captions_by_item = {item.value: [request.POST.get(f"caption_{item.value}", "")] * len(photos_by_item[item.value]) for item in SiteItem}
        try:
            services.site_save(actor=user, site=site, photos_by_item=photos_by_item, captions_by_item=captions_by_item)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, "已保存活动阵地信息")
            return _finish(request, None, reverse("archives:site_detail", args=[organization.pk]))
    if request.method == "POST" and _wants_json(request):
        return _finish(request, form, "")
    photos = list(SitePhoto.objects.for_user(user).filter(site=site)) if site.pk else []
    return render(request, "archives/site_form.html", {
        "organization": organization,
        "form": form,
        "photos": photos,
        "cancel_url": reverse("archives:site_detail", args=[organization.pk]),
        "breadcrumbs": _site_breadcrumbs(organization, "编辑"),
    })


@archive_view
@require_POST
def site_photo_delete(request, pk):
    item = get_scoped_object_or_404(SitePhoto.objects.select_related("site__organization"), request.user, pk=pk)
    services.site_photo_delete(actor=request.user, photo=item)
    messages.success(request, "已删除阵地照片")
    return redirect("archives:site_edit", item.site.organization_id)


# --- Regional centres -----------------------------------------------------------------------------


@archive_view
def centre_list(request):
    user = request.user
    require_role_can(user, "view", RegionalCentre)
    centres = paginate(
        request,
        RegionalCentre.objects.for_user(user).select_related("region").annotate(organization_count=Count("organizations", distinct=True)),
    )
    return render(request, "archives/centre_list.html", {
        "page": centres,
        "can_add": role_can(user, "add", RegionalCentre),
        "breadcrumbs": [{"label": "区域性党员职工活动中心", "url": None}],
    })


@archive_view
def centre_detail(request, pk):
    user = request.user
    centre = get_scoped_object_or_404(RegionalCentre.objects.select_related("region"), user, pk=pk)
    require_role_can(user, "view", RegionalCentre)
    return render(request, "archives/centre_detail.html", {
        "centre": centre,
        "organizations": list(Organization.objects.for_user(user).filter(centres=centre)),
        "can_edit": role_can(user, "change", RegionalCentre),
        "history": history_rows(centre, user),
        "breadcrumbs": [{"label": "区域性党员职工活动中心", "url": reverse("archives:centre_list")}, {"label": centre.name, "url": None}],
    })


def _centre_form(request, centre, title):
    user = request.user
    form = CentreForm(request.POST or None, instance=centre, user=user)
    if request.method == "POST" and form.is_valid():
        centre = form.save()
        messages.success(request, "已保存活动中心")
        return redirect("archives:centre_detail", centre.pk)
    return render(request, "archives/simple_form.html", {
        "form": form,
        "title": title,
        "cancel_url": reverse("archives:centre_list"),
        "breadcrumbs": [{"label": "区域性党员职工活动中心", "url": reverse("archives:centre_list")}, {"label": title, "url": None}],
    })


@archive_view
def centre_add(request):
    require_role_can(request.user, "add", RegionalCentre)
    return _centre_form(request, RegionalCentre(region=request.user.region), "新增活动中心")


@archive_view
def centre_edit(request, pk):
    centre = get_scoped_object_or_404(RegionalCentre, request.user, pk=pk)
    require_role_can(request.user, "change", RegionalCentre)
    return _centre_form(request, centre, f"修改 {centre.name}")


# --- Instructor visit log (驻企指导记录) ------------------------------------------------------------


@archive_view
def visit_list(request):
    user = request.user
    require_role_can(user, "view", GuidanceVisit)
    visits = paginate(request, GuidanceVisit.objects.for_user(user).select_related("instructor", "enterprise"))
    return render(request, "archives/visit_list.html", {
        "page": visits,
        "can_add": user.role == Role.INSTRUCTOR and role_can(user, "add", GuidanceVisit),
        "can_edit": role_can(user, "change", GuidanceVisit),
        "breadcrumbs": [{"label": "驻企指导记录", "url": None}],
    })


def _visit_form(request, visit, title):
    user = request.user
    form = VisitForm(request.POST or None, instance=visit, user=user)
    # Only enterprises the visit's instructor is assigned to (and the user may see).
    form.fields["enterprise"].queryset = form.fields["enterprise"].queryset.filter(
        pk__in=Assignment.objects.filter(instructor_id=visit.instructor_id).values("enterprise_id")
    )
    if request.method == "POST" and form.is_valid():
        visit = form.save(commit=False)
        visit.recorded_by = visit.recorded_by or user
        visit.save()
        messages.success(request, "已保存驻企指导记录")
        return redirect("archives:visit_list")
    return render(request, "archives/simple_form.html", {
        "form": form,
        "title": title,
        "cancel_url": reverse("archives:visit_list"),
        "breadcrumbs": [{"label": "驻企指导记录", "url": reverse("archives:visit_list")}, {"label": title, "url": None}],
    })


@archive_view
def visit_add(request):
    user = request.user
    require_role_can(user, "add", GuidanceVisit)
    if user.role != Role.INSTRUCTOR or not user.instructor_id:
        raise PermissionDenied("驻企指导记录由指导员本人登记")
    return _visit_form(request, GuidanceVisit(instructor_id=user.instructor_id), "登记驻企指导")


@archive_view
def visit_edit(request, pk):
    user = request.user
    visit = get_scoped_object_or_404(GuidanceVisit.objects.select_related("instructor"), user, pk=pk)
    require_role_can(user, "change", GuidanceVisit)
    return _visit_form(request, visit, "修改驻企指导记录")

