"""OAuth2 client credentials with private_key_jwt (RFC 7523) and RFC 9068 access tokens: what is
accepted, and every bad token refused with 401."""

from __future__ import annotations

import time
import uuid

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from unefois.exchange import keys
from unefois.exchange.actions import do_revoke_key
from unefois.exchange.models import Partner, PartnerKey

from .conftest import ISSUER, TOKEN_URL, new_key

pytestmark = pytest.mark.django_db

CPAM_CALL = ("salaires", "indemnites-journalieres")


def cpam_call(client, nir, token):
    return client.call(
        "salaires",
        {"nir": nir, "mois": 3, "jusqu_au": "2025-05"},
        purpose=CPAM_CALL[1],
        token=token,
    )


def test_a_signed_assertion_gets_a_short_lived_at_jwt(partners):
    cpam = partners["cpam"]
    response = cpam.token_response()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    answer = response.json()
    assert answer["token_type"] == "Bearer"
    assert answer["expires_in"] == 300
    assert answer["scope"] == "cpam-salaires"
    decoded = jwt.decode(answer["access_token"], keys.token_verification_keys())
    assert decoded.header["typ"] == "at+jwt"
    assert decoded.header["alg"] == "RS256"
    claims = decoded.claims
    assert claims["iss"] == ISSUER
    assert claims["aud"] == f"{ISSUER}/v1"
    assert claims["sub"] == claims["client_id"] == "cpam"
    assert claims["exp"] - claims["iat"] == 300
    assert claims["jti"]


def test_the_issuer_publishes_its_metadata_and_keys(partners):
    client = partners["cpam"].http
    meta = client.get("/api/partenaires/.well-known/oauth-authorization-server").json()
    assert meta["token_endpoint"] == TOKEN_URL
    assert meta["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert "cpam-salaires" in meta["scopes_supported"]
    jwks = client.get("/api/partenaires/jwks.json").json()
    assert all("d" not in key for key in jwks["keys"])
    assert keys.token_signing_key().kid in {k["kid"] for k in jwks["keys"]}


def _error(response) -> str:
    return response.json()["error"]


def test_a_replayed_assertion_is_refused(partners):
    cpam = partners["cpam"]
    assertion = cpam.assertion()
    assert cpam.token_response(assertion).status_code == 200
    replay = cpam.token_response(assertion)
    assert replay.status_code == 401
    assert _error(replay) == "invalid_client"
    assert "rejoué" in replay.json()["error_description"]


@pytest.mark.parametrize(
    ("case", "make"),
    [
        ("expired", lambda c: c.assertion(issued=int(time.time()) - 3600)),
        ("wrong audience", lambda c: c.assertion(aud="https://ailleurs.example/jeton")),
        ("wrong key", lambda c: c.assertion(key=new_key(c.key.kid))),
        ("unknown key id", lambda c: c.assertion(key=new_key("inconnue"))),
        ("too long-lived", lambda c: c.assertion(lifetime=86_400)),
        ("other client", lambda c: c.assertion(iss="dgfip")),
        ("not a JWT", lambda c: "ceci-n-est-pas-un-jwt"),
    ],
)
def test_a_bad_assertion_is_refused_with_401(partners, case, make):
    cpam = partners["cpam"]
    response = cpam.token_response(make(cpam))
    assert response.status_code == 401, case
    assert _error(response) == "invalid_client"


def test_a_revoked_key_or_partner_no_longer_authenticates(partners):
    cpam = partners["cpam"]
    do_revoke_key(None, PartnerKey.objects.get(partner=cpam.partner))
    assert cpam.token_response().status_code == 401
    dgfip = partners["dgfip"]
    Partner.objects.filter(pk=dgfip.partner.pk).update(active=False)
    assert dgfip.token_response().status_code == 401


def test_bad_token_requests_get_oauth_errors(partners):
    cpam = partners["cpam"]
    assert _error(cpam.token_response(grant_type="password")) == "unsupported_grant_type"
    assert _error(cpam.token_response(client_assertion_type="secret")) == "invalid_client"
    response = cpam.token_response(scope="dgfip-pas")
    assert response.status_code == 400
    assert _error(response) == "invalid_scope"


def _forge(claims_update: dict, header_update: dict | None = None, key=None) -> str:
    now = int(time.time())
    signing = key or keys.token_signing_key()
    claims = {
        "iss": ISSUER,
        "aud": f"{ISSUER}/v1",
        "sub": "cpam",
        "client_id": "cpam",
        "scope": "cpam-salaires",
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
        **claims_update,
    }
    header = {"alg": "RS256", "typ": "at+jwt", "kid": signing.kid, **(header_update or {})}
    return jwt.encode(header, claims, signing)


def test_a_well_formed_token_is_accepted(world, partners):
    response = cpam_call(partners["cpam"], world.ama.nir, _forge({}))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("case", "token"),
    [
        ("expired", lambda: _forge({"iat": int(time.time()) - 900, "exp": int(time.time()) - 600})),
        ("wrong audience", lambda: _forge({"aud": "https://autre-api.example/v1"})),
        ("wrong issuer", lambda: _forge({"iss": "https://faux-emetteur.example"})),
        (
            "wrong key",
            lambda: _forge(
                {}, key=RSAKey.generate_key(2048, parameters={"kid": keys.token_signing_key().kid})
            ),
        ),
        ("not an access token", lambda: _forge({}, {"typ": "JWT"})),
        ("no client", lambda: _forge({"client_id": None})),
        ("unknown client", lambda: _forge({"client_id": "inconnu", "sub": "inconnu"})),
        ("garbage", lambda: "abc.def.ghi"),
    ],
)
def test_a_bad_access_token_gets_401(world, partners, case, token):
    response = cpam_call(partners["cpam"], world.ama.nir, token())
    assert response.status_code == 401, case
    assert response.json()["code"] == "jeton_invalide"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_no_token_gets_401(world, partners):
    response = partners["cpam"].http.post(
        "/api/partenaires/v1/salaires?recipient=18005000000015&context=abc&purpose=x",
        {"nir": world.ama.nir, "mois": 3},
        content_type="application/json",
    )
    assert response.status_code == 401
