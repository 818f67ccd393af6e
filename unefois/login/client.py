"""The OpenID Connect client (relying party) of FranceConnect v2, built on Authlib.

Authlib's Django client (``authlib.integrations.django_client``) does the protocol: discovery,
the authorization URL with PKCE (S256), ``state`` and ``nonce``, the code exchange, the ID token
check (signature against the provider's JWKS with joserfc, ``iss``, ``aud``, ``exp``, ``nonce``)
and the end-session URL. This module adds what FranceConnect asks of a service:

- ``acr_values=eidas1`` and a refusal of any identity verified below it;
- the userinfo response, which FranceConnect v2 sends as a signed JWT (checked like the ID token;
  a plain JSON response is accepted too), whose ``sub`` must be the ID token's;
- one error type, ``SignInError``, whose ``reason`` the views turn into a French page.

It speaks to any OpenID provider through its published metadata only: the development provider
(``unefois.devidp``) is reached like FranceConnect, through
``<issuer>/.well-known/openid-configuration``.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass

import requests
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App, OAuthError
from django.conf import settings
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

logger = logging.getLogger(__name__)

SCOPE = (
    "openid given_name family_name birthdate gender birthplace birthcountry email "
    "preferred_username"
)
IDENTITY_CLAIMS = tuple(SCOPE.split()[1:])

# eIDAS levels of assurance as FranceConnect names them ("eidas1" = faible); anything else
# (eidas0, nothing, an unknown value) is below all of them.
ACR_LEVELS = {"eidas1": 1, "eidas2": 2, "eidas3": 3}
DEFAULT_ACR = "eidas1"

# Signature algorithms accepted for ID tokens and userinfo: FranceConnect v2 signs with ES256
# or RS256. Never "none", never a symmetric algorithm.
SIGNING_ALGORITHMS = ("ES256", "RS256", "PS256", "ES384", "RS384", "PS384", "ES512", "RS512")

SELF_ISSUER_PATH = "/fc-dev"  # where the dev and test settings mount the development provider
ID_TOKEN_SESSION_KEY = "oidc_id_token"  # kept for the logout's id_token_hint
HTTP_TIMEOUT = 10  # seconds, for every call to the provider
METADATA_TTL = 3600  # seconds before discovery metadata and keys are fetched again
CLIENT_NAME = "franceconnect"  # names the state entries in the session


class SignInError(Exception):
    """Sign-in cannot go on. ``reason`` is one of the keys of ``views.ERRORS``."""

    def __init__(self, reason: str, detail: str = "", next_url: str = "/"):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.next_url = next_url


@dataclass(frozen=True)
class SignIn:
    claims: dict  # sub, acr and the identity claims, ready for do_sign_in
    id_token: str
    next_url: str


def provider_settings() -> dict:
    conf = dict(getattr(settings, "OIDC_PROVIDER", {}) or {})
    if not all(conf.get(k) for k in ("issuer", "client_id", "client_secret")):
        raise SignInError("config", "OIDC_PROVIDER needs issuer, client_id and client_secret")
    conf.setdefault("acr_values", DEFAULT_ACR)
    conf.setdefault("token_endpoint_auth_method", "client_secret_post")
    return conf


def issuer_for(request, conf: dict) -> str:
    """The issuer; ``"self"`` means the development provider on this very server."""
    if conf["issuer"] == "self":
        return request.build_absolute_uri(conf.get("self_path", SELF_ISSUER_PATH))
    return conf["issuer"]


_lock = threading.Lock()
_apps: dict[tuple[str, str], tuple[float, DjangoOAuth2App]] = {}


def remote_app(request) -> tuple[DjangoOAuth2App, str, dict]:
    """Authlib's client for the configured provider, its issuer and its checked metadata."""
    conf = provider_settings()
    issuer = issuer_for(request, conf)
    key = (issuer, conf["client_id"])
    with _lock:
        created, app = _apps.get(key, (0.0, None))
        if app is None or time.monotonic() - created > METADATA_TTL:
            app = DjangoOAuth2App(
                DjangoIntegration(CLIENT_NAME),
                CLIENT_NAME,
                client_id=conf["client_id"],
                client_secret=conf["client_secret"],
                server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
                client_kwargs={
                    "scope": SCOPE,
                    "code_challenge_method": "S256",
                    "token_endpoint_auth_method": conf["token_endpoint_auth_method"],
                    "default_timeout": HTTP_TIMEOUT,
                    # The access token serves once, right away, for userinfo; FranceConnect's
                    # lives 60 s, which Authlib's default leeway (60 s) would call expired.
                    "leeway": 0,
                },
            )
            _apps[key] = (time.monotonic(), app)
    try:
        metadata = app.load_server_metadata()
    except requests.RequestException as error:
        raise SignInError("unavailable", f"discovery: {error}") from error
    except ValueError as error:
        raise SignInError("unavailable", f"discovery: not JSON ({error})") from error
    if metadata.get("issuer") != issuer:
        # OpenID Connect Discovery §4.3: the metadata must name the issuer it was fetched for.
        with _lock:
            _apps.pop(key, None)
        raise SignInError("unavailable", f"discovery: issuer {metadata.get('issuer')!r}")
    algs = metadata.get("id_token_signing_alg_values_supported") or ["ES256", "RS256"]
    metadata["id_token_signing_alg_values_supported"] = [a for a in algs if a in SIGNING_ALGORITHMS]
    return app, issuer, metadata


