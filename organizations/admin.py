from django.contrib import admin

from imports.resources import EngineImportExportMixin
from partybuild.admin import ScopedAdmin

from .models import ActivitySite, Coverage, Evaluation, EvaluationItem, Organization, Pairing, RegionalCentre, SitePhoto


class CoverageInline(admin.TabularInline):
    model = Coverage
    extra = 0
    raw_id_fields = ["enterprise"]


@admin.register(Organization)
class OrganizationAdmin(EngineImportExportMixin, ScopedAdmin):
    import_kind = "organizations"
    list_display = ["name", "region", "level", "formation", "status", "founded_on"]
    list_filter = ["level", "formation", "status"]
    search_fields = ["name"]
    list_select_related = ["region"]
    raw_id_fields = ["region", "secretary", "deputy_secretary", "committee_members"]
    inlines = [CoverageInline]


@admin.register(Coverage)
class CoverageAdmin(ScopedAdmin):
    list_display = ["organization", "enterprise", "start_on", "end_on"]
    list_select_related = ["organization", "enterprise"]
    raw_id_fields = ["organization", "enterprise"]


@admin.register(Pairing)
class PairingAdmin(ScopedAdmin):
    list_display = ["organization", "partner_organization", "partner_unit", "start_on", "end_on"]
    raw_id_fields = ["organization", "partner_organization"]


@admin.register(ActivitySite)
class ActivitySiteAdmin(ScopedAdmin):
    list_display = ["organization", "address", "has_place", "has_facilities", "has_sign", "has_flag", "has_books", "has_rules"]
    raw_id_fields = ["organization"]


@admin.register(SitePhoto)
class SitePhotoAdmin(ScopedAdmin):
    list_display = ["site", "item", "caption", "uploaded_at"]
    raw_id_fields = ["site"]


@admin.register(RegionalCentre)
class RegionalCentreAdmin(ScopedAdmin):
    list_display = ["name", "region", "address"]
    raw_id_fields = ["region", "organizations"]


class EvaluationItemInline(admin.TabularInline):
    model = EvaluationItem
    extra = 0


@admin.register(Evaluation)
class EvaluationAdmin(ScopedAdmin):
    list_display = ["organization", "year", "scheme"]
    list_filter = ["year", "scheme"]
    raw_id_fields = ["organization"]
    inlines = [EvaluationItemInline]
