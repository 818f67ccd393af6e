"""A small world (an employer with two children, an AMA and a GED, a contract with each, made
through the domain actions), a third-party software registered as an exchange partner with its
key and its scope, and a client that authenticates as such software would (signed client
assertion, access token) and checks **every request it sends and every response it gets**
against Urssaf's Swagger file.

The clock of the API (``services.today``) is set by the tests: estimates are for the current
month, and a month is declared only once it has begun."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.test import Client
from joserfc import jwt
from joserfc.jwk import ECKey

from tests.api import swagger
from tests.www.factories import person
from unefois.api import actions as api_actions
from unefois.api import services
from unefois.contracts.actions import do_answer_hire, do_hire
from unefois.exchange import seed
from unefois.exchange.actions import do_register_key
from unefois.exchange.models import Partner, PartnerKind
from unefois.facts.actions import do_record_facts
from unefois.facts.models import Source, SubjectType
from unefois.people.models import Child

BASE = "/tiersdecl/v1/paje"
TOKEN_URL = "http://testserver/api/partenaires/jeton"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

EMPLOYER_NUMBER = "E123456789"  # as unefois gives it; the API shows it on 14 characters
EMPLOYER_PAJE = EMPLOYER_NUMBER.zfill(14)
EMPLOYER_BIRTH = "1985-01-01"  # the factories' FranceConnect birth date
AMA_NUMBER = "S000000101"
GED_NUMBER = "S000000102"
AMA_NIR = "285037512345612"
GED_NIR = "190017512345678"

AMA_TERMS = {
    "weeks_per_year": 52,
    "schedule": {"monday": 9.0, "tuesday": 9.0, "thursday": 9.0, "friday": 9.0},
    "hourly_gross": 4.8,
    "entretien_per_day": 4.2,
    "leave_payment": "included",
}
GED_TERMS = {
    "weeks_per_year": 52,
    "schedule": {"monday": 8.0, "tuesday": 8.0, "thursday": 8.0},
    "hourly_gross": 13.5,
    "leave_payment": "included",
}

CHILD_LEA = {"nomEnfant": "TEST", "prenomEnfant": "LEA", "dtNaissanceEnfant": "2024-02-01"}
CHILD_LOU = {"nomEnfant": "TEST", "prenomEnfant": "LOU", "dtNaissanceEnfant": "2023-06-15"}


def child(parent, name: str, birthdate: str) -> Child:
    kid = Child.objects.create(parent=parent, display_name=name)
    do_record_facts(
        parent.user,
        SubjectType.CHILD,
        kid.pk,
        {"given_name": name, "birthdate": birthdate},
        Source.PERSON,
    )
    return kid


@dataclass
class World:
    employer: Any
    ama: Any
    ged: Any
    lea: Child
    lou: Child
    contracts: dict = field(default_factory=dict)


@pytest.fixture
def world(db) -> World:
    employer = person("t-parent", True)
    do_record_facts(
        employer.user,
        SubjectType.PERSON,
        employer.pk,
        {"employer_number": EMPLOYER_NUMBER},
        Source.PROCEDURE,
    )
    ama = person("t-ama", False, "ama", AMA_NUMBER)
    ged = person("t-ged", False, "ged", GED_NUMBER)
    type(ama).objects.filter(pk=ama.pk).update(nir=AMA_NIR)
    type(ged).objects.filter(pk=ged.pk).update(nir=GED_NIR)
    ama.refresh_from_db()
    ged.refresh_from_db()
    lea = child(employer, "Léa", "2024-02-01")
    lou = child(employer, "Lou", "2023-06-15")
    w = World(employer, ama, ged, lea, lou)
    for name, employee, kid, terms in (
        ("ama", ama, lea, AMA_TERMS),
        ("ged", ged, lou, GED_TERMS),
    ):
        contract = do_hire(
            employer.user,
            employer,
            employee,
            kid,
            employee.employee_kind,
            dt.date(2025, 1, 6),
            terms,
        )
        w.contracts[name] = do_answer_hire(employee.user, contract, True)
    return w


@pytest.fixture
def today(monkeypatch):
    """Set the API's clock: ``today(dt.date(...))``; 27 October 2025 unless a test says."""

    def set_day(day: dt.date) -> None:
        monkeypatch.setattr(services, "today", lambda: day)

    set_day(dt.date(2025, 10, 27))
    return set_day


# ---- The third-party software -------------------------------------------------------------------


@dataclass
class Sent:
    """A response with what was sent, for the assertions' messages."""

    status_code: int
    content: bytes
    headers: Any
    request: str

    def json(self) -> Any:
        return json.loads(self.content)


