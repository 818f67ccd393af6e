"""One partner call, from the authenticated caller to the masked answer:

scope of the token for this resource → stated purpose → person → purpose's role → objection →
rows from the declarations in force → mask → one exchange-log entry (chained) and, when the
person is known, one row of their access journal — in one transaction, before any answer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import router
from django.db.models import Q
from django.utils import timezone

from unefois.people.models import Person
from unefois.storage.prepared import Prepared

from . import chain, resources
from .models import AccessJournal, Outcome, Scope
from .services import objection_expression
from .tokens import Caller


@dataclass(frozen=True)
class Demand:
    """What each call states (as API Entreprise requires)."""

    recipient: str  # SIRET of the office that receives the data
    context: str  # the case it is for, in the partner's words
    purpose: str  # the purpose code, one of the scope's


class RefusalError(Exception):
    def __init__(self, status: int, code: str, message: str, log_entry: int | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.log_entry = status, code, message, log_entry

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.log_entry is not None:
            out["reference_journal"] = self.log_entry
        return out


def _nirs(nir: str) -> tuple[str, str]:
    nir = nir.strip().upper()
    return nir, nir[:13]


def _persons(nir: str, short: str):
    return Person.objects.filter(Q(nir=nir) | Q(nir=short) | Q(nir__startswith=short)).order_by(
        "pk"
    )


_PERSON = Prepared(lambda nir, short: _persons(nir, short).values_list("pk")[:1], [str, str])


def find_person(nir: str) -> Person | None:
    """A person by NIR (13 characters, or 15 with the key)."""
    return _persons(*_nirs(nir)).first()


def find_person_id(nir: str) -> int | None:
    """The pk of ``find_person``, by a query compiled once per process."""
    rows = _PERSON.rows(router.db_for_read(Person), *_nirs(nir))
    return rows[0][0] if rows else None


_SUBJECTS = {
    role: Prepared(
        lambda nir, short, partner, role=role: (
            _persons(nir, short)
            .annotate(
                concerned=resources.concerned_expression(role),
                objecting=objection_expression(partner),
            )
            .values_list("pk", "concerned", "objecting")[:1]
        ),
        [str, str, int],
    )
    for role in (resources.EMPLOYEE, resources.EMPLOYER)
}


@dataclass(frozen=True)
class Subject:
    """The person a call is about: whether they have the purpose's role, whether they object
    to this partner's non-mandatory exchanges."""

    person: Person
    concerned: bool
    objecting: bool


def _find_subject(nir: str, role: str, caller: Caller) -> Subject | None:
    """``find_person``, with in the same query ``resources.concerned`` and
    ``services.objects`` (the same conditions, as expressions)."""
    rows = _SUBJECTS[role].rows(router.db_for_read(Person), *_nirs(nir), caller.partner.pk)
    if not rows:
        return None
    pk, concerned, objecting = rows[0]
    return Subject(Person(pk=pk), bool(concerned), bool(objecting))


def _scope_for(caller: Caller, resource: str, purpose: str) -> Scope:
    if caller.config is not None:  # the partner's scopes, as read when the call was authenticated
        scopes = [
            s
            for s in caller.config.scopes
            if s.code in caller.scopes and s.resource == resource and s.active
        ]
    else:
        scopes = list(
            Scope.objects.filter(
                partner=caller.partner, code__in=caller.scopes, resource=resource, active=True
            ).select_related("purpose")
        )
    if not scopes:
        raise RefusalError(
            403,
            "perimetre_insuffisant",
            "Votre jeton ne donne accès à aucun périmètre pour cette ressource.",
        )
    for scope in scopes:
        if scope.purpose.code == purpose:
            return scope
    allowed = ", ".join(sorted(s.purpose.code for s in scopes))
    raise RefusalError(
        403,
        "finalite_non_autorisee",
        f"La finalité « {purpose} » n'est pas autorisée pour cette ressource ; "
        f"finalité(s) autorisée(s) : {allowed}.",
    )


def serve(
    caller: Caller,
    resource_code: str,
    demand: Demand,
    nir: str,
    window: resources.Window,
    asked: list[str] | None,
) -> dict[str, Any]:
    """The answer to a partner call; raises ``RefusalError``. Writes the log (and the journal)."""
    resource = resources.RESOURCES[resource_code]
    request_id = uuid.uuid4().hex
    meta: dict[str, Any] = {
        "client": caller.partner.client_id,
        "token": caller.token_id,
        "resource": resource_code,
        "scope": None,
        "purpose": demand.purpose,
        "recipient": demand.recipient,
        "context": demand.context,
        "subject": None,
        "fields": [],
        "period": window.label,
        "request": request_id,
    }

    def log(result: str, status: int, person=None, scope=None, outcome=None) -> int:
        """The log entry, and the person's journal row when the person is known, written and
        committed together (``chain.record``) before any answer."""
        at = timezone.now()
        journal = None
        if person is not None and outcome is not None:
            journal = chain.Row(
                AccessJournal,
                {
                    "person": person.pk,
                    "at": at,
                    "partner": caller.partner.pk,
                    "scope": scope.pk,
                    "fields": meta["fields"],
                    "period": window.label,
                    "recipient": demand.recipient,
                    "outcome": str(outcome),
                },
                "log_seq",
            )
        return chain.record({**meta, "result": result, "status": status}, at=at, also=journal).seq

    try:
        scope = _scope_for(caller, resource_code, demand.purpose)
    except RefusalError as refusal:
        refusal.log_entry = log(refusal.code, refusal.status)
        raise
    meta["scope"] = scope.code
    _, granted, refused = resources.mask([], scope.fields, asked)
    meta["fields"] = granted
    subject = _find_subject(nir, resource.role, caller)
    if subject is None:
        seq = log("personne_inconnue", 404)
        raise RefusalError(404, "personne_inconnue", "Aucune donnée pour cette personne.", seq)
    person = subject.person
    meta["subject"] = person.pk
    if not subject.concerned:
        seq = log("hors_finalite", 404, person, scope, Outcome.NOT_CONCERNED)
        raise RefusalError(404, "personne_inconnue", "Aucune donnée pour cette personne.", seq)
    if not scope.mandatory and subject.objecting:
        seq = log("opposition", 403, person, scope, Outcome.OBJECTION)
        raise RefusalError(
            403,
            "opposition",
            "La personne s'est opposée à cet échange, qui n'est pas obligatoire : demandez-lui "
            "directement les justificatifs.",
            seq,
        )
    rows = resource.build(person, window)
    masked, _, _ = resources.mask(rows, scope.fields, asked)
    outcome = Outcome.DELIVERED if masked else Outcome.NO_DATA
    seq = log("ok" if masked else "aucune_donnee", 200, person, scope, outcome)
    return {
        "donnees": masked,
        "champs": granted,
        "champs_refuses": refused,
        "perimetre": scope.code,
        "finalite": scope.purpose.code,
        "base_legale": scope.legal_basis,
        "periode": window.label,
        "reference_journal": seq,
    }
