"""Building a parent, an employee, contracts and declarations through the actions."""

import datetime as dt

from unefois.contracts.actions import do_answer_hire, do_hire
from unefois.declarations.actions import do_declare
from unefois.facts.actions import do_record_facts
from unefois.facts.models import Source, SubjectType
from unefois.people.actions import do_sign_in
from unefois.people.models import Child

TERMS = {
    "weeks_per_year": 52,
    "schedule": {"monday": 9.0, "tuesday": 9.0, "thursday": 9.0, "friday": 9.0},
    "hourly_gross": 4.8,
    "entretien_per_day": 4.2,
    "leave_payment": "included",
}


def person(sub: str, employer: bool, kind: str = "ama", number: str = ""):
    user = do_sign_in(
        {
            "sub": sub,
            "given_name": sub.title(),
            "family_name": "Test",
            "birthdate": "1985-01-01",
            "acr": "eidas1",
        }
    )
    p = user.person
    p.is_employer, p.is_employee = employer, not employer
    if not employer:
        p.employee_kind = kind
        p.pajemploi_number = number or f"S{user.pk:09d}"
    p.save()
    do_record_facts(
        user,
        SubjectType.PERSON,
        p.pk,
        {"monthly_resources": 3000.0, "cmg": True, "dependent_children": 1},
        Source.PERSON,
    )
    return p


def contract_with_months(parent, employee, months: int, start=dt.date(2025, 3, 1)):
    child = Child.objects.create(parent=parent, display_name="Léa")
    do_record_facts(
        parent.user, SubjectType.CHILD, child.pk, {"birthdate": "2024-02-01"}, Source.PERSON
    )
    contract = do_hire(parent.user, parent, employee, child, employee.employee_kind, start, TERMS)
    contract = do_answer_hire(employee.user, contract, True)
    first = start.year * 12 + start.month - 1
    for period in range(first, first + months):
        do_declare(parent.user, contract, period, {})
    return contract
