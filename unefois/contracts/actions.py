"""State changes of contracts: hiring, the employee's confirmation, the end. Each writes an
audit row with the old and new values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from unefois.audit.services import check_version, record
from unefois.facts.actions import do_record_facts
from unefois.facts.models import Source, SubjectType
from unefois.people.models import Child, Person

from .models import Contract, Status
from .signals import contract_ended


@transaction.atomic
def do_hire(
    actor,
    employer: Person,
    employee: Person,
    child: Child | None,
    kind: str,
    start_date: dt.date,
    terms: dict[str, Any],
) -> Contract:
    """A parent hires an AMA or a GED: the contract waits for the employee's confirmation."""
    contract = Contract.objects.create(
        employer=employer, employee=employee, child=child, kind=kind, start_date=start_date
    )
    do_record_facts(actor, SubjectType.CONTRACT, contract.pk, terms, Source.EMPLOYER, "embauche")
    record(
        actor,
        "contrat.embaucher",
        contract,
        None,
        {
            "employer": employer.pk,
            "employee": employee.pk,
            "kind": kind,
            "start_date": start_date,
            "status": contract.status,
        },
    )
    return contract


@transaction.atomic
def do_answer_hire(actor, contract: Contract, accept: bool, version: int | None = None) -> Contract:
    """The employee confirms (or refuses) the link from her own account."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    check_version(contract, version)
    if contract.status != Status.AWAITING_EMPLOYEE:
        return contract
    old = {"status": contract.status}
    contract.status = Status.ACTIVE if accept else Status.REFUSED
    contract.confirmed_at = timezone.now() if accept else None
    contract.version += 1
    contract.save(update_fields=["status", "confirmed_at", "version"])
    record(
        actor,
        "contrat.confirmer" if accept else "contrat.refuser",
        contract,
        old,
        {"status": contract.status},
    )
    return contract


@transaction.atomic
def do_end_contract(
    actor, contract: Contract, end_date: dt.date, reason: str, version: int | None = None
) -> Contract:
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    check_version(contract, version)
    old = {
        "status": contract.status,
        "end_date": contract.end_date,
        "end_reason": contract.end_reason,
    }
    contract.end_date = end_date
    contract.end_reason = reason
    contract.status = Status.ENDED
    contract.version += 1
    contract.save(update_fields=["end_date", "end_reason", "status", "version"])
    record(
        actor,
        "contrat.terminer",
        contract,
        old,
        {"status": contract.status, "end_date": end_date, "end_reason": reason},
    )
    contract_ended.send(sender=Contract, contract=contract, actor=actor)
    return contract
