from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import ChinesePasswordChangeForm

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url="/accounts/password/done/",
            form_class=ChinesePasswordChangeForm,
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path("workbench/", views.WorkbenchView.as_view(), name="workbench"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/add/", views.UserCreateView.as_view(), name="user_add"),
    path("users/<int:pk>/edit/", views.UserUpdateView.as_view(), name="user_edit"),
    path("users/<int:pk>/password/", views.UserPasswordView.as_view(), name="user_password"),
    path("users/<int:pk>/active/", views.UserActiveView.as_view(), name="user_active"),
]
