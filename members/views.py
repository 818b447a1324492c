from django.contrib import messages
from django.urls import reverse
from django.utils import timezone

from accounts.pages import ScopedCreatePage, ScopedDeletePage, ScopedFormPage, ScopedListPage, ScopedPage, ScopedUpdatePage, history_rows, region_breadcrumbs
from members import services
from members.filters import PersonFilter
from members.forms import AdvanceForm, PersonForm, RecommendationForm, RolesForm
from members.models import MASS_ORG_HEAD_ROLES, MEMBER_STATUSES, EnterpriseRole, Person, PersonRole, Recommendation
from partybuild.scoping import role_can

PIPELINE_RULES = [
    "申请入党时须年满18周岁；各阶段日期须按 申请→积极分子→发展对象→入党→转正 的顺序。",
    "确定为入党积极分子满一年后，方可列为发展对象。",
    "预备期为一年（可延长，最长不超过一年），预备期满应及时讨论转正。",
]


def person_crumbs(user, person, *tail):
    return region_breadcrumbs(
        user,
        person.enterprise.region,
        [("党员及发展对象", reverse("members:person_list")), (person.name, person.get_absolute_url()), *tail],
    )


class PersonListView(ScopedListPage):
    model = Person
    filterset_class = PersonFilter
    export_kind = "members"
    title = "党员及发展对象"
    add_url_name = "members:person_add"
    template_name = "members/person_list.html"

    def list_queryset(self):
        return self.scoped().select_related("enterprise", "organization")


class PersonDetailView(ScopedPage):
    model = Person
    loads_object = True
    template_name = "members/person_detail.html"

    def object_queryset(self):
        return self.scoped().select_related("enterprise__region", "organization")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, person = self.request.user, self.object
        roles = list(person.roles.all())
        role_codes = {r.role for r in roles}
        milestones = [
            (person._meta.get_field(field).verbose_name, getattr(person, field))
            for field in ("applied_on", "activist_on", "candidate_on", "admitted_on", "confirmed_on", "transferred_out_on")
        ]
        step = person.next_stage()
        can_change = role_can(user, "change", Person)
        context.update(
            person=person,
            milestones=milestones,
            status_today=person.status_on(timezone.localdate()),
            pipeline_warnings=person.pipeline_warnings(),
            roles=roles,
            key_cultivation=(person.status not in MEMBER_STATUSES and bool(role_codes & set(MASS_ORG_HEAD_ROLES))),
            recommendations=list(person.recommendations.all()),
            next_stage_label=step[0].label if step else None,
            history=history_rows(person, user),
            breadcrumbs=person_crumbs(user, person),
            can_change=can_change,
            can_advance=can_change and step is not None,
            can_delete=role_can(user, "delete", Person),
            can_edit_roles=role_can(user, "change", PersonRole),
            can_add_recommendation=role_can(user, "add", Recommendation),
            enterprise_role_choices=EnterpriseRole.choices,
        )
        return context


class PersonCreateView(ScopedCreatePage):
    model = Person
    form_class = PersonForm
    title = "新增人员"
    success_message = "人员已新增"
    list_url_name = "members:person_list"
    list_label = "党员及发展对象"
    initial_from_query = ("enterprise",)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("notes", PIPELINE_RULES)
        return super().get_context_data(**kwargs)


class PersonObjectFormPage(ScopedFormPage):
    model = Person
    loads_object = True
    step = ""

    def object_queryset(self):
        return self.scoped().select_related("enterprise__region")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", f"{self.step}：{self.object.name}")
        kwargs.setdefault("cancel_url", self.object.get_absolute_url())
        kwargs.setdefault("breadcrumbs", person_crumbs(self.request.user, self.object, (self.step, None)))
        return super().get_context_data(**kwargs)


class PersonUpdateView(ScopedUpdatePage):
    model = Person
    form_class = PersonForm
    kind_label = "人员"
    success_message = "人员信息已保存"

    def object_queryset(self):
        return self.scoped().select_related("enterprise__region")

    def crumbs(self, *tail):
        return person_crumbs(self.request.user, self.object, *tail)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("notes", PIPELINE_RULES)
        return super().get_context_data(**kwargs)


class PersonAdvanceView(PersonObjectFormPage):
    action = "change"
    form_class = AdvanceForm
    step = "推进发展阶段"
    submit_label = "确认推进"

    def get_form_kwargs(self):
        step = self.object.next_stage()
        label = f"{self.object._meta.get_field(step[1]).verbose_name}" if step else "日期"
        return {**super().get_form_kwargs(), "label": label}

    def get_context_data(self, **kwargs):
        step = self.object.next_stage()
        kwargs.setdefault(
            "intro",
            f"当前政治面貌：{self.object.get_status_display()}；"
            + (f"将推进为：{step[0].label}。" if step else "已处于最后阶段，不能再推进。"),
        )
        kwargs.setdefault("notes", PIPELINE_RULES + self.object.pipeline_warnings())
        kwargs.setdefault("hide_form", step is None and self.request.method == "GET")
        return super().get_context_data(**kwargs)

    def save(self, form):
        person = services.person_advance(actor=self.request.user, person=self.object, on=form.cleaned_data["on"])
        self.success_message = f"已推进为“{person.get_status_display()}”"
        for warning in person.pipeline_warnings():
            messages.warning(self.request, warning)
        return person


class PersonRolesView(PersonObjectFormPage):
    model = PersonRole
    action = "change"
    form_class = RolesForm
    step = "企业职务"
    success_message = "企业职务已保存"

    def object_queryset(self):
        return Person.objects.for_user(self.request.user).select_related("enterprise__region")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "initial": {"roles": [r.role for r in self.object.roles.all()]}}

    def save(self, form):
        return services.person_set_roles(actor=self.request.user, person=self.object, roles=form.cleaned_data["roles"])


class RecommendationCreateView(PersonObjectFormPage):
    model = Recommendation
    action = "add"
    form_class = RecommendationForm
    step = "登记三推三培"
    success_message = "三推三培记录已登记"

    def object_queryset(self):
        return Person.objects.for_user(self.request.user).select_related("enterprise__region")

    def save(self, form):
        data = form.cleaned_data
        services.recommendation_add(
            actor=self.request.user, person=self.object, kind=data["kind"], recommended_on=data["recommended_on"], note=data["note"]
        )
        return self.object


class PersonDeleteView(ScopedDeletePage):
    model = Person
    kind_label = "人员"
    hint = "如已离开，请在编辑页登记转出日期。"
    list_url_name = "members:person_list"

    def dependents(self):
        return services.person_dependents(self.object)

    def delete(self):
        services.person_delete(actor=self.request.user, person=self.object)
