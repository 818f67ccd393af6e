"""Reading the exchanges of a person — what « Mes données » shows: who received which of their
data, when and why; and whether they object to the non-mandatory exchanges."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from unefois.people.models import Person

from .models import AccessJournal, Objection, Outcome, Partner
from .resources import FIELD_LABELS


@dataclass(frozen=True)
class Access:
    """One row of a person's access journal, ready to show."""

    at: dt.datetime
    partner: str  # the body, e.g. « Assurance maladie (CPAM) »
    partner_kind: str
    data: list[str]  # the data, in French (« Salaire brut », « Heures rémunérées »…)
    period: str
    purpose: str  # why, in French
    legal_basis: str
    recipient: str  # the office that received them (SIRET)
    outcome: str  # « Données transmises », « Refusé : opposition de la personne »…
    delivered: bool
    mandatory: bool  # an exchange the person cannot object to
    log_entry: int  # its number in the exchange log


def accesses_for(person: Person, limit: int | None = 200) -> list[Access]:
    """The accesses to a person's data by partners, the most recent first."""
    rows = (
        AccessJournal.objects.filter(person=person)
        .select_related("partner", "scope__purpose")
        .order_by("-at", "-id")
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        Access(
            at=row.at,
            partner=row.partner.name,
            partner_kind=row.partner.get_kind_display(),
            data=[FIELD_LABELS.get(f, f) for f in row.fields],
            period=row.period,
            purpose=row.scope.purpose.label,
            legal_basis=row.scope.legal_basis,
            recipient=row.recipient,
            outcome=Outcome(row.outcome).label,
            delivered=row.outcome == Outcome.DELIVERED,
            mandatory=row.scope.mandatory,
            log_entry=row.log_seq,
        )
        for row in rows
    ]


def active_objections(person: Person) -> list[Objection]:
    """The person's objections in force (an empty partner means all partners)."""
    return list(
        Objection.objects.filter(person=person, withdrawn_at__isnull=True)
        .select_related("partner")
        .order_by("created_at")
    )


def _objections(person, partner: Partner | int):
    return Objection.objects.filter(person=person, withdrawn_at__isnull=True).filter(
        Q(partner__isnull=True) | Q(partner=partner)
    )


def objects(person: Person, partner: Partner) -> bool:
    """Whether the person objects to non-mandatory exchanges with this partner."""
    return _objections(person, partner).exists()


def objection_expression(partner: Partner | int) -> Exists:
    """``objects`` as an expression, to annotate a query on persons (``partner``: the partner
    or its pk)."""
    return Exists(_objections(OuterRef("pk"), partner))


def partners_open_to_objection() -> list[Partner]:
    """Partners with at least one non-mandatory exchange (those a person may object to)."""
    return list(
        Partner.objects.filter(active=True, scopes__active=True, scopes__mandatory=False)
        .distinct()
        .order_by("name")
    )
