from django.urls import reverse
from django.utils import timezone

from accounts.pages import ScopedCreatePage, ScopedDeletePage, ScopedListPage, ScopedPage, ScopedUpdatePage, history_rows, region_breadcrumbs
from archives.models import ActivityRecord
from enterprises.filters import EnterpriseFilter
from enterprises.forms import EnterpriseForm
from enterprises.models import Enterprise
from enterprises.selectors import enterprise_list_queryset
from enterprises.services import enterprise_delete, enterprise_dependents
from instructors.models import Assignment, GuidanceVisit
from members.models import Person, PersonRole
from organizations.models import Coverage
from partybuild.scoping import role_can

DETAIL_PEOPLE_LIMIT = 50
DETAIL_RECENT_LIMIT = 10


def enterprise_crumbs(user, enterprise, *tail):
    return region_breadcrumbs(
        user, enterprise.region, [("企业", reverse("enterprises:enterprise_list")), (enterprise.name, enterprise.get_absolute_url()), *tail]
    )


class EnterpriseListView(ScopedListPage):
    model = Enterprise
    filterset_class = EnterpriseFilter
    export_kind = "enterprises"
    add_url_name = "enterprises:enterprise_add"
    title = "企业"
    template_name = "enterprises/enterprise_list.html"

    def list_queryset(self):
        return enterprise_list_queryset(self.scoped())


class EnterpriseDetailView(ScopedPage):
    model = Enterprise
    loads_object = True
    template_name = "enterprises/enterprise_detail.html"

    def object_queryset(self):
        return self.scoped().select_related("region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, enterprise = self.request.user, self.object
        today = timezone.localdate()
        coverages = list(
            Coverage.objects.for_user(user).filter(enterprise=enterprise).select_related("organization").order_by("-start_on", "-pk")
        )
        people_queryset = Person.objects.for_user(user).filter(enterprise=enterprise)
        people = list(people_queryset.select_related("organization")[: DETAIL_PEOPLE_LIMIT + 1])
        # Roles in one query whether or not there are people (a prefetch would skip it).
        roles_of = {}
        for role in PersonRole.objects.filter(person__in=people_queryset.values("pk")[: DETAIL_PEOPLE_LIMIT + 1]):
            roles_of.setdefault(role.person_id, []).append(role.get_role_display())
        for person in people:
            person.role_labels = roles_of.get(person.pk, [])
        context.update(
            enterprise=enterprise,
            coverages=coverages,
            assignments=list(
                Assignment.objects.for_user(user).filter(enterprise=enterprise).select_related("instructor").order_by("-start_on")
            ),
            people=people[:DETAIL_PEOPLE_LIMIT],
            people_more=len(people) > DETAIL_PEOPLE_LIMIT,
            activities=list(
                ActivityRecord.objects.for_user(user)
                .filter(organization_id__in=Coverage.objects.open().filter(enterprise=enterprise).values("organization_id"))
                .select_related("organization")[:DETAIL_RECENT_LIMIT]
            ),
            visits=list(
                GuidanceVisit.objects.for_user(user).filter(enterprise=enterprise).select_related("instructor")[:DETAIL_RECENT_LIMIT]
            ),
            history=history_rows(enterprise, user),
            breadcrumbs=enterprise_crumbs(user, enterprise),
            today=today,
            can_change=role_can(user, "change", Enterprise),
            can_delete=role_can(user, "delete", Enterprise),
            # An enterprise has at most one open link: offer to cover it only while it has none.
            can_add_coverage=role_can(user, "add", Coverage) and not any(link.end_on is None for link in coverages),
            can_add_organization=role_can(user, "add", "organizations.organization")
            and not any(link.end_on is None for link in coverages),
            can_add_assignment=role_can(user, "add", Assignment),
            can_add_person=role_can(user, "add", Person),
        )
        return context


class EnterpriseCreateView(ScopedCreatePage):
    model = Enterprise
    form_class = EnterpriseForm
    title = "新增企业"
    success_message = "企业已新增"
    list_url_name = "enterprises:enterprise_list"
    list_label = "企业"


class EnterpriseUpdateView(ScopedUpdatePage):
    model = Enterprise
    form_class = EnterpriseForm
    kind_label = "企业"
    success_message = "企业信息已保存"

    def crumbs(self, *tail):
        return enterprise_crumbs(self.request.user, self.object, *tail)


class EnterpriseDeleteView(ScopedDeletePage):
    model = Enterprise
    kind_label = "企业"
    hint = "如企业已关闭，请在编辑页将经营状态改为“已关闭”。"
    list_url_name = "enterprises:enterprise_list"

    def dependents(self):
        return enterprise_dependents(self.object)

    def delete(self):
        enterprise_delete(actor=self.request.user, enterprise=self.object)
