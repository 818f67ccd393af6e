"""The back office (Django admin, staff only): an operator registers a partner with its webhook
and public keys, its scopes and subscriptions, revokes a key, sees the failed deliveries and
retries them. Every change goes through an action and writes its audit row; a private key, a
mask outside the resource or a push without webhook is refused in French; the logs and journals
are read-only, and so are the deliveries but for the retry."""

from __future__ import annotations

import datetime as dt
import html
import json
import random
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from unefois.audit.models import AuditEntry
from unefois.exchange import seed
from unefois.exchange.delivery import Policy, Worker
from unefois.exchange.models import (
    AccessJournal,
    DeliveryStatus,
    EventKind,
    LogEntry,
    OutboxMessage,
    Partner,
    PartnerKey,
    Purpose,
    Scope,
    Subscription,
)
from unefois.people.models import User

from .conftest import PartnerClient, hire, new_key, register, set_webhook, subscribe
from .webhook import Clock, Receiver

pytestmark = pytest.mark.django_db

ADMIN = "/admin/exchange"


class FormReader(HTMLParser):
    """The values a browser would send for the page's main form, as they are shown."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:  # a browser sends "on" for a checkbox without a value
                    self.data.setdefault(name, []).append(a.get("value") or "on")
                return
            self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.setdefault(self._select, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += (
                data.lstrip("\n") if not self.data[self._textarea][-1] else data
            )


def submit(client: Client, url: str, **changes):
    """GET the form, change some fields, POST it back (as an operator's browser would)."""
    page = client.get(url)
    assert page.status_code == 200, url
    reader = FormReader()
    reader.feed(page.content.decode())
    data = {k: v for k, v in reader.data.items() if k != "csrfmiddlewaretoken"}
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value if isinstance(value, list) else [value]
    return client.post(url, data)


def text(response) -> str:
    return html.unescape(response.content.decode())


def actions_of(user) -> list[str]:
    return list(
        AuditEntry.objects.filter(actor=user).order_by("id").values_list("action", flat=True)
    )


@pytest.fixture
def ops(db) -> tuple[Client, User]:
    seed.install(apps)
    user = User.objects.create_superuser("ops", "ops@example.org", "not-used")
    client = Client()
    client.force_login(user)
    return client, user


def test_an_operator_registers_a_partner_its_webhook_and_keys(ops):
    client, user = ops
    keys = [new_key("cle-1"), new_key("cle-2")]
    response = submit(
        client,
        f"{ADMIN}/partner/add/",
        client_id="mutuelle-essai",
        name="Mutuelle d'essai",
        kind="third_party",
        active="on",
        webhook_url="https://mutuelle.example/evenements",
        rate_per_second="5",
        burst="10",
        new_keys=json.dumps({"keys": [k.as_dict(private=False) for k in keys]}),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    partner = Partner.objects.get(client_id="mutuelle-essai")
    assert partner.webhook_url == "https://mutuelle.example/evenements"
    assert sorted(partner.keys.values_list("kid", flat=True)) == ["cle-1", "cle-2"]
    assert actions_of(user) == [
        "echanges.partenaire_cree",
        "echanges.cle_ajoutee",
        "echanges.cle_ajoutee",
    ]
    # The registered key works: the partner gets a token with it.
    client_of_partner = PartnerClient(partner, keys[0], Client())
    assert client_of_partner.token_response(scope=None).status_code == 400  # no scope yet…
    assert "Aucun périmètre" in client_of_partner.token_response().json()["error_description"]


def test_a_private_key_a_duplicate_kid_or_an_http_webhook_is_refused(ops):
    client, user = ops
    cpam = Partner.objects.get(client_id="cpam")
    url = f"{ADMIN}/partner/{cpam.pk}/change/"
    private = submit(client, url, new_keys=json.dumps(new_key("privee").as_dict(private=True)))
    assert private.status_code == 200
    assert "partie privée" in text(private)
    existing = new_key("deja-la")
    submit(client, url, new_keys=json.dumps(existing.as_dict(private=False)))
    twice = submit(client, url, new_keys=json.dumps(existing.as_dict(private=False)))
    assert "a déjà une clé « deja-la »" in text(twice)
    plain = submit(client, url, webhook_url="http://cpam.example/evenements")
    assert "doit être en https" in text(plain)
    assert list(cpam.keys.values_list("kid", flat=True)) == ["deja-la"]
    assert actions_of(user) == ["echanges.cle_ajoutee"]


def test_a_change_is_audited_with_what_changed_and_the_client_id_stays(ops):
    client, user = ops
    cpam = Partner.objects.get(client_id="cpam")
    response = submit(
        client,
        f"{ADMIN}/partner/{cpam.pk}/change/",
        webhook_url="https://cpam.example/evenements",
        client_id="autre-chose",
    )
    assert response.status_code == 302
    cpam.refresh_from_db()
    assert (cpam.client_id, cpam.webhook_url) == ("cpam", "https://cpam.example/evenements")
    [entry] = AuditEntry.objects.filter(actor=user)
    assert entry.action == "echanges.partenaire_modifie"
    assert entry.old == {"webhook_url": ""}
    assert entry.new == {"webhook_url": "https://cpam.example/evenements"}


def test_a_scope_keeps_to_its_resource_fields(ops):
    client, user = ops
    cpam = Partner.objects.get(client_id="cpam")
    common = {
        "partner": str(cpam.pk),
        "code": "cpam-essai",
        "label": "Essai",
        "resource": "salaires",
        "purpose": str(Scope.objects.get(code="cpam-salaires").purpose_id),
        "legal_basis": "CSS art. R323-4",
        "active": "on",
    }
    refused = submit(client, f"{ADMIN}/scope/add/", **common, fields=["heures", "enfant", "mois"])
    assert refused.status_code == 200
    assert "Champ(s) que la ressource « salaires » n'a pas : enfant." in text(refused)
    accepted = submit(client, f"{ADMIN}/scope/add/", **common, fields=["heures", "mois"])
    assert accepted.status_code == 302
    assert Scope.objects.get(code="cpam-essai").fields == ["mois", "heures"]  # resource order
    assert actions_of(user) == ["echanges.perimetre_cree"]


def test_a_subscription_needs_a_webhook_to_push_and_a_resource_that_carries_the_event(ops):
    client, user = ops
    ft = Partner.objects.get(client_id="france-travail")
    actualisation = Scope.objects.get(code="france-travail-actualisation")
    form = {
        "partner": str(ft.pk),
        "scope": str(actualisation.pk),
        "event": EventKind.DECLARATION_CONFIRMED,
        "recipient": "13000548100010",
        "push": "on",
        "active": "on",
    }
    no_webhook = submit(client, f"{ADMIN}/subscription/add/", **form)
    assert "pas d'adresse de webhook" in text(no_webhook)
    wrong_event = submit(
        client, f"{ADMIN}/subscription/add/", **{**form, "event": EventKind.CONTRACT_ENDED}
    )
    assert "ne peut pas porter cet événement" in text(wrong_event)
    feed_only = submit(client, f"{ADMIN}/subscription/add/", **{**form, "push": None})
    assert feed_only.status_code == 302
    subscription = Subscription.objects.get()
    assert (subscription.push, subscription.recipient) == (False, "13000548100010")
    assert actions_of(user) == ["echanges.abonnement_cree"]


def test_revoking_a_key_from_the_list_refuses_its_assertions(ops):
    client, user = ops
    cpam = register(Partner.objects.get(client_id="cpam"))
    key = PartnerKey.objects.get(partner=cpam.partner)
    response = client.post(
        f"{ADMIN}/partnerkey/", {"action": "revoke", "_selected_action": [str(key.pk)]}
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert actions_of(user) == ["echanges.cle_revoquee"]
    assert cpam.token_response().status_code == 401


def test_failed_deliveries_are_listed_and_retried(ops, household):
    client, user = ops
    jwks = client.get("/api/partenaires/jwks.json").json()
    receiver = Receiver(jwks, "france-travail").start()
    try:
        set_webhook("france-travail", "http://127.0.0.1:9/ferme")  # nothing listens there
        subscribe("france-travail-actualisation", EventKind.DECLARATION_CONFIRMED)
        hire(household.parent, household.ama, 1, dt.date(2025, 3, 1))
        clock = Clock(timezone.now())
        policy = Policy(max_attempts=1, connect_timeout=1.0, timeout=1.0)
        Worker(policy, clock=clock, rng=random.Random(0)).drain()
        message = OutboxMessage.objects.get()
        assert message.status == DeliveryStatus.FAILED

        listing = client.get(f"{ADMIN}/outboxmessage/?status__exact=failed")
        assert listing.status_code == 200
        page = listing.content.decode()
        assert "Connexion au webhook impossible" in page
        assert 'value="retry"' in page

        set_webhook("france-travail", receiver.url)  # the partner fixed its webhook
        response = client.post(
            f"{ADMIN}/outboxmessage/",
            {"action": "retry", "_selected_action": [str(message.pk)]},
        )
        assert response.status_code == 302
        message.refresh_from_db()
        assert (message.status, message.attempts) == (DeliveryStatus.PENDING, 0)
        assert actions_of(user) == ["echanges.livraison_relancee"]
        [result] = Worker(policy, clock=Clock(timezone.now())).drain()
        assert result.outcome == "livre"
        assert list(receiver.applied) == [str(message.key)]
    finally:
        receiver.stop()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "logentry/add/"),
        ("post", "logentry/{log}/change/"),
        ("post", "logentry/{log}/delete/"),
        ("post", "accessjournal/{journal}/delete/"),
        ("get", "checkpoint/add/"),
        ("get", "objection/add/"),
        ("post", "partner/{partner}/delete/"),
        ("post", "outboxmessage/{message}/change/"),
        ("get", "partnerkey/add/"),
    ],
)
def test_logs_journals_and_deliveries_cannot_be_written_here(ops, household, method, path):
    client, _ = ops
    ft = register(Partner.objects.get(client_id="france-travail"))
    subscribe("france-travail-actualisation", EventKind.DECLARATION_CONFIRMED, push=False)
    hire(household.parent, household.ama, 1, dt.date(2025, 3, 1))
    ft.http.get("/api/partenaires/v1/evenements", headers={"Authorization": f"Bearer {ft.token()}"})
    ids = {
        "log": LogEntry.objects.first().seq,
        "journal": AccessJournal.objects.first().pk,
        "partner": ft.partner.pk,
        "message": OutboxMessage.objects.first().pk,
    }
    url = f"{ADMIN}/{path.format(**ids)}"
    response = getattr(client, method)(url, {"post": "yes"} if method == "post" else None)
    assert response.status_code == 403
    assert LogEntry.objects.count() == 1


