"""Who the request is about: the employer (Pajemploi number and birth date), the employee
(Pajemploi number, NIR or civil status), the children, the contract of the month.

**Numbers.** Urssaf's numbers have 14 characters. unefois gives shorter ones (employer number
``E`` + 9 digits in the vault, employee number ``S`` + 9 digits on the person); the API shows
them padded on the left with zeros to 14 characters (``0000E123456789``) and accepts them padded
or not. A 14-character number recorded as such (an employer who brought their Pajemploi number)
is matched as it is."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Q

from unefois.contracts.models import Contract
from unefois.contracts.models import Status as ContractStatus
from unefois.facts import services as vault
from unefois.facts.models import Fact, SubjectType
from unefois.people.models import Child, Person
from unefois.rules.law import OutOfRangeError, month_law

NUMBER_LENGTH = 14


def padded(number: str | None) -> str:
    return (number or "").strip().zfill(NUMBER_LENGTH)


# A Pajemploi number or a NIR is letters and digits: anything else (a NUL byte, say, which
# PostgreSQL refuses in a query) matches nobody and is not looked up.
_IDENTIFIER = re.compile(r"[0-9A-Za-z]+")


def _identifier(text: str) -> bool:
    return bool(_IDENTIFIER.fullmatch(text.strip()))


def _variants(number: str) -> list[str]:
    number = number.strip()
    if not _identifier(number):
        return []
    out = [number]
    short = number.lstrip("0")
    if short and short != number:
        out.append(short)
    return out


def normalised(text: str | None) -> str:
    """Upper case, no accents, hyphens and apostrophes as spaces, single spaces."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    for sign in "-'’":
        text = text.replace(sign, " ")
    return " ".join(text.split())


# ---- Employer ---------------------------------------------------------------------------------


def find_employer(number: str, birth: dt.date) -> Person | None:
    """The employer with this number (employer_number fact) born on this day."""
    variants = _variants(number)
    if not variants:
        return None
    query = Q()
    for variant in variants:
        query |= Q(value=variant)
    ids = Fact.objects.filter(
        query,
        subject_type=SubjectType.PERSON,
        key="employer_number",
        superseded_at__isnull=True,
    ).values_list("subject_id", flat=True)
    for person in Person.objects.filter(pk__in=list(ids), is_employer=True).select_related("user"):
        born = vault.values(SubjectType.PERSON, person.pk).get("birthdate")
        if born and str(born) == birth.isoformat():
            return person
    return None


def account_state(person: Person) -> str:
    """« Actif », « Inactif » or « Absent » (no online account) — the Swagger's words."""
    if person.user is None:
        return "Absent"
    return "Actif" if person.user.is_active else "Inactif"


# ---- Employee ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmployeeQuery:
    number: str | None = None  # numeroPajeSalarie
    nir: str | None = None  # nirSalarie
    birth: dt.date | None = None  # dtNaissanceSalarie
    family_name: str | None = None  # nomNaissance
    given_name: str | None = None  # prenom

    @property
    def enough(self) -> bool:
        return bool(self.number or self.nir or (self.birth and self.family_name))


def find_employee(q: EmployeeQuery) -> Person | None:
    """The employee by Pajemploi number, else NIR, else birth name, first name and birth date.
    A birth date given with a number or a NIR must agree with the person's."""
    employees = Person.objects.filter(is_employee=True)
    person = None
    if q.number:
        person = employees.filter(pajemploi_number__in=_variants(q.number)).first()
    elif q.nir:
        if not _identifier(q.nir):
            return None
        nir = q.nir.strip().upper()
        person = employees.filter(Q(nir=nir) | Q(nir=nir[:13])).order_by("pk").first()
    elif q.birth and q.family_name:
        ids = Fact.objects.filter(
            subject_type=SubjectType.PERSON,
            key="birthdate",
            value=q.birth.isoformat(),
            superseded_at__isnull=True,
        ).values_list("subject_id", flat=True)
        found = []
        for candidate in employees.filter(pk__in=list(ids)):
            facts = vault.values(SubjectType.PERSON, candidate.pk)
            if normalised(facts.get("family_name")) != normalised(q.family_name):
                continue
            if q.given_name and normalised(facts.get("given_name")) != normalised(q.given_name):
                continue
            found.append(candidate)
        person = found[0] if len(found) == 1 else None
        return person
    if person is not None and q.birth is not None:
        born = vault.values(SubjectType.PERSON, person.pk).get("birthdate")
        if born and str(born) != q.birth.isoformat():
            return None
    return person


