from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from partybuild.scoping import Role

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
