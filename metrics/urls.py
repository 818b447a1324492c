from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("warnings/", views.warnings, name="warnings"),
    path("warnings/<slug:key>/", views.warning_list, name="warning_list"),
    path("targets/", views.target_list, name="target_list"),
    path("targets/add/", views.target_add, name="target_add"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("annual/", views.annual_report, name="annual_report"),
    path("organization/", views.org_view, name="org_view"),
]
