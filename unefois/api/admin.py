"""Operators read the mandates and the associations (they change only through the API)."""

from django.contrib import admin

from unefois.audit.admin import ReadOnlyAdmin as ReadOnly

from .models import EmployeeLink, Mandate


@admin.register(Mandate)
class MandateAdmin(ReadOnly):
    list_display = ("employer", "partner", "created_at", "cancelled_at")
    list_filter = ("partner",)
    list_select_related = ("employer", "partner")


@admin.register(EmployeeLink)
class EmployeeLinkAdmin(ReadOnly):
    list_display = ("employer", "employee", "partner", "created_at")
    list_select_related = ("employer", "employee", "partner")
