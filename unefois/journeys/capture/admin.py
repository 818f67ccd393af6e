from django.contrib import admin

from unefois.audit.admin import ReadOnlyAdmin as ReadOnly

from .models import JourneyEvent, SupportRequest


@admin.register(SupportRequest)
class SupportRequestAdmin(ReadOnly):
    list_display = ("created_at", "procedure", "email", "message")
    list_filter = ("procedure",)
    search_fields = ("message",)


@admin.register(JourneyEvent)
class JourneyEventAdmin(ReadOnly):
    list_display = ("timestamp", "case_id", "seq", "activity", "procedure", "step", "field")
    list_filter = ("activity", "procedure")
