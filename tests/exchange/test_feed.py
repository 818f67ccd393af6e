"""The feed for partners who poll: the events of their subscriptions in order, after an opaque
cursor that always gives the same page; masked to each scope, each item written to the exchange
log and to the person's journal; the person's objection withholds an item without stopping the
cursor; a token sees only its own scopes."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from unefois.contracts.actions import do_end_contract
from unefois.declarations.actions import do_correct
from unefois.exchange import feed
from unefois.exchange.actions import do_object, do_withdraw_objection
from unefois.exchange.models import AccessJournal, EventKind, LogEntry, OutboxMessage, Partner
from unefois.exchange.services import accesses_for

from .conftest import NIRS, PartnerClient, hire, register, set_webhook, subscribe

pytestmark = pytest.mark.django_db

DECLARED = EventKind.DECLARATION_CONFIRMED
ENDED = EventKind.CONTRACT_ENDED
PATH = "/api/partenaires/v1/evenements"


def read(client: PartnerClient, after: str | None = None, limit=None, token=None, **query):
    if after is not None:
        query["apres"] = after
    if limit is not None:
        query["limite"] = limit
    return client.http.get(
        PATH, query, headers={"Authorization": f"Bearer {token or client.token()}"}
    )


def page(client: PartnerClient, after: str | None = None, limit=None, token=None) -> dict:
    response = read(client, after, limit, token)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def caf(household) -> PartnerClient:
    subscribe("caf-cmg", DECLARED, push=False)
    return register(Partner.objects.get(client_id="caf-msa"))


def test_the_feed_pages_in_order_with_stable_cursors(household, caf):
    contract = hire(household.parent, household.ama, 3, dt.date(2025, 3, 1))
    first = page(caf, limit=2)
    assert first["encore"] is True
    assert [e["periode"] for e in first["evenements"]] == ["2025-03", "2025-04"]
    second = page(caf, first["curseur"], limit=2)
    assert second["encore"] is False
    assert [e["periode"] for e in second["evenements"]] == ["2025-05"]
    end = page(caf, second["curseur"])
    assert end == {"evenements": [], "curseur": second["curseur"], "encore": False}
    # The same cursor, the same page; a new event comes after the last cursor.
    again = page(caf, first["curseur"], limit=2)
    assert [e["id"] for e in again["evenements"]] == [e["id"] for e in second["evenements"]]
    may = contract.declarations.get(period=2025 * 12 + 4)
    do_correct(household.parent.user, may, {}, "Erreur de saisie")
    [correction] = page(caf, second["curseur"])["evenements"]
    assert correction["objet"] == {"type": "declaration", "id": may.pk, "version": 2}
    assert correction["type"] == "declaration.confirmee"
    keys = {str(k) for k in OutboxMessage.objects.values_list("key", flat=True)}
    assert {e["id"] for e in first["evenements"] + second["evenements"]} < keys


def test_each_item_is_masked_logged_and_in_the_persons_journal(household, caf):
    hire(household.parent, household.ama, 1, dt.date(2025, 3, 1))
    [item] = page(caf)["evenements"]
    scope = caf.partner.scopes.get(code="caf-cmg")
    [row] = item["donnees"]
    assert list(row) == item["champs"] == scope.fields
    assert item["personne"] == {"nir": NIRS["parent1"]}
    assert (item["perimetre"], item["finalite"]) == ("caf-cmg", "cmg")
    entry = json.loads(LogEntry.objects.get(seq=item["reference_journal"]).body)
    assert (entry["channel"], entry["result"], entry["client"]) == ("flux", "ok", "caf-msa")
    assert entry["message"] == item["id"]
    assert entry["subject"] == household.parent.pk
    assert NIRS["parent1"] not in LogEntry.objects.get(seq=item["reference_journal"]).body
    [access] = accesses_for(household.parent)
    assert access.delivered
    assert access.log_entry == item["reference_journal"]


def test_a_pushed_subscription_is_in_the_feed_too_with_the_same_id(household):
    set_webhook("france-travail", "https://ft.example/evenements")
    subscribe("france-travail-attestation", ENDED)
    ft = register(Partner.objects.get(client_id="france-travail"))
    contract = hire(household.parent, household.ama, 1, dt.date(2025, 3, 1))
    do_end_contract(household.parent.user, contract, dt.date(2025, 3, 31), "resignation")
    [item] = page(ft)["evenements"]
    assert item["id"] == str(OutboxMessage.objects.get().key)  # the Idempotency-Key of the push
    assert item["objet"] == {"type": "contrat", "id": contract.pk, "version": None}
    assert item["donnees"][0]["fin"] == "2025-03-31"


def test_the_objection_withholds_an_item_and_the_cursor_moves_past_it(household):
    subscribe("france-travail-actualisation", DECLARED, push=False)  # not mandatory
    ft = register(Partner.objects.get(client_id="france-travail"))
    hire(household.parent, household.ama, 2, dt.date(2025, 3, 1))
    objection = do_object(household.ama.user, household.ama)
    withheld = page(ft)
    assert withheld["evenements"] == []
    assert feed.decode_cursor(withheld["curseur"]) == 2  # past both
    assert [a.outcome for a in accesses_for(household.ama)] == [
        "Refusé : opposition de la personne"
    ] * 2
    assert {json.loads(e.body)["result"] for e in LogEntry.objects.all()} == {"opposition"}
    do_withdraw_objection(household.ama.user, objection)
    assert len(page(ft)["evenements"]) == 2  # from the start, once withdrawn


def test_a_token_sees_only_its_scopes_and_a_partner_only_its_subscriptions(household, caf):
    subscribe("france-travail-actualisation", DECLARED, push=False)
    subscribe("france-travail-attestation", ENDED, push=False)
    ft = register(Partner.objects.get(client_id="france-travail"))
    contract = hire(household.parent, household.ama, 1, dt.date(2025, 3, 1))
    do_end_contract(household.parent.user, contract, dt.date(2025, 3, 31), "resignation")
    only_attestation = ft.token(scope="france-travail-attestation")
    [item] = page(ft, token=only_attestation)["evenements"]
    assert item["perimetre"] == "france-travail-attestation"
    assert {e["perimetre"] for e in page(ft)["evenements"]} == {
        "france-travail-actualisation",
        "france-travail-attestation",
    }
    assert {e["perimetre"] for e in page(caf)["evenements"]} == {"caf-cmg"}
    assert not AccessJournal.objects.filter(partner=caf.partner, person=household.ama).exists()


@pytest.mark.parametrize(
    ("cursor", "code"),
    [
        ("nimportequoi", "curseur_invalide"),
        (base64.urlsafe_b64encode(b"autre-chose:12").decode().rstrip("="), "curseur_invalide"),
        (feed.encode_cursor(3)[:-1] + "é", "requete_invalide"),
        ("a b", "requete_invalide"),
    ],
)
def test_a_cursor_we_did_not_give_is_refused(household, caf, cursor, code):
    response = read(caf, cursor)
    assert response.status_code == 400
    assert response.json()["code"] == code


@pytest.mark.parametrize("limit", [0, 501, "beaucoup"])
def test_the_limit_is_bounded(household, caf, limit):
    assert read(caf, limit=limit).status_code == 400


def test_the_feed_needs_a_token(household, caf):
    response = caf.http.get(PATH)
    assert response.status_code == 401
    assert response.json()["code"] == "jeton_invalide"


def test_the_feed_is_documented_in_the_openapi(client):
    spec = client.get("/api/openapi.json").json()
    operation = spec["paths"][PATH]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"apres", "limite"}
    assert {"200", "400", "401", "429"} <= set(operation["responses"])
    assert "curseur" in json.dumps(spec["components"]["schemas"]["FeedAnswer"])
