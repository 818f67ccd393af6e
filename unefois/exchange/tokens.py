"""OAuth2 client credentials for partners, with ``private_key_jwt`` client authentication
(RFC 7523 §2.2 and OpenID Connect Core §9) and short-lived JWT access tokens (RFC 9068), on
joserfc (the JOSE library of Authlib): no cryptography written here.

- The partner signs a client assertion with one of its registered private keys: ``iss`` = ``sub``
  = its ``client_id``, ``aud`` = our token endpoint (or our issuer), ``exp`` within 5 minutes, a
  unique ``jti`` (a replayed assertion is refused).
- We answer with an access token signed RS256, ``typ`` = ``at+jwt``, valid 5 minutes, carrying
  ``iss``, ``aud`` (the partner API), ``sub`` = ``client_id``, ``scope``, ``jti``, ``iat``, ``exp``.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry
from joserfc.jwt import JWTClaimsRegistry

from . import keys
from .models import ConfigStamp, Partner, Scope, UsedAssertion

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = ["RS256", "PS256", "ES256", "Ed25519"]
TOKEN_ALGORITHM = "RS256"
BASE_PATH = "/api/partenaires"


class OAuthError(Exception):
    """An error of the token endpoint (RFC 6749 §5.2), its description in French."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


class InvalidTokenError(Exception):
    """An access token that cannot be accepted (the reason is for the logs, not the caller)."""


def _setting(name: str, default):
    return getattr(settings, name, default)


def issuer(request) -> str:
    """Our issuer identifier: ``EXCHANGE_ISSUER``, or this server's ``/api/partenaires``."""
    configured = _setting("EXCHANGE_ISSUER", "")
    if configured:
        return configured.rstrip("/")
    return request.build_absolute_uri(BASE_PATH)


def configured_issuer() -> str:
    """Our issuer outside a request (the worker signing pushed events): ``EXCHANGE_ISSUER``, to
    set in production (the same as the tokens'), else a name that says it is not set."""
    return (_setting("EXCHANGE_ISSUER", "") or "urn:unefois:api-partenaires").rstrip("/")


def token_endpoint(request) -> str:
    return f"{issuer(request)}/jeton"


def audience(request) -> str:
    return f"{issuer(request)}/v1"


def _leeway() -> int:
    return int(_setting("EXCHANGE_LEEWAY", 30))


# ---- The partners' configuration, kept in memory --------------------------------------------


@dataclass(frozen=True)
class PartnerConfig:
    """What the API needs to know of an active partner: the partner, its active scopes (with
    their purpose) and its public keys not revoked (imported, with their ``kid``)."""

    partner: Partner
    scopes: tuple[Scope, ...]
    keys: tuple[tuple[str, Any], ...]


_cache_lock = threading.Lock()
_cache: tuple[Any, dict[str, PartnerConfig | None]] = (None, {})


