"""Authentication is the partner API's (a token from /api/partenaires/jeton); a scope of the
resource ``tierce_declaration`` lists the operations a software may call; rate limits; one
exchange-log entry per authenticated call, metadata only, and the chain stays whole."""

from __future__ import annotations

import json

import pytest
from joserfc import jwt

from tests.api.conftest import EMPLOYER_BIRTH, EMPLOYER_PAJE, new_key, software_for
from unefois.api import actions, grants
from unefois.exchange.models import LogEntry, Partner, Scope
from unefois.exchange.verify import verify

pytestmark = pytest.mark.django_db

ESTIMATE = {"mntSalaireNetMensuel": 500.00, "nbEnfantsGardes": 1, "nbJoursActivite": 20}
VERIFY = f"/employeurs/{EMPLOYER_PAJE}/verifier"


def _erreurs(response, status: int, suffix: str) -> list[dict]:
    assert response.status_code == status, response.content
    errors = response.json()
    assert [e["code"][-len(suffix) :] for e in errors] == [suffix]
    return errors


def test_without_a_token_401_in_the_swaggers_shape(software, today):
    response = software.call("POST", "/ama/estimer", body=ESTIMATE, token=None)
    errors = _erreurs(response, 401, "B_0019")
    assert errors[0]["code"] == "ER_API_040_B_0019"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer pas-un-jeton", "Basic dXNlcjpwYXNz", "Bearer "],
)
def test_a_bad_token_is_refused(software, today, header):
    response = software.call("POST", "/ama/estimer", body=ESTIMATE, token=header)
    _erreurs(response, 401, "B_0019")


def test_a_token_signed_by_another_key_is_refused(software, today):
    forged = jwt.encode(
        {"alg": "ES256", "typ": "at+jwt"},
        {"iss": "http://testserver/api/partenaires", "sub": "logiciel-paie", "scope": "x"},
        new_key(),
    )
    response = software.call("POST", "/ama/estimer", body=ESTIMATE, token=f"Bearer {forged}")
    _erreurs(response, 401, "B_0019")


def test_a_partner_without_the_scope_is_refused_and_logged(software, today):
    """A partner with a token, but no scope of this API: 403, and the attempt is logged."""
    outsider = software_for("autre-logiciel", grant=False)
    scope = Scope.objects.get(code=grants.scope_code("logiciel-paie"))
    Scope.objects.create(
        partner=outsider.partner,
        code="autre-perimetre",
        label="Autre chose",
        resource="salaires",
        fields=["mois"],
        purpose=scope.purpose,
        legal_basis="Essai",
    )
    before = LogEntry.objects.count()
    response = outsider.call("POST", "/ama/estimer", body=ESTIMATE)
    _erreurs(response, 403, "B_0017")
    entry = json.loads(LogEntry.objects.order_by("-seq").first().body)
    assert LogEntry.objects.count() == before + 1
    assert entry["client"] == "autre-logiciel"
    assert entry["status"] == 403
    assert entry["scope"] is None


def test_a_scope_limited_to_estimates_allows_only_those(world, today, settings):
    settings.EXCHANGE_ISSUER = "http://testserver/api/partenaires"
    estimator = software_for("simulateur", ["estimerCotisationsAma", "estimerCotisationsGed"])
    assert estimator.call("POST", "/ama/estimer", body=ESTIMATE).status_code == 200
    response = estimator.call("GET", VERIFY, {"dtNaissanceEmployeur": EMPLOYER_BIRTH})
    _erreurs(response, 403, "B_0017")
    response = estimator.call(
        "POST", "/mandats", {"numeroPaje": EMPLOYER_PAJE, "dateNaissance": EMPLOYER_BIRTH}
    )
    assert response.status_code == 403


def test_a_revoked_scope_or_partner_stops_at_once(software, world, today):
    token = software.token()
    assert software.call("POST", "/ama/estimer", body=ESTIMATE).status_code == 200
    Scope.objects.filter(partner=software.partner).update(active=False)
    assert (
        software.call("POST", "/ama/estimer", body=ESTIMATE, token=f"Bearer {token}").status_code
        == 403
    )
    Scope.objects.filter(partner=software.partner).update(active=True)
    Partner.objects.filter(pk=software.partner.pk).update(active=False)
    response = software.call("POST", "/ama/estimer", body=ESTIMATE, token=f"Bearer {token}")
    assert response.status_code == 401


def test_granting_is_audited_and_idempotent(software):
    from unefois.audit.models import AuditEntry

    scope = actions.do_grant(None, software.partner, ["estimerCotisationsAma"])
    again = actions.do_grant(None, software.partner)
    assert scope.pk == again.pk
    assert Scope.objects.filter(partner=software.partner, resource=grants.RESOURCE).count() == 1
    assert set(again.fields) == set(grants.OPERATIONS)
    assert again.mandatory
    assert AuditEntry.objects.filter(action="tierce_declaration.habiliter").count() == 3
    with pytest.raises(ValueError, match="inconnue"):
        actions.do_grant(None, software.partner, ["supprimerTout"])


def test_rate_limit_429_with_retry_after(software, today):
    Partner.objects.filter(pk=software.partner.pk).update(burst=2, rate_per_second=0.01)
    software.partner.refresh_from_db()
    token = software.token()  # the token endpoint does not count
    codes = [
        software.call("POST", "/ama/estimer", body=ESTIMATE, token=f"Bearer {token}").status_code
        for _ in range(3)
    ]
    assert codes[:2] == [200, 200]
    assert codes[2] == 429
    response = software.call("POST", "/ama/estimer", body=ESTIMATE, token=f"Bearer {token}")
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()[0]["code"] == "ER_API_040_B_0018"


def test_each_call_writes_one_log_entry_without_any_amount(mandated, world, today):
    before = LogEntry.objects.count()
    mandated.call("GET", VERIFY, {"dtNaissanceEmployeur": EMPLOYER_BIRTH})
    mandated.call("GET", VERIFY, {"dtNaissanceEmployeur": "1990-01-01"})  # refused: logged too
    mandated.call("POST", "/ama/estimer", body=ESTIMATE)
    entries = [json.loads(e.body) for e in LogEntry.objects.filter(seq__gt=before).order_by("seq")]
    assert [e["operation"] for e in entries] == [
        "verificationPePaje",
        "verificationPePaje",
        "estimerCotisationsAma",
    ]
    assert [e["status"] for e in entries] == [200, 400, 200]
    assert entries[0]["subject"] == world.employer.pk
    assert entries[1]["subject"] is None
    assert entries[1]["result"] == "refus_0002"
    for entry in entries:
        assert entry["resource"] == grants.RESOURCE
        assert entry["purpose"] == grants.PURPOSE
        assert entry["scope"] == grants.scope_code("logiciel-paie")
        # random identifiers and the time may hold any digits: the amounts are the point
        text = json.dumps({k: v for k, v in entry.items() if k not in ("at", "request", "token")})
        assert "500" not in text
        assert EMPLOYER_BIRTH not in text
    report = verify()
    assert report.ok, report.summary()


def test_the_command_grants_a_partner(software, capsys):
    from django.core.management import call_command

    outsider = software_for("nouveau-logiciel", grant=False)
    call_command(
        "tierce_declaration_habiliter", "nouveau-logiciel", "--operations", "estimerCotisationsGed"
    )
    scope = Scope.objects.get(partner=outsider.partner, resource=grants.RESOURCE)
    assert scope.fields == ["estimerCotisationsGed"]
    assert "estimerCotisationsGed" in capsys.readouterr().out
