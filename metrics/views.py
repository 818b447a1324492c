"""Dashboards, warnings, targets and reports. Views only render: the arithmetic is in selectors."""

import datetime
import io
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from organizations.models import Organization
from partybuild.scoping import Role, get_scoped_object_or_404, require_role_can, role_can
from regions.models import Region

from . import cache as metrics_cache
from . import reports, selectors
from .forms import ReportFilterForm, TargetForm
from .models import Target
from .services import target_save

OFFICE_ROLES = (Role.STAFF, Role.LEADER)
PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DETAIL_URLS = {
    "enterprise": "enterprises:enterprise_detail",
    "organization": "organizations:organization_detail",
    "person": "members:person_detail",
}


# --------------------------------------------------------------------------- helpers


def require_office(user):
    """Dashboards, reports and warnings are for staff, leaders and admins (roles.md)."""
    if not (user.is_admin or user.role in OFFICE_ROLES):
        raise PermissionDenied("您的角色无权查看数据看板")


def report_region(request):
    """The region of ``?region=<code>``, limited to the user's scope (404 outside it)."""
    regions = Region.objects.for_user(request.user)
    code = request.GET.get("region")
    if code:
        region = regions.filter(code=code).first()
        if region is None:
            raise Http404("区域不存在或不在您的管辖范围内")
        return region
    if request.user.region_id:
        return request.user.region
    region = regions.filter(parent__isnull=True).order_by("path").first()
    if region is None:
        raise Http404("尚未建立区域")
    return region


def report_params(request):
    """(as_of, year, by, form) from the query string; bad values fall back to the defaults."""
    form = ReportFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    as_of = data.get("as_of") or timezone.localdate()
    year = data.get("year") or as_of.year
    return as_of, year, data.get("by") or "month", form


def query_string(request, **changes):
    params = {key: value for key, value in request.GET.items() if key != "page"}
    params.update({key: value for key, value in changes.items() if value is not None})
    return urlencode(params)


def breadcrumbs_for(request, region, url_name, tail=None):
    chain = Region.objects.for_user(request.user).filter(path__in=region.ancestor_paths()).order_by("depth")
    crumbs = [
        {"label": node.name, "url": f"{reverse(url_name)}?{query_string(request, region=node.code)}"} for node in chain
    ]
    if tail:
        crumbs.append({"label": tail, "url": None})
    return crumbs


def detail_url_name(subject):
    """The detail URL name for a subject, if another app has defined it."""
    name = DETAIL_URLS[subject]
    try:
        reverse(name, args=[1])
    except NoReverseMatch:
        return None
    return name


def xlsx_response(workbook, filename):
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def write_sheet(workbook, title, header, rows):
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width * 2))
    return sheet


def rate_cell(value):
    """A figure for a spreadsheet cell: a rate as a number (formatted %), a count as an int."""
    if isinstance(value, selectors.Rate):
        return value.rate
    return value


# --------------------------------------------------------------------------- dashboard


def dashboard_context(request):
    require_office(request.user)
    region = report_region(request)
    as_of, year, by, form = report_params(request)
    report, trend = metrics_cache.dashboard_data(request.user, region, as_of, year, by)
    figures = report.total
    statuses = selectors.target_statuses(figures)
    children = [
        {
            "figures": child,
            "url": f"{reverse('metrics:dashboard')}?{query_string(request, region=child.region.code)}",
            "values": [reports.display(child[key]) for key in reports.TABLE_KEYS],
        }
        for child in report.children
    ]
    warnings = [
        {
            "kind": kind,
            "count": figures.warning_counts[kind.key],
            "url": f"{reverse('metrics:warning_list', args=[kind.key])}?{query_string(request, region=region.code)}",
        }
        for kind in selectors.WARNINGS
    ]
    return {
        "region": region,
        "as_of": as_of,
        "year": year,
        "by": by,
        "form": form,
        "figures": figures,
        "statuses": statuses,
        "children": children,
        "table_labels": [reports.SHORT_LABELS[key] for key in reports.TABLE_KEYS],
        "trend": trend,
        "trend_rows": list(zip(trend.labels, *trend.series.values())),
        "warnings": warnings,
        "report_rows": reports.report_rows(figures),
        "chart_data": {
            "trend": trend.as_chart(),
            "children": {
                "labels": [child.region.name for child in report.children],
                "series": [
                    {"name": "党组织覆盖率", "data": [_percent(child["coverage.org_rate"]) for child in report.children]},
                    {"name": "两个覆盖率", "data": [_percent(child["coverage.two_coverage_rate"]) for child in report.children]},
                ],
            },
        },
    }


