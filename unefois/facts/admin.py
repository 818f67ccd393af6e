from django.contrib import admin

from unefois.audit.admin import ReadOnlyAdmin

from .models import Fact


@admin.register(Fact)
class FactAdmin(ReadOnlyAdmin):
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
