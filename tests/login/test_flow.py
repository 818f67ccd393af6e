"""Sign-in end to end: the client and the development provider talking real OpenID Connect."""

from __future__ import annotations

import base64
import json

import pytest
from authlib.integrations.django_client import DjangoOAuth2App

from unefois.devidp import identities
from unefois.facts.models import Fact, Source, SubjectType
from unefois.people.models import User

from .conftest import query, text

pytestmark = pytest.mark.django_db(transaction=True)

CAMILLE, NADIA = identities.DEMO[0], identities.DEMO[2]
UNVERIFIED = identities.TEST_ONLY[0]


def _facts(user: User) -> dict:
    return {
        f.key: f
        for f in Fact.objects.filter(
            subject_type=SubjectType.PERSON, subject_id=user.person.pk, superseded_at=None
        )
    }


def test_first_sign_in_creates_the_account_and_the_franceconnect_facts(browser):
    answer = browser.sign_in(CAMILLE["sub"])

    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"
    user = User.objects.get(oidc_sub=CAMILLE["sub"])
    assert user.person.display_name == "Camille Martin"
    assert not user.has_usable_password()
    facts = _facts(user)
    for key, value in CAMILLE["claims"].items():
        assert facts[key].value == value
        assert facts[key].source == Source.FRANCECONNECT
        assert facts[key].source_detail == "eidas1"
    # Signed in: asking to sign in again goes straight to the page asked for.
    again = browser.get("/connexion/?next=/mes-donnees/")
    assert again.status_code == 302
    assert again.headers["Location"] == "/mes-donnees/"


def test_sign_out_then_sign_in_again_reuses_the_account(browser, live_server):
    browser.sign_in(NADIA["sub"])
    first = User.objects.get(oidc_sub=NADIA["sub"])

    out = browser.get("/deconnexion/")
    assert out.status_code == 302
    end_session = out.headers["Location"]
    assert end_session.startswith(f"{live_server.url}/fc-dev/logout?")
    params = query(end_session)
    assert params["id_token_hint"].count(".") == 2
    assert len(params["state"]) >= 32
    assert params["post_logout_redirect_uri"] == f"{live_server.url}/"
    back = browser.get(end_session)
    assert back.status_code == 302
    assert back.headers["Location"] == f"{live_server.url}/?state={params['state']}"
    # Signed out: /connexion/ goes to the provider again.
    assert "/fc-dev/authorize?" in browser.get("/connexion/").headers["Location"]

    assert browser.sign_in(NADIA["sub"]).status_code == 302
    assert User.objects.filter(oidc_sub=NADIA["sub"]).count() == 1
    assert User.objects.get(oidc_sub=NADIA["sub"]).pk == first.pk
    assert _facts(first)["given_name"].version == 1  # same values: no new version


def test_a_newcomer_signs_up_by_creating_a_test_identity(browser):
    page = browser.open_provider_page()
    answer = browser.submit(
        page,
        {
            "action": "creer",
            "given_name": "Léa Jeanne",
            "family_name": "Moreau",
            "birthdate": "1992-03-08",
            "gender": "female",
            "email": "lea.moreau@example.fr",
        },
    )
    assert answer.status_code == 302
    done = browser.get(answer.headers["Location"])

    assert done.status_code == 302
    user = User.objects.exclude(oidc_sub__in=[i["sub"] for i in identities.DEMO]).get()
    assert user.person.display_name == "Léa Jeanne Moreau"
    facts = _facts(user)
    assert facts["birthdate"].value == "1992-03-08"
    assert facts["email"].value == "lea.moreau@example.fr"


def test_the_sign_up_form_explains_its_errors_in_french(browser):
    page = browser.open_provider_page()
    answer = browser.submit(page, {"action": "creer", "given_name": "", "birthdate": "2999-01-01"})

    assert answer.status_code == 400
    assert "à corriger" in text(answer)
    assert "Indiquez au moins un prénom." in text(answer)
    assert "La date de naissance ne peut pas être dans le futur." in text(answer)
    assert 'aria-invalid="true"' in text(answer)
    assert not User.objects.exists()


def test_a_tampered_id_token_is_refused(browser, monkeypatch):
    fetch = DjangoOAuth2App.fetch_access_token

    def tampered(self, *args, **kwargs):
        # An attacker in the middle swaps the subject for someone else's, keeping the signature.
        token = fetch(self, *args, **kwargs)
        header, payload, signature = token["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["sub"] = NADIA["sub"]
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        token["id_token"] = f"{header}.{forged}.{signature}"
        return token

    monkeypatch.setattr(DjangoOAuth2App, "fetch_access_token", tampered)
    answer = browser.sign_in(CAMILLE["sub"])

    assert answer.status_code == 400
    assert "Votre identité n'a pas pu être vérifiée" in text(answer)
    assert "Réessayer de me connecter" in text(answer)
    assert not User.objects.exists()


def test_an_identity_below_eidas1_is_refused(browser):
    answer = browser.sign_in(UNVERIFIED["sub"])

    assert answer.status_code == 403
    assert "Niveau de vérification de l'identité insuffisant" in text(answer)
    assert "« faible » du règlement européen eIDAS" in text(answer)
    assert 'lang="fr"' in text(answer)
    assert not User.objects.exists()


def test_a_state_that_does_not_match_is_refused(browser):
    callback = browser.pick(CAMILLE["sub"]).headers["Location"]
    state = query(callback)["state"]

    answer = browser.get(callback.replace(f"state={state}", "state=" + "x" * 43))

    assert answer.status_code == 400
    assert "Cette demande de connexion n'est plus valable" in text(answer)
    assert not User.objects.exists()


def test_a_callback_from_another_browser_is_refused(browser, live_server):
    callback = browser.pick(CAMILLE["sub"]).headers["Location"]
    browser.session.cookies.clear()  # the attacker's browser has none of our session

    answer = browser.get(callback)

    assert answer.status_code == 400
    assert "n'est plus valable" in text(answer)
    assert not User.objects.exists()


def test_a_callback_used_twice_is_refused(browser):
    callback = browser.pick(CAMILLE["sub"]).headers["Location"]
    assert browser.get(callback).status_code == 302
    browser.get("/deconnexion/")

    assert browser.get(callback).status_code == 400


def test_next_to_another_host_is_ignored(browser):
    answer = browser.sign_in(CAMILLE["sub"], "/connexion/?next=https://evil.example/voler")

    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"


def test_next_on_this_site_is_followed(browser):
    answer = browser.sign_in(CAMILLE["sub"], "/connexion/?next=/mes-donnees/%3Fonglet%3D2")

    assert answer.headers["Location"] == "/mes-donnees/?onglet=2"


def test_denied_consent_ends_on_a_french_page(browser):
    page = browser.open_provider_page("/connexion/?next=/mes-donnees/")
    answer = browser.submit(page, {"action": "refuser"})
    assert query(answer.headers["Location"])["error"] == "access_denied"

    done = browser.get(answer.headers["Location"])

    assert done.status_code == 403
    assert "Connexion annulée" in text(done)
    assert 'href="/connexion/?next=%2Fmes-donnees%2F"' in text(done)
    assert not User.objects.exists()
