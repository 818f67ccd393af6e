"""State changes made through the third-party declaration API. Each writes its audit row; the
declaration itself is made by the domain's action (``declarations.actions.do_declare``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from unefois.audit.services import record
from unefois.contracts.models import Contract
from unefois.declarations.actions import do_declare
from unefois.declarations.models import Declaration
from unefois.exchange.models import Partner, Purpose, Scope
from unefois.people.models import Person

from . import grants
from .models import EmployeeLink, Mandate


@transaction.atomic
def do_grant(actor, partner: Partner, operations: list[str] | None = None) -> Scope:
    """Give a partner (a third-party software) access to the API: its own scope of the resource
    ``tierce_declaration``, limited to ``operations`` (all by default)."""
    allowed = list(operations or grants.ALL_OPERATIONS)
    unknown = sorted(set(allowed) - set(grants.OPERATIONS))
    if unknown:
        raise ValueError(f"Opération(s) inconnue(s) : {', '.join(unknown)}.")
    purpose, _ = Purpose.objects.get_or_create(
        code=grants.PURPOSE, defaults={"label": grants.PURPOSE_LABEL}
    )
    existing = Scope.objects.filter(partner=partner, resource=grants.RESOURCE).first()
    old = {"fields": existing.fields, "active": existing.active} if existing else None
    values = {
        "label": "Tierce déclaration (API compatible Pajemploi)",
        "fields": allowed,
        "purpose": purpose,
        "legal_basis": grants.LEGAL_BASIS,
        "legal_basis_note": grants.LEGAL_BASIS_NOTE,
        "mandatory": True,
        "active": True,
    }
    if existing is None:
        scope = Scope.objects.create(
            partner=partner,
            code=grants.scope_code(partner.client_id),
            resource=grants.RESOURCE,
            **values,
        )
    else:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        scope = existing
    record(
        actor,
        "tierce_declaration.habiliter",
        scope,
        old,
        {"partner": partner.client_id, "fields": allowed, "active": True},
    )
    return scope


def do_register_mandate(actor, partner: Partner, employer: Person) -> tuple[Mandate, bool]:
    """The employer's mandate to the partner (once: a mandate in force is returned as is)."""
    existing = Mandate.objects.filter(
        partner=partner, employer=employer, cancelled_at__isnull=True
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            mandate = Mandate.objects.create(partner=partner, employer=employer)
            record(
                actor,
                "tierce_declaration.mandat_enregistrer",
                mandate,
                None,
                {"partner": partner.client_id, "employer": employer.pk},
            )
    except IntegrityError:  # registered at the same time by another call: keep that one
        return Mandate.objects.get(
            partner=partner, employer=employer, cancelled_at__isnull=True
        ), False
    return mandate, True


@transaction.atomic
def do_cancel_mandate(actor, partner: Partner, employer: Person) -> Mandate | None:
    """Cancel the mandate in force (None when there is none)."""
    mandate = (
        Mandate.objects.select_for_update()
        .filter(partner=partner, employer=employer, cancelled_at__isnull=True)
        .first()
    )
    if mandate is None:
        return None
    mandate.cancelled_at = timezone.now()
    mandate.save(update_fields=["cancelled_at"])
    record(
        actor,
        "tierce_declaration.mandat_annuler",
        mandate,
        {"cancelled_at": None},
        {"cancelled_at": mandate.cancelled_at, "partner": partner.client_id},
    )
    return mandate


def has_mandate(partner: Partner, employer: Person) -> bool:
    return Mandate.objects.filter(
        partner=partner, employer=employer, cancelled_at__isnull=True
    ).exists()


def do_link_employee(
    actor, partner: Partner, employer: Person, employee: Person
) -> tuple[EmployeeLink, bool]:
    """Record that the employer, through the partner, associated this employee (once)."""
    existing = EmployeeLink.objects.filter(employer=employer, employee=employee).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            link = EmployeeLink.objects.create(
                partner=partner, employer=employer, employee=employee
            )
            record(
                actor,
                "tierce_declaration.associer_salarie",
                link,
                None,
                {"partner": partner.client_id, "employer": employer.pk, "employee": employee.pk},
            )
    except IntegrityError:
        return EmployeeLink.objects.get(employer=employer, employee=employee), False
    return link, True


@transaction.atomic
def do_declare_for(
    partner: Partner,
    mandate: Mandate,
    contract: Contract,
    period: int,
    events: dict,
    terms: dict,
) -> tuple[Declaration, bool]:
    """Declare the month through the domain's action, on the employer's behalf under the
    partner's mandate (idempotent: a month already declared is returned as it is)."""
    declaration, created = do_declare(None, contract, period, events, None, terms)
    if created:
        record(
            None,
            "tierce_declaration.declarer",
            declaration,
            None,
            {
                "partner": partner.client_id,
                "mandate": mandate.pk,
                "contract": contract.pk,
                "period": period,
            },
        )
    return declaration, created
