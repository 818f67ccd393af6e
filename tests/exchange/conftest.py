"""A small world (parents, an AMA with two employers, a GED whose contract ended, declarations made
through the domain actions) and partners that authenticate as real clients would: a private
key, a signed client assertion, a token, then calls with recipient, context and purpose."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.test import Client
from joserfc import jwt
from joserfc.jwk import ECKey

from tests.www.factories import TERMS, person
from unefois.contracts.actions import do_answer_hire, do_end_contract, do_hire
from unefois.declarations.actions import do_declare
from unefois.exchange import seed
from unefois.exchange.actions import do_register_key
from unefois.exchange.models import Partner, PartnerKind, Purpose, Scope
from unefois.facts.actions import do_record_facts
from unefois.facts.models import Source, SubjectType
from unefois.people.models import Child

ISSUER = "http://testserver/api/partenaires"
TOKEN_URL = f"{ISSUER}/jeton"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
RECIPIENT = "18005000000015"

GED_TERMS = {
    "weeks_per_year": 52,
    "schedule": {"monday": 8.0, "tuesday": 8.0, "thursday": 8.0},
    "hourly_gross": 13.5,
    "leave_payment": "included",
}

NIRS = {
    "ama": "285037512345612",
    "ged": "190017512345678",
    "parent1": "178057512345699",
    "parent2": "281127512345644",
    "stranger": "199127512345655",  # a person with no contract at all
}


def hire(parent, employee, months: int, start: dt.date, terms=None, child_name="Léa"):
    child = Child.objects.create(parent=parent, display_name=child_name)
    do_record_facts(
        parent.user, SubjectType.CHILD, child.pk, {"birthdate": "2024-02-01"}, Source.PERSON
    )
    contract = do_hire(
        parent.user, parent, employee, child, employee.employee_kind, start, terms or TERMS
    )
    contract = do_answer_hire(employee.user, contract, True)
    first = start.year * 12 + start.month - 1
    for period in range(first, first + months):
        do_declare(parent.user, contract, period, {})
    return contract


@dataclass
class World:
    ama: object
    ged: object
    parent1: object
    parent2: object
    stranger: object
    contracts: dict = field(default_factory=dict)


@pytest.fixture
def world(db) -> World:
    seed.install(apps)
    parent1 = person("x-parent1", True)
    parent2 = person("x-parent2", True)
    ama = person("x-ama", False, "ama")
    ged = person("x-ged", False, "ged")
    stranger = person("x-stranger", False, "ama")
    w = World(ama, ged, parent1, parent2, stranger)
    w.contracts["ama1"] = hire(parent1, ama, 3, dt.date(2025, 3, 1))  # March–May 2025
    w.contracts["ama2"] = hire(parent2, ama, 2, dt.date(2025, 4, 1), child_name="Noé")
    ended = hire(parent2, ged, 2, dt.date(2025, 3, 1), GED_TERMS, child_name="Lou")
    w.contracts["ged"] = do_end_contract(
        parent2.user, ended, dt.date(2025, 4, 30), "employer_withdrawal"
    )
    for name in ("ama", "ged", "parent1", "parent2", "stranger"):
        p = getattr(w, name)
        type(p).objects.filter(pk=p.pk).update(nir=NIRS[name])
        p.refresh_from_db()
    return w


@dataclass
class PartnerClient:
    partner: Partner
    key: ECKey
    http: Client

    def assertion(
        self,
        *,
        aud: str = TOKEN_URL,
        lifetime: int = 120,
        issued: int | None = None,
        jti: str | None = None,
        key: ECKey | None = None,
        iss: str | None = None,
    ) -> str:
        now = int(time.time()) if issued is None else issued
        cid = iss or self.partner.client_id
        claims = {
            "iss": cid,
            "sub": cid,
            "aud": aud,
            "iat": now,
            "exp": now + lifetime,
            "jti": jti or uuid.uuid4().hex,
        }
        signing = key or self.key
        return jwt.encode({"alg": "ES256", "kid": signing.kid}, claims, signing)

    def token_response(self, assertion: str | None = None, scope: str | None = None, **form):
        data = {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion or self.assertion(),
        }
        if scope is not None:
            data["scope"] = scope
        data.update(form)
        return self.http.post("/api/partenaires/jeton", data)

    def token(self, scope: str | None = None) -> str:
        response = self.token_response(scope=scope)
        assert response.status_code == 200, response.content
        return response.json()["access_token"]

    def call(
        self,
        path: str,
        body: dict,
        *,
        purpose: str,
        token: str | None = None,
        recipient: str = RECIPIENT,
        context: str = "Dossier 2025-0042",
        omit: tuple[str, ...] = (),
    ):
        query = {"recipient": recipient, "context": context, "purpose": purpose}
        for name in omit:
            query.pop(name)
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        return self.http.post(
            f"/api/partenaires/v1/{path}?{qs}",
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token or self.token()}"},
        )


def new_key(kid: str | None = None) -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": kid or uuid.uuid4().hex[:12]})


def register(partner: Partner, burst: int = 10_000) -> PartnerClient:
    Partner.objects.filter(pk=partner.pk).update(burst=burst, rate_per_second=1000.0)
    partner.refresh_from_db()
    key = new_key()
    do_register_key(None, partner, key.as_dict(private=False))
    return PartnerClient(partner, key, Client())


@pytest.fixture
def partners(db) -> dict[str, PartnerClient]:
    """The five seeded partners, each with a registered key."""
    seed.install(apps)
    return {p.client_id: register(p) for p in Partner.objects.all()}


@pytest.fixture
def open_partner(db) -> PartnerClient:
    """A partner holding one scope per resource, each with every field of the resource."""
    from unefois.exchange.resources import RESOURCES

    seed.install(apps)
    partner = Partner.objects.create(
        client_id="tout-voir", name="Partenaire d'essai", kind=PartnerKind.THIRD_PARTY
    )
    purpose, _ = Purpose.objects.get_or_create(code="essai", defaults={"label": "Essai"})
    for code, resource in RESOURCES.items():
        Scope.objects.create(
            partner=partner,
            code=f"essai-{code}".replace("_", "-"),
            label=resource.label,
            resource=code,
            fields=list(resource.fields),
            purpose=purpose,
            legal_basis="Essai",
        )
    return register(partner)


# ---- Push and pull ----------------------------------------------------------------------------


@dataclass
class Household:
    """A parent employing an AMA, subscriptions made first: every action writes its messages."""

    parent: object
    ama: object


@pytest.fixture
def household(db) -> Household:
    from unefois.people.models import Person

    seed.install(apps)
    parent = person("h-parent", True)
    ama = person("h-ama", False, "ama")
    for p, nir in ((parent, NIRS["parent1"]), (ama, NIRS["ama"])):
        Person.objects.filter(pk=p.pk).update(nir=nir)
        p.refresh_from_db()
    return Household(parent, ama)


def set_webhook(client_id: str, url: str) -> Partner:
    from unefois.exchange.actions import do_save_partner

    partner = Partner.objects.get(client_id=client_id)
    partner.webhook_url = url
    return do_save_partner(None, partner)


def subscribe(scope_code: str, event: str, push: bool = True):
    from unefois.exchange.actions import do_save_subscription
    from unefois.exchange.models import Subscription

    scope = Scope.objects.select_related("partner").get(code=scope_code)
    return do_save_subscription(
        None,
        Subscription(
            partner=scope.partner, scope=scope, event=event, recipient=RECIPIENT, push=push
        ),
    )
