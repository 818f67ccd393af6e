"""The development provider on its own, spoken to as a client would (and as an attacker would)."""

from __future__ import annotations

import ast
import secrets
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from joserfc import jwt
from joserfc.jwk import KeySet

from unefois.devidp import identities
from unefois.login.client import SCOPE

from .conftest import query, text

pytestmark = pytest.mark.django_db(transaction=True)

CAMILLE = identities.DEMO[0]


@pytest.fixture
def client_conf():
    return settings.OIDC_PROVIDER


def _authorization(browser, client_conf, **overrides) -> tuple[dict, requests.Response]:
    verifier = secrets.token_urlsafe(48)
    params = {
        "response_type": "code",
        "client_id": client_conf["client_id"],
        "redirect_uri": f"{browser.base}/connexion/retour/",
        "scope": SCOPE,
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "acr_values": "eidas1",
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
        **overrides,
    }
    params = {k: v for k, v in params.items() if v is not None}
    return {**params, "code_verifier": verifier}, browser.get(
        "/fc-dev/authorize?" + urlencode(params)
    )


def _code(browser, client_conf) -> dict:
    request, page = _authorization(browser, client_conf)
    assert page.status_code == 200
    answer = browser.submit(page, {"identite": CAMILLE["sub"]})
    back = query(answer.headers["Location"])
    assert back["state"] == request["state"]
    return {**request, "code": back["code"]}


def _token(browser, request, client_conf, verifier, auth="post") -> requests.Response:
    data = {
        "grant_type": "authorization_code",
        "code": request["code"],
        "redirect_uri": request["redirect_uri"],
        "code_verifier": verifier,
    }
    credentials = (client_conf["client_id"], client_conf["client_secret"])
    if auth == "post":
        data.update(client_id=credentials[0], client_secret=credentials[1])
        return requests.post(f"{browser.base}/fc-dev/token", data=data, timeout=30)
    return requests.post(f"{browser.base}/fc-dev/token", data=data, auth=credentials, timeout=30)


def test_discovery_names_this_server_as_issuer(browser, live_server):
    metadata = browser.get("/fc-dev/.well-known/openid-configuration").json()

    assert metadata["issuer"] == f"{live_server.url}/fc-dev"
    assert metadata["token_endpoint"] == f"{live_server.url}/fc-dev/token"
    assert metadata["end_session_endpoint"] == f"{live_server.url}/fc-dev/logout"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(SCOPE.split()) <= set(metadata["scopes_supported"])
    keys = browser.get("/fc-dev/jwks").json()["keys"]
    assert [(k["kty"], k["alg"], k["use"]) for k in keys] == [("RSA", "RS256", "sig")]
    assert "d" not in keys[0]  # the public half only


def test_a_wrong_pkce_verifier_is_refused_at_the_token_endpoint(browser, client_conf):
    request = _code(browser, client_conf)

    wrong = _token(browser, request, client_conf, secrets.token_urlsafe(48))

    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    # The right verifier, with client_secret_basic this time, gets the tokens.
    right = _token(browser, request, client_conf, request["code_verifier"], auth="basic")
    assert right.status_code == 200, right.text
    token = right.json()
    jwks = KeySet.import_key_set(browser.get("/fc-dev/jwks").json())
    claims = jwt.decode(token["id_token"], jwks, algorithms=["RS256"]).claims
    assert claims["iss"] == f"{browser.base}/fc-dev"
    assert claims["aud"] == client_conf["client_id"]
    assert claims["sub"] == CAMILLE["sub"]
    assert claims["nonce"] == request["nonce"]
    assert claims["acr"] == "eidas1"
    assert "given_name" not in claims  # as FranceConnect: the identity comes from userinfo
    # A code serves once.
    again = _token(browser, request, client_conf, request["code_verifier"])
    assert again.json()["error"] == "invalid_grant"


def test_userinfo_is_a_signed_jwt_for_the_token_holder_only(browser, client_conf):
    request = _code(browser, client_conf)
    token = _token(browser, request, client_conf, request["code_verifier"]).json()

    anonymous = requests.get(f"{browser.base}/fc-dev/userinfo", timeout=30)
    answer = requests.get(
        f"{browser.base}/fc-dev/userinfo",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=30,
    )

    assert anonymous.status_code == 401
    assert answer.headers["Content-Type"] == "application/jwt"
    jwks = KeySet.import_key_set(browser.get("/fc-dev/jwks").json())
    claims = jwt.decode(answer.text, jwks, algorithms=["RS256"]).claims
    assert claims["sub"] == CAMILLE["sub"]
    assert claims["aud"] == client_conf["client_id"]
    assert {k: claims[k] for k in CAMILLE["claims"]} == CAMILLE["claims"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"code_challenge": None, "code_challenge_method": None},
        {"code_challenge_method": "plain"},
        {"nonce": None},
    ],
    ids=["without-pkce", "pkce-plain", "without-nonce"],
)
def test_authorization_requests_without_pkce_s256_or_nonce_are_refused(
    browser, client_conf, overrides
):
    request, answer = _authorization(browser, client_conf, **overrides)

    assert answer.status_code == 302
    back = query(answer.headers["Location"])
    assert back["error"] == "invalid_request"
    assert back["state"] == request["state"]


def test_an_unknown_client_or_redirect_uri_gets_a_page_not_a_redirect(browser, client_conf):
    _, unknown = _authorization(browser, client_conf, client_id="inconnu")
    _, elsewhere = _authorization(browser, client_conf, redirect_uri="https://evil.example/cb")

    for answer in (unknown, elsewhere):
        assert answer.status_code == 400
        assert "Demande de connexion invalide" in text(answer)


def test_a_wrong_client_secret_is_refused(browser, client_conf):
    request = _code(browser, client_conf)

    answer = _token(
        browser, request, {**client_conf, "client_secret": "devine"}, request["code_verifier"]
    )

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_logout_with_a_forged_id_token_hint_does_not_redirect(browser, live_server):
    url = "/fc-dev/logout?" + urlencode(
        {
            "id_token_hint": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
            "post_logout_redirect_uri": f"{live_server.url}/",
            "state": "x" * 32,
        }
    )

    answer = browser.get(url)

    assert answer.status_code == 400
    assert "Demande de déconnexion invalide" in text(answer)


def test_when_the_provider_is_down_sign_in_ends_on_a_french_page(client, settings):
    settings.OIDC_PROVIDER = {**settings.OIDC_PROVIDER, "issuer": "http://127.0.0.1:9/api/v2"}

    answer = client.get("/connexion/")

    assert answer.status_code == 503
    page = answer.content.decode()
    assert "Le service d&#x27;identification ne répond pas" in page
    assert 'href="/connexion/"' in page


def test_the_client_knows_nothing_of_the_development_provider():
    """It must work with the real FranceConnect: no import of ``unefois.devidp``."""
    package = Path(__file__).parents[2] / "unefois" / "login"
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any("devidp" in n for n in names), source
