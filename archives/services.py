"""Writes of the archives app: records, photos, attachments, site photos, year closing, exports.

Every write runs under ``transaction.atomic`` with ``full_clean()``. Files are processed (and
refused) before anything is stored; if the database write then fails, the files already put in
storage are removed again, so a failed upload leaves nothing half-written.
"""

import contextlib
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from organizations.models import ActivitySite, SitePhoto
from partybuild.scoping import Role, require_role_can

from .models import ActivityAttachment, ActivityPhoto, ActivityRecord, ArchiveExport, YearClosing
from .photos import detect_attachment_kind, process_photo

CLOSED_YEAR_MESSAGE = "{year}年度档案已由组织部门关账，书记不能再新增、修改或删除该年度的记录；如需更正，请联系组织部门工作人员。"
MAX_FILES_PER_UPLOAD = 30


def ensure_year_open_for(user, organization, year):
    """Secretaries may not write into a closed year; staff and admins may still correct."""
    if user.role == Role.SECRETARY and not user.is_admin and YearClosing.is_closed(organization.region, year):
        raise PermissionDenied(CLOSED_YEAR_MESSAGE.format(year=year))


def ensure_can_write_record(user, record, action="change"):
    require_role_can(user, action, ActivityRecord)
    ensure_year_open_for(user, record.organization, record.held_on.year)


class _StoredFiles:
    """Names written to storage during one write; removed again if the write fails."""

    def __init__(self):
        self.saved = []

    def save(self, field_file, content):
        field_file.save(content.name, content, save=False)
        self.saved.append((field_file.storage, field_file.name))

    def discard(self):
        for storage, name in self.saved:
            with contextlib.suppress(Exception):
                storage.delete(name)


@contextlib.contextmanager
def _atomic_with_files():
    stored = _StoredFiles()
    try:
        with transaction.atomic():
            yield stored
    except BaseException:
        stored.discard()
        raise


def _delete_files_on_commit(*field_files):
    names = [(f.storage, f.name) for f in field_files if f]

    def delete():
        for storage, name in names:
            with contextlib.suppress(Exception):
                storage.delete(name)

    transaction.on_commit(delete)


def _check_each(files, check):
    """Run ``check`` on every file; report every refusal at once (nothing is stored if any fails)."""
    results, errors = [], []
    for upload in files:
        try:
            results.append((upload, check(upload)))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return results


def _process_photos(files):
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise ValidationError(f"一次最多上传 {MAX_FILES_PER_UPLOAD} 张照片")
    return _check_each(files, process_photo)


def _check_attachments(files):
    return _check_each(files, detect_attachment_kind)


def _store_photos(stored, *, actor, record, processed, captions):
    photos = []
    for index, (upload, result) in enumerate(processed):
        photo = ActivityPhoto(
            record=record,
            caption=(captions[index] if index < len(captions) else "")[:200],
            taken_at=result.taken_at,
            original_name=(upload.name or "")[:255],
            uploaded_by=actor,
        )
        stored.save(photo.image, result.web)
        stored.save(photo.thumbnail, result.thumbnail)
        photo.full_clean()
        photo.save()
        photos.append(photo)
    return photos


def _store_attachments(stored, *, actor, record, checked):
    attachments = []
    for upload, kind in checked:
        attachment = ActivityAttachment(record=record, name=(upload.name or f"附件.{kind}")[:255], uploaded_by=actor)
        upload.seek(0)
        upload.name = f"{uuid.uuid4().hex}.{kind}"
        stored.save(attachment.file, upload)
        attachment.full_clean()
        attachment.save()
        attachments.append(attachment)
    return attachments


def record_save(*, actor, record, photos=(), captions=(), attachments=()):
    """Create or update a record with new photos and attachments, all or nothing."""
    creating = record.pk is None
    require_role_can(actor, "add" if creating else "change", ActivityRecord)
    if not creating:
        original = ActivityRecord.objects.select_related("organization__region").get(pk=record.pk)
        ensure_year_open_for(actor, original.organization, original.held_on.year)
    ensure_year_open_for(actor, record.organization, record.held_on.year)
    if photos:
        require_role_can(actor, "add", ActivityPhoto)
    if attachments:
        require_role_can(actor, "add", ActivityAttachment)
    processed = _process_photos(list(photos))
    checked = _check_attachments(list(attachments))
    organization = record.organization
    if organization.dissolved_on and record.held_on and record.held_on >= organization.dissolved_on:
        raise ValidationError({"held_on": f"该党组织已于 {organization.dissolved_on:%Y-%m-%d} 撤销，不能记录撤销之后的活动"})
    if creating:
        record.recorded_by = actor
    record.full_clean(exclude=["recorded_by"])  # null for imported records; not the editor's concern
    with _atomic_with_files() as stored:
        record.save()
        _store_photos(stored, actor=actor, record=record, processed=processed, captions=list(captions))
        _store_attachments(stored, actor=actor, record=record, checked=checked)
    return record


