"""The back office of the exchanges (Django admin, staff only).

Operators register a partner and its webhook, its public keys (a JWK or a JWKS pasted in the
partner's form; a private key is refused), purposes, scopes and subscriptions; they revoke a key
and retry a failed delivery (admin actions). Every change goes through a function of
``actions.py``, which checks it and writes its audit row; nothing is deleted (deactivate
instead). The exchange log, its checkpoints, the person's journal, the objections (the person's
own) and the events are read-only here, as are the deliveries but for the retry."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from unefois.audit.admin import ReadOnly, ReadOnlyAdmin

from . import actions
from .actions import ConfigurationError, KeyRefusedError
from .models import (
    AccessJournal,
    Checkpoint,
    Event,
    LogEntry,
    Objection,
    OutboxMessage,
    Partner,
    PartnerKey,
    Purpose,
    Scope,
    Subscription,
)
from .resources import FIELD_LABELS, RESOURCES


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0
    show_change_link = True


class Audited(admin.ModelAdmin):
    """Saved through an action (checked, audited); never deleted."""

    def has_delete_permission(self, request, obj=None):
        return False


def _refused(error: ValueError) -> ValidationError:
    return ValidationError(str(error))


# ---- Partners and their keys ------------------------------------------------------------------


class KeyInline(ReadOnlyInline):
    model = PartnerKey
    fields = ("kid", "created_at", "revoked_at")
    readonly_fields = fields
    verbose_name_plural = "clés publiques (révoquer : « Clés publiques des partenaires »)"


class ScopeInline(ReadOnlyInline):
    model = Scope
    fields = ("code", "resource", "purpose", "mandatory", "active")
    readonly_fields = fields


class SubscriptionInline(ReadOnlyInline):
    model = Subscription
    fields = ("event", "scope", "recipient", "push", "active")
    readonly_fields = fields


class PartnerForm(forms.ModelForm):
    webhook_url = forms.URLField(
        label=Partner._meta.get_field("webhook_url").verbose_name,
        help_text=Partner._meta.get_field("webhook_url").help_text,
        required=False,
        max_length=500,
        assume_scheme="https",
    )
    new_keys = forms.CharField(
        label="Ajouter des clés publiques (JWK ou JWKS)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 90, "spellcheck": "false"}),
        help_text='Une clé JWK, ou un JWKS {"keys": [...]} : RSA 2048 bits au moins, EC P-256 ou '
        "Ed25519. Seulement la partie publique : la clé privée reste chez le partenaire, et est "
        "refusée ici.",
    )

    class Meta:
        model = Partner
        fields = ["client_id", "name", "kind", "active", "webhook_url", "rate_per_second", "burst"]

    def clean_webhook_url(self):
        url = self.cleaned_data.get("webhook_url", "")
        try:
            actions.check_webhook(url, self.instance.pk)
        except ConfigurationError as error:
            raise _refused(error) from None
        return url

    def clean_new_keys(self):
        text = (self.cleaned_data.get("new_keys") or "").strip()
        if not text:
            return None
        try:
            document = json.loads(text)
        except ValueError:
            raise ValidationError(
                'JSON illisible : collez une clé JWK, ou un JWKS {"keys": [...]}.'
            ) from None
        try:
            actions.check_jwks(self.instance if self.instance.pk else None, document)
        except KeyRefusedError as error:
            raise _refused(error) from None
        return document


@admin.register(Partner)
class PartnerAdmin(Audited):
    form = PartnerForm
    list_display = ("name", "client_id", "kind", "active", "webhook_url", "rate_per_second")
    list_filter = ("kind", "active")
    inlines = [KeyInline, ScopeInline, SubscriptionInline]

    def get_readonly_fields(self, request, obj=None):
        # The client_id is in every token and log entry: fixed once registered.
        return ("client_id", "created_at") if obj is not None else ("created_at",)

    def save_model(self, request, obj, form, change):
        actions.do_save_partner(request.user, obj)
        document = form.cleaned_data.get("new_keys")
        if document:
            added = actions.do_register_jwks(request.user, obj, document)
            self.message_user(
                request,
                "Clé(s) enregistrée(s) : " + ", ".join(key.kid for key in added) + ".",
                messages.SUCCESS,
            )


@admin.register(PartnerKey)
class PartnerKeyAdmin(ReadOnlyAdmin):
    list_display = ("partner", "kid", "created_at", "revoked_at")
    list_filter = ("partner", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("partner",)
    readonly_fields = ("partner", "kid", "jwk", "created_at", "revoked_at")
    actions = ["revoke"]

    def has_revoke_permission(self, request):
        return request.user.has_perm("exchange.change_partnerkey")

    @admin.action(description="Révoquer les clés sélectionnées", permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = 0
        for key in queryset.filter(revoked_at__isnull=True):
            actions.do_revoke_key(request.user, key)
            revoked += 1
        self.message_user(
            request,
            f"{revoked} clé(s) révoquée(s) : leurs assertions sont désormais refusées."
            if revoked
            else "Aucune clé à révoquer : celles choisies l'étaient déjà.",
            messages.SUCCESS if revoked else messages.WARNING,
        )


# ---- Purposes, scopes, subscriptions ----------------------------------------------------------


@admin.register(Purpose)
class PurposeAdmin(Audited):
    list_display = ("code", "label")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        actions.do_save_purpose(request.user, obj)


class ScopeForm(forms.ModelForm):
    class Meta:
        model = Scope
        fields = [
            "partner",
            "code",
            "label",
            "resource",
            "fields",
            "purpose",
            "legal_basis",
            "legal_basis_note",
            "mandatory",
            "active",
        ]

    def clean(self):
        data = super().clean()
        resource = data.get("resource")
        if resource and "fields" in data:
            try:
                data["fields"] = actions.check_scope(
                    resource, list(data["fields"]), self.instance.pk
                )
            except ConfigurationError as error:
                raise _refused(error) from None
        return data


@admin.register(Scope)
class ScopeAdmin(Audited):
    form = ScopeForm
    list_display = ("code", "partner", "resource", "purpose", "mandatory", "active")
    list_filter = ("partner", "mandatory", "active")
    list_select_related = ("partner", "purpose")

    def get_readonly_fields(self, request, obj=None):
        # The code is what tokens carry: fixed once created, as is the partner.
        return ("partner", "code", "created_at") if obj is not None else ("created_at",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "resource":
            return forms.ChoiceField(
                label="Ressource de l'API",
                choices=[(code, f"{code} — {r.label}") for code, r in RESOURCES.items()],
            )
        if db_field.name == "fields":
            return forms.MultipleChoiceField(
                label="Champs autorisés (le masque)",
                choices=[(code, f"{code} — {label}") for code, label in FIELD_LABELS.items()],
                widget=forms.CheckboxSelectMultiple,
                help_text="Seulement des champs de la ressource choisie.",
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        actions.do_save_scope(request.user, obj)


class SubscriptionForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ["partner", "scope", "event", "recipient", "push", "active"]

    def clean(self):
        data = super().clean()
        instance = self.instance

        def value(name):
            if name in data:
                return data[name]
            return getattr(instance, name) if getattr(instance, f"{name}_id", True) else None

        partner, scope = value("partner"), value("scope")
        if partner is None or scope is None or not value("event"):
            return data  # the missing field already has its error
        try:
            actions.check_subscription(
                partner, scope, value("event"), value("recipient") or "", bool(value("push"))
            )
        except ConfigurationError as error:
            raise _refused(error) from None
        return data


@admin.register(Subscription)
class SubscriptionAdmin(Audited):
    form = SubscriptionForm
    list_display = ("partner", "event", "scope", "recipient", "push", "active", "created_at")
    list_filter = ("partner", "event", "push", "active")
    list_select_related = ("partner", "scope")

    def get_readonly_fields(self, request, obj=None):
        # Another partner, scope or event is another subscription.
        return ("partner", "scope", "event", "created_at") if obj is not None else ("created_at",)

    def save_model(self, request, obj, form, change):
        actions.do_save_subscription(request.user, obj)


# ---- Deliveries -------------------------------------------------------------------------------


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "created_at",
        "partner",
        "event_kind",
        "scope",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
    )
    list_filter = ("status", "event__kind", "subscription__partner")
    list_select_related = ("event", "subscription__partner", "subscription__scope")
    readonly_fields = (
        "key",
        "event",
        "subscription",
        "status",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "last_status_code",
        "last_error",
        "last_log_seq",
        "delivered_at",
        "position",
        "locked_until",
        "locked_by",
        "created_at",
    )
    actions = ["retry"]

    @admin.display(description="partenaire", ordering="subscription__partner__name")
    def partner(self, obj):
        return obj.subscription.partner

    @admin.display(description="événement", ordering="event__kind")
    def event_kind(self, obj):
        return obj.event.get_kind_display()

    @admin.display(description="périmètre")
    def scope(self, obj):
        return obj.subscription.scope.code

    def has_retry_permission(self, request):
        return request.user.has_perm("exchange.change_outboxmessage")

    @admin.action(
        description="Relancer les livraisons sélectionnées (en échec ou annulées)",
        permissions=["retry"],
    )
    def retry(self, request, queryset):
        retried, refused = 0, 0
        for message in queryset:
            try:
                actions.do_retry_delivery(request.user, message)
                retried += 1
            except ConfigurationError:
                refused += 1
        if retried:
            self.message_user(
                request,
                f"{retried} livraison(s) relancée(s) : le livreur les reprend dès maintenant.",
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                f"{refused} livraison(s) ignorée(s) : ni en échec ni annulée(s).",
                messages.WARNING,
            )


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "occurred_at", "contract", "declaration", "version")
    list_filter = ("kind",)
    list_select_related = ("contract", "declaration", "version__declaration")


# ---- What is only read -------------------------------------------------------------------------


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("person", "partner", "created_at", "withdrawn_at")


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "hash", "body")


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ("number", "seq", "at", "key_id")


@admin.register(AccessJournal)
class AccessJournalAdmin(ReadOnlyAdmin):
    list_display = ("at", "person", "partner", "scope", "outcome", "log_seq")
    list_filter = ("partner", "outcome")
    list_select_related = ("person", "partner", "scope")
