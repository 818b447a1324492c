from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="organization_list"),
    path("mine/", views.my_organization, name="my_organization"),
    path("add/", views.OrganizationCreateView.as_view(), name="organization_add"),
    path("<int:pk>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
    path("<int:pk>/edit/", views.OrganizationUpdateView.as_view(), name="organization_edit"),
    path("<int:pk>/dissolve/", views.OrganizationDissolveView.as_view(), name="organization_dissolve"),
    path("<int:pk>/officers/", views.OfficersView.as_view(), name="organization_officers"),
    path("<int:pk>/evaluation/", views.EvaluationView.as_view(), name="evaluation_add"),
    path("<int:pk>/pairings/add/", views.PairingCreateView.as_view(), name="pairing_add"),
    path("coverage/add/", views.CoverageCreateView.as_view(), name="coverage_add"),
    path("coverage/<int:pk>/end/", views.CoverageEndView.as_view(), name="coverage_end"),
]
