"""Load a simulated population into the platform's database (the demo of ``make run``).

Households become parent employers with their children, employees become AMA and GED
accounts, contracts and their terms go to the vault (source « Données de démonstration »), and
each simulated month is declared through the same action as on the site. The three demo
identities of the development OpenID provider get a contract each, so that signing in with
them shows a living account.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import transaction
from django.utils import timezone

from unefois.audit.services import record
from unefois.contracts.models import Contract, Status
from unefois.declarations.actions import DeclarationError, do_declare
from unefois.facts.models import Fact, Source, SubjectType
from unefois.people.models import Child, Person, User
from unefois.rules.inputs import EndReason

from .names import child_name, person_name, street
from .population import Settings, chunks

END_REASONS = {
    int(EndReason.EMPLOYER): "employer_withdrawal",
    int(EndReason.RESIGNATION): "resignation",
    int(EndReason.SERIOUS_MISCONDUCT): "serious_misconduct",
    int(EndReason.AGREMENT_WITHDRAWAL): "agrement_withdrawal",
    int(EndReason.CHILD_DEATH): "child_death",
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
POSTCODES = {"2A": "20000", "2B": "20200"}


def _postcode(departement: str) -> str:
    if departement in POSTCODES:
        return POSTCODES[departement]
    return departement + "0" * (5 - len(departement)) if len(departement) < 5 else departement


def _nir(identifier: int, female: bool = True) -> str:
    born = f"{80 + identifier % 20:02d}{identifier % 12 + 1:02d}"
    base = f"{2 if female else 1}{born}75{identifier % 1000:03d}{identifier % 997:03d}"
    return base + f"{97 - int(base) % 97:02d}"


def _iban(identifier: int) -> str:
    bban = f"30006000{identifier % 10**11:011d}{identifier % 97:02d}"[:23].ljust(23, "0")
    numeric = "".join(str(int(c, 36)) for c in bban + "FR00")
    check = 98 - int(numeric) % 97
    return f"FR{check:02d}{bban}"


def _date(days: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(days))


class Loader:
    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or timezone.now()
        self.facts: list[Fact] = []

    def fact(self, subject_type: str, subject_id: int, key: str, value) -> None:
        self.facts.append(
            Fact(
                subject_type=subject_type,
                subject_id=subject_id,
                key=key,
                value=value,
                source=Source.DEMO,
                observed_at=self.now,
            )
        )

    def flush(self) -> None:
        Fact.objects.bulk_create(self.facts, batch_size=2000)
        self.facts = []

    def person(
        self,
        identifier: int,
        sub: str,
        employer: bool,
        kind: str = "",
        departement: str = "75",
        given: str | None = None,
        family: str | None = None,
    ) -> Person:
        first, last = person_name(identifier)
        first, last = given or first, family or last
        user = User.objects.create(username=f"oidc-{sub}"[:150], oidc_sub=sub)
        person = Person.objects.create(
            user=user,
            display_name=f"{first} {last}",
            is_employer=employer,
            is_employee=not employer,
            employee_kind=kind,
            pajemploi_number=None if employer else f"S{identifier:09d}"[-10:],
            nir=None if employer else _nir(identifier),
        )
        postcode = _postcode(departement)
        values = {
            "given_name": first,
            "family_name": last,
            "birthdate": dt.date(
                1975 + identifier % 20, identifier % 12 + 1, identifier % 27 + 1
            ).isoformat(),
            "street": street(identifier),
            "postcode": postcode,
            "city": "Commune",
            "departement": departement,
            "alsace_moselle": departement in ("57", "67", "68"),
        }
        if employer:
            values["employer_number"] = f"E{identifier:09d}"[-10:]
        else:
            values.update(
                employee_kind=kind,
                nir=person.nir,
                pajemploi_number=person.pajemploi_number,
                iban=_iban(identifier),
            )
        for key, value in values.items():
            self.fact(SubjectType.PERSON, person.pk, key, value)
        return person


def load(households: int = 150, months: int = 6, seed: int = 2025, progress: bool = False) -> dict:
    """Create the demo population; returns counts. The months end with the previous month."""
    today = timezone.localdate()
    last = today.year * 12 + today.month - 2
    first = last - months + 1
    settings = Settings(households, months, seed, f"{first // 12}-{first % 12 + 1:02d}")
    loader = Loader()
    counts = {"households": 0, "employees": 0, "contracts": 0, "declarations": 0}
    with transaction.atomic():
        for chunk in chunks(settings):
            _load_chunk(loader, chunk, counts)
        loader.flush()
        _showcase(loader, first, last, counts)
        loader.flush()
    return counts


def _load_chunk(loader: Loader, chunk: dict, counts: dict) -> None:
    h = chunk["households"]
    e = chunk["employees"]
    c = chunk["contracts"]
    persons: dict[int, Person] = {}
    for i, household_id in enumerate(h["household_id"]):
        person = loader.person(
            int(household_id),
            f"demo-parent-{household_id}",
            True,
            departement=str(h["departement"][i]),
        )
        persons[int(household_id)] = person
        for key, value in {
            "dependent_children": int(h["dependent_children"][i]),
            "single_parent": bool(h["single_parent"][i]),
            "monthly_resources": float(h["monthly_resources"][i]),
            "annual_resources": float(h["annual_resources"][i]),
            "cmg": bool(h["cmg"][i]),
            "aeeh_children": int(h["aeeh_children"][i]),
        }.items():
            loader.fact(SubjectType.PERSON, person.pk, key, value)
        counts["households"] += 1
    employees: dict[int, Person] = {}
    for i, employee_id in enumerate(e["employee_id"]):
        kind = "ama" if int(e["kind"][i]) == 0 else "ged"
        employees[int(employee_id)] = loader.person(
            int(employee_id), f"demo-{kind}-{employee_id}", False, kind, str(e["departement"][i])
        )
        counts["employees"] += 1
    children: dict[int, Child] = {}
    births = dict(zip(chunk["children"]["child_id"], chunk["children"]["birth_date"], strict=True))
    child_household = dict(
        zip(chunk["children"]["child_id"], chunk["children"]["household_id"], strict=True)
    )
    for child_id, birth in births.items():
        parent = persons[int(child_household[child_id])]
        child = Child.objects.create(parent=parent, display_name=child_name(int(child_id)))
        children[int(child_id)] = child
        loader.fact(SubjectType.CHILD, child.pk, "given_name", child.display_name)
        loader.fact(SubjectType.CHILD, child.pk, "birthdate", str(birth))
    contract_rows = []
    for i, contract_id in enumerate(c["contract_id"]):
        kind = "ama" if int(c["kind"][i]) == 0 else "ged"
        end = c["end"][i]
        ended = not np.isnat(end)
        contract = Contract.objects.create(
            employer=persons[int(c["household_id"][i])],
            employee=employees[int(c["employee_id"][i])],
            child=children.get(int(c["child_id"][i])),
            kind=kind,
            status=Status.ENDED if ended else Status.ACTIVE,
            start_date=_date(c["start"][i].astype("datetime64[D]").astype(np.int64)),
            end_date=_date(end.astype("datetime64[D]").astype(np.int64)) if ended else None,
            end_reason=END_REASONS.get(int(c["end_reason"][i]), "") if ended else "",
            confirmed_at=loader.now,
        )
        schedule = {WEEKDAYS[d]: float(c[f"sched_{d}"][i]) for d in range(7) if c[f"sched_{d}"][i]}
        weeks = float(c["weeks_per_year"][i])
        terms = {
            "weeks_per_year": int(weeks),
            "schedule": schedule,
            "hourly_gross": float(c["hourly_gross"][i]),
            "leave_payment": ["included", "june", "main_leave", "as_taken"][
                int(c["leave_payment"][i])
            ],
        }
        if kind == "ama":
            terms.update(
                entretien_per_day=float(c["entretien_per_day"][i]),
                majoration_rate=float(c["majoration_rate"][i]),
            )
            if c["meal_per_day"][i]:
                terms["meal_per_day"] = float(c["meal_per_day"][i])
        if c["presence_hours"][i]:
            terms["presence_hours_per_week"] = float(c["presence_hours"][i])
        for key, value in terms.items():
            loader.fact(SubjectType.CONTRACT, contract.pk, key, value)
        contract_rows.append((int(contract_id), contract, schedule))
        counts["contracts"] += 1
    loader.flush()
    by_contract = {cid: (contract, schedule) for cid, contract, schedule in contract_rows}
    m = chunk["months"]
    for i in range(len(m["period"])):
        contract, schedule = by_contract[int(m["contract_id"][i])]
        period = int(m["period"][i])
        _declare(contract, schedule, period, m, i, counts)


def _declare(
    contract: Contract, schedule: dict, period: int, m: dict, i: int, counts: dict
) -> None:
    """Declare a simulated month through the site's action, its counts turned into dated events."""
    first = dt.date(period // 12, period % 12 + 1, 1)
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    days = [
        first + dt.timedelta(days=d)
        for d in range((following - first).days)
        if schedule.get(WEEKDAYS[(first + dt.timedelta(days=d)).weekday()])
    ]
    days = [
        d
        for d in days
        if contract.start_date <= d and (contract.end_date is None or d <= contract.end_date)
    ]
    events: dict = {}
    absences = []
    cursor = 0
    for reason, column in (
        ("employee_sick", "absence_days"),
        ("child_sick", "child_sick_days"),
        ("child_other", "child_absent_days"),
    ):
        count = int(m[column][i])
        if count and cursor + count <= len(days):
            absences.append(
                {
                    "start": days[cursor].isoformat(),
                    "end": days[cursor + count - 1].isoformat(),
                    "reason": reason,
                }
            )
            cursor += count + 1
    if absences:
        events["absences"] = absences
    extra = float(m["complementary_hours"][i] + m["majorated_hours"][i] + m["overtime_25_hours"][i])
    if extra and days:
        events["extra_hours"] = [{"date": days[-1].isoformat(), "hours": extra}]
    end = None
    if contract.end_date and period == contract.end_date.year * 12 + contract.end_date.month - 1:
        end = {"reason": contract.end_reason}
    try:
        do_declare(contract.employer.user, contract, period, events, end)
    except DeclarationError:
        return
    counts["declarations"] += 1


def _showcase(loader: Loader, first: int, last: int, counts: dict) -> None:
    """The demo identities of the development provider, each with a living contract: the
    first parent employs the childminder, the second parent the nanny."""
    try:
        from unefois.devidp.identities import DEMO
    except ImportError:
        return
    parents = [i for i in DEMO if i.get("role") == "parent"]
    employees = [i for i in DEMO if i.get("role") in ("ama", "ged")]
    if User.objects.filter(oidc_sub__in=[i["sub"] for i in DEMO]).exists():
        return
    for agent in (i for i in DEMO if i.get("role") == "agent"):
        claims = agent["claims"]
        user = User.objects.create(
            username=f"oidc-{agent['sub']}"[:150], oidc_sub=agent["sub"], is_staff=True
        )
        Person.objects.create(
            user=user, display_name=f"{claims['given_name']} {claims['family_name']}"
        )
    for number, (parent_id, employee_id) in enumerate(zip(parents, employees, strict=False)):
        kind = employee_id["role"]
        claims_p, claims_e = parent_id["claims"], employee_id["claims"]
        parent = loader.person(
            9_000_001 + 2 * number,
            parent_id["sub"],
            True,
            departement="67",
            given=claims_p.get("given_name"),
            family=claims_p.get("family_name"),
        )
        for key, value in {
            "dependent_children": 1,
            "single_parent": False,
            "monthly_resources": 3200.0 + 900 * number,
            "cmg": True,
        }.items():
            loader.fact(SubjectType.PERSON, parent.pk, key, value)
        employee = loader.person(
            9_000_002 + 2 * number,
            employee_id["sub"],
            False,
            kind,
            "67",
            given=claims_e.get("given_name"),
            family=claims_e.get("family_name"),
        )
        child = Child.objects.create(parent=parent, display_name=("Léa", "Hugo")[number % 2])
        start = dt.date(first // 12, first % 12 + 1, 1)
        loader.fact(SubjectType.CHILD, child.pk, "given_name", child.display_name)
        loader.fact(
            SubjectType.CHILD, child.pk, "birthdate", (start - dt.timedelta(days=300)).isoformat()
        )
        contract = Contract.objects.create(
            employer=parent,
            employee=employee,
            child=child if kind == "ama" else None,
            kind=kind,
            status=Status.ACTIVE,
            start_date=start,
            confirmed_at=loader.now,
        )
        schedule = {"monday": 9.0, "tuesday": 9.0, "thursday": 9.0, "friday": 9.0}
        terms = {"weeks_per_year": 52, "schedule": schedule, "leave_payment": "included"}
        if kind == "ama":
            terms.update(
                hourly_gross=4.8, entretien_per_day=4.2, meal_per_day=3.5, majoration_rate=0.1
            )
        else:
            terms.update(hourly_gross=13.5)
        for key, value in terms.items():
            loader.fact(SubjectType.CONTRACT, contract.pk, key, value)
        loader.flush()
        for period in range(first, last + 1):
            try:
                do_declare(parent.user, contract, period, {})
                counts["declarations"] += 1
            except DeclarationError:
                pass
        record(None, "demo.charger", contract, None, counts)
