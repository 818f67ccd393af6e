"""The OpenID provider, built on Authlib's server side.

- authorization code grant (``authlib.oauth2.rfc6749.grants``) with the OpenID Connect extension
  (``authlib.oidc.core.grants.OpenIDCode``, nonce required) and PKCE (``rfc7636``) required with
  the S256 method only;
- client authentication at the token endpoint by ``client_secret_post`` or
  ``client_secret_basic``;
- ID tokens signed RS256 with the key of ``keys``, carrying ``acr`` (``eidas1``, or ``eidas0``
  for the test identity that must be refused) and, as FranceConnect v2, only ``sub`` as identity
  claim: the identity itself comes from the userinfo endpoint, as a signed JWT;
- RP-initiated logout (``authlib.oidc.rpinitiated``).

The issuer is this server's own address (``<scheme>://<host>/fc-dev``), so a server is built
for each request. Clients come from the ``DEVIDP_CLIENTS`` setting; their redirect URIs may be
paths, understood on the provider's own origin (the dev client runs on the same server).
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import urljoin

from authlib.integrations.django_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, InvalidRequestError, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.rpinitiated import EndSessionEndpoint
from django.conf import settings
from django.urls import reverse

from . import identities, keys
from .models import AccessToken, AuthorizationCode

SCOPES = ("openid", *identities.CLAIMS)
TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_post", "client_secret_basic")
SESSION_KEY = "devidp_sub"


def issuer_for(request) -> str:
    """This provider's issuer, as seen by whoever sent ``request``."""
    return request.build_absolute_uri(reverse("devidp:index")).rstrip("/")


def origin_of(request) -> str:
    return request.build_absolute_uri("/")


@dataclass
class Client(ClientMixin):
    """A relying party registered in ``settings.DEVIDP_CLIENTS``."""

    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)
    post_logout_redirect_uris: list[str] = field(default_factory=list)
    name: str = ""
    id_token_signed_response_alg: str = keys.ALGORITHM

    @property
    def client_metadata(self) -> dict:
        return {
            "post_logout_redirect_uris": self.post_logout_redirect_uris,
            "userinfo_signed_response_alg": keys.ALGORITHM,
        }

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None  # FranceConnect requires redirect_uri in every request

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return hmac.compare_digest(self.client_secret.encode(), (client_secret or "").encode())

    def check_endpoint_auth_method(self, method, endpoint):
        return endpoint == "token" and method in TOKEN_ENDPOINT_AUTH_METHODS

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


def client_by_id(client_id: str, origin: str = "") -> Client | None:
    for entry in getattr(settings, "DEVIDP_CLIENTS", []):
        if entry["client_id"] == client_id:
            return Client(
                client_id=entry["client_id"],
                client_secret=entry["client_secret"],
                redirect_uris=[urljoin(origin, u) for u in entry.get("redirect_uris", [])],
                post_logout_redirect_uris=[
                    urljoin(origin, u) for u in entry.get("post_logout_redirect_uris", [])
                ],
                name=entry.get("name", entry["client_id"]),
            )
    return None


class S256Required(CodeChallenge):
    """PKCE is mandatory, and only with S256 (``plain`` would defeat it)."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: missing 'code_challenge'.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE is required with code_challenge_method=S256.")
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(TOKEN_ENDPOINT_AUTH_METHODS)

    def save_authorization_code(self, code, request):
        data = request.payload.data
        AuthorizationCode.objects.create(
            code=code,
            client_id=request.client.get_client_id(),
            redirect_uri=request.payload.redirect_uri or "",
            scope=request.scope or "",
            sub=request.user.sub,
            acr=request.user.acr,
            nonce=data.get("nonce") or "",
            auth_time=int(time.time()),
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
        )

    def query_authorization_code(self, code, client):
        item = AuthorizationCode.objects.filter(code=code, client_id=client.get_client_id()).first()
        if item is not None and not item.is_expired():
            return item
        return None

    def delete_authorization_code(self, authorization_code):
        authorization_code.delete()

    def authenticate_user(self, authorization_code):
        return identities.find(authorization_code.sub)


class IdToken(OpenIDCode):
    """The OpenID Connect part of the code grant: the signed ID token."""

    def __init__(self, issuer: str):
        super().__init__(require_nonce=True)
        self.issuer = issuer

    def exists_nonce(self, nonce, request):
        return AuthorizationCode.objects.filter(
            client_id=request.payload.client_id, nonce=nonce
        ).exists()

    def resolve_client_private_key(self, client):
        return keys.signing_key()

    def get_client_algorithm(self, client):
        return keys.ALGORITHM

    def get_client_claims(self, client):
        return {"iss": self.issuer, "aud": client.get_client_id()}

    def get_encode_header(self, client):
        return {"alg": keys.ALGORITHM, "kid": keys.signing_key().kid, "typ": "JWT"}

    def generate_user_info(self, user, scope):
        return UserInfo(sub=user.sub)


class EndSession(EndSessionEndpoint):
    def get_server_jwks(self):
        return keys.public_jwks()

    def get_algorithms(self):
        return [keys.ALGORITHM]

    def end_session(self, end_session_request):
        pass  # the view forgets the identity chosen in this browser (SESSION_KEY)


class Server(AuthorizationServer):
    def __init__(self, request):
        super().__init__(client_model=None, token_model=AccessToken)
        self.issuer = issuer_for(request)
        self.origin = origin_of(request)
        self.scopes_supported = list(SCOPES)
        self.register_grant(CodeGrant, [IdToken(self.issuer), S256Required()])
        self.register_endpoint(EndSession)

    def load_config(self, config):
        # Access tokens live one minute, as FranceConnect's: enough to fetch userinfo once.
        super().load_config({"token_expires_in": {"authorization_code": 60}, **config})

    def query_client(self, client_id):
        return client_by_id(client_id, self.origin)

    def save_token(self, token, request):
        return AccessToken.objects.create(
            access_token=token["access_token"],
            token_type=token.get("token_type", "Bearer"),
            client_id=request.client.get_client_id(),
            sub=request.user.sub,
            scope=token.get("scope", ""),
            issued_at=int(time.time()),
            expires_in=token.get("expires_in", 60),
        )


def metadata(request) -> dict:
    """The discovery document (OpenID Connect Discovery 1.0)."""
    issuer = issuer_for(request)
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks",
        "end_session_endpoint": f"{issuer}/logout",
        "scopes_supported": list(SCOPES),
        "claims_supported": ["sub", *identities.CLAIMS],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [keys.ALGORITHM],
        "userinfo_signing_alg_values_supported": [keys.ALGORITHM],
        "token_endpoint_auth_methods_supported": list(TOKEN_ENDPOINT_AUTH_METHODS),
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": [identities.ACR_FAIBLE],
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "ui_locales_supported": ["fr"],
    }
