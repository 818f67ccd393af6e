from django.contrib import admin

from unefois.audit.admin import ReadOnlyAdmin

from .models import Contest, Declaration, DeclarationVersion


class VersionInline(admin.TabularInline):
    model = DeclarationVersion
    fields = ("number", "created_at", "created_by", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Declaration)
class DeclarationAdmin(admin.ModelAdmin):
    list_display = ("pk", "contract", "period", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("contract__employer__display_name", "contract__employee__display_name")
    list_select_related = ("contract",)
    readonly_fields = [f.name for f in Declaration._meta.fields]
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DeclarationVersion)
class DeclarationVersionAdmin(ReadOnlyAdmin):
    list_display = ("declaration", "number", "created_at", "created_by")
    readonly_fields = [f.name for f in DeclarationVersion._meta.fields]


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    list_display = ("version", "created_by", "created_at", "resolved_by")
    readonly_fields = [f.name for f in Contest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
