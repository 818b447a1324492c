from django.contrib import admin

from imports.resources import EngineImportExportMixin
from partybuild.admin import ScopedAdmin

from .models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(EngineImportExportMixin, ScopedAdmin):
    import_kind = "enterprises"
    list_display = ["name", "credit_code", "region", "kind", "status", "employees"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "credit_code"]
    list_select_related = ["region"]
    raw_id_fields = ["region"]
