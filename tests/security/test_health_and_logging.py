"""/healthz/full checks database, storage, cache and task queue; logs carry the request id, as JSON on demand."""

import datetime
import io
import json
import logging
import os
import subprocess
import sys
import uuid

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from partybuild.logging import JsonFormatter, RequestIdFilter


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_it_reports_every_check_ok(client, media, settings):
    """Every check passes on a working installation; the probe file is removed again."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = client.get("/healthz/full")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "storage": "ok",
        "cache": "ok",
        "tasks": "ok",
    }
    assert list((media / "healthcheck").iterdir()) == []
    assert body["checks"]["tasks"]["backend"] == "DatabaseBackend" and body["checks"]["tasks"]["waiting"] == 0
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_it_answers_503_when_the_task_queue_is_stale(client, media, settings):
    """A task waiting for more than 15 minutes means no worker runs: 503 naming the tasks check."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="imports.tasks.run_import",
        backend_name="default",
        run_after=timezone.now() - datetime.timedelta(hours=1),
        exception_class_path="",
        traceback="",
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - datetime.timedelta(hours=1))
    response = client.get("/healthz/full")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["tasks"]["status"] == "error" and "db_worker" in checks["tasks"]["error"]
    assert checks["database"]["status"] == "ok"


@pytest.mark.django_db
def test_it_answers_503_when_storage_cannot_be_written(client, settings, tmp_path):
    """An unwritable media directory fails the storage check."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker
    response = client.get("/healthz/full")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "error"


@pytest.mark.django_db
def test_it_answers_503_when_the_cache_server_is_down(client, media, settings):
    """A Redis cache nobody listens on fails the cache check (and only it)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get("/healthz/full")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"]["status"] == "error" and checks["database"]["status"] == "ok"


@pytest.mark.django_db
def test_it_passes_the_cache_check_on_redis(client, media, settings):
    """The production cache backend, against the Redis server on 127.0.0.1:6379."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",  # a database of its own: clear() empties it
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    checks = client.get("/healthz/full").json()["checks"]
    assert checks["cache"] == {"status": "ok", "backend": "RedisCache", "ms": checks["cache"]["ms"]}


def test_it_refuses_post_to_the_health_check(client):
    """The health check is read-only."""
    assert client.post("/healthz/full").status_code == 405


@pytest.fixture
def json_log():
    """Captures the ``django.request`` logger through the project's filter and JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_it_writes_json_log_lines_with_the_request_id(client, json_log):
    """A 404 is logged as one JSON object carrying the id the proxy sent, echoed in the response."""
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-1234abcd")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "req-1234abcd"
    entry = json.loads(json_log.getvalue().strip().splitlines()[-1])
    assert entry["level"] == "WARNING" and entry["logger"] == "django.request"
    assert entry["request_id"] == "req-1234abcd"
    assert "/no-such-page/" in entry["message"]
    assert entry["status_code"] == 404


@pytest.mark.django_db
def test_it_replaces_an_implausible_request_id(client):
    """A header that is not a short token (log injection) is replaced by a fresh id."""
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nforged line")
    assert response["X-Request-ID"] != "bad id\nforged line"
    assert len(response["X-Request-ID"]) == 32


def test_it_selects_the_json_formatter_with_log_format_json():
    """LOG_FORMAT=json switches the console handler to the JSON formatter."""
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.LOGGING['handlers']['console']['formatter'])"
    )
    env = {**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "partybuild.settings"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "json", result.stderr
