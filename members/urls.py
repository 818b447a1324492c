from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.PersonListView.as_view(), name="person_list"),
    path("add/", views.PersonCreateView.as_view(), name="person_add"),
    path("<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("<int:pk>/edit/", views.PersonUpdateView.as_view(), name="person_edit"),
    path("<int:pk>/advance/", views.PersonAdvanceView.as_view(), name="person_advance"),
    path("<int:pk>/roles/", views.PersonRolesView.as_view(), name="person_roles"),
    path("<int:pk>/recommendations/add/", views.RecommendationCreateView.as_view(), name="recommendation_add"),
    path("<int:pk>/delete/", views.PersonDeleteView.as_view(), name="person_delete"),
]
