"""State changes of the exchange room: a person objects (or withdraws their objection); an
operator registers or revokes a partner's public key. Each writes its audit row."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry

from unefois.audit.services import record
from unefois.people.models import Person

from .models import Objection, Partner, PartnerKey

PUBLIC_KEY_TYPES = {"RSA", "EC", "OKP"}
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


class KeyRefusedError(ValueError):
    """The key cannot be registered (the message is for the operator, in French)."""


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