def start(request, redirect_uri: str, next_url: str) -> str:
    """Remember a new authorization request in the session; return the URL to send the user to."""
    app, issuer, _ = remote_app(request)
    conf = provider_settings()
    nonce = secrets.token_urlsafe(32)
    rv = app.create_authorization_url(
        redirect_uri,
        state=secrets.token_urlsafe(32),
        nonce=nonce,
        acr_values=conf["acr_values"],
    )
    app.framework.set_state_data(
        request.session,
        rv["state"],
        {
            "redirect_uri": redirect_uri,
            "code_verifier": rv["code_verifier"],
            "nonce": nonce,
            "issuer": issuer,
            "next": next_url,
        },
    )
    return rv["url"]


def finish(request) -> SignIn:
    """Complete the authorization-code flow from the provider's redirect to our callback."""
    app, issuer, metadata = remote_app(request)
    state = request.GET.get("state", "")
    data = app.framework.get_state_data(request.session, state) if state else None
    if state:
        app.framework.clear_state_data(request.session, state)
    if not data or data.get("issuer") != issuer:
        raise SignInError("state", "unknown or expired state")
    next_url = data.get("next") or "/"
    try:
        return _finish(request, app, issuer, metadata, data)
    except SignInError as error:
        error.next_url = next_url
        raise
    except OAuthError as error:
        raise SignInError("refused", f"{error.error}: {error.description}", next_url) from error
    except requests.HTTPError as error:
        status = error.response.status_code if error.response is not None else 0
        reason = "refused" if 400 <= status < 500 else "unavailable"
        raise SignInError(reason, str(error), next_url) from error
    except requests.RequestException as error:
        raise SignInError("unavailable", str(error), next_url) from error
    except JoseError as error:
        raise SignInError("invalid_token", repr(error), next_url) from error


def _finish(request, app, issuer: str, metadata: dict, data: dict) -> SignIn:
    conf = provider_settings()
    error = request.GET.get("error")
    if error:
        reason = "denied" if error == "access_denied" else "refused"
        raise SignInError(reason, f"{error}: {request.GET.get('error_description', '')}")
    code = request.GET.get("code")
    if not code:
        raise SignInError("refused", "no code in the redirect")

    token = app.fetch_access_token(
        redirect_uri=data["redirect_uri"], code=code, code_verifier=data["code_verifier"]
    )
    if not token.get("id_token"):
        raise SignInError("invalid_token", "no ID token in the token response")
    id_claims = app.parse_id_token(
        token,
        nonce=data["nonce"],
        claims_options={
            "iss": {"essential": True, "value": issuer},
            "aud": {"essential": True, "value": conf["client_id"]},
            "sub": {"essential": True},
            "exp": {"essential": True},
            "iat": {"essential": True},
            "nonce": {"essential": True, "value": data["nonce"]},
        },
        leeway=60,
    )

    acr = id_claims.get("acr")
    if ACR_LEVELS.get(acr, 0) < ACR_LEVELS[conf["acr_values"]]:
        raise SignInError("acr", f"acr={acr!r}")

    userinfo = _userinfo(app, issuer, metadata, token, conf["client_id"])
    if userinfo.get("sub") != id_claims["sub"]:
        raise SignInError("invalid_token", "userinfo sub differs from the ID token's")
    claims = {k: userinfo[k] for k in IDENTITY_CLAIMS if userinfo.get(k)}
    claims.update(sub=id_claims["sub"], acr=acr)
    return SignIn(claims=claims, id_token=token["id_token"], next_url=data.get("next") or "/")


def _userinfo(app, issuer: str, metadata: dict, token: dict, client_id: str) -> dict:
    response = app.get(metadata["userinfo_endpoint"], token=token)
    response.raise_for_status()
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type != "application/jwt":
        info = response.json()
        if not isinstance(info, dict):
            raise SignInError("invalid_token", "userinfo is not a JSON object")
        return info
    algorithms = metadata.get("userinfo_signing_alg_values_supported") or SIGNING_ALGORITHMS
    algorithms = [a for a in algorithms if a in SIGNING_ALGORITHMS]
    try:
        decoded = jwt.decode(
            response.text, KeySet.import_key_set(app.fetch_jwk_set()), algorithms=algorithms
        )
    except InvalidKeyIdError:  # the provider rotated its keys
        keys = KeySet.import_key_set(app.fetch_jwk_set(force=True))
        decoded = jwt.decode(response.text, keys, algorithms=algorithms)
    jwt.JWTClaimsRegistry(
        leeway=60,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
    ).validate(decoded.claims)
    return dict(decoded.claims)


def end_session_url(request, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's logout URL (RP-initiated logout), or None if it has none or is down."""
    try:
        app, _, metadata = remote_app(request)
    except SignInError as error:
        logger.warning("sign-out: provider not reachable (%s); logged out locally only", error)
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return app.create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri,
        id_token_hint=id_token,
        state=secrets.token_urlsafe(32),
    )["url"]