def _percent(rate):
    return None if rate.rate is None else round(rate.rate * 100, 2)


@login_required
def dashboard(request):
    context = dashboard_context(request)
    region = context["region"]
    context["breadcrumbs"] = breadcrumbs_for(request, region, "metrics:dashboard")
    context["xlsx_url"] = f"{reverse('metrics:dashboard_xlsx')}?{query_string(request, region=region.code)}"
    if not context["children"]:
        organizations = selectors.organization_table(request.user, region, context["as_of"])
        page = Paginator(organizations, PAGE_SIZE).get_page(request.GET.get("page"))
        context["organizations"] = page
        context["organization_url"] = detail_url_name("organization")
        context["page_query"] = query_string(request)
    return render(request, "metrics/dashboard.html", context)


@login_required
def dashboard_xlsx(request):
    context = dashboard_context(request)
    region, figures = context["region"], context["figures"]
    workbook = Workbook()
    workbook.remove(workbook.active)
    write_sheet(workbook, "指标", ["指标", "数值"], context["report_rows"])
    write_sheet(
        workbook,
        "目标",
        ["指标", "目标", "当前值", "差距", "状态", "期限"],
        [(s.label, s.target_display, s.value_display, s.gap_display, s.status, s.time_left) for s in context["statuses"]],
    )
    write_sheet(
        workbook,
        "下级区域",
        ["区域", *context["table_labels"]],
        [(child["figures"].region.name, *child["values"]) for child in context["children"]],
    )
    write_sheet(workbook, "趋势", ["日期", *context["trend"].series.keys()], context["trend_rows"])
    write_sheet(
        workbook,
        "工作提醒",
        ["序号", "提醒", "数量", "说明"],
        [(w["kind"].number, w["kind"].label, w["count"], w["kind"].description) for w in context["warnings"]],
    )
    filename = f"{region.name}数据看板_{figures.as_of:%Y%m%d}.xlsx"
    return xlsx_response(workbook, quote(filename))


# --------------------------------------------------------------------------- warnings


@login_required
def warnings(request):
    require_office(request.user)
    region = report_region(request)
    as_of, year, _, form = report_params(request)
    figures = metrics_cache.region_figures(request.user, region, as_of, year)
    rows = [
        {
            "kind": kind,
            "count": figures.warning_counts[kind.key],
            "url": f"{reverse('metrics:warning_list', args=[kind.key])}?{query_string(request, region=region.code)}",
        }
        for kind in selectors.WARNINGS
    ]
    context = {
        "region": region,
        "figures": figures,
        "warnings": rows,
        "form": form,
        "breadcrumbs": breadcrumbs_for(request, region, "metrics:warnings", "工作提醒"),
    }
    return render(request, "metrics/warnings.html", context)


