"""Operators see the partners, their keys and scopes, and read (only read) the logs. Registering a
key goes through ``unefois exchange add-key`` (it checks the key is public); the back-office pages
are to come (docs/exchange.md)."""

from django.contrib import admin

from .models import (
    AccessJournal,
    Checkpoint,
    LogEntry,
    Objection,
    Partner,
    PartnerKey,
    Purpose,
    Scope,
)


class KeyInline(admin.TabularInline):
    model = PartnerKey
    fields = ("kid", "created_at", "revoked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ScopeInline(admin.TabularInline):
    model = Scope
    fields = ("code", "resource", "purpose", "mandatory", "active")
    readonly_fields = ("code", "resource", "purpose")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "client_id", "kind", "active", "rate_per_second", "burst")
    list_filter = ("kind", "active")
    inlines = [KeyInline, ScopeInline]


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    list_display = ("code", "label")


@admin.register(Scope)
class ScopeAdmin(admin.ModelAdmin):
    list_display = ("code", "partner", "resource", "purpose", "mandatory", "active")
    list_filter = ("partner", "mandatory", "active")


@admin.register(Objection)
class ObjectionAdmin(admin.ModelAdmin):
    list_display = ("person", "partner", "created_at", "withdrawn_at")
    readonly_fields = ("person", "partner", "created_at", "withdrawn_at")

    def has_add_permission(self, request):
        return False


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnly):
    list_display = ("seq", "hash", "body")


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnly):
    list_display = ("number", "seq", "at", "key_id")


@admin.register(AccessJournal)
class AccessJournalAdmin(ReadOnly):
    list_display = ("at", "person", "partner", "scope", "outcome", "log_seq")
    list_filter = ("partner", "outcome")
    list_select_related = ("person", "partner", "scope")