def photos_add(*, actor, record, files, captions=()):
    ensure_can_write_record(actor, record)
    require_role_can(actor, "add", ActivityPhoto)
    processed = _process_photos(list(files))
    with _atomic_with_files() as stored:
        return _store_photos(stored, actor=actor, record=record, processed=processed, captions=list(captions))


def record_delete(*, actor, record):
    ensure_can_write_record(actor, record, action="delete")
    with transaction.atomic():
        files = []
        for photo in record.photos.all():
            files += [photo.image, photo.thumbnail]
        files += [attachment.file for attachment in record.attachments.all()]
        record.delete()
        _delete_files_on_commit(*files)


def photo_caption_set(*, actor, photo, caption):
    ensure_can_write_record(actor, photo.record)
    require_role_can(actor, "change", ActivityPhoto)
    photo.caption = caption.strip()[:200]
    with transaction.atomic():
        photo.save(update_fields=["caption"])
    return photo


def photo_delete(*, actor, photo):
    ensure_can_write_record(actor, photo.record)
    require_role_can(actor, "delete", ActivityPhoto)
    with transaction.atomic():
        photo.delete()
        _delete_files_on_commit(photo.image, photo.thumbnail)


def attachment_delete(*, actor, attachment):
    ensure_can_write_record(actor, attachment.record)
    require_role_can(actor, "delete", ActivityAttachment)
    with transaction.atomic():
        attachment.delete()
        _delete_files_on_commit(attachment.file)


# --- "六有" site ----------------------------------------------------------------------------


def site_save(*, actor, site, photos_by_item=None, captions_by_item=None):
    """Save the sheet and any new photos per item (same photo pipeline), all or nothing."""
    require_role_can(actor, "change", ActivitySite)
    photos_by_item = photos_by_item or {}
    captions_by_item = captions_by_item or {}
    processed = {item: _process_photos(list(files)) for item, files in photos_by_item.items() if files}
    site.full_clean()
    with _atomic_with_files() as stored:
        site.save()
        for item, results in processed.items():
            captions = list(captions_by_item.get(item, ()))
            for index, (_, result) in enumerate(results):
                photo = SitePhoto(site=site, item=item, caption=(captions[index] if index < len(captions) else "")[:200], uploaded_by=actor)
                stored.save(photo.image, result.web)
                stored.save(photo.thumbnail, result.thumbnail)
                photo.full_clean()
                photo.save()
    return site


def site_photo_delete(*, actor, photo):
    require_role_can(actor, "change", ActivitySite)
    with transaction.atomic():
        photo.delete()
        _delete_files_on_commit(photo.image, photo.thumbnail)


# --- Year closing and exports ------------------------------------------------------------------


def year_close(*, actor, region, year):
    require_role_can(actor, "add", YearClosing)
    closing = YearClosing(region=region, year=year, closed_by=actor)
    if YearClosing.objects.filter(region=region, year=year).exists():
        raise ValidationError(f"{region}{year}年度已关账")
    closing.full_clean()
    with transaction.atomic():
        closing.save()
    return closing


def year_reopen(*, actor, closing):
    require_role_can(actor, "delete", YearClosing)
    with transaction.atomic():
        closing.delete()


def export_request(*, actor, year, organization=None, region=None):
    """Queue a zip export; the task runs after the row is committed."""
    require_role_can(actor, "export", ActivityRecord)
    if region is not None and actor.role not in (Role.STAFF, Role.ADMIN) and not actor.is_admin:
        raise PermissionDenied("只有组织部门工作人员可以导出整个区域的档案")
    waiting = ArchiveExport.objects.filter(
        requested_by=actor, organization=organization, region=region, year=year,
        status__in=[ArchiveExport.Status.PENDING, ArchiveExport.Status.RUNNING],
    ).first()
    if waiting is not None:  # a second click while the first is being built
        return waiting
    export = ArchiveExport(requested_by=actor, organization=organization, region=region, year=year)
    with transaction.atomic():
        export.save()
        from .tasks import build_archive_export

        transaction.on_commit(lambda: build_archive_export.enqueue(export.pk))
    return export