def test_a_staff_member_who_may_only_look_cannot_retry_or_revoke(ops, household):
    user = User.objects.create_user("regard", "regard@example.org", "not-used", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="exchange", codename__startswith="view_")
    )
    client = Client()
    client.force_login(user)
    cpam = register(Partner.objects.get(client_id="cpam"))
    listing = client.get(f"{ADMIN}/partnerkey/")
    assert listing.status_code == 200
    assert 'value="revoke"' not in text(listing)
    key = PartnerKey.objects.get(partner=cpam.partner)
    client.post(f"{ADMIN}/partnerkey/", {"action": "revoke", "_selected_action": [str(key.pk)]})
    key.refresh_from_db()
    assert key.revoked_at is None
    assert client.get(f"{ADMIN}/outboxmessage/").status_code == 200
    assert 'value="retry"' not in client.get(f"{ADMIN}/outboxmessage/").content.decode()


def test_the_back_office_is_for_staff_only(household):
    client = Client()
    client.force_login(household.parent.user)
    response = client.get(f"{ADMIN}/partner/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_purpose_is_registered_and_its_code_then_fixed(ops):
    client, user = ops
    response = submit(
        client, f"{ADMIN}/purpose/add/", code="essai-finalite", label="Une finalité d'essai"
    )
    assert response.status_code == 302
    purpose = Purpose.objects.get(code="essai-finalite")
    changed = submit(
        client, f"{ADMIN}/purpose/{purpose.pk}/change/", code="autre", label="Nouveau libellé"
    )
    assert changed.status_code == 302
    purpose.refresh_from_db()
    assert (purpose.code, purpose.label) == ("essai-finalite", "Nouveau libellé")
    assert actions_of(user) == ["echanges.finalite_cree", "echanges.finalite_modifie"]
