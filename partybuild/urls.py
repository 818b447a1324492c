from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from partybuild.health import healthz_full

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", account_views.healthz, name="healthz"),
    path("healthz/full", healthz_full, name="healthz_full"),
    path("accounts/", include("accounts.urls")),
    path("regions/", include("regions.urls")),
    path("enterprises/", include("enterprises.urls")),
    path("organizations/", include("organizations.urls")),
    path("instructors/", include("instructors.urls")),
    path("members/", include("members.urls")),
    path("archives/", include("archives.urls")),
    path("metrics/", include("metrics.urls")),
    path("imports/", include("imports.urls")),
    path("admin/", admin.site.urls),
]
