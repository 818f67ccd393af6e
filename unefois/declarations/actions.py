"""State changes of monthly declarations: declare, contest, correct. Each version is immutable;
a correction is a new version with its reason; each action writes its audit row."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from unefois.audit.services import check_version, record
from unefois.contracts.models import Contract

from . import services
from .models import Contest, Declaration, DeclarationVersion, Status
from .signals import declaration_confirmed


class DeclarationError(ValueError):
    """The declaration cannot be made as asked (the message is for the user)."""


def _compute(contract: Contract, period: int, events: dict, end=None, terms=None, employer=None):
    data = services.draft_input(contract, period, events, end, terms, employer)
    _, slip = services.compute(data)
    if slip.errors:
        raise DeclarationError(" ".join(f.message for f in slip.errors))
    return data, slip


def do_declare(
    actor,
    contract: Contract,
    period: int,
    events: dict | None = None,
    end: dict | None = None,
    terms: dict | None = None,
    employer: dict | None = None,
    checked: bool = False,
) -> tuple[Declaration, bool]:
    """Declare a month (once: a second submission returns the first declaration).
    ``terms``, ``employer``: the contract's and the employer's facts when the caller has already
    read them; ``checked``: the caller has just found no declaration of this month (a concurrent
    one is still kept out by the unique constraint).

    Returns the declaration and whether it was created now.
    """
    if not checked:
        existing = Declaration.objects.filter(contract=contract, period=period).first()
        if existing is not None:
            return existing, False
    events = events or {}
    data, slip = _compute(contract, period, events, end, terms, employer)
    try:
        with transaction.atomic():
            declaration = Declaration.objects.create(
                contract=contract, period=period, status=Status.CONFIRMED
            )
            version = DeclarationVersion.objects.create(
                declaration=declaration,
                number=1,
                created_by=actor,
                events=events,
                inputs=data,
                results=services.record_of(slip),
            )
            declaration.current_version = version
            declaration.save(update_fields=["current_version"])
            record(
                actor,
                "declaration.declarer",
                declaration,
                None,
                {
                    "period": period,
                    "contract": contract.pk,
                    "version": 1,
                    "net": str(slip.amount("net_pay")),
                },
            )
            declaration_confirmed.send(
                sender=Declaration, declaration=declaration, version=version, actor=actor
            )
    except IntegrityError:  # the same month declared at the same time: keep the first one
        return Declaration.objects.get(contract=contract, period=period), False
    return declaration, True


@transaction.atomic
def do_contest(actor, declaration: Declaration, reason: str, version: int | None = None) -> Contest:
    """The employee contests the declaration in force, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DeclarationError("Indiquez le motif de la contestation.")
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    check_version(declaration, version)
    contest = Contest.objects.create(
        version=declaration.current_version, created_by=actor, reason=reason
    )
    old = {"status": declaration.status}
    declaration.status = Status.CONTESTED
    declaration.version += 1
    declaration.save(update_fields=["status", "version"])
    record(
        actor,
        "declaration.contester",
        declaration,
        old,
        {"status": declaration.status, "reason": reason},
    )
    return contest


@transaction.atomic
def do_correct(
    actor, declaration: Declaration, events: dict, reason: str, version: int | None = None
) -> DeclarationVersion:
    """The employer corrects a declaration: a new version, with its reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DeclarationError("Indiquez le motif de la correction.")
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    check_version(declaration, version)
    previous = declaration.current_version
    data, slip = _compute(
        declaration.contract,
        declaration.period,
        events,
        previous.inputs.get("end") if previous else None,
    )
    new = DeclarationVersion.objects.create(
        declaration=declaration,
        number=previous.number + 1,
        created_by=actor,
        reason=reason,
        events=events,
        inputs=data,
        results=services.record_of(slip),
    )
    Contest.objects.filter(version__declaration=declaration, resolved_by__isnull=True).update(
        resolved_by=new
    )
    old = {
        "status": declaration.status,
        "version": previous.number,
        "net": services._line(previous.results, "net_pay"),
    }
    declaration.current_version = new
    declaration.status = Status.CORRECTED
    declaration.version += 1
    declaration.save(update_fields=["current_version", "status", "version"])
    record(
        actor,
        "declaration.corriger",
        declaration,
        old,
        {
            "status": declaration.status,
            "version": new.number,
            "reason": reason,
            "net": str(slip.amount("net_pay")),
        },
    )
    declaration_confirmed.send(
        sender=Declaration, declaration=declaration, version=new, actor=actor
    )
    return new
