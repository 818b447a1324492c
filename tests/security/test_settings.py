"""Security settings: sign-in lockout, session expiry, CSP, upload limits, production hardening."""

import datetime
import json
import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/accounts/login/"


def _production_env(**extra):
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {
        **os.environ,
        "PARTYBUILD_ENV": "production",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
        "ALLOWED_HOSTS": "example.org",
        "DJANGO_SETTINGS_MODULE": "partybuild.settings",
    }
    # Set by tests/browser/conftest.py for Playwright; a deployment never has it (async.E001).
    for name in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    env.update(extra)
    return env


def _run_python(code, env):
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def _fail_sign_in(client, username, times):
    response = None
    for _ in range(times):
        response = client.post(LOGIN, {"username": username, "password": "wrong-password-1"})
    return response


@pytest.mark.django_db
def test_it_locks_sign_in_after_five_failures_with_a_chinese_page(client, users):
    """Four failures re-show the form; the fifth answers 429 with a Chinese message."""
    response = _fail_sign_in(client, "staff_a", settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200
    response = _fail_sign_in(client, "staff_a", 1)
    assert response.status_code == 429
    body = response.content.decode()
    assert "登录失败次数过多" in body and "30 分钟" in body


@pytest.mark.django_db
def test_it_refuses_the_correct_password_while_locked(client, users):
    """Once locked, even the right password is refused and no session is created."""
    _fail_sign_in(client, "staff_a", settings.AXES_FAILURE_LIMIT)
    response = client.post(LOGIN, {"username": "staff_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_leaves_other_users_unaffected_by_a_lockout(client, users):
    """The lock is per user name (and address): another user still signs in."""
    _fail_sign_in(client, "staff_a", settings.AXES_FAILURE_LIMIT)
    response = client.post(LOGIN, {"username": "leader_a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users["leader"].pk)


@pytest.mark.django_db
def test_it_resets_the_failure_count_after_a_successful_sign_in(client, users):
    """Four failures, a success, four more failures: not locked (AXES_RESET_ON_SUCCESS)."""
    _fail_sign_in(client, "staff_a", settings.AXES_FAILURE_LIMIT - 1)
    assert client.post(LOGIN, {"username": "staff_a", "password": PASSWORD}).status_code == 302
    client.logout()
    assert _fail_sign_in(client, "staff_a", settings.AXES_FAILURE_LIMIT - 1).status_code == 200


@pytest.mark.django_db
def test_it_expires_the_session_on_the_server_after_the_cookie_age(client, users):
    """A session carries an 8-hour server-side expiry; once past, the user is sent to sign in."""
    client.post(LOGIN, {"username": "staff_a", "password": PASSWORD})
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    assert datetime.timedelta(hours=7, minutes=59) < remaining <= datetime.timedelta(hours=8)
    still_signed_in = client.get(reverse("home"))
    assert not (still_signed_in.status_code == 302 and still_signed_in.url.startswith(LOGIN))

    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(LOGIN)


@pytest.mark.django_db
def test_it_sets_a_browser_session_cookie_that_is_http_only(client, users):
    """The session cookie has no Max-Age (ends with the browser) and is HttpOnly."""
    response = client.post(LOGIN, {"username": "staff_a", "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["max-age"] == "" and cookie["expires"] == ""


@pytest.mark.django_db
def test_it_sends_a_content_security_policy_without_inline_scripts(client, users):
    """Pages carry a CSP header: default-src 'self', scripts only from 'self', no frames."""
    for response in (client.get(LOGIN), _signed_in_home(client)):
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert "unsafe" not in directives["style-src"] and "unsafe-eval" not in policy
        assert directives["frame-ancestors"] == "'none'"
        assert response["X-Request-ID"]


def _signed_in_home(client):
    client.post(LOGIN, {"username": "staff_a", "password": PASSWORD})
    return client.get(reverse("home"), follow=True)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son(click|load|change|submit|input|error|mouseover)\s*=", re.I)


def test_it_keeps_every_template_free_of_inline_scripts():
    """The CSP forbids inline scripts, so no template may contain one (json_script data is allowed)."""
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        text = template.read_text(encoding="utf-8")
        if INLINE_SCRIPT.search(text) or INLINE_HANDLER.search(text):
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.django_db
def test_it_refuses_a_form_body_above_the_upload_limit(client, users):
    """A non-file body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused with 400, not read into memory."""
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(LOGIN, {"username": "staff_a", "password": big})
    assert response.status_code == 400


def test_it_keeps_upload_limits_consistent():
    """Files above FILE_UPLOAD_MAX_MEMORY_SIZE go to disk; each kind of file has its own cap."""
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert 0 < settings.PHOTO_MAX_BYTES <= settings.IMPORT_MAX_BYTES
    assert settings.IMPORT_MAX_BYTES < settings.IMPORT_MAX_UNCOMPRESSED_BYTES


def test_it_passes_check_deploy_without_warnings_in_production_mode():
    """PARTYBUILD_ENV=production with a real key and host: `check --deploy` finds nothing, even at WARNING."""
    result = _run_python(
        "import django; django.setup();"
        "from django.core.management import call_command;"
        "call_command('check', deploy=True, fail_level='WARNING')",
        _production_env(),
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_it_hardens_cookies_and_transport_in_production_mode():
    """Production mode: secure cookies, HSTS a year with subdomains, HTTPS redirect, DEBUG off."""
    result = _run_python(
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({k: getattr(s, k) for k in ['DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE',"
        " 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_HTTPONLY']}))",
        _production_env(),
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_HTTPONLY": True,
    }


def test_it_refuses_to_start_in_production_without_a_secret_key():
    """No SECRET_KEY in production mode is a start-up error, never a silent default key."""
    result = _run_python("import django; django.setup()", _production_env(SECRET_KEY=""))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_it_never_serves_media_from_a_public_url(client, town_a):
    """Photos exist on disk, yet no URL outside the scope-checking views serves them; anonymous users sign in first."""
    photo = town_a["photo"]
    assert client.get(settings.MEDIA_URL + photo.image.name).status_code == 404
    assert client.get("/media/" + photo.image.name).status_code == 404
    assert client.get("/static/../media/" + photo.image.name).status_code == 404
    response = client.get(reverse("archives:photo", args=[photo.pk]))
    assert response.status_code == 302 and response.url.startswith(LOGIN)


@pytest.mark.django_db
def test_it_keeps_sessions_and_lockouts_in_the_database_for_several_app_servers(client, users):
    """Scaling past one machine: sessions and axes failure counts live in the shared database, not a process."""
    from axes.models import AccessAttempt

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    _fail_sign_in(client, "staff_a", 2)
    assert AccessAttempt.objects.get(username="staff_a").failures_since_start == 2
    client.post(LOGIN, {"username": "leader_a", "password": PASSWORD})
    assert Session.objects.filter(session_key=client.session.session_key).exists()
