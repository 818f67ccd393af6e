"""Operators read the mandates and the associations (they change only through the API)."""

from django.contrib import admin

from .models import EmployeeLink, Mandate


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Mandate)
class MandateAdmin(ReadOnly):
    list_display = ("employer", "partner", "created_at", "cancelled_at")
    list_filter = ("partner",)
    list_select_related = ("employer", "partner")


@admin.register(EmployeeLink)
class EmployeeLinkAdmin(ReadOnly):
    list_display = ("employer", "employee", "partner", "created_at")
    list_select_related = ("employer", "employee", "partner")
