"""Writes around an import job: start, run (preview or import), error report."""

import json
import os

from django.conf import settings
from django.core.files.base import File
from django.utils import timezone

from .engine import run_import
from .models import ImportJob
from .readers import estimate_rows

STORED_ERRORS = 200  # errors kept in the job row; the full list is in a file beside the upload


def job_create(*, actor, kind, uploaded):
    """Store the upload and decide whether it runs in the background."""
    job = ImportJob(user=actor, kind=kind, original_name=os.path.basename(uploaded.name)[:255], size=uploaded.size)
    job.created_at = timezone.now()
    extension = os.path.splitext(uploaded.name)[1].lower()[:8]
    job.file.save(f"{timezone.now():%Y%m%d%H%M%S%f}-{actor.pk}{extension}", File(uploaded), save=False)
    rows = estimate_rows(job.file.path, job.original_name) or 0
    job.progress_total = rows
    # Thresholds: settings IMPORT_BACKGROUND_ROWS / IMPORT_BACKGROUND_BYTES (defaults 5,000 rows, 2 MB).
    job.background = uploaded.size > getattr(settings, "IMPORT_BACKGROUND_BYTES", 2 * 1024 * 1024) or rows > getattr(
        settings, "IMPORT_BACKGROUND_ROWS", 5000
    )
    job.save()
    return job


def job_start(job, *, confirm):
    """Run now (small files) or enqueue for the worker (large ones)."""
    job.status = ImportJob.Status.QUEUED if job.background else job.status
    job.progress_done = 0
    job.save(update_fields=["status", "progress_done"])
    if job.background:
        from .tasks import run_import_job

        run_import_job.enqueue(job.pk, confirm)
    else:
        job_run(job.pk, confirm=confirm)


def job_run(job_id, *, confirm):
    """The preview (dry run) or the real import of a job; the outcome is stored on the job."""
    job = ImportJob.objects.get(pk=job_id)
    job.status = ImportJob.Status.IMPORTING if confirm else ImportJob.Status.PREVIEWING
    job.progress_done = 0
    job.save(update_fields=["status", "progress_done"])
    progress_file = job.progress_file

    def progress(done):
        progress_file.write_text(str(done))

    try:
        result = run_import(job.kind, job.file.path, filename=job.original_name, user=job.user,
                            dry_run=not confirm, progress=progress)
    except Exception as error:  # noqa: BLE001 - the job must end in a state the page can show
        job.status = ImportJob.Status.FAILED
        job.message = f"导入过程中出现意外错误：{error}"
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        raise
    data = result.as_dict()
    job.errors_file.write_text(json.dumps(data["errors"], ensure_ascii=False), encoding="utf-8")
    data["error_count"] = len(data["errors"])
    data["errors"] = data["errors"][:STORED_ERRORS]
    if confirm:
        job.result = data
        job.status = ImportJob.Status.IMPORTED if result.imported else ImportJob.Status.REFUSED
    else:
        job.preview = data
        job.status = ImportJob.Status.PREVIEWED if result.ok else ImportJob.Status.REFUSED
    job.progress_done = result.rows
    job.progress_total = max(job.progress_total, result.rows)
    job.finished_at = timezone.now()
    job.save()
    progress_file.unlink(missing_ok=True)
    return job
