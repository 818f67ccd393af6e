"""One partner call, from the authenticated caller to the masked answer:

scope of the token for this resource → stated purpose → person → purpose's role → objection →
rows from the declarations in force → mask → one exchange-log entry (chained) and, when the
person is known, one row of their access journal — in one transaction, before any answer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from unefois.people.models import Person

from . import chain, resources
from .models import AccessJournal, Outcome, Scope
from .services import objects
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


def find_person(nir: str) -> Person | None:
    """A person by NIR (13 characters, or 15 with the key)."""
    nir = nir.strip().upper()
    short = nir[:13]
    return (
        Person.objects.filter(Q(nir=nir) | Q(nir=short) | Q(nir__startswith=short))
        .order_by("pk")
        .first()
    )


def _scope_for(caller: Caller, resource: str, purpose: str) -> Scope:
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
        def work():
            at = timezone.now()
            entry = chain.append({**meta, "result": result, "status": status}, at=at)
            if person is not None and outcome is not None:
                AccessJournal.objects.create(
                    person=person,
                    at=at,
                    partner=caller.partner,
                    scope=scope,
                    fields=meta["fields"],
                    period=window.label,
                    recipient=demand.recipient,
                    outcome=outcome,
                    log_seq=entry.seq,
                )
            return entry.seq

        return chain.write(work)

    try:
        scope = _scope_for(caller, resource_code, demand.purpose)
    except RefusalError as refusal:
        refusal.log_entry = log(refusal.code, refusal.status)
        raise
    meta["scope"] = scope.code
    _, granted, refused = resources.mask([], scope.fields, asked)
    meta["fields"] = granted
    person = find_person(nir)
    if person is None:
        seq = log("personne_inconnue", 404)
        raise RefusalError(404, "personne_inconnue", "Aucune donnée pour cette personne.", seq)
    meta["subject"] = person.pk
    if not resources.concerned(person, resource.role):
        seq = log("hors_finalite", 404, person, scope, Outcome.NOT_CONCERNED)
        raise RefusalError(404, "personne_inconnue", "Aucune donnée pour cette personne.", seq)
    if not scope.mandatory and objects(person, caller.partner):
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
