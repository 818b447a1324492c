from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from partybuild.admin import ScopedAdmin

from .models import User


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "region", "organization", "instructor", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = DjangoUserAdmin.fieldsets + (("角色与管辖范围", {"fields": ("role", "region", "organization", "instructor", "phone")}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("角色与管辖范围", {"fields": ("role", "region", "organization", "instructor")}),)
    raw_id_fields = ["region", "organization", "instructor"]
