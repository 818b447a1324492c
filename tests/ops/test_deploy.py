"""The deployment examples are consistent with the settings, and gunicorn really serves the app."""

import configparser
import os
import re
import runpy
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _megabytes(value):
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


def test_it_loads_gunicorn_conf_and_reads_the_environment(monkeypatch):
    """gunicorn.conf.py is valid Python; bind and workers follow the environment, loopback by default."""
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    defaults = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert defaults["bind"] == "127.0.0.1:8000"
    assert defaults["workers"] >= 3 and defaults["timeout"] >= 30
    assert defaults["control_socket_disable"] is True  # no writable home under the hardened unit
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:9100")
    monkeypatch.setenv("GUNICORN_WORKERS", "2")
    configured = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert (configured["bind"], configured["workers"]) == ("127.0.0.1:9100", 2)


def test_it_routes_protected_media_through_an_internal_nginx_location():
    """nginx has an `internal` location at PROTECTED_MEDIA_INTERNAL_URL and no public media location."""
    conf = (DEPLOY / "nginx.conf").read_text()
    internal = settings.PROTECTED_MEDIA_INTERNAL_URL
    block = re.search(r"location\s+" + re.escape(internal) + r"\s*\{(.*?)\}", conf, re.S)
    assert block, f"no location {internal}"
    assert re.search(r"^\s*internal;", block.group(1), re.M)
    assert "location /media" not in conf and settings.MEDIA_URL not in conf
    assert "X-Forwarded-Proto" in conf and "X-Request-ID" in conf
    full_check = re.search(r"location\s+=\s+/healthz/full\s*\{(.*?)\}", conf, re.S).group(1)
    assert "deny all;" in full_check  # monitoring hosts only


def test_it_lets_nginx_accept_the_largest_upload_the_settings_allow():
    """client_max_body_size is at least the largest per-file limit (an Excel import)."""
    conf = (DEPLOY / "nginx.conf").read_text()
    (size,) = re.findall(r"client_max_body_size\s+(\w+);", conf)
    largest = max(settings.IMPORT_MAX_BYTES, settings.ATTACHMENT_MAX_BYTES, settings.PHOTO_MAX_BYTES)
    assert _megabytes(size) >= largest


def test_it_starts_web_and_worker_units_from_the_shared_environment_file():
    """Both systemd units read /etc/partybuild/env; web runs gunicorn with our config, worker db_worker."""
    units = {}
    for name in ("partybuild-web.service", "partybuild-worker.service"):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(DEPLOY / name)
        units[name] = parser["Service"]
        assert parser["Service"]["EnvironmentFile"] == "/etc/partybuild/env"
        assert parser["Service"]["User"] == "partybuild"
    assert "gunicorn -c deploy/gunicorn.conf.py partybuild.wsgi" in units["partybuild-web.service"]["ExecStart"]
    assert "manage.py db_worker" in units["partybuild-worker.service"]["ExecStart"]


def _env_example():
    values = {}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            values[key] = value
    return values


def test_it_documents_only_variables_the_code_reads():
    """Every variable in env.example is read by settings.py or gunicorn.conf.py (no dead knobs)."""
    readers = (ROOT / "partybuild" / "settings.py").read_text() + (DEPLOY / "gunicorn.conf.py").read_text()
    unread = [key for key in _env_example() if f'"{key}"' not in readers]
    assert unread == []


