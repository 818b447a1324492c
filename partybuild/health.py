"""``/healthz/full``: the database, the file storage, the cache and the task queue, each checked.

``/healthz`` (accounts) answers load balancers cheaply; this one is for monitoring: 200 when
every check passes, 503 naming the failed check otherwise. It reveals no personal data: only
check names, timings and the task queue's depth and age.
"""

import time
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# A task waiting longer than this means no worker is running (`manage.py db_worker`).
TASK_QUEUE_STALE_SECONDS = 15 * 60


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
    return {"vendor": connection.vendor}


def check_storage():
    name = default_storage.save(f"healthcheck/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as handle:
            assert handle.read() == b"ok"
    finally:
        default_storage.delete(name)
    return {"backend": type(default_storage).__name__}


def check_cache():
    from django.core.cache import caches

    cache = caches["default"]
    key = f"healthcheck:{uuid.uuid4().hex}"
    cache.set(key, "ok", 30)
    try:
        assert cache.get(key) == "ok", "缓存写入后读不到"
    finally:
        cache.delete(key)
    return {"backend": type(cache).__name__}


def check_tasks():
    from django_tasks import task_backends

    details = {"backend": type(task_backends["default"]).__name__}
    if details["backend"] != "DatabaseBackend":
        return details
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    details["waiting"] = waiting.count()
    details["oldest_waiting_seconds"] = int((timezone.now() - oldest).total_seconds()) if oldest else 0
    if details["oldest_waiting_seconds"] > TASK_QUEUE_STALE_SECONDS:
        raise RuntimeError("任务队列积压：请确认 db_worker 正在运行")
    return details


CHECKS = {"database": check_database, "storage": check_storage, "cache": check_cache, "tasks": check_tasks}


@never_cache
@require_GET
def healthz_full(request):
    results, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            results[name] = {"status": "ok", **check()}
        except Exception as error:  # noqa: BLE001 - any failure is a failed check, reported by name
            healthy = False
            results[name] = {"status": "error", "error": f"{type(error).__name__}: {error}"}
        results[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    return JsonResponse({"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503)