def _stamp(using: str) -> int | None:
    """The configuration's stamp (changed by triggers on every write to partners, keys, scopes
    and purposes; see ``ConfigStamp``); None if its row is missing."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT stamp FROM {ConfigStamp._meta.db_table} WHERE id = 1", [])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _load_config(client_id: str, using: str) -> PartnerConfig | None:
    partner = Partner.objects.using(using).filter(client_id=client_id, active=True).first()
    if partner is None:
        return None
    scopes = Scope.objects.using(using).filter(partner=partner, active=True)
    keys = []
    for row in partner.keys.using(using).filter(revoked_at__isnull=True).order_by("pk"):
        try:
            keys.append((row.kid, JWKRegistry.import_key(row.jwk)))
        except (JoseError, ValueError, TypeError):
            continue
    return PartnerConfig(partner, tuple(scopes.select_related("purpose")), tuple(keys))


def partner_config(client_id: str) -> PartnerConfig | None:
    """The configuration of the active partner ``client_id`` (None if unknown or inactive).

    Each process keeps the configurations it has read; every call reads the stamp (one short
    query) and, when it has changed — a partner deactivated, a key revoked or added, a scope
    changed, by whatever means — forgets them all and reads again. A change is thus seen by the
    very next call, in every process."""
    global _cache
    using = router.db_for_read(Partner)
    stamp = _stamp(using)
    if stamp is None:  # no stamp to compare with (a flushed database): no cache
        return _load_config(client_id, using)
    key = (using, stamp)
    current_key, configs = _cache
    if current_key == key and client_id in configs:
        return configs[client_id]
    config = _load_config(client_id, using)
    with _cache_lock:
        current_key, configs = _cache
        if current_key != key:
            configs = {}
            _cache = (key, configs)
        configs[client_id] = config
    return config


# ---- Client authentication (RFC 7523) --------------------------------------------------------


def authenticate_client(request, assertion_type: str, assertion: str, client_id: str) -> Partner:
    """The partner that signed the assertion; raises ``OAuthError`` (401) otherwise."""

    def refuse(description: str) -> OAuthError:
        return OAuthError("invalid_client", description, status=401)

    if assertion_type != ASSERTION_TYPE:
        raise refuse(f"client_assertion_type doit valoir « {ASSERTION_TYPE} » (RFC 7523).")
    if not assertion:
        raise refuse("client_assertion manquant : signez une assertion avec votre clé privée.")
    try:
        unverified = jws.extract_compact(assertion.encode("ascii"))
        claims = json.loads(unverified.payload)
        header = unverified.protected
    except (JoseError, ValueError, TypeError, UnicodeError):
        raise refuse("client_assertion illisible : un JWT signé (JWS compact) attendu.") from None
    if not isinstance(claims, dict) or not isinstance(claims.get("iss"), str):
        raise refuse("client_assertion sans émetteur (iss).")
    cid = claims["iss"]
    if client_id and client_id != cid:
        raise refuse("client_id ne correspond pas à l'émetteur de l'assertion.")
    config = partner_config(cid)
    if config is None:
        raise refuse("Client inconnu ou révoqué.")
    partner = config.partner
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    token = None
    for key in [key for key_id, key in config.keys if not kid or key_id == kid]:
        try:
            token = jwt.decode(assertion, key, algorithms=ASSERTION_ALGORITHMS)
            break
        except JoseError:
            continue
    if token is None:
        raise refuse("Signature de l'assertion invalide : aucune clé enregistrée ne la vérifie.")
    now = int(time.time())
    registry = JWTClaimsRegistry(
        now=now,
        leeway=_leeway(),
        iss={"essential": True, "value": cid},
        sub={"essential": True, "value": cid},
        aud={"essential": True, "values": [token_endpoint(request), issuer(request)]},
        exp={"essential": True},
        jti={"essential": True},
    )
    try:
        registry.validate(token.claims)
    except JoseError as error:
        claim = getattr(error, "claim", "") or "revendications"
        raise refuse(f"Assertion refusée ({claim} : expirée ou invalide).") from None
    exp = token.claims["exp"]
    max_lifetime = int(_setting("EXCHANGE_ASSERTION_MAX_LIFETIME", 300))
    if not isinstance(exp, int | float) or exp - now > max_lifetime + _leeway():
        raise refuse(f"Assertion valable trop longtemps : {max_lifetime} s au plus.")
    expires = dt.datetime.fromtimestamp(exp, dt.UTC)
    try:
        with transaction.atomic():
            UsedAssertion.objects.create(
                partner=partner, jti=str(token.claims["jti"]), expires_at=expires
            )
    except IntegrityError:
        raise refuse("Assertion déjà utilisée (jti rejoué).") from None
    UsedAssertion.objects.filter(
        expires_at__lt=timezone.now() - dt.timedelta(seconds=_leeway())
    ).delete()
    return partner


# ---- Access tokens (RFC 9068) ----------------------------------------------------------------


def grant(partner: Partner, asked: str) -> list[str]:
    """The scopes granted: those asked (all the partner's if none), each active and the
    partner's; raises ``OAuthError`` invalid_scope when one is not."""
    own = set(Scope.objects.filter(partner=partner, active=True).values_list("code", flat=True))
    wanted = asked.split() if asked else sorted(own)
    unknown = [s for s in wanted if s not in own]
    if unknown:
        raise OAuthError("invalid_scope", f"Périmètre(s) non attribué(s) : {' '.join(unknown)}.")
    if not wanted:
        raise OAuthError("invalid_scope", "Aucun périmètre n'est attribué à ce client.")
    return sorted(set(wanted))


def issue(request, partner: Partner, scopes: list[str]) -> dict:
    lifetime = int(_setting("EXCHANGE_TOKEN_LIFETIME", 300))
    now = int(time.time())
    key = keys.token_signing_key()
    claims = {
        "iss": issuer(request),
        "aud": audience(request),
        "sub": partner.client_id,
        "client_id": partner.client_id,
        "scope": " ".join(scopes),
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
    }
    header = {"alg": TOKEN_ALGORITHM, "typ": "at+jwt", "kid": key.kid}
    token = jwt.encode(header, claims, key, algorithms=[TOKEN_ALGORITHM])
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": lifetime,
        "scope": " ".join(scopes),
    }


@dataclass(frozen=True)
class Caller:
    """A partner authenticated by its access token (``config``: its configuration when the
    call was authenticated)."""

    partner: Partner
    scopes: frozenset[str]
    token_id: str
    config: PartnerConfig | None = None


def validate(request, token: str) -> Caller:
    """The caller of an API request, from its bearer token; raises ``InvalidTokenError``."""
    try:
        decoded = jwt.decode(token, keys.token_verification_keys(), algorithms=[TOKEN_ALGORITHM])
    except (JoseError, ValueError, TypeError, UnicodeError) as error:
        raise InvalidTokenError(f"signature ou format : {error}") from None
    if str(decoded.header.get("typ", "")).lower() not in ("at+jwt", "application/at+jwt"):
        raise InvalidTokenError("typ n'est pas at+jwt")
    registry = JWTClaimsRegistry(
        leeway=_leeway(),
        iss={"essential": True, "value": issuer(request)},
        aud={"essential": True, "value": audience(request)},
        exp={"essential": True},
        iat={"essential": True},
        jti={"essential": True},
        sub={"essential": True},
        client_id={"essential": True},
    )
    try:
        registry.validate(decoded.claims)
    except JoseError as error:
        raise InvalidTokenError(f"revendications : {error}") from None
    claims = decoded.claims
    if not isinstance(claims["client_id"], str) or not isinstance(claims.get("scope", ""), str):
        raise InvalidTokenError("client_id ou scope mal formé")
    config = partner_config(claims["client_id"])
    if config is None:
        raise InvalidTokenError("client révoqué")
    scopes = frozenset(claims.get("scope", "").split())
    return Caller(config.partner, scopes, str(claims["jti"]), config)
