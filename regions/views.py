from django.core.exceptions import ValidationError

from accounts.pages import ScopedFormPage, ScopedPage, history_rows, paginate, region_breadcrumbs
from enterprises.models import Enterprise
from organizations.models import Organization
from regions.forms import RegionStatForm
from partybuild.scoping import get_scoped_object_or_404, role_can
from regions.models import Region, RegionStat


class RegionListView(ScopedPage):
    model = Region
    template_name = "regions/region_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = paginate(self.request, self.scoped().order_by("path"), per_page=100)
        context.update(page=page, rows=page.rows, breadcrumbs=[{"label": "区域"}])
        return context


class RegionDetailView(ScopedPage):
    model = Region
    loads_object = True
    template_name = "regions/region_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, region = self.request.user, self.object
        subtree = {"region__path__startswith": region.path}
        context.update(
            region=region,
            children=list(region.children.order_by("code")),
            stats=list(RegionStat.objects.filter(region=region).order_by("-year")),
            enterprise_count=Enterprise.objects.for_user(user).registered().filter(**subtree).count(),
            organization_count=Organization.objects.for_user(user).active().filter(**subtree).count(),
            history=history_rows(region, user),
            breadcrumbs=region_breadcrumbs(user, region),
            can_edit_stats=role_can(user, "add", RegionStat),
        )
        return context


class RegionStatFormPage(ScopedFormPage):
    form_class = RegionStatForm
    success_message = "区域党员总量已保存"

    def region(self):
        return self.object if isinstance(self.object, Region) else self.object.region

    def get_context_data(self, **kwargs):
        region = self.region()
        kwargs.setdefault("title", f"区域党员总量：{region.name}")
        kwargs.setdefault("cancel_url", region.get_absolute_url())
        kwargs.setdefault("breadcrumbs", region_breadcrumbs(self.request.user, region, [("区域党员总量", None)]))
        kwargs.setdefault("intro", "党员总数和当年发展党员数是占比类指标的分母。")
        return super().get_context_data(**kwargs)

    def save(self, form):
        stat = form.save(commit=False)
        stat.region = self.region()
        clash = RegionStat.objects.filter(region=stat.region, year=stat.year).exclude(pk=stat.pk)
        if clash.exists():
            raise ValidationError({"year": "该区域此年度的数据已存在，请在区域页面修改"})
        stat.full_clean()
        stat.save()
        return stat

    def get_success_url(self, result):
        return result.region.get_absolute_url()


class RegionStatCreateView(RegionStatFormPage):
    model = RegionStat
    action = "add"
    loads_object = True

    def get_object(self):
        return get_scoped_object_or_404(Region, self.request.user, pk=self.kwargs["pk"])


class RegionStatUpdateView(RegionStatFormPage):
    model = RegionStat
    action = "change"
    loads_object = True

    def object_queryset(self):
        return self.scoped().select_related("region")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}
