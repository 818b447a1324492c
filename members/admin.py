from django.contrib import admin

from imports.resources import EngineImportExportMixin
from partybuild.admin import ScopedAdmin

from .models import Person, PersonRole, Recommendation


class PersonRoleInline(admin.TabularInline):
    model = PersonRole
    extra = 0


@admin.register(Person)
class PersonAdmin(EngineImportExportMixin, ScopedAdmin):
    import_kind = "members"
    list_filter = ["status"]
    search_fields = ["name", "id_number", "phone"]
    raw_id_fields = ["enterprise", "organization"]
    inlines = [PersonRoleInline]

    def get_list_display(self, request):
        def id_number(obj):
            return obj.id_number_for(request.user)

        id_number.short_description = "身份证号"
        return ["name", id_number, "enterprise", "organization", "status"]

    def get_exclude(self, request, obj=None):
        # Roles that see masked IDs never get the raw field, not even read-only.
        return [] if request.user.sees_full_id else ["id_number"]

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.sees_full_id else ["masked_id_number"]


@admin.register(Recommendation)
class RecommendationAdmin(ScopedAdmin):
    list_display = ["person", "kind", "recommended_on"]
    raw_id_fields = ["person"]