def employee_verification(person: Person) -> dict:
    """``OutputVerificationSp``. An AMA holds an agrément; any employee may be a GED."""
    return {
        "numeroPajeSalarie": padded(person.pajemploi_number or f"S{person.pk:09d}"),
        "indcAma": person.employee_kind == "ama",
        "indcGed": True,
        "etatCompteEnLigne": account_state(person),
    }


# ---- Children ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildQuery:
    family_name: str
    given_name: str
    birth: dt.date


@dataclass(frozen=True)
class ChildCheck:
    query: ChildQuery
    status: int  # 0 not found or not entitled, 1 found, 2 found by a partial search
    child: Child | None = None


def age_limit(employer_facts: dict, day: dt.date) -> float:
    """Age (strict) until which a child opens rights to the CMG (rules core's parameters)."""
    single = bool(employer_facts.get("single_parent"))
    path = "cmg.age_limite_parent_isole" if single else "cmg.age_limite"
    try:
        value = month_law(day.year * 12 + day.month - 1)[path]
    except OutOfRangeError:
        return 6.0
    return 6.0 if math.isnan(value) else value


def verify_children(employer: Person, queries: list[ChildQuery], day: dt.date) -> list[ChildCheck]:
    """Each child asked about among the employer's children: found by birth date and first name
    (1 when the name matches too, 2 when only those two do), and entitled to the CMG on
    ``day`` (under the age limit, employer not without CMG); else 0."""
    facts = vault.values(SubjectType.PERSON, employer.pk)
    limit = age_limit(facts, day)
    entitled_household = facts.get("cmg") is not False
    known = []
    for child in Child.objects.filter(parent=employer).order_by("pk"):
        child_facts = vault.values(SubjectType.CHILD, child.pk)
        known.append((child, child_facts))
    out = []
    for query in queries:
        status, match = 0, None
        for child, child_facts in known:
            born = child_facts.get("birthdate")
            given = child_facts.get("given_name") or child.display_name
            if not born or str(born) != query.birth.isoformat():
                continue
            if normalised(given) != normalised(query.given_name):
                continue
            family = child_facts.get("family_name") or facts.get("family_name")
            status = 1 if normalised(family) == normalised(query.family_name) else 2
            match = child
            break
        if match is not None:
            age = (day - query.birth).days / 365.25
            if not entitled_household or age >= limit:
                status = 0
        out.append(ChildCheck(query, status, match))
    return out


def child_verification(check: ChildCheck) -> dict:
    """``VerificationEnfantPe``."""
    return {
        "reponseStatutEnfant": check.status,
        "inputEnfantPe": {
            "nomEnfant": check.query.family_name,
            "prenomEnfant": check.query.given_name,
            "dtNaissanceEnfant": check.query.birth.isoformat(),
        },
    }


# ---- Contract ---------------------------------------------------------------------------------


def contracts_for(
    employer: Person, employee: Person, kind: str, first: dt.date, last: dt.date
) -> list[Contract]:
    """The employer's confirmed contracts with this employee, of this kind, covering the month."""
    return list(
        Contract.objects.filter(
            employer=employer,
            employee=employee,
            kind=kind,
            status__in=[ContractStatus.ACTIVE, ContractStatus.ENDED],
            start_date__lte=last,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .order_by("start_date", "pk")
    )


def has_contract(employer: Person, employee: Person) -> bool:
    return Contract.objects.filter(
        employer=employer,
        employee=employee,
        status__in=[
            ContractStatus.ACTIVE,
            ContractStatus.AWAITING_EMPLOYEE,
            ContractStatus.ENDED,
        ],
    ).exists()
