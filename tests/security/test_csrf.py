"""CSRF suite: every URL refuses a POST without a CSRF token, even from a signed-in user in scope.

The POST goes to each URL with town A's objects, as town A's staff clerk (who may use nearly
every page) and as the admin, with ``enforce_csrf_checks=True``. The CSRF layer must answer
403 before any view runs; nothing in town A changes.
"""

import logging

import pytest
from django.test import Client
from django.urls import resolve

from tests.conftest import PASSWORD
from tests.security.probes import attack_body, fingerprint
from tests.security.urls import paths_for, project_urls

URLS = project_urls()


@pytest.fixture
def csrf_log(caplog):
    caplog.set_level(logging.WARNING, logger="django.security.csrf")
    return caplog


def _csrf_rejections(caplog):
    return [record for record in caplog.records if record.name == "django.security.csrf"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS, ids=str)
def test_it_refuses_post_without_a_csrf_token(url, town_a, users, csrf_log):
    """POST without a token: 403 from the CSRF check (logged by django.security.csrf), nothing changes."""
    before = fingerprint(town_a, users["staff"])
    failures = []
    for role in ("staff", "admin"):
        client = Client(enforce_csrf_checks=True)
        client.force_login(users[role])
        client.get("/healthz")  # a session, but no CSRF cookie or token is ever sent
        for path, _missing, _objects in paths_for(url, town_a):
            if getattr(resolve(path).func, "csrf_exempt", False):
                failures.append(f"{path} is csrf_exempt")
                continue
            csrf_log.clear()
            response = client.post(path, attack_body(town_a))
            if response.status_code != 403 or not _csrf_rejections(csrf_log):
                failures.append(f"{role} POST {path}: status {response.status_code}, not refused by the CSRF check")
    assert failures == [], "\n".join(failures)
    assert fingerprint(town_a, users["staff"]) == before


@pytest.mark.django_db
def test_it_refuses_a_sign_in_post_without_a_csrf_token(users, csrf_log):
    """The sign-in form is CSRF-protected too (login CSRF)."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "staff_a", "password": PASSWORD})
    assert response.status_code == 403 and _csrf_rejections(csrf_log)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_accepts_the_same_post_with_a_token(users):
    """Control: with the cookie and token from the sign-in page, the same POST signs in."""
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    response = client.post("/accounts/login/", {"username": "staff_a", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
