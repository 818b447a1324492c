from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from accounts import services
from accounts.forms import SetPasswordForm, UserCreateForm, UserForm
from accounts.models import User
from accounts.pages import ScopedFormPage, ScopedPage, paginate, url_or_none
from accounts.selectors import recent_changes
from partybuild.scoping import Role, role_can

# Where each role's work is (issue: home page sends each role there). The first URL that
# exists wins, so the home page works before every app has its pages.
ROLE_HOME = {
    Role.STAFF: ["accounts:workbench"],
    Role.LEADER: ["metrics:dashboard"],
    Role.SECRETARY: ["organizations:my_organization"],
    Role.INSTRUCTOR: ["instructors:my_enterprises", "enterprises:enterprise_list"],
    Role.ADMIN: ["metrics:dashboard"],
}


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    role = Role.ADMIN if request.user.is_admin else request.user.role
    for url_name in ROLE_HOME.get(role, []):
        try:
            return redirect(reverse(url_name))
        except NoReverseMatch:
            continue
    return render(request, "home.html")


def healthz(request):
    """Health check for load balancers: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class WorkbenchView(ScopedPage):
    """工作台: recent changes in the clerk's scope and the day's reminders."""

    model = "enterprises.enterprise"
    action = "change"
    template_name = "accounts/workbench.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            changes=recent_changes(self.request.user),
            warnings_url=url_or_none("metrics:warnings"),
            shortcuts=[
                (label, url)
                for label, url in (
                    ("查找企业", url_or_none("enterprises:enterprise_list")),
                    ("新增企业", url_or_none("enterprises:enterprise_add")),
                    ("党组织", url_or_none("organizations:organization_list")),
                    ("指导员", url_or_none("instructors:instructor_list")),
                    ("党员及发展对象", url_or_none("members:person_list")),
                    ("数据导入", url_or_none("imports:upload")),
                )
                if url
            ],
        )
        return context


# ------------------------------------------------------------------------------ accounts


class UserListView(ScopedPage):
    model = User
    template_name = "accounts/user_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = self.scoped().select_related("region", "organization", "instructor").order_by("username")
        search = self.request.GET.get("q", "").strip()
        if search:
            queryset = queryset.filter(Q(username__icontains=search) | Q(first_name__icontains=search) | Q(phone__icontains=search))
        page = paginate(self.request, queryset)
        context.update(page=page, rows=page.rows, search=search, can_add=role_can(self.request.user, "add", User))
        return context


class UserFormPage(ScopedFormPage):
    model = User

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", reverse("accounts:user_list"))
        kwargs.setdefault("breadcrumbs", [{"label": "账户管理", "url": reverse("accounts:user_list")}, {"label": kwargs.get("title") or self.title}])
        return super().get_context_data(**kwargs)

    def get_success_url(self, result):
        return reverse("accounts:user_list")


class UserCreateView(UserFormPage):
    action = "add"
    form_class = UserCreateForm
    title = "新增账户"
    success_message = "账户已创建"

    def save(self, form):
        return services.user_create(actor=self.request.user, user=form.instance, password=form.cleaned_data["password1"])


class UserUpdateView(UserFormPage):
    action = "change"
    loads_object = True
    form_class = UserForm
    success_message = "账户已保存"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", f"编辑账户：{self.object.username}")
        return super().get_context_data(**kwargs)

    def save(self, form):
        return form.save()


class UserPasswordView(UserFormPage):
    action = "change"
    loads_object = True
    form_class = SetPasswordForm
    success_message = "密码已重置"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", f"重置密码：{self.object.username}")
        return super().get_context_data(**kwargs)

    def save(self, form):
        return services.user_set_password(actor=self.request.user, user=self.object, password=form.cleaned_data["new_password1"])


class UserActiveView(ScopedPage):
    """POST: deactivate (or reactivate) an account."""

    model = User
    action = "change"
    loads_object = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        active = request.POST.get("active") == "1"
        try:
            services.user_set_active(actor=request.user, user=self.object, active=active)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, f"账户“{self.object.username}”已{'启用' if active else '停用'}")
        return redirect("accounts:user_list")
