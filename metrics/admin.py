from django.contrib import admin

from partybuild.admin import ScopedAdmin

from .models import Target


@admin.register(Target)
class TargetAdmin(ScopedAdmin):
    list_display = ["indicator", "comparison", "value", "value_max", "deadline_kind", "region", "document"]
    list_filter = ["indicator"]
