"""Background export of an archive as a zip of 年度/类别/日期-标题/ folders with 案卷目录.xlsx.

The zip is written file by file into a temporary file on local disk (never all photos in
memory): each photo is copied from storage in chunks straight into its zip entry. The finished
zip is then handed to storage, so an S3-compatible store works by settings alone.
"""

import io
import re
import shutil
import tempfile
import zipfile

from django.core.files import File
from django.utils import timezone
from django_tasks import task
from openpyxl import Workbook

from .models import ActivityRecord, ArchiveExport

CHUNK = 1024 * 1024
PROGRESS_EVERY = 10
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
INDEX_HEADERS = ["序号", "党组织", "日期", "类别", "标题", "地点", "应到人数", "实到人数", "主持/主讲", "照片数", "附件数", "文件夹", "备注"]


def safe_name(text, limit=60):
    cleaned = UNSAFE.sub("_", text or "").strip(" .")
    return cleaned[:limit] or "未命名"


def export_records(export):
    records = ActivityRecord.objects.filter(held_on__year=export.year)
    if export.organization_id:
        records = records.filter(organization_id=export.organization_id)
    else:
        records = records.filter(organization__region__path__startswith=export.region.path)
    return records.select_related("organization").order_by("organization__name", "category", "held_on", "pk")


def _minutes(record):
    lines = [
        f"党组织：{record.organization.name}",
        f"日期：{record.held_on:%Y-%m-%d}",
        f"类别：{record.get_category_display()}",
        f"标题：{record.title}",
        f"地点：{record.location}",
        f"应到人数：{record.expected_attendance if record.expected_attendance is not None else ''}",
        f"实到人数：{record.actual_attendance if record.actual_attendance is not None else ''}",
        f"主持/主讲：{record.host}",
        "",
        "内容/纪要：",
        record.content,
    ]
    return "\r\n".join(lines).encode("utf-8-sig")


def _copy_into(archive, field_file, arcname):
    """Stream one stored file into the zip (stored, not deflated: photos are already compressed).

    Returns False when the file is missing from storage: the export goes on and the index says so.
    """
    try:
        source = field_file.storage.open(field_file.name, "rb")
    except OSError:  # FileNotFoundError included
        return False
    with source, archive.open(
        zipfile.ZipInfo(arcname, date_time=timezone.localtime().timetuple()[:6]), "w", force_zip64=True
    ) as target:
        shutil.copyfileobj(source, target, CHUNK)
    return True


def write_archive_zip(export, target, on_progress=None):
    """Write the zip for ``export`` into the binary file object ``target``; returns the record count."""
    by_org = not export.organization_id
    records = export_records(export).prefetch_related("photos", "attachments")
    index = Workbook(write_only=True)
    sheet = index.create_sheet("案卷目录")
    sheet.append(INDEX_HEADERS)
    used_folders = set()
    count = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        # Iterate in chunks so 4,000 organizations' records never sit in memory together.
        for record in records.iterator(chunk_size=200):
            count += 1
            parts = [safe_name(record.organization.name)] if by_org else []
            parts += [f"{export.year}年度", safe_name(record.get_category_display())]
            folder = "/".join(parts + [safe_name(f"{record.held_on:%Y-%m-%d}-{record.title}")])
            base, serial = folder, 2
            while folder in used_folders:
                folder = f"{base}-{serial}"
                serial += 1
            used_folders.add(folder)
            archive.writestr(f"{folder}/纪要.txt", _minutes(record), compress_type=zipfile.ZIP_DEFLATED)
            photos, attachments = list(record.photos.all()), list(record.attachments.all())
            missing = []
            for number, photo in enumerate(photos, start=1):
                caption = f"-{safe_name(photo.caption, 40)}" if photo.caption else ""
                if not _copy_into(archive, photo.image, f"{folder}/照片{number:02d}{caption}.jpg"):
                    missing.append(f"照片{number:02d}")
            for attachment in attachments:
                if not _copy_into(archive, attachment.file, f"{folder}/附件-{safe_name(attachment.name, 80)}"):
                    missing.append(f"附件“{attachment.name}”")
            sheet.append([
                count, record.organization.name, record.held_on, record.get_category_display(), record.title,
                record.location, record.expected_attendance, record.actual_attendance, record.host,
                len(photos), len(attachments), folder + "/",
                f"文件缺失：{'、'.join(missing)}" if missing else "",
            ])
            if on_progress and count % PROGRESS_EVERY == 0:
                on_progress(count)
        buffer = io.BytesIO()
        index.save(buffer)
        archive.writestr("案卷目录.xlsx", buffer.getvalue(), compress_type=zipfile.ZIP_DEFLATED)
    return count


def zip_filename(export):
    target = export.organization.name if export.organization_id else export.region.name
    return f"{safe_name(target)}-{export.year}年度档案.zip"


@task()
def build_archive_export(export_id):
    export = ArchiveExport.objects.select_related("organization", "region").get(pk=export_id)
    export.status = ArchiveExport.Status.RUNNING
    export.total = export_records(export).count()
    export.save(update_fields=["status", "total"])

    def progress(done):
        ArchiveExport.objects.filter(pk=export.pk).update(done=done)

    try:
        with tempfile.TemporaryFile() as scratch:
            done = write_archive_zip(export, scratch, on_progress=progress)
            scratch.seek(0)
            export.file.save(zip_filename(export), File(scratch), save=False)
    except Exception as error:  # the requester sees why; the worker log keeps the traceback
        ArchiveExport.objects.filter(pk=export.pk).update(
            status=ArchiveExport.Status.FAILED, error=f"导出失败：{error}", finished_at=timezone.now()
        )
        raise
    export.done = done
    export.status = ArchiveExport.Status.DONE
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "done", "status", "finished_at"])
    return export.pk
