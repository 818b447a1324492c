from django.urls import path

from . import views

app_name = "regions"

urlpatterns = [
    path("", views.RegionListView.as_view(), name="region_list"),
    path("<int:pk>/", views.RegionDetailView.as_view(), name="region_detail"),
    path("<int:pk>/stats/add/", views.RegionStatCreateView.as_view(), name="regionstat_add"),
    path("stats/<int:pk>/edit/", views.RegionStatUpdateView.as_view(), name="regionstat_edit"),
]
