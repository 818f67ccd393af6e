from django.contrib import admin

from .models import Fact


@admin.register(Fact)
class FactAdmin(admin.ModelAdmin):
    list_display = (
        "subject_type",
        "subject_id",
        "key",
        "version",
        "source",
        "observed_at",
        "superseded_at",
    )
    list_filter = ("subject_type", "source", "key")
    search_fields = ("key", "subject_id", "source_detail")
    ordering = ("subject_type", "subject_id", "key", "-version")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
