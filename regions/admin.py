from django.contrib import admin

from imports.resources import EngineImportExportMixin
from partybuild.admin import ScopedAdmin

from .models import Region, RegionStat


@admin.register(Region)
class RegionAdmin(EngineImportExportMixin, ScopedAdmin):
    import_kind = "regions"
    list_display = ["code", "name", "kind", "parent", "depth"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(RegionStat)
class RegionStatAdmin(ScopedAdmin):
    list_display = ["region", "year", "total_members", "new_members"]
    list_filter = ["year"]
