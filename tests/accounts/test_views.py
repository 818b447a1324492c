"""Workbench, home redirects and account management by staff."""

import pytest
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from enterprises.models import Enterprise
from tests.accounts.pagetools import grow_town, make_enterprise, status_for, statuses, url
from tests.conftest import PASSWORD

EXPECTED = {
    ("accounts:workbench", None): [200, 403, 403, 403, 200, 200],
    ("accounts:user_list", None): [200, 403, 403, 403, 200, 200],
    ("accounts:user_add", None): [200, 403, 403, 403, 200, 200],
    # Other roles' scope holds only their own account: someone else's answers 404.
    ("accounts:user_edit", "secretary"): [200, 404, 403, 404, 200, 404],
    ("accounts:user_password", "secretary"): [200, 404, 403, 404, 200, 404],
}


@pytest.mark.parametrize("name,key", list(EXPECTED))
def test_it_answers_each_role_by_permission_and_scope(client, users, world, name, key):
    """With permission 200, a role that may not act 403, an account outside the scope 404."""
    assert statuses(client, users, users, name, key) == EXPECTED[(name, key)]



def test_it_sends_staff_home_to_the_workbench(client, users):
    """The home page of a clerk is the workbench."""
    client.force_login(users["staff"])
    assert client.get("/").url == url("accounts:workbench")


def test_it_shows_recent_changes_in_scope_only(client, users, world):
    """The workbench lists the newest changes of the clerk's scope, at most 20, and the reminders panel."""
    client.force_login(users["staff"])
    grow_town(world["town_a"], 5)
    page = client.get(url("accounts:workbench")).content.decode()
    assert "测试企业4有限公司" in page and world["ent_b"].name not in page
    assert page.count("<tr><td class=\"text-nowrap\">") == 20
    assert "今日工作提醒" in page
    try:
        warnings_url = reverse("metrics:warnings")
    except NoReverseMatch:
        warnings_url = None
    assert (warnings_url in page) if warnings_url else ("尚未开通" in page)


def account_data(**overrides):
    data = {"username": "new_secretary", "first_name": "周书记", "role": "secretary", "password1": "Branch-secret-2026", "password2": "Branch-secret-2026"}
    data.update(overrides)
    return data


def test_it_creates_accounts_anchored_inside_the_subtree(client, users, world):
    """Staff create a secretary of an organization in their township; the password works."""
    client.force_login(users["staff"])
    response = client.post(url("accounts:user_add"), account_data(organization=world["org_a"].pk))
    assert response.status_code == 302
    created = User.objects.get(username="new_secretary")
    assert created.organization == world["org_a"] and created.check_password("Branch-secret-2026")


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"organization": "org_b"}, "选择一个有效的选项"),
        ({}, "书记账户必须指定所属党组织"),
        ({"role": "admin"}, "选择一个有效的选项"),
        ({"role": "staff", "region": "district"}, "选择一个有效的选项"),
        ({"organization": "org_a", "password1": "123", "password2": "123"}, "密码太短，至少需要 10 个字符"),
        ({"organization": "org_a", "password2": "Other-secret-2026"}, "两次输入的密码不一致"),
    ],
)
def test_it_refuses_accounts_outside_the_rules(client, users, world, overrides, message):
    """No anchor outside the subtree, no admin, no weak password; nothing is created."""
    client.force_login(users["staff"])
    data = account_data(**{k: (world[v].pk if k in ("organization", "region") else v) for k, v in overrides.items()})
    response = client.post(url("accounts:user_add"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not User.objects.filter(username="new_secretary").exists()


def test_it_deactivates_and_resets_passwords(client, users):
    """A clerk stops an account and resets a password; never their own account; outsiders 404."""
    client.force_login(users["staff"])
    secretary = users["secretary"]
    assert client.post(url("accounts:user_active", secretary.pk), {"active": "0"}).status_code == 302
    assert not User.objects.get(pk=secretary.pk).is_active
    response = client.post(url("accounts:user_active", users["staff"].pk), {"active": "0"}, follow=True)
    assert "不能停用自己的账户" in response.content.decode()
    path = url("accounts:user_password", secretary.pk)
    response = client.post(path, {"new_password1": "abc", "new_password2": "abc"})
    assert "密码太短，至少需要 10 个字符" in response.content.decode()
    assert client.post(path, {"new_password1": "New-branch-pass-26", "new_password2": "New-branch-pass-26"}).status_code == 302
    assert User.objects.get(pk=secretary.pk).check_password("New-branch-pass-26")
    assert status_for(client, users["staff_b"], url("accounts:user_active", secretary.pk), method="post") == 404
    assert status_for(client, users["leader"], url("accounts:user_active", users["leader"].pk), method="post") == 403


def test_it_styles_the_sign_in_page_in_chinese(client):
    """The sign-in page is Chinese and keeps its route."""
    page = client.get(url("accounts:login")).content.decode()
    assert "非公企业党建工作管理系统" in page and "登录" in page


def test_it_changes_ones_own_password_with_chinese_messages(client, users):
    """A short new password is refused in Chinese; a good one is saved."""
    client.force_login(users["leader"])
    path = url("accounts:password_change")
    response = client.post(path, {"old_password": PASSWORD, "new_password1": "abc12", "new_password2": "abc12"})
    assert "密码太短，至少需要 10 个字符" in response.content.decode()
    response = client.post(path, {"old_password": PASSWORD, "new_password1": "Leader-pass-2027", "new_password2": "Leader-pass-2027"})
    assert response.status_code == 302
    assert User.objects.get(pk=users["leader"].pk).check_password("Leader-pass-2027")


def test_it_pins_the_workbench_and_user_list_query_counts(client, users, world, django_assert_num_queries):
    """Workbench and account list run the same number of queries with few and with many rows."""
    client.force_login(users["staff"])
    paths = [url("accounts:workbench"), url("accounts:user_list")]
    counts = [12, 7]
    for path, count in zip(paths, counts):
        with django_assert_num_queries(count):
            client.get(path)
    grow_town(world["town_a"], 25)
    for serial in range(30):
        enterprise = Enterprise.objects.get(name=f"测试企业{serial % 25}有限公司")
        enterprise.employees = serial + 1
        enterprise.save()
    make_enterprise(world["town_a"], 99)
    for serial in range(40):
        User.objects.create_user(f"leader{serial}", password=PASSWORD, role="leader", region=world["town_a"])
    for path, count in zip(paths, counts):
        with django_assert_num_queries(count):
            client.get(path)


def test_every_password_form_says_too_short_in_chinese(settings):
    """Django's own forms (admin, changepassword) use the same validators: Chinese there too."""
    from django.contrib.auth.forms import SetPasswordForm
    from django.utils import translation

    from accounts.models import User

    with translation.override("zh-hans"):
        form = SetPasswordForm(User(username="someone"), {"new_password1": "Ab3$", "new_password2": "Ab3$"})
        assert not form.is_valid()
        assert "密码太短，至少需要 10 个字符。" in form.errors["new_password2"]
        assert "密码至少需要 10 个字符。" in str(form.fields["new_password1"].help_text)
