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
    time.sleep(0.5)
    assert "/healthz" in (tmp_path / "access.log").read_text()


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
