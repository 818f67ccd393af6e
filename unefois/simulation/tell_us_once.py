"""A simulated year of procedures through the engine: how many fields people type.

Each simulated household signs in (FranceConnect identity), signs up, hires its employee(s)
(who sign up once), declares every month with the month's events, sometimes changes address,
and ends its contracts. Every procedure runs through the same engine and actions as the site;
answers come from the simulated population. The result: typed fields per procedure, events per
declaration, and every (person, fact) asked more than once — which must never happen.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from unefois.contracts.models import Status
from unefois.declarations import services as declarations
from unefois.declarations.actions import DeclarationError, do_declare
from unefois.people.actions import do_sign_in
from unefois.procedures import catalogue, engine, flows

from .load import END_REASONS, WEEKDAYS, _iban, _nir, _postcode
from .names import child_name, person_name, street
from .population import Settings, chunks

# What Pajemploi's current forms ask a parent, per procedure (the count the platform is
# compared with). Monthly declaration: the fields listed for an AMA in ../shared/domain/CONTEXT.md
# (payment date, normal hours, days of activity, complementary hours, majorated hours, total net
# salary, entretien, meals, mileage; paid-leave days on ≤ 46-week contracts). The others are
# our reading of the same notes (sign-up: identity, address, bank details, CAF number; hiring:
# employee number or identity, child, contract terms; end of contract: the final declaration
# plus the attestation employeur typed by hand) — stated as assumptions.
PAJEMPLOI_BASELINE = {
    "inscription-employeur": (
        14,
        "hypothèse : identité (5), adresse (3), RIB (1), n° allocataire CAF (1), enfant (2), "
        "situation (2)",
    ),
    "inscription-salarie": (
        12,
        "hypothèse : identité (5), adresse (3), NIR (1), RIB (1), métier et agrément (2)",
    ),
    "embauche": (
        10,
        "hypothèse : n° Pajemploi ou identité (1 à 4), enfant (2), conditions du contrat (6)",
    ),
    "declaration-mensuelle": (
        10,
        "CONTEXT.md : date de paiement, heures normales, jours d'activité, heures "
        "complémentaires, heures majorées, salaire net, entretien, repas, kilomètres, congés payés",
    ),
    "changement-adresse": (3, "hypothèse : adresse complète"),
    "fin-de-contrat": (
        40,
        "hypothèse : déclaration finale (12) et attestation employeur remplie à la main "
        "(≈ 28 rubriques)",
    ),
}


@dataclass
class Report:
    typed: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    events: list[int] = field(default_factory=list)
    typed_per_event: list[float] = field(default_factory=list)
    asked_twice: list[tuple] = field(default_factory=list)

    def summary(self) -> dict[str, dict]:
        out = {}
        for slug, values in sorted(self.typed.items()):
            baseline, source = PAJEMPLOI_BASELINE.get(slug, (None, ""))
            out[slug] = {
                "runs": len(values),
                "median": statistics.median(values),
                "p95": float(np.percentile(values, 95)),
                "pajemploi": baseline,
                "source": source,
            }
        return out


class _Asked:
    """Which facts were asked, across the year: a fact is a key about a subject (a person, a
    child, a contract). Asking it again is a failure, unless the person came to change it."""

    def __init__(self, report: Report) -> None:
        self.seen: set[tuple] = set()
        self.report = report

    def note(self, person_id: int, plan: engine.Plan) -> None:
        for item in plan.asked:
            if not item.need.store or item.need.key in plan.procedure.changes:
                continue
            subject = plan.context.get(item.need.subject)
            # A subject created by this procedure (a new contract) is new: its facts too.
            subject_id = getattr(subject, "pk", None) or f"new-{id(plan)}"
            key = (person_id, item.need.subject, subject_id, item.need.key)
            if key in self.seen:
                self.report.asked_twice.append(key)
            self.seen.add(key)


def _answers(plan: engine.Plan, values: dict) -> tuple[dict, int]:
    answers = {item.need.key: values.get(item.need.key, "") for item in plan.asked}
    typed = sum(1 for v in answers.values() if v not in ("", None, {}))
    return answers, typed


def simulate_year(households: int = 1000, seed: int = 2025, first_month: str = "2025-01") -> Report:
    report = Report()
    asked = _Asked(report)
    settings = Settings(households, 12, seed, first_month)
    for chunk in chunks(settings):
        _run_chunk(chunk, report, asked)
    return report


def _run_chunk(chunk: dict, report: Report, asked: _Asked) -> None:
    h, e, c, m = chunk["households"], chunk["employees"], chunk["contracts"], chunk["months"]
    births = dict(zip(chunk["children"]["child_id"], chunk["children"]["birth_date"], strict=True))
    employees = {}
    for i, employee_id in enumerate(e["employee_id"]):
        first, last = person_name(int(employee_id))
        user = do_sign_in(
            {
                "sub": f"sim-employee-{employee_id}",
                "given_name": first,
                "family_name": last,
                "birthdate": "1980-01-01",
                "acr": "eidas1",
            }
        )
        person = user.person
        kind = "ama" if int(e["kind"][i]) == 0 else "ged"
        plan = engine.plan(catalogue.EMPLOYEE_SIGNUP, {"person": person})
        answers, typed = _answers(
            plan,
            {
                "street": street(int(employee_id)),
                "postcode": _postcode(str(e["departement"][i])),
                "city": "Commune",
                "employee_kind": kind,
                "nir": _nir(int(employee_id)),
                "iban": _iban(int(employee_id)),
                "rate_hourly_gross": "5",
            },
        )
        asked.note(person.pk, plan)
        flows.finish(plan, answers, user, typed)
        report.typed["inscription-salarie"].append(typed)
        person.refresh_from_db()
        employees[int(employee_id)] = person
    parents = {}
    for i, household_id in enumerate(h["household_id"]):
        first, last = person_name(int(household_id))
        user = do_sign_in(
            {
                "sub": f"sim-parent-{household_id}",
                "given_name": first,
                "family_name": last,
                "birthdate": "1988-05-05",
                "acr": "eidas1",
            }
        )
        person = user.person
        child_ids = [
            k
            for k, v in zip(
                chunk["children"]["child_id"], chunk["children"]["household_id"], strict=True
            )
            if v == household_id
        ]
        plan = engine.plan(catalogue.EMPLOYER_SIGNUP, {"person": person})
        answers, typed = _answers(
            plan,
            {
                "street": street(int(household_id)),
                "postcode": _postcode(str(h["departement"][i])),
                "city": "Commune",
                "dependent_children": str(int(h["dependent_children"][i])),
                "single_parent": "oui" if h["single_parent"][i] else "non",
                "monthly_resources": str(float(h["monthly_resources"][i])),
                "cmg": "oui" if h["cmg"][i] else "non",
                "child_given_name": child_name(int(child_ids[0])) if child_ids else "",
                "child_birthdate": str(births[child_ids[0]]) if child_ids else "",
            },
        )
        asked.note(person.pk, plan)
        flows.finish(plan, answers, user, typed)
        report.typed["inscription-employeur"].append(typed)
        person.refresh_from_db()
        parents[int(household_id)] = person
    months_by_contract = defaultdict(list)
    for i, contract_id in enumerate(m["contract_id"]):
        months_by_contract[int(contract_id)].append(i)
    for i, contract_id in enumerate(c["contract_id"]):
        parent = parents[int(c["household_id"][i])]
        employee = employees[int(c["employee_id"][i])]
        child = parent.children.order_by("pk").first() if int(c["kind"][i]) == 0 else None
        plan = engine.plan(catalogue.HIRE, {"person": parent, "employee": employee, "child": child})
        schedule = {WEEKDAYS[d]: str(c[f"sched_{d}"][i]) for d in range(7) if c[f"sched_{d}"][i]}
        start = dt.date(1970, 1, 1) + dt.timedelta(
            days=int(c["start"][i].astype("datetime64[D]").astype(np.int64))
        )
        answers, typed = _answers(
            plan,
            {
                "start_date": start.isoformat(),
                "weeks_per_year": str(int(c["weeks_per_year"][i])),
                "schedule": schedule,
                "hourly_gross": str(float(c["hourly_gross"][i])),
                "entretien_per_day": ""
                if np.isnan(c["entretien_per_day"][i])
                else str(float(c["entretien_per_day"][i])),
                "meal_per_day": str(float(c["meal_per_day"][i])) if c["meal_per_day"][i] else "",
            },
        )
        typed += 1  # the employee's number, typed to find her
        asked.note(parent.pk, plan)
        _, contract = flows.finish(plan, answers, parent.user, typed)
        report.typed["embauche"].append(typed)
        contract.status = Status.ACTIVE  # she confirms from her account (no field)
        contract.save(update_fields=["status"])
        for row in months_by_contract[int(contract_id)]:
            _declare_month(contract, schedule, m, row, report)
        end = c["end"][i]
        if not np.isnat(end):
            end_day = dt.date(1970, 1, 1) + dt.timedelta(
                days=int(end.astype("datetime64[D]").astype(np.int64))
            )
            plan = engine.plan(catalogue.END_OF_CONTRACT, {"person": parent, "contract": contract})
            answers, typed = _answers(
                plan,
                {
                    "end_date": end_day.isoformat(),
                    "end_reason": END_REASONS.get(int(c["end_reason"][i]), "employer_withdrawal"),
                },
            )
            try:
                flows.finish(plan, answers, parent.user, typed)
            except flows.FlowError:
                continue
            report.typed["fin-de-contrat"].append(typed)
    # Some households move house during the year: they type only the new address.
    rng = np.random.default_rng(int(h["household_id"][0]) if len(h["household_id"]) else 0)
    for household_id, parent in parents.items():
        if rng.random() < 0.05:
            plan = engine.plan(catalogue.CHANGE_ADDRESS, {"person": parent})
            answers, typed = _answers(
                plan, {"street": street(household_id + 1), "postcode": "75011", "city": "Paris"}
            )
            flows.finish(plan, answers, parent.user, typed)
            report.typed["changement-adresse"].append(typed)


def _declare_month(contract, schedule: dict, m: dict, row: int, report: Report) -> None:
    period = int(m["period"][row])
    first = declarations.first_day(period)
    last = declarations.last_day(period)
    days = [
        d
        for d in (first + dt.timedelta(days=k) for k in range((last - first).days + 1))
        if schedule.get(WEEKDAYS[d.weekday()])
        and contract.start_date <= d
        and (contract.end_date is None or d <= contract.end_date)
    ]
    by_reason: dict[str, list[dt.date]] = {}
    cursor = 0
    for reason, column in (
        ("employee_sick", "absence_days"),
        ("child_sick", "child_sick_days"),
        ("child_other", "child_absent_days"),
    ):
        count = int(m[column][row])
        if count and cursor + count <= len(days):
            by_reason[reason] = days[cursor : cursor + count]
            cursor += count + 1
    extra = {}
    hours = float(
        m["complementary_hours"][row] + m["majorated_hours"][row] + m["overtime_25_hours"][row]
    )
    if hours and days:
        extra[days[-1]] = hours
    events = declarations.events_from_days(by_reason, extra)
    typed = declarations.typed_fields(events)
    try:
        do_declare(contract.employer.user, contract, period, events)
    except DeclarationError:
        return
    report.typed["declaration-mensuelle"].append(typed)
    count = declarations.event_count(events)
    report.events.append(count)
    if count:
        report.typed_per_event.append(typed / count)


def check_targets(report: Report) -> list[str]:
    """The targets of the « dites-le-nous une fois » principle; returns what is not met."""
    failures = []
    summary = report.summary()
    if summary.get("declaration-mensuelle", {}).get("median") != 0:
        failures.append("la déclaration mensuelle demande au moins un champ en médiane")
    if report.typed_per_event and max(report.typed_per_event) > 1:
        failures.append("un événement signalé demande plus d'un champ")
    if summary.get("fin-de-contrat", {}).get("p95", 0) > 2:
        failures.append("la fin de contrat demande plus de 2 champs")
    if report.asked_twice:
        failures.append(
            f"{len(report.asked_twice)} donnée(s) demandée(s) deux fois à la même personne"
        )
    return failures
