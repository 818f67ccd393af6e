"""Partner calls: recipient, context and purpose required; answers masked to each scope; the
objection honoured; rate limits; one log entry and one journal row per access."""

from __future__ import annotations

import json

import pytest

from unefois.exchange import ratelimit
from unefois.exchange.actions import do_object, do_withdraw_objection
from unefois.exchange.models import AccessJournal, LogEntry, Partner, Scope
from unefois.exchange.resources import RESOURCES
from unefois.exchange.services import accesses_for

pytestmark = pytest.mark.django_db

# scope → (path, body, the person it is about in the world)
CALLS = {
    "cpam-salaires": ("salaires", {"mois": 3, "jusqu_au": "2025-05"}, "ama"),
    "france-travail-actualisation": (
        "activite-mensuelle",
        {"mois": 2, "jusqu_au": "2025-05"},
        "ama",
    ),
    "france-travail-attestation": ("attestation-employeur", {}, "ged"),
    "caf-cmg": ("garde-enfants", {"mois": 3, "jusqu_au": "2025-05"}, "parent2"),
    "dgfip-pas": ("prelevement-a-la-source", {"mois": 3, "jusqu_au": "2025-05"}, "ama"),
    "dgfip-annuel": ("montants-annuels", {"annee": 2025}, "parent2"),
    "drm-ressources": ("ressources-mensuelles", {"mois": 3, "jusqu_au": "2025-05"}, "ama"),
}


def _call(partners, world, scope_code: str, **extra):
    scope = Scope.objects.select_related("partner", "purpose").get(code=scope_code)
    path, body, who = CALLS[scope_code]
    client = partners[scope.partner.client_id]
    payload = {"nir": getattr(world, who).nir, **body, **extra.pop("body", {})}
    return client.call(path, payload, purpose=scope.purpose.code, **extra), scope


@pytest.mark.parametrize("scope_code", sorted(CALLS))
def test_each_scope_returns_its_fields_and_nothing_else(world, partners, scope_code):
    resource_fields = list(RESOURCES[Scope.objects.get(code=scope_code).resource].fields)
    asked = [*resource_fields, "nir", "iban", "adresse"]
    response, scope = _call(partners, world, scope_code, body={"champs": asked})
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["donnees"], "the world has data for every scope"
    for row in answer["donnees"]:
        assert set(row) == set(scope.fields)
    assert answer["champs"] == scope.fields
    assert set(answer["champs_refuses"]) == set(asked) - set(scope.fields)
    assert answer["finalite"] == scope.purpose.code
    assert answer["base_legale"] == scope.legal_basis


def test_a_partner_asking_fewer_fields_gets_only_those(world, partners):
    response, _ = _call(partners, world, "cpam-salaires", body={"champs": ["mois", "heures"]})
    rows = response.json()["donnees"]
    assert rows
    assert all(set(r) == {"mois", "heures"} for r in rows)


def test_the_figures_are_those_of_the_declarations_in_force(world, partners):
    response, _ = _call(partners, world, "cpam-salaires")
    rows = response.json()["donnees"]
    # March to May 2025: three months with the first employer, two with the second.
    assert [r["mois"] for r in rows] == ["2025-03", "2025-04", "2025-04", "2025-05", "2025-05"]
    declaration = world.contracts["ama1"].declarations.get(period=2025 * 12 + 2)
    gross = next(
        line["montant"]
        for line in declaration.current_version.results["lignes"]
        if line["code"] == "gross_pay"
    )
    assert rows[0]["salaire_brut"] == gross


def test_the_attestation_covers_the_ended_contract(world, partners):
    response, _ = _call(partners, world, "france-travail-attestation")
    [row] = response.json()["donnees"]
    assert row["fin"] == "2025-04-30"
    assert row["motif_fin"] == "retrait de l'enfant"
    assert [m["mois"] for m in row["salaires_12_mois"]] == ["2025-03", "2025-04"]


def test_childcare_rows_are_per_child_and_month(world, partners):
    response, _ = _call(partners, world, "caf-cmg")
    rows = response.json()["donnees"]
    assert {(r["mois"], r["enfant"]) for r in rows} == {
        (m, f"E{c.child_id}")
        for c in (world.contracts["ama2"], world.contracts["ged"])
        for m in ("2025-03", "2025-04", "2025-05")
        if c.declarations.filter(period=int(m[:4]) * 12 + int(m[5:]) - 1).exists()
    }


@pytest.mark.parametrize("missing", ["recipient", "context", "purpose"])
def test_a_call_without_recipient_context_or_purpose_is_refused(world, partners, missing):
    before = LogEntry.objects.count()
    response, _ = _call(partners, world, "cpam-salaires", omit=(missing,))
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "demande_incomplete"
    assert missing in answer["message"]
    assert LogEntry.objects.count() == before  # nothing was read


