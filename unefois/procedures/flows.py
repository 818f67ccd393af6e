"""What completing a procedure does in the domain, beyond recording its facts."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from unefois.audit.services import record
from unefois.contracts.actions import do_end_contract, do_hire
from unefois.contracts.models import Contract
from unefois.facts.actions import do_record_facts
from unefois.facts.models import Source, SubjectType
from unefois.people.models import Child, Person

from . import catalogue, engine


class FlowError(ValueError):
    """The procedure cannot be completed as asked (message for the user)."""


@transaction.atomic
def finish(result: engine.Plan, answers: dict, user, typed: int | None = None):
    """Complete a procedure: check answers, record facts, make the domain change."""
    slug = result.procedure.slug
    person: Person = result.context["person"]
    if slug == catalogue.EMPLOYER_SIGNUP.slug:
        run = engine.complete(result, answers, user, typed)
        _set_roles(user, person, employer=True)
        if run.answers.get("child_given_name"):
            child = Child.objects.create(
                parent=person, display_name=run.answers["child_given_name"]
            )
            do_record_facts(
                user,
                SubjectType.CHILD,
                child.pk,
                {
                    "given_name": run.answers["child_given_name"],
                    "birthdate": run.answers["child_birthdate"],
                },
                Source.PROCEDURE,
                slug,
            )
        return run, person
    if slug == catalogue.EMPLOYEE_SIGNUP.slug:
        run = engine.complete(result, answers, user, typed)
        values = result.values()
        _set_roles(
            user,
            person,
            employee=True,
            kind=values.get("employee_kind", ""),
            nir=values.get("nir"),
            number=values.get("pajemploi_number"),
        )
        return run, person
    if slug == catalogue.HIRE.slug:
        employee: Person = result.context["employee"]
        child = result.context.get("child")
        # The contract's terms are recorded by do_hire (source: the employer).
        cleaned = engine.check_answers(result, answers)
        terms = {k: v for k, v in result.values().items() if k != "start_date" and v is not None}
        terms.update({k: v for k, v in cleaned.items() if k != "start_date" and v is not None})
        weeks = int(terms.get("weeks_per_year") or 52)
        terms["leave_payment"] = "included" if weeks == 52 else "june"
        contract = do_hire(
            user,
            person,
            employee,
            child,
            employee.employee_kind,
            dt.date.fromisoformat(cleaned["start_date"]),
            terms,
        )
        run = engine.complete(result, answers, user, typed, {"contract": contract})
        run.subject_type, run.subject_id = "contract", contract.pk
        run.save(update_fields=["subject_type", "subject_id"])
        return run, contract
    if slug == catalogue.END_OF_CONTRACT.slug:
        contract: Contract = result.context["contract"]
        cleaned = engine.check_answers(result, answers)
        end_date = dt.date.fromisoformat(cleaned["end_date"])
        if end_date < contract.start_date:
            raise FlowError("La fin du contrat ne peut pas précéder son début.")
        run = engine.complete(result, answers, user, typed)
        do_end_contract(user, contract, end_date, cleaned["end_reason"])
        return run, contract
    return engine.complete(result, answers, user, typed), person


def _set_roles(
    user, person: Person, employer=False, employee=False, kind="", nir=None, number=None
) -> None:
    old = {
        "is_employer": person.is_employer,
        "is_employee": person.is_employee,
        "employee_kind": person.employee_kind,
    }
    person.is_employer = person.is_employer or employer
    person.is_employee = person.is_employee or employee
    if kind:
        person.employee_kind = kind
    if nir:
        person.nir = nir
    if number and not person.pajemploi_number:
        person.pajemploi_number = number
    person.version += 1
    person.save()
    record(
        user,
        "personne.roles",
        person,
        old,
        {
            "is_employer": person.is_employer,
            "is_employee": person.is_employee,
            "employee_kind": person.employee_kind,
        },
    )


def find_employee(
    pajemploi_number: str = "", nir: str = "", family_name: str = ""
) -> Person | None:
    """The employee a parent hires: by her Pajemploi number, or by NIR and birth name."""
    from unefois.facts import services as vault

    if pajemploi_number:
        return Person.objects.filter(
            is_employee=True, pajemploi_number=pajemploi_number.strip()
        ).first()
    if nir and family_name:
        person = Person.objects.filter(is_employee=True, nir=nir.replace(" ", "")).first()
        if person is not None:
            name = vault.values(SubjectType.PERSON, person.pk).get("family_name", "")
            if name.strip().lower() == family_name.strip().lower():
                return person
    return None
