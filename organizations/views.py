from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from accounts.pages import ScopedCreatePage, ScopedFormPage, ScopedListPage, ScopedPage, ScopedUpdatePage, history_rows, region_breadcrumbs
from archives.models import ActivityRecord
from members.models import Person
from organizations import services
from organizations.filters import OrganizationFilter
from organizations.forms import (
    CoverageForm,
    DissolveForm,
    EndDateForm,
    EvaluationForm,
    OfficersForm,
    PairingForm,
    OrganizationCreateForm,
    OrganizationForm,
)
from organizations.models import (
    SCHEME_ITEMS,
    SITE_ITEM_FIELDS,
    ActivitySite,
    Coverage,
    Evaluation,
    EvaluationItem,
    Organization,
    Pairing,
    Scheme,
)
from organizations.selectors import add_member_counts, organization_list_queryset
from partybuild.scoping import role_can

DETAIL_MEMBERS_LIMIT = 100
DETAIL_RECENT_LIMIT = 10


def organization_crumbs(user, organization, *tail):
    root = [("党组织", reverse("organizations:organization_list"))] if role_can(user, "view", Organization) and user.role != "secretary" else []
    return region_breadcrumbs(user, organization.region, [*root, (organization.name, organization.get_absolute_url()), *tail])


@login_required
def my_organization(request):
    """A secretary's home: their organization's page."""
    if not request.user.organization_id:
        raise Http404("您的账户没有关联党组织")
    return redirect("organizations:organization_detail", pk=request.user.organization_id)


class OrganizationListView(ScopedListPage):
    model = Organization
    filterset_class = OrganizationFilter
    export_kind = "organizations"
    title = "党组织"
    add_url_name = "organizations:organization_add"
    template_name = "organizations/organization_list.html"

    def list_queryset(self):
        return organization_list_queryset(self.scoped())

    def decorate_rows(self, rows):
        add_member_counts(rows)


class OrganizationDetailView(ScopedPage):
    model = Organization
    loads_object = True
    template_name = "organizations/organization_detail.html"

    def object_queryset(self):
        return self.scoped().select_related("region", "secretary", "deputy_secretary")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, org = self.request.user, self.object
        today = timezone.localdate()
        coverages = list(org.coverages.select_related("enterprise").order_by("end_on", "-start_on", "pk"))
        open_count = sum(1 for link in coverages if link.end_on is None)
        members = list(
            Person.objects.for_user(user)
            .filter(organization=org)
            .with_status_on(today)
            .select_related("enterprise")[: DETAIL_MEMBERS_LIMIT + 1]
        )
        full_count = Person.objects.filter(organization=org).full_members_on(today).count()
        site = ActivitySite.objects.filter(organization=org).first()
        evaluations = []
        if role_can(user, "view", Evaluation):
            # Items in one query of their own (a prefetch would skip it when there is no evaluation).
            items_of = {}
            for item in EvaluationItem.objects.filter(evaluation__organization=org):
                items_of.setdefault(item.evaluation_id, []).append(item)
            for evaluation in Evaluation.objects.filter(organization=org)[:10]:
                items = items_of.get(evaluation.pk, [])
                labels = dict(SCHEME_ITEMS[evaluation.scheme])
                evaluation.attained = evaluation.is_attained(items)
                evaluation.item_rows = [(labels.get(i.item, i.item), i.met, i.note) for i in items]
                evaluations.append(evaluation)
        context.update(
            organization=org,
            committee=list(org.committee_members.all()),
            coverages=coverages,
            members=members[:DETAIL_MEMBERS_LIMIT],
            members_more=len(members) > DETAIL_MEMBERS_LIMIT,
            full_member_count=full_count,
            pairings=list(org.pairings.select_related("partner_organization")),
            site=site,
            site_items=[(item.label, getattr(site, name) if site else False) for item, name in SITE_ITEM_FIELDS.items()],
            evaluations=evaluations,
            activities=list(ActivityRecord.objects.for_user(user).filter(organization=org)[:DETAIL_RECENT_LIMIT]),
            warnings=org.warnings(full_member_count=full_count, open_coverage_count=open_count),
            history=history_rows(org, user),
            breadcrumbs=organization_crumbs(user, org),
            can_change=role_can(user, "change", Organization) and org.is_active,
            can_dissolve=role_can(user, "dissolve", Organization) and org.is_active,
            can_add_coverage=role_can(user, "add", Coverage) and org.is_active,
            can_end_coverage=role_can(user, "change", Coverage),
            can_evaluate=role_can(user, "add", Evaluation),
            can_add_pairing=role_can(user, "add", Pairing) and org.is_active,
            schemes=Scheme.choices,
        )
        return context


class OrganizationCreateView(ScopedCreatePage):
    model = Organization
    form_class = OrganizationCreateForm
    title = "新增党组织"
    success_message = "党组织已新增"
    list_url_name = "organizations:organization_list"
    list_label = "党组织"
    initial_from_query = ("enterprise",)

    def save(self, form):
        return services.organization_create(
            actor=self.request.user,
            organization=form.instance,
            enterprise=form.cleaned_data.get("enterprise"),
            coverage_start_on=form.cleaned_data.get("coverage_start_on"),
        )