def test_a_purpose_outside_the_scope_is_refused_and_logged(world, partners):
    cpam = partners["cpam"]
    response = cpam.call("salaires", {"nir": world.ama.nir, "mois": 3}, purpose="controle-fiscal")
    assert response.status_code == 403
    assert response.json()["code"] == "finalite_non_autorisee"
    entry = LogEntry.objects.get(seq=response.json()["reference_journal"])
    assert json.loads(entry.body)["result"] == "finalite_non_autorisee"


def test_a_resource_outside_the_token_is_refused(world, partners):
    cpam = partners["cpam"]
    response = cpam.call(
        "prelevement-a-la-source", {"nir": world.ama.nir}, purpose="prelevement-a-la-source"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "perimetre_insuffisant"


def test_a_person_outside_the_purpose_is_not_returned(world, partners):
    # The CAF asks about an employee (not an employer), the CPAM about a parent.
    for scope_code, who in (("caf-cmg", "ama"), ("cpam-salaires", "parent1")):
        response, _ = _call(partners, world, scope_code, body={"nir": getattr(world, who).nir})
        assert response.status_code == 404
        assert "donnees" not in response.json()
    unknown, _ = _call(partners, world, "cpam-salaires", body={"nir": "199017512399999"})
    assert unknown.status_code == 404


def test_the_objection_is_honoured_for_non_mandatory_exchanges_only(world, partners):
    objection = do_object(world.ama.user, world.ama)  # objects to every partner
    refused, _ = _call(partners, world, "cpam-salaires")
    assert refused.status_code == 403
    assert refused.json()["code"] == "opposition"
    assert "donnees" not in refused.json()
    mandatory, _ = _call(partners, world, "dgfip-pas")  # a tax obligation: no objection
    assert mandatory.status_code == 200
    journal = accesses_for(world.ama)
    assert [a.outcome for a in journal] == [
        "Données transmises",
        "Refusé : opposition de la personne",
    ]
    do_withdraw_objection(world.ama.user, objection)
    assert _call(partners, world, "cpam-salaires")[0].status_code == 200


def test_an_objection_to_one_partner_does_not_block_the_others(world, partners):
    do_object(world.ama.user, world.ama, partners["cpam"].partner)
    assert _call(partners, world, "cpam-salaires")[0].status_code == 403
    assert _call(partners, world, "drm-ressources")[0].status_code == 200


def test_every_access_writes_one_log_entry_and_one_journal_row(world, partners):
    response, scope = _call(partners, world, "cpam-salaires")
    [entry] = LogEntry.objects.all()
    meta = json.loads(entry.body)
    assert response.json()["reference_journal"] == entry.seq == meta["n"] == 1
    assert meta["client"] == "cpam"
    assert meta["subject"] == world.ama.pk
    assert meta["purpose"] == "indemnites-journalieres"
    assert meta["recipient"] == "18005000000015"
    assert meta["context"] == "Dossier 2025-0042"
    assert meta["fields"] == scope.fields
    assert meta["result"] == "ok"
    # Metadata only: neither the NIR nor any figure.
    assert world.ama.nir not in entry.body
    assert "748.80" not in entry.body
    [row] = AccessJournal.objects.filter(person=world.ama)
    assert row.log_seq == entry.seq
    [access] = accesses_for(world.ama)
    assert access.partner == "Assurance maladie (CPAM)"
    assert access.data == [
        "Mois",
        "Identifiant de l'employeur",
        "Salaire brut",
        "Heures rémunérées",
    ]
    assert access.purpose.startswith("Calcul des indemnités journalières")
    assert access.delivered
    assert not access.mandatory
    assert accesses_for(world.parent1) == []


def test_the_rate_limit_answers_429_with_retry_after(world, partners, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    cpam = partners["cpam"]
    Partner.objects.filter(pk=cpam.partner.pk).update(burst=2, rate_per_second=0.5)
    token = cpam.token()
    body = {"nir": world.ama.nir, "mois": 3}
    codes = [
        cpam.call("salaires", body, purpose="indemnites-journalieres", token=token).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    limited = cpam.call("salaires", body, purpose="indemnites-journalieres", token=token)
    assert limited.status_code == 429
    assert limited["Retry-After"] == "2"
    assert limited.json()["code"] == "trop_de_requetes"
    now[0] += 2.0
    assert (
        cpam.call("salaires", body, purpose="indemnites-journalieres", token=token).status_code
        == 200
    )
    # Other clients have their own bucket.
    assert _call(partners, world, "drm-ressources")[0].status_code == 200
