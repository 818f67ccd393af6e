from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Child, Person, User


@admin.register(User)
class AccountAdmin(UserAdmin):
    list_display = ("username", "oidc_sub", "is_staff", "last_login")
    search_fields = ("username", "oidc_sub", "person__display_name")
    fieldsets = (*UserAdmin.fieldsets, ("OpenID Connect", {"fields": ("oidc_sub",)}))


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = (
        "display_name",
        "is_employer",
        "is_employee",
        "employee_kind",
        "pajemploi_number",
    )
    list_filter = ("is_employer", "is_employee", "employee_kind")
    search_fields = ("display_name", "pajemploi_number", "nir")
    readonly_fields = ("created_at", "version")

    def has_change_permission(self, request, obj=None):
        return False  # changes go through the procedures (audited actions)


@admin.register(Child)
class ChildAdmin(admin.ModelAdmin):
    list_display = ("display_name", "parent", "created_at")
    search_fields = ("display_name", "parent__display_name")
    readonly_fields = ("parent", "display_name", "created_at")

    def has_change_permission(self, request, obj=None):
        return False
