from django.contrib import admin

from imports.resources import EngineImportExportMixin
from partybuild.admin import ScopedAdmin

from .models import Assignment, GuidanceVisit, Instructor


@admin.register(Instructor)
class InstructorAdmin(EngineImportExportMixin, ScopedAdmin):
    import_kind = "instructors"
    list_display = ["name", "phone", "source", "work_unit", "region"]
    list_filter = ["source"]
    search_fields = ["name", "phone"]
    raw_id_fields = ["region"]


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    list_display = ["instructor", "enterprise", "start_on", "end_on"]
    raw_id_fields = ["instructor", "enterprise"]


@admin.register(GuidanceVisit)
class GuidanceVisitAdmin(ScopedAdmin):
    list_display = ["instructor", "enterprise", "visited_on"]
    raw_id_fields = ["instructor", "enterprise"]