@login_required
def warning_list(request, key):
    require_office(request.user)
    if key not in selectors.WARNINGS_BY_KEY:
        raise Http404("没有这种工作提醒")
    region = report_region(request)
    as_of, _, _, _ = report_params(request)
    rows = selectors.warning_rows(request.user, region, key, as_of)
    page = Paginator(rows.queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    url_name = detail_url_name(rows.kind.subject)
    items = [
        {
            "object": obj,
            "note": _note(rows, obj),
            "url": reverse(url_name, args=[obj.pk]) if url_name else None,
        }
        for obj in page
    ]
    context = {
        "region": region,
        "as_of": as_of,
        "kind": rows.kind,
        "page": page,
        "items": items,
        "page_query": query_string(request),
        "breadcrumbs": breadcrumbs_for(request, region, "metrics:warnings", rows.kind.label),
    }
    return render(request, "metrics/warning_list.html", context)


def _note(rows, obj):
    if rows.kind.key == "should_build":
        return f"正式党员 {obj.full_count} 名"
    if rows.kind.key == "mass_org_head":
        return "、".join(role.get_role_display() for role in obj.roles.all())
    if rows.kind.key == "silent_org":
        return f"最近活动：{obj.last_activity:%Y-%m-%d}" if obj.last_activity else "从未记录活动"
    if rows.kind.subject == "enterprise":
        return f"职工 {obj.employees or 0} 人"
    return rows.note_for(obj)


# --------------------------------------------------------------------------- targets


@login_required
def target_list(request):
    require_office(request.user)
    require_role_can(request.user, "view", Target)
    region = report_region(request)
    as_of, year, _, form = report_params(request)
    figures = metrics_cache.region_figures(request.user, region, as_of, year)
    overrides = (
        Target.objects.for_user(request.user)
        .filter(region__path__startswith=region.path)
        .select_related("region")
        .order_by("region__path", "indicator")
    )
    context = {
        "region": region,
        "figures": figures,
        "statuses": selectors.target_statuses(figures),
        "overrides": overrides,
        "defaults": Target.objects.filter(region__isnull=True).order_by("indicator"),
        "can_edit": _can_edit_targets(request.user),
        "form": form,
        "breadcrumbs": breadcrumbs_for(request, region, "metrics:target_list", "目标管理"),
    }
    return render(request, "metrics/target_list.html", context)


def _can_edit_targets(user):
    return role_can(user, "change", Target)


def _editable_target(request, pk):
    target = get_scoped_object_or_404(Target, request.user, pk=pk)
    require_role_can(request.user, "change", Target)
    # Defaults and ancestors' overrides are readable but only admins change them.
    if not request.user.is_admin and (target.region is None or not target.region.is_within(request.user.region)):
        raise PermissionDenied("只能修改本辖区的目标")
    return target


@login_required
def target_add(request):
    require_role_can(request.user, "add", Target)
    form = TargetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        target_save(actor=request.user, form=form)
        messages.success(request, "目标已保存")
        return redirect("metrics:target_list")
    return render(request, "metrics/target_form.html", {"form": form, "title": "新增区域目标", "breadcrumbs": [
        {"label": "目标管理", "url": reverse("metrics:target_list")}, {"label": "新增", "url": None}]})


@login_required
def target_edit(request, pk):
    target = _editable_target(request, pk)
    form = TargetForm(request.POST or None, instance=target, user=request.user)
    if request.method == "POST" and form.is_valid():
        target_save(actor=request.user, form=form)
        messages.success(request, "目标已保存")
        return redirect("metrics:target_list")
    return render(request, "metrics/target_form.html", {"form": form, "title": f"修改目标：{target}", "breadcrumbs": [
        {"label": "目标管理", "url": reverse("metrics:target_list")}, {"label": "修改", "url": None}]})


# --------------------------------------------------------------------------- annual report


@login_required
def annual_report(request):
    require_office(request.user)
    region = report_region(request)
    _, year, _, form = report_params(request)
    today = timezone.localdate()
    as_of = min(datetime.date(year, 12, 31), today)
    figures = metrics_cache.region_figures(request.user, region, as_of, year)
    rows = reports.annual_report_rows(figures)
    paragraph = reports.annual_paragraph(figures)
    if request.GET.get("format") == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = f"{year}年度报表"
        sheet.append([f"{region.name}{year}年度非公有制经济组织党建工作统计"])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([f"统计截止：{as_of:%Y-%m-%d}"])
        sheet.append(["项目", "数值"])
        for label, value in rows:
            sheet.append([label, rate_cell(value)])
            if isinstance(value, selectors.Rate):
                sheet.cell(row=sheet.max_row, column=2).number_format = "0.00%"
        sheet.append([])
        sheet.append([paragraph])
        sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions["A"].width = 50
        sheet.column_dimensions["B"].width = 16
        return xlsx_response(workbook, quote(f"{region.name}{year}年度报表.xlsx"))
    context = {
        "region": region,
        "year": year,
        "as_of": as_of,
        "rows": [(label, reports.display(value)) for label, value in rows],
        "paragraph": paragraph,
        "form": form,
        "xlsx_url": f"{reverse('metrics:annual_report')}?{query_string(request, region=region.code, format='xlsx')}",
        "breadcrumbs": breadcrumbs_for(request, region, "metrics:annual_report", f"{year}年度报表"),
    }
    return render(request, "metrics/annual_report.html", context)


# --------------------------------------------------------------------------- organization view


@login_required
def org_view(request):
    """A secretary's own organization; staff, leaders and admins may open any in scope (?org=pk)."""
    user = request.user
    if user.role == Role.SECRETARY and not user.is_admin:
        organization = get_scoped_object_or_404(Organization, user, pk=user.organization_id)
    elif user.is_admin or user.role in OFFICE_ROLES:
        pk = request.GET.get("org")
        if not (pk and pk.isdigit()):
            raise Http404("请指定党组织")
        organization = get_scoped_object_or_404(Organization, user, pk=int(pk))
    else:
        raise PermissionDenied("您的角色无权查看党组织情况")
    as_of, _, _, _ = report_params(request)
    overview = selectors.organization_overview(organization, as_of)
    context = {
        "organization": organization,
        "as_of": as_of,
        **overview,
        "breadcrumbs": [{"label": organization.name, "url": None}],
    }
    return render(request, "metrics/org_view.html", context)
