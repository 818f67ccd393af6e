from django.contrib import admin

from .models import AuditEntry


class ReadOnly:
    """Seen, never added, changed or deleted here: such rows change only through the actions
    that audit them, or never (append-only records). For a ModelAdmin or an inline."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "subject_type", "subject_id")
    list_filter = ("action", "subject_type")
    search_fields = ("action", "subject_type", "subject_id", "actor__username")
    readonly_fields = ("at", "actor", "action", "subject_type", "subject_id", "old", "new")
