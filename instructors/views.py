from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.pages import ScopedCreatePage, ScopedFormPage, ScopedListPage, ScopedPage, ScopedUpdatePage, history_rows, paginate, region_breadcrumbs
from enterprises.models import Enterprise
from enterprises.selectors import enterprise_list_queryset
from instructors import services
from instructors.filters import InstructorFilter
from instructors.forms import AssignmentForm, InstructorForm
from instructors.models import Assignment, GuidanceVisit, Instructor
from instructors.selectors import instructor_list_queryset
from organizations.forms import EndDateForm
from partybuild.scoping import role_can

DETAIL_VISITS_LIMIT = 20


def instructor_crumbs(user, instructor, *tail):
    root = [("指导员", reverse("instructors:instructor_list"))] if user.role != "instructor" else []
    return region_breadcrumbs(user, instructor.region, [*root, (instructor.name, instructor.get_absolute_url()), *tail])


class MyEnterprisesView(ScopedPage):
    """An instructor's home: the enterprises they are stationed in."""

    model = Enterprise
    template_name = "instructors/my_enterprises.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        if not user.instructor_id:
            raise Http404("您的账户没有关联指导员档案")
        context = super().get_context_data(**kwargs)
        page = paginate(self.request, enterprise_list_queryset(self.scoped()))
        context.update(page=page, rows=page.rows, instructor=user.instructor)
        return context


class InstructorListView(ScopedListPage):
    model = Instructor
    filterset_class = InstructorFilter
    export_kind = "instructors"
    add_url_name = "instructors:instructor_add"
    title = "党建工作指导员"
    template_name = "instructors/instructor_list.html"

    def list_queryset(self):
        return instructor_list_queryset(self.scoped())


class InstructorDetailView(ScopedPage):
    model = Instructor
    loads_object = True
    template_name = "instructors/instructor_detail.html"

    def object_queryset(self):
        return self.scoped().select_related("region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, instructor = self.request.user, self.object
        today = timezone.localdate()
        assignments = list(
            Assignment.objects.for_user(user).filter(instructor=instructor).select_related("enterprise").order_by("end_on", "-start_on")
        )
        active = [a for a in assignments if a.start_on <= today and (a.end_on is None or a.end_on > today)]
        context.update(
            instructor=instructor,
            assignments=assignments,
            mode=Instructor.mode_for(len(active)),
            active_count=len(active),
            visits=list(
                GuidanceVisit.objects.for_user(user).filter(instructor=instructor).select_related("enterprise")[:DETAIL_VISITS_LIMIT]
            ),
            history=history_rows(instructor, user),
            breadcrumbs=instructor_crumbs(user, instructor),
            can_change=role_can(user, "change", Instructor),
            can_assign=role_can(user, "add", Assignment),
            can_end_assignment=role_can(user, "change", Assignment),
        )
        return context


class InstructorCreateView(ScopedCreatePage):
    model = Instructor
    form_class = InstructorForm
    title = "新增指导员"
    success_message = "指导员已新增"
    list_url_name = "instructors:instructor_list"
    list_label = "指导员"


class InstructorUpdateView(ScopedUpdatePage):
    model = Instructor
    form_class = InstructorForm
    kind_label = "指导员"
    success_message = "指导员信息已保存"

    def crumbs(self, *tail):
        return instructor_crumbs(self.request.user, self.object, *tail)


class AssignmentCreateView(ScopedFormPage):
    model = Assignment
    action = "add"
    form_class = AssignmentForm
    title = "选派指导员"
    success_message = "已选派指导员"

    initial_from_query = ("instructor", "enterprise")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("notes", ["指导员派驻一家企业为“一对一”，同时派驻多家为“一对多”（自动判定）。"])
        return super().get_context_data(**kwargs)

    def save(self, form):
        data = form.cleaned_data
        return services.assignment_add(
            actor=self.request.user, instructor=data["instructor"], enterprise=data["enterprise"], start_on=data["start_on"]
        )

    def get_success_url(self, result):
        return result.instructor.get_absolute_url()


class AssignmentEndView(ScopedFormPage):
    model = Assignment
    action = "change"
    loads_object = True
    form_class = EndDateForm
    success_message = "选派已结束"
    submit_label = "结束选派"

    def object_queryset(self):
        return self.scoped().select_related("instructor", "enterprise")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", f"结束选派：{self.object.instructor.name} → {self.object.enterprise.name}")
        kwargs.setdefault("cancel_url", self.object.instructor.get_absolute_url())
        return super().get_context_data(**kwargs)

    def save(self, form):
        return services.assignment_end(actor=self.request.user, assignment=self.object, end_on=form.cleaned_data["end_on"])

    def get_success_url(self, result):
        return result.instructor.get_absolute_url()
