"""Dashboard, warnings, targets, annual report and organization view: access, scope, rendering."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["metrics:dashboard", "metrics:warnings", "metrics:annual_report", "metrics:target_list"])
def test_it_renders_office_pages_for_leaders_staff_and_admins(client, users, name):
    """Leaders, staff and admins open every office page."""
    for role in ("leader", "staff", "district_leader", "admin"):
        client.force_login(users[role])
        response = client.get(reverse(name))
        assert response.status_code == 200, (role, name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["metrics:dashboard", "metrics:dashboard_xlsx", "metrics:warnings", "metrics:annual_report", "metrics:target_list"]
)
def test_it_refuses_secretaries_and_instructors_with_403(client, users, name):
    """Roles with no dashboard get 403."""
    for role in ("secretary", "instructor"):
        client.force_login(users[role])
        assert client.get(reverse(name)).status_code == 403, (role, name)


@pytest.mark.django_db
def test_it_answers_404_for_a_region_outside_scope(client, users, world):
    """A township leader cannot drill into the other township or up to the district."""
    client.force_login(users["leader"])
    for code in (world["town_b"].code, world["district"].code, "999999"):
        for name in ("metrics:dashboard", "metrics:warnings", "metrics:annual_report", "metrics:dashboard_xlsx"):
            assert client.get(reverse(name), {"region": code}).status_code == 404, (code, name)
    assert client.get(reverse("metrics:warning_list", args=["no_secretary"]), {"region": world["town_b"].code}).status_code == 404
