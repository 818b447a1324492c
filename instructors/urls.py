from django.urls import path

from . import views

app_name = "instructors"

urlpatterns = [
    path("", views.InstructorListView.as_view(), name="instructor_list"),
    path("mine/", views.MyEnterprisesView.as_view(), name="my_enterprises"),
    path("add/", views.InstructorCreateView.as_view(), name="instructor_add"),
    path("<int:pk>/", views.InstructorDetailView.as_view(), name="instructor_detail"),
    path("<int:pk>/edit/", views.InstructorUpdateView.as_view(), name="instructor_edit"),
    path("assignments/add/", views.AssignmentCreateView.as_view(), name="assignment_add"),
    path("assignments/<int:pk>/end/", views.AssignmentEndView.as_view(), name="assignment_end"),
]
