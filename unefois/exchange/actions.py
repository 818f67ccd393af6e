"""State changes of the exchange room: a person objects (or withdraws their objection); an
operator registers a partner, its public keys (or revokes one), its purposes, scopes and
subscriptions, or retries a failed delivery (the back office, ``admin.py``, calls these and
nothing else). Each writes its audit row; the ``check_*`` functions say, in French, why a
configuration is refused (the back-office forms call them too)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.db import models, transaction
from django.utils import timezone
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry

from unefois.audit.services import record
from unefois.people.models import Person

from .models import (
    DeliveryStatus,
    Objection,
    OutboxMessage,
    Partner,
    PartnerKey,
    Purpose,
    Scope,
    Subscription,
)
from .outbox import SUPPORTED
from .resources import RESOURCES

PUBLIC_KEY_TYPES = {"RSA", "EC", "OKP"}
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


class KeyRefusedError(ValueError):
    """The key cannot be registered (the message is for the operator, in French)."""


class ConfigurationError(ValueError):
    """A partner's configuration is refused (the message is for the operator, in French)."""


@transaction.atomic
def do_object(actor, person: Person, partner: Partner | None = None) -> Objection:
    """The person objects to non-mandatory exchanges (with ``partner``, or with all)."""
    existing = Objection.objects.filter(
        person=person, partner=partner, withdrawn_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    objection = Objection.objects.create(person=person, partner=partner)
    record(
        actor,
        "echanges.opposition",
        objection,
        None,
        {"person": person.pk, "partner": partner.client_id if partner else None},
    )
    return objection


@transaction.atomic
def do_withdraw_objection(actor, objection: Objection) -> Objection:
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.withdrawn_at is None:
        objection.withdrawn_at = timezone.now()
        objection.save(update_fields=["withdrawn_at"])
        record(
            actor,
            "echanges.opposition_retiree",
            objection,
            {"withdrawn_at": None},
            {"withdrawn_at": objection.withdrawn_at},
        )
    return objection


def _public_jwk(jwk: dict) -> tuple[str, dict]:
    if not isinstance(jwk, dict) or jwk.get("kty") not in PUBLIC_KEY_TYPES:
        raise KeyRefusedError("Une clé publique JWK (kty RSA, EC ou OKP) est attendue.")
    if PRIVATE_MEMBERS & set(jwk):
        raise KeyRefusedError(
            "Cette clé contient sa partie privée : n'enregistrez que la clé publique "
            "(la clé privée reste chez le partenaire)."
        )
    try:
        key = JWKRegistry.import_key(jwk)
    except (JoseError, ValueError, TypeError) as error:
        raise KeyRefusedError(f"Clé illisible : {error}") from None
    if key.key_type == "RSA" and key.raw_value.key_size < 2048:
        raise KeyRefusedError("Clé RSA trop courte : 2048 bits au moins.")
    public = key.as_dict(private=False)
    kid = jwk.get("kid") or key.thumbprint()
    public["kid"] = kid
    return kid, public


@transaction.atomic
def do_register_key(actor, partner: Partner, jwk: dict) -> PartnerKey:
    """Register one public key of a partner (a JWK; its ``kid``, or its RFC 7638 thumbprint)."""
    kid, public = _public_jwk(jwk)
    if PartnerKey.objects.filter(partner=partner, kid=kid).exists():
        raise KeyRefusedError(f"Le partenaire {partner.client_id} a déjà une clé « {kid} ».")
    key = PartnerKey.objects.create(partner=partner, kid=kid, jwk=public)
    record(actor, "echanges.cle_ajoutee", key, None, {"partner": partner.client_id, "kid": kid})
    return key


def do_register_jwks(actor, partner: Partner, jwks: dict) -> list[PartnerKey]:
    """Register every key of a JWKS document (``{"keys": [...]}``) or a single JWK."""
    items = jwks.get("keys") if isinstance(jwks, dict) and "keys" in jwks else [jwks]
    if not isinstance(items, list) or not items:
        raise KeyRefusedError('Le document ne contient aucune clé (JWKS : {"keys": [...]}).')
    with transaction.atomic():
        return [do_register_key(actor, partner, item) for item in items]


@transaction.atomic
def do_revoke_key(actor, key: PartnerKey) -> PartnerKey:
    key = PartnerKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        record(actor, "echanges.cle_revoquee", key, None, {"kid": key.kid})
    return key


def check_jwks(partner: Partner | None, document: Any) -> list[tuple[str, dict]]:
    """The public keys of a JWKS document (or of one JWK), each checked as ``do_register_key``
    does; raises ``KeyRefusedError`` for a private key, an unreadable one, or a ``kid`` the
    partner already has."""
    items = (
        document.get("keys") if isinstance(document, dict) and "keys" in document else [document]
    )
    if not isinstance(items, list) or not items:
        raise KeyRefusedError('Le document ne contient aucune clé (JWKS : {"keys": [...]}).')
    keys = [_public_jwk(item) for item in items]
    kids = [kid for kid, _ in keys]
    if len(set(kids)) != len(kids):
        raise KeyRefusedError("Le document contient deux clés de même identifiant (kid).")
    if partner is not None and partner.pk is not None:
        taken = set(
            PartnerKey.objects.filter(partner=partner, kid__in=kids).values_list("kid", flat=True)
        )
        if taken:
            raise KeyRefusedError(
                f"Le partenaire {partner.client_id} a déjà une clé « {sorted(taken)[0]} »."
            )
    return keys


# ---- The back office: partners, purposes, scopes, subscriptions, deliveries -------------------

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
SIRET = re.compile(r"^[0-9]{14}$")


def _values(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


@transaction.atomic
def _save(actor, obj: models.Model, fields: list[str], action: str) -> models.Model:
    """Save ``obj`` and write its audit row: the fields that changed, before and after."""
    created = obj._state.adding or obj.pk is None
    old = None
    if not created:
        old = _values(type(obj).objects.select_for_update().get(pk=obj.pk), fields)
    obj.save()
    new = _values(obj, fields)
    if old is not None:
        changed = [name for name in fields if old[name] != new[name]]
        if not changed:
            return obj
        old = {name: old[name] for name in changed}
        new = {name: new[name] for name in changed}
    record(actor, f"{action}_{'cree' if created else 'modifie'}", obj, old, new)
    return obj


def check_webhook(url: str, partner_pk: int | None = None) -> None:
    """https only (http on this machine, for development); and not emptied while push
    subscriptions are active."""
    if url:
        parts = urlsplit(url)
        local = parts.scheme == "http" and (parts.hostname or "") in LOCAL_HOSTS
        if not (parts.scheme == "https" and parts.hostname) and not local:
            raise ConfigurationError(
                "L'adresse du webhook doit être en https (http n'est admis qu'en local)."
            )
        return
    if (
        partner_pk is not None
        and Subscription.objects.filter(partner_id=partner_pk, push=True, active=True).exists()
    ):
        raise ConfigurationError(
            "Des abonnements livrés au webhook sont actifs : désactivez-les, ou passez-les au "
            "flux, avant d'effacer l'adresse du webhook."
        )


PARTNER_FIELDS = ["client_id", "name", "kind", "active", "rate_per_second", "burst", "webhook_url"]


def do_save_partner(actor, partner: Partner) -> Partner:
    """Register a partner, or change it (its keys: ``do_register_jwks``, ``do_revoke_key``)."""
    check_webhook(partner.webhook_url, partner.pk)
    if partner.rate_per_second < 0:
        raise ConfigurationError("Le débit ne peut pas être négatif.")
    return _save(actor, partner, PARTNER_FIELDS, "echanges.partenaire")


def do_save_purpose(actor, purpose: Purpose) -> Purpose:
    if not (purpose.code or "").strip() or not (purpose.label or "").strip():
        raise ConfigurationError("Une finalité a un code et un libellé.")
    return _save(actor, purpose, ["code", "label"], "echanges.finalite")


def check_scope(resource: str, fields: Any, scope_pk: int | None = None) -> list[str]:
    """The scope's fields, in the resource's order; raises ``ConfigurationError`` for an
    unknown resource, an empty mask or a field the resource does not have. A scope that has
    subscriptions keeps a resource that can carry their events."""
    if resource not in RESOURCES:
        raise ConfigurationError(f"Ressource inconnue : « {resource} ».")
    known = list(RESOURCES[resource].fields)
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
        raise ConfigurationError("Un périmètre a au moins un champ (une liste de noms).")
    unknown = sorted(set(fields) - set(known))
    if unknown:
        raise ConfigurationError(
            f"Champ(s) que la ressource « {resource} » n'a pas : {', '.join(unknown)}."
        )
    if scope_pk is not None:
        for event in Subscription.objects.filter(scope_id=scope_pk).values_list("event", flat=True):
            if resource not in SUPPORTED.get(event, ()):
                raise ConfigurationError(
                    f"Ce périmètre a un abonnement « {event} » que la ressource « {resource} » "
                    "ne peut pas servir : changez ou désactivez d'abord l'abonnement."
                )
    return [f for f in known if f in set(fields)]


SCOPE_FIELDS = [
    "partner_id",
    "code",
    "label",
    "resource",
    "fields",
    "purpose_id",
    "legal_basis",
    "legal_basis_note",
    "mandatory",
    "active",
]


def do_save_scope(actor, scope: Scope) -> Scope:
    """Create or change a scope (its mask: fields of its resource only)."""
    scope.fields = check_scope(scope.resource, scope.fields, scope.pk)
    if not (scope.legal_basis or "").strip():
        raise ConfigurationError("Indiquez la base légale du périmètre.")
    return _save(actor, scope, SCOPE_FIELDS, "echanges.perimetre")


def check_subscription(
    partner: Partner | None, scope: Scope | None, event: str, recipient: str, push: bool
) -> None:
    if partner is None or scope is None:
        raise ConfigurationError("Un abonnement a un partenaire et un périmètre.")
    if scope.partner_id != partner.pk:
        raise ConfigurationError(
            f"Le périmètre {scope.code} n'est pas celui du partenaire {partner.client_id}."
        )
    if scope.resource not in SUPPORTED.get(event, ()):
        possible = sorted(SUPPORTED.get(event, ()))
        raise ConfigurationError(
            f"La ressource « {scope.resource} » du périmètre ne peut pas porter cet événement "
            f"(ressources possibles : {', '.join(possible) or 'aucune'})."
        )
    if not SIRET.match(recipient or ""):
        raise ConfigurationError("Le destinataire est le SIRET du service : 14 chiffres.")
    if push and not partner.webhook_url:
        raise ConfigurationError(
            "Le partenaire n'a pas d'adresse de webhook : enregistrez-la, ou choisissez le flux "
            "seulement."
        )


SUBSCRIPTION_FIELDS = ["partner_id", "scope_id", "event", "recipient", "push", "active"]


def do_save_subscription(actor, subscription: Subscription) -> Subscription:
    """Subscribe a partner's scope to an event (pushed to its webhook, or in its feed only)."""
    check_subscription(
        subscription.partner if subscription.partner_id else None,
        subscription.scope if subscription.scope_id else None,
        subscription.event,
        subscription.recipient,
        subscription.push,
    )
    return _save(actor, subscription, SUBSCRIPTION_FIELDS, "echanges.abonnement")


RETRYABLE = {DeliveryStatus.FAILED, DeliveryStatus.CANCELLED}


@transaction.atomic
def do_retry_delivery(actor, message: OutboxMessage) -> OutboxMessage:
    """Deliver again a failed (or cancelled) message: from its first attempt, now."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status not in RETRYABLE:
        raise ConfigurationError(
            "Seule une livraison en échec ou annulée peut être relancée "
            f"(celle-ci est « {message.get_status_display()} »)."
        )
    old = {"status": message.status, "attempts": message.attempts, "error": message.last_error}
    message.status = DeliveryStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.locked_until, message.locked_by = None, ""
    message.last_error = ""
    message.save(
        update_fields=[
            "status",
            "attempts",
            "next_attempt_at",
            "locked_until",
            "locked_by",
            "last_error",
        ]
    )
    record(
        actor,
        "echanges.livraison_relancee",
        message,
        old,
        {"status": message.status, "attempts": 0},
    )
    return message