@dataclass
class Software:
    partner: Partner
    key: ECKey
    http: Client
    token_value: str | None = None
    checked: list[str] = field(default_factory=list)

    def assertion(self) -> str:
        now = int(time.time())
        cid = self.partner.client_id
        claims = {"iss": cid, "sub": cid, "aud": TOKEN_URL, "iat": now, "exp": now + 120}
        claims["jti"] = uuid.uuid4().hex
        return jwt.encode({"alg": "ES256", "kid": self.key.kid}, claims, self.key)

    def token(self) -> str:
        if self.token_value is None:
            response = self.http.post(
                "/api/partenaires/jeton",
                {
                    "grant_type": "client_credentials",
                    "client_assertion_type": ASSERTION_TYPE,
                    "client_assertion": self.assertion(),
                },
            )
            assert response.status_code == 200, response.content
            self.token_value = response.json()["access_token"]
        return self.token_value

    def call(
        self,
        method: str,
        path: str,
        query: dict[str, str] | None = None,
        body: Any = None,
        *,
        valid: bool = True,
        token: str | None = "auto",
    ) -> Sent:
        """Send one request. ``valid``: the Swagger must accept it (True) or refuse it (False,
        for the tests of bad input). Whatever the request, the response must conform."""
        query = query or {}
        has_body = body is not None
        problems = swagger.request_problems(method, path, query, body, has_body)
        if valid:
            assert not problems, f"requête hors spécification : {problems}"
        else:
            assert problems, "cette requête devait être refusée par la spécification"
        url = BASE + path + (f"?{urlencode(query)}" if query else "")
        headers = {}
        if token == "auto":
            headers["Authorization"] = f"Bearer {self.token()}"
        elif token is not None:
            headers["Authorization"] = token
        kwargs: dict[str, Any] = {"headers": headers}
        if has_body:
            kwargs["data"] = body if isinstance(body, str | bytes) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        elif method != "GET":  # no body at all, as an HTTP client sends it
            kwargs["data"] = b""
            kwargs["content_type"] = "application/json"
        response = getattr(self.http, method.lower())(url, **kwargs)
        sent = Sent(response.status_code, response.content, response.headers, f"{method} {url}")
        if response.status_code != 429:  # rate limiting is unefois' own (see the docs)
            issues = swagger.response_problems(
                method,
                path,
                response.status_code,
                response.content,
                response.headers.get("Content-Type", ""),
            )
            assert not issues, f"réponse hors spécification ({sent.request}) : {issues}"
        self.checked.append(swagger.operation(method, path)[0].id)
        return sent

    # Shortcuts for the routes that concern the world's employer.

    def employer_query(self, **extra) -> dict[str, str]:
        return {"dtNaissanceEmployeur": EMPLOYER_BIRTH, **extra}

    def register_mandate(self) -> Sent:
        return self.call(
            "POST", "/mandats", {"numeroPaje": EMPLOYER_PAJE, "dateNaissance": EMPLOYER_BIRTH}
        )


def new_key() -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": uuid.uuid4().hex[:12]})


def software_for(client_id: str, operations: list[str] | None = None, grant: bool = True):
    partner = Partner.objects.create(
        client_id=client_id,
        name=f"Logiciel {client_id}",
        kind=PartnerKind.THIRD_PARTY,
        rate_per_second=1000.0,
        burst=10_000,
    )
    key = new_key()
    do_register_key(None, partner, key.as_dict(private=False))
    if grant:
        api_actions.do_grant(None, partner, operations)
    return Software(partner, key, Client())


@pytest.fixture
def software(db, settings) -> Software:
    """A payroll software holding every operation of the API."""
    settings.EXCHANGE_ISSUER = "http://testserver/api/partenaires"
    seed.install(apps)
    return software_for("logiciel-paie")


@pytest.fixture
def mandated(world, software) -> Software:
    """The software, with the world's employer's mandate registered."""
    response = software.register_mandate()
    assert response.status_code == 200, response.content
    return software


# The fields of InputDeclCommun (the rest are at the top of the declaration).
COMMON_FIELDS = {
    "dtDebutPeriode",
    "dtFinPeriode",
    "dtPaiementSalaire",
    "nbHeures",
    "nbJoursCongesPayes",
    "mntSalaireHoraireNet",
    "nbHeuresSpecifiques",
    "mntAcompteSalarie",
    "mntSalaireNetMensuel",
    "mntIndemnitesKilometriques",
}


def _override(body: dict, overrides: dict) -> dict:
    for key, value in overrides.items():
        if key in COMMON_FIELDS:
            body["inputDeclCommun"][key] = value
        else:
            body[key] = value
    return body


def ama_declaration(**overrides) -> dict:
    """October 2025 for the AMA: 156 h (36 h a week mensualised), 3,80 € net an hour."""
    body = {
        "inputSp": {"numeroPajeSalarie": AMA_NUMBER.zfill(14)},
        "inputDeclEnfant": [CHILD_LEA],
        "inputDeclCommun": {
            "dtDebutPeriode": "2025-10-01",
            "dtFinPeriode": "2025-10-31",
            "dtPaiementSalaire": "2025-10-31",
            "nbHeures": 156,
            "mntSalaireHoraireNet": 3.80,
            "mntSalaireNetMensuel": 592.80,
        },
        "nbJoursActivite": 18,
        "mntIndemnitesEntretien": 75.60,
    }
    return _override(body, overrides)


def ged_declaration(**overrides) -> dict:
    """October 2025 for the GED: 150 h, 1 800 € net."""
    body = {
        "inputSp": {"nirSalarie": GED_NIR},
        "inputDeclEnfant": [CHILD_LOU],
        "inputDeclCommun": {
            "dtDebutPeriode": "2025-10-01",
            "dtFinPeriode": "2025-10-31",
            "dtPaiementSalaire": "2025-10-31",
            "nbHeures": 150,
            "mntSalaireNetMensuel": 1800.00,
        },
        "cdModeCalcul": "R",
    }
    return _override(body, overrides)