def test_it_passes_check_deploy_with_the_example_environment():
    """env.example as written (plus a real key) passes `check --deploy` without warnings."""
    env = {**os.environ, **_env_example(), "SECRET_KEY": "k" * 20 + "3f9Q!x@Lm#2pZ$7rT%8vW^1yB&4nC*6hD(0jF)"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright by tests/browser/conftest.py
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.fixture
def gunicorn_server(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESS_LOG": str(tmp_path / "access.log"),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-c", "deploy/gunicorn.conf.py", "partybuild.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("gunicorn did not start:\n" + process.stdout.read().decode(errors="replace"))
            time.sleep(0.3)
    yield base, process, tmp_path
    process.terminate()
    process.wait(timeout=30)


def test_it_serves_the_app_from_gunicorn_with_two_workers(gunicorn_server):
    """gunicorn with deploy/gunicorn.conf.py and 2 workers answers /healthz and the sign-in page with CSP."""
    base, process, tmp_path = gunicorn_server
    workers = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert len(workers) == 2
    with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
        assert response.status == 200 and response.read() == b'{"status": "ok"}'
    with urllib.request.urlopen(base + "/accounts/login/", timeout=5) as response:
        assert response.status == 200
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert "登录" in response.read().decode()
    logged = time.monotonic() + 10
    while "/accounts/login/" not in (tmp_path / "access.log").read_text():
        assert time.monotonic() < logged, "gunicorn wrote no access log line"
        time.sleep(0.2)


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx not installed (apt-get install nginx): config syntax not checked")
def test_it_passes_nginx_config_test(tmp_path):
    """deploy/nginx.conf, wrapped in a minimal http block with a throw-away certificate, passes `nginx -t`."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    site = (DEPLOY / "nginx.conf").read_text()
    site = site.replace("/etc/ssl/partybuild/fullchain.pem", str(cert)).replace("/etc/ssl/partybuild/privkey.pem", str(key))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


SETUP_PHOTO = """
import datetime, io
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from PIL import Image
from archives.models import ActivityPhoto, ActivityRecord
from tests.conftest import make_user
from tests.security.conftest import jpeg
from regions.models import Region
from organizations.models import Organization
town = Region.objects.create(code="320506101", name="甪直镇", kind="township")
org = Organization.objects.create(name="甪直测试党支部", region=town, founded_on=datetime.date(2015, 7, 1))
user = make_user("staff_nginx", "staff", region=town)
record = ActivityRecord.objects.create(organization=org, held_on=datetime.date(2025, 3, 5), category="branch_assembly", title="t")
photo = ActivityPhoto(record=record)
photo.image.save("nginx.jpg", ContentFile(jpeg("red")), save=True)
session = SessionStore()
session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(photo.pk, photo.image.name, session.session_key)
"""


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx not installed (apt-get install nginx): X-Accel-Redirect not checked end to end")
def test_it_serves_a_protected_photo_through_nginx_x_accel_redirect(tmp_path):
    """nginx (deploy/nginx.conf, plain HTTP on a free port) → gunicorn → scope check → X-Accel-Redirect → file
    from the internal location; the internal location itself answers 404 from outside."""
    media = tmp_path / "media"
    env = {
        **os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "MEDIA_ROOT": str(media),
        "PROTECTED_MEDIA_SERVER": "nginx", "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
    setup = subprocess.run([sys.executable, "manage.py", "shell", "-c", SETUP_PHOTO], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert setup.returncode == 0, setup.stderr
    photo_pk, photo_name, session_key = setup.stdout.strip().splitlines()[-1].split()
    app_port, web_port = _free_port(), _free_port()
    app = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py", "partybuild.wsgi"],
        cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{app_port}", "GUNICORN_WORKERS": "1",
                       "GUNICORN_ACCESS_LOG": str(tmp_path / "access.log")},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    # The example site as plain HTTP on a free port: no TLS server, no port-80 redirect block.
    site = (DEPLOY / "nginx.conf").read_text()
    site = re.sub(r"server \{\s*listen 80;.*?\}\n", "", site, count=1, flags=re.S)
    site = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{web_port};", site)
    site = re.sub(r"\s*ssl_\w+ [^;]+;", "", site)
    site = site.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{app_port}")
    site = site.replace("/var/lib/partybuild/media/", f"{media}/")
    (tmp_path / "site.conf").write_text(site)
    # Workers of a root master run as "nobody", who cannot read pytest's private tmp folder.
    worker_user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{worker_user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\ndaemon off;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/site.conf;\n}}\n"
    )
    web = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{web_port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except urllib.error.HTTPError as error:
                if error.code != 502:  # 502: gunicorn not up yet
                    pytest.fail(f"/healthz through nginx: {error.code} {error.read()[:500]!r}")
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "error.log").read_text()
            time.sleep(0.3)
        request = urllib.request.Request(f"{base}/archives/photos/{photo_pk}/", headers={"Cookie": f"sessionid={session_key}"})
        try:
            response = urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as error:
            pytest.fail(f"photo through nginx: {error.code} {error.read()[:300]!r} {(tmp_path / 'error.log').read_text()[-500:]}")
        with response:
            body = response.read()
            assert response.status == 200 and response.headers["Content-Type"] == "image/jpeg"
        assert body == (media / photo_name).read_bytes()
        # The scope check ran in Django (gunicorn logs the line just after answering).
        logged = time.monotonic() + 10
        while f"/archives/photos/{photo_pk}/" not in (tmp_path / "access.log").read_text():
            assert time.monotonic() < logged, "the photo request never reached gunicorn"
            time.sleep(0.2)
        for outside in (f"{base}/protected-media/{photo_name}", f"{base}/media/{photo_name}"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(outside, timeout=5)
            assert refused.value.code == 404
        anonymous = urllib.request.Request(f"{base}/archives/photos/{photo_pk}/")
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirected:
            opener.open(anonymous, timeout=5)
        assert redirected.value.code == 302 and "/accounts/login/" in redirected.value.headers["Location"]
    finally:
        web.terminate()
        app.terminate()
        web.wait(timeout=30)
        app.wait(timeout=30)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
