from django.contrib import admin

from .models import Contract


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("pk", "employer", "employee", "kind", "status", "start_date", "end_date")
    list_filter = ("kind", "status")
    search_fields = (
        "employer__display_name",
        "employee__display_name",
        "employee__pajemploi_number",
    )
    list_select_related = ("employer", "employee")
    readonly_fields = [f.name for f in Contract._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
