"""Admin scoped through the same ``for_user`` mechanism as every view (roles.md)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partybuild.scoping import role_can

admin.site.site_header = "非公企业党建工作管理系统"
admin.site.site_title = "党建管理后台"
admin.site.index_title = "数据管理"


class ScopedAdmin(SimpleHistoryAdmin):
    """Rows limited to the user's scope; actions limited to what the role may do."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def _allowed(self, request, action):
        return role_can(request.user, action, self.model)

    def has_module_permission(self, request):
        return self._allowed(request, "view")

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, "view")

    def has_add_permission(self, request):
        return self._allowed(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, "change")

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, "delete")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Choices of related rows are scoped too, so nobody can link to what they cannot see.
        related = db_field.related_model
        if hasattr(related.objects, "for_user"):
            kwargs["queryset"] = related.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        if hasattr(related.objects, "for_user"):
            kwargs["queryset"] = related.objects.for_user(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
