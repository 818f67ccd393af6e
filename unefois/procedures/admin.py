from django.contrib import admin

from .models import ProcedureRun


@admin.register(ProcedureRun)
class ProcedureRunAdmin(admin.ModelAdmin):
    list_display = ("procedure", "user", "started_at", "asked", "typed", "prefilled", "derived")
    list_filter = ("procedure",)
    readonly_fields = [f.name for f in ProcedureRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
