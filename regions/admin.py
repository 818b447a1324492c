from django.contrib import admin

from partybuild.admin import ScopedAdmin

from .models import Region, RegionStat


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "parent", "depth"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(RegionStat)
class RegionStatAdmin(ScopedAdmin):
    list_display = ["region", "year", "total_members", "new_members"]
    list_filter = ["year"]
