import json
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from partybuild.scoping import ScopedQuerySet


def upload_path(instance, filename):
    return f"private/imports/{instance.created_at:%Y/%m}/{filename}" if instance.created_at else f"private/imports/{filename}"


class ImportJobQuerySet(ScopedQuerySet):
    def scope_q(self, user):
        return Q(user=user)  # a job is its uploader's; admins see all (ScopedQuerySet)


class ImportJob(models.Model):
    """One uploaded file on its way through preview → confirm → result.

    Large files run as a background task; the job row keeps the phase and the totals so the
    progress bar and the result survive a page reload. Fine-grained progress during a run is
    written to a small file beside the upload (the run itself is one database transaction, so
    rows written inside it are invisible to the page until it ends).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        PREVIEWING = "previewing", "正在校验"
        PREVIEWED = "previewed", "待确认"
        IMPORTING = "importing", "正在导入"
        IMPORTED = "imported", "已导入"
        REFUSED = "refused", "已拒绝"
        FAILED = "failed", "出错"

    RUNNING = (Status.QUEUED, Status.PREVIEWING, Status.IMPORTING)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="import_jobs")
    kind = models.CharField("导入类别", max_length=30)
    file = models.FileField("文件", upload_to=upload_path, max_length=255)
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("文件大小", default=0)
    background = models.BooleanField("后台运行", default=False)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField("已处理行数", default=0)
    progress_total = models.PositiveIntegerField("总行数（估计）", default=0)
    preview = models.JSONField("预览结果", null=True, blank=True)
    result = models.JSONField("导入结果", null=True, blank=True)
    message = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name}（{self.get_status_display()}）"

    def get_absolute_url(self):
        return reverse("imports:job", args=[self.pk])

    @property
    def is_running(self):
        return self.status in self.RUNNING

    @property
    def summary(self):
        """The latest of result and preview."""
        return self.result or self.preview

    # Sidecar files: live progress and the full error list.
    @property
    def progress_file(self):
        return Path(f"{self.file.path}.progress")

    @property
    def errors_file(self):
        return Path(f"{self.file.path}.errors.json")

    def live_progress(self):
        if self.is_running:
            try:
                return max(self.progress_done, int(self.progress_file.read_text() or 0))
            except (OSError, ValueError):
                pass
        return self.progress_done

    def all_errors(self):
        try:
            return json.loads(self.errors_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return (self.summary or {}).get("errors", [])
