"""The platform's URLs, plus the peer of the partner-API read benchmark: the same 12 months of an
employee's salaries read by a minimal django-ninja endpoint — no token, no rate limit, no scope,
no objection, no journal, no exchange log. What is left is the floor of the stack (gunicorn,
Django's middleware, ninja, the ORM, PostgreSQL); ``bench/exchange_reads.py`` measures it in the
same run as the real endpoint."""

from __future__ import annotations

from typing import Literal

from django.urls import path
from ninja import NinjaAPI, Schema

from config.urls import urlpatterns as platform
from unefois.exchange import access, resources
from unefois.people.models import Person

peer = NinjaAPI(title="Banc : plancher de la pile", urls_namespace="bench-peer", docs_url=None)

FIELDS = ["mois", "employeur", "salaire_brut", "heures"]  # the CPAM scope's fields


class SalariesIn(Schema):
    nir: str
    mois: Literal[3, 12] = 12


class Row(Schema):
    mois: str | None = None
    employeur: str | None = None
    salaire_brut: str | None = None
    heures: str | None = None


class Answer(Schema):
    donnees: list[Row]


@peer.post("/salaires", response=Answer)
def salaries(request, body: SalariesIn):
    """The person by NIR, then the rows read as the partner API reads them (the same query,
    ``resources``), reduced to the CPAM's fields."""
    last = resources.last_complete_month()
    person = access.find_person_id(body.nir)  # the same compiled query as the API's
    rows = []
    if person is not None:
        window = resources.Window(last - body.mois + 1, last)
        rows = resources.RESOURCES["salaires"].build(Person(pk=person), window)
    # rendered as the partner API renders its answers (no second validation of the rows)
    return peer.create_response(
        request, {"donnees": [{k: row[k] for k in FIELDS} for row in rows]}, status=200
    )


urlpatterns = [path("bench-peer/", peer.urls), *platform]