class OrganizationObjectFormPage(ScopedFormPage):
    """A form about one organization in scope."""

    model = Organization
    loads_object = True
    step = ""

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", f"{self.step}：{self.object.name}")
        kwargs.setdefault("cancel_url", self.object.get_absolute_url())
        kwargs.setdefault("breadcrumbs", organization_crumbs(self.request.user, self.object, (self.step, None)))
        return super().get_context_data(**kwargs)


class OrganizationUpdateView(ScopedUpdatePage):
    model = Organization
    form_class = OrganizationForm
    kind_label = "党组织"
    success_message = "党组织信息已保存"

    def crumbs(self, *tail):
        return organization_crumbs(self.request.user, self.object, *tail)


class OrganizationDissolveView(OrganizationObjectFormPage):
    action = "dissolve"
    form_class = DissolveForm
    step = "撤销党组织"
    submit_label = "确认撤销"
    success_message = "党组织已撤销，覆盖关系已于撤销日期结束"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("notes", ["撤销后，该党组织所有正在覆盖的企业关系将于撤销日期结束；党组织及其档案仍可查阅，不会删除。"])
        return super().get_context_data(**kwargs)

    def save(self, form):
        data = form.cleaned_data
        return services.organization_dissolve(
            actor=self.request.user,
            organization=self.object,
            dissolved_on=data["dissolved_on"],
            reason=data["reason"],
            document=data["document"],
        )


class OfficersView(OrganizationObjectFormPage):
    action = "change"
    form_class = OfficersForm
    step = "设置书记、副书记和委员"
    success_message = "班子成员已保存"

    def get_form_kwargs(self):
        org = self.object
        return {
            **super().get_form_kwargs(),
            "organization": org,
            "initial": {
                "secretary": org.secretary_id,
                "deputy_secretary": org.deputy_secretary_id,
                "committee_members": list(org.committee_members.values_list("pk", flat=True)),
                "last_election_on": org.last_election_on,
            },
        }

    def save(self, form):
        data = form.cleaned_data
        return services.organization_set_officers(
            actor=self.request.user,
            organization=self.object,
            secretary=data["secretary"],
            deputy_secretary=data["deputy_secretary"],
            committee_members=list(data["committee_members"]),
            last_election_on=data["last_election_on"],
        )


class EvaluationView(OrganizationObjectFormPage):
    """Record one year's evaluation: ``?scheme=`` picks 双强六好 or 五个好."""

    action = "add"
    form_class = EvaluationForm
    step = "年度评定"
    success_message = "年度评定已保存"

    def dispatch(self, request, *args, **kwargs):
        self.scheme = request.GET.get("scheme", Scheme.DOUBLE_STRONG_SIX_GOOD)
        if self.scheme not in Scheme.values:
            raise Http404("评定类别不存在")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "scheme": self.scheme}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", f"{Scheme(self.scheme).label}评定：{self.object.name}")
        kwargs.setdefault("intro", "每一项均达到即为达标；同一年度再次填写将更正原评定。")
        return super().get_context_data(**kwargs)

    def save(self, form):
        data = form.cleaned_data
        services.evaluation_record(
            actor=self.request.user,
            organization=self.object,
            year=data["year"],
            scheme=self.scheme,
            evaluated_on=data["evaluated_on"],
            note=data["note"],
            items=form.items(),
        )
        return self.object


class PairingCreateView(OrganizationObjectFormPage):
    model = Pairing
    action = "add"
    form_class = PairingForm
    step = "新增结对共建"
    success_message = "结对共建已登记"

    def object_queryset(self):
        return Organization.objects.for_user(self.request.user).select_related("region")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.object}

    def save(self, form):
        form.instance._history_user = self.request.user
        form.save()
        return self.object


class CoverageCreateView(ScopedFormPage):
    model = Coverage
    action = "add"
    form_class = CoverageForm
    title = "新增党组织覆盖"
    success_message = "覆盖关系已新增"

    initial_from_query = ("organization", "enterprise")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("notes", ["一家企业同一时间只能由一个党组织覆盖；单独组建的党组织只能覆盖一家企业；联合组建一般不超过5家。"])
        return super().get_context_data(**kwargs)

    def save(self, form):
        data = form.cleaned_data
        return services.coverage_add(
            actor=self.request.user, organization=data["organization"], enterprise=data["enterprise"], start_on=data["start_on"]
        )

    def get_success_url(self, result):
        return result.organization.get_absolute_url()


class CoverageEndView(ScopedFormPage):
    model = Coverage
    action = "change"
    loads_object = True
    form_class = EndDateForm
    success_message = "覆盖关系已结束"
    submit_label = "结束覆盖"

    def object_queryset(self):
        return self.scoped().select_related("organization", "enterprise")

    def get_context_data(self, **kwargs):
        link = self.object
        kwargs.setdefault("title", f"结束覆盖：{link.organization.name} → {link.enterprise.name}")
        kwargs.setdefault("cancel_url", link.organization.get_absolute_url())
        return super().get_context_data(**kwargs)

    def save(self, form):
        return services.coverage_end(actor=self.request.user, coverage=self.object, end_on=form.cleaned_data["end_on"])

    def get_success_url(self, result):
        return result.organization.get_absolute_url()
