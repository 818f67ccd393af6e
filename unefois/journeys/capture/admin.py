from django.contrib import admin

from .models import JourneyEvent, SupportRequest


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupportRequest)
class SupportRequestAdmin(ReadOnly):
    list_display = ("created_at", "procedure", "email", "message")
    list_filter = ("procedure",)
    search_fields = ("message",)


@admin.register(JourneyEvent)
class JourneyEventAdmin(ReadOnly):
    list_display = ("timestamp", "case_id", "seq", "activity", "procedure", "step", "field")
    list_filter = ("activity", "procedure")
