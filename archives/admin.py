from django.contrib import admin

from partybuild.admin import ScopedAdmin

from .models import ActivityAttachment, ActivityPhoto, ActivityRecord, ArchiveExport, MeetingRequirement, YearClosing


@admin.register(ActivityRecord)
class ActivityRecordAdmin(ScopedAdmin):
    list_display = ["title", "organization", "category", "held_on"]
    list_filter = ["category"]
    search_fields = ["title"]
    raw_id_fields = ["organization"]


@admin.register(ActivityPhoto)
class ActivityPhotoAdmin(ScopedAdmin):
    list_display = ["record", "caption", "uploaded_at"]
    raw_id_fields = ["record"]
    # Photos enter only through archives.photos (verified, EXIF stripped); the admin edits captions.
    readonly_fields = ["image", "thumbnail", "taken_at", "original_name"]

    def has_add_permission(self, request):
        return False


@admin.register(ActivityAttachment)
class ActivityAttachmentAdmin(ScopedAdmin):
    list_display = ["record", "name", "uploaded_at"]
    raw_id_fields = ["record"]
    # Attachments enter only through the record form (type checked by content).
    readonly_fields = ["file"]

    def has_add_permission(self, request):
        return False


@admin.register(YearClosing)
class YearClosingAdmin(ScopedAdmin):
    list_display = ["region", "year", "closed_by", "closed_at"]


@admin.register(MeetingRequirement)
class MeetingRequirementAdmin(ScopedAdmin):
    list_display = ["category", "period", "times"]


@admin.register(ArchiveExport)
class ArchiveExportAdmin(ScopedAdmin):
    list_display = ["__str__", "requested_by", "status", "done", "total", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["requested_by", "organization", "region"]
