"""Monthly declarations: the draft computed from the contract and the calendar, the window to
declare, and what the history of earlier declarations tells the rules core."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import router

from unefois.contracts import terms as contract_terms
from unefois.contracts.models import Contract
from unefois.facts import services as vault
from unefois.facts.models import SubjectType
from unefois.rules import explain, intake
from unefois.rules.api import payslip_from_input
from unefois.storage.prepared import Prepared

from .models import Declaration

ABSENCE_REASONS = {
    "employee_sick": "Maladie du salarié",
    "employee_unpaid_leave": "Absence ou congé sans solde du salarié",
    "child_sick": "Maladie de l'enfant (avec certificat médical)",
    "child_other": "Absence de l'enfant non prévue (payée)",
}


def period_of(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def first_day(period: int) -> dt.date:
    return dt.date(period // 12, period % 12 + 1, 1)


def last_day(period: int) -> dt.date:
    return first_day(period + 1) - dt.timedelta(days=1)


def month_label(period: int) -> str:
    months = (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    )
    return f"{months[period % 12]} {period // 12}"


@dataclass(frozen=True)
class Window:
    """When a month is declared: from the 25th of the month to the 5th of the next."""

    period: int
    opens: dt.date
    deadline: dt.date

    def state(self, today: dt.date) -> str:
        if today < self.opens:
            return "early"
        if today > self.deadline:
            return "late"
        return "open"


def window(period: int) -> Window:
    following = first_day(period + 1)
    return Window(period, first_day(period).replace(day=25), following.replace(day=5))


def events_from_days(
    days_by_reason: dict[str, list[dt.date]], extra: dict[dt.date, float], leave_days: float = 0
) -> dict[str, Any]:
    """The month's events in the rules core's format, from days ticked by reason."""
    absences = []
    for reason, days in days_by_reason.items():
        for start, end in _runs(sorted(days)):
            absence = {"start": start.isoformat(), "reason": reason}
            if end != start:
                absence["end"] = end.isoformat()
            absences.append(absence)
    events: dict[str, Any] = {}
    if absences:
        events["absences"] = absences
    if extra:
        events["extra_hours"] = [
            {"date": d.isoformat(), "hours": float(h)} for d, h in sorted(extra.items()) if h
        ]
    if leave_days:
        events["leave_days_taken"] = float(leave_days)
    return events


def _runs(days: list[dt.date]):
    """Consecutive runs of days (a weekend or a day off does not break a run of workdays)."""
    start = previous = None
    for day in days:
        if start is None:
            start = previous = day
        elif (day - previous).days <= 3:
            previous = day
        else:
            yield start, previous
            start = previous = day
    if start is not None:
        yield start, previous


def household(contract: Contract, employer: dict | None = None) -> dict[str, Any]:
    """What the rules need about the household, from the vault (employer and child);
    ``employer``: the employer's facts when already read."""
    if employer is None:
        employer = vault.values(SubjectType.PERSON, contract.employer_id)
    out: dict[str, Any] = {}
    for key in ("monthly_resources", "annual_resources", "single_parent", "aeeh_children", "cmg"):
        if employer.get(key) not in (None, ""):
            out[key] = employer[key]
    if employer.get("dependent_children"):
        out["children"] = int(employer["dependent_children"])
    if contract.child_id:
        child = vault.values(SubjectType.CHILD, contract.child_id)
        if child.get("birthdate"):
            out["child_birth_date"] = child["birthdate"]
    return out


def contract_facts(contract: Contract) -> tuple[dict[str, Any], dict[str, Any]]:
    """The contract's terms and its employer's facts, read from the vault in one query."""
    terms, employer = vault.values_of(
        (SubjectType.CONTRACT, contract.pk), (SubjectType.PERSON, contract.employer_id)
    )
    return terms, employer


# Read on every confirmation: compiled once (``unefois.storage.prepared``). Only the two JSON
# columns used are read: a version's inputs are the largest and not needed.
_EARLIER = Prepared(
    lambda contract_id, period: (
        Declaration.objects.filter(
            contract_id=contract_id, period__lt=period, current_version__isnull=False
        )
        .order_by("period")
        .values_list("period", "current_version__results", "current_version__events")
    ),
    [int, int],
)
_DECLARED = Prepared(
    lambda contract_id, period: Declaration.objects.filter(
        contract_id=contract_id, period=period
    ).values_list("pk")[:1],
    [int, int],
)


def declared(contract: Contract, period: int) -> int | None:
    """The id of the contract's declaration of this month, if there is one."""
    rows = _DECLARED.rows(router.db_for_read(Declaration), contract.pk, period)
    return rows[0][0] if rows else None


def history(contract: Contract, period: int) -> dict[str, Any]:
    """What earlier declarations of the contract tell this month's payslip."""
    gross_total = 0.0
    gross_by_period: dict[int, float] = {}
    sick_days = 0.0
    for month, results_text, events_text in _EARLIER.rows(
        router.db_for_read(Declaration), contract.pk, period
    ):
        results, events = json.loads(results_text), json.loads(events_text)
        gross = float(_line(results, "gross_pay"))
        gross_total += gross
        gross_by_period[month] = gross
        if month >= period - 12:
            sick_days += sum(
                _days(a) for a in events.get("absences", []) if a["reason"] == "child_sick"
            )
    out: dict[str, Any] = {"contract_gross_total": round(gross_total, 2)}
    if sick_days:
        out["child_illness_days_last_12_months"] = sick_days
    last_12 = [gross_by_period[p] for p in range(period - 12, period) if p in gross_by_period]
    if last_12:
        out["gross_last_12_months"] = round(sum(last_12), 2)
        out["gross_last_3_months"] = round(sum(last_12[-3:]), 2)
    return out


def _days(absence: dict) -> int:
    start = dt.date.fromisoformat(absence["start"])
    end = dt.date.fromisoformat(absence.get("end", absence["start"]))
    return (end - start).days + 1


def _line(results: dict, code: str) -> str:
    for line in results.get("lignes", []):
        if line["code"] == code:
            return line["montant"]
    return "0"


def draft_input(
    contract: Contract,
    period: int,
    events: dict | None = None,
    end: dict | None = None,
    terms: dict | None = None,
    employer: dict | None = None,
) -> dict:
    """The payslip input of a contract's month: contract facts (``terms``), calendar, history,
    events. ``terms`` and ``employer``: the contract's and the employer's facts when the caller
    has already read them (``contract_facts``)."""
    if employer is None:
        employer = vault.values(SubjectType.PERSON, contract.employer_id)
    data = contract_terms.payslip_input(
        contract,
        period,
        values=terms,
        household=household(contract, employer),
        alsace_moselle=bool(employer.get("alsace_moselle")),
    )
    data["history"] = history(contract, period)
    if events:
        data["events"] = events
    if end:
        data["end"] = end
    return data


def compute(data: dict) -> tuple[intake.PayslipInput, explain.Payslip]:
    parsed = intake.parse(data)
    return parsed, payslip_from_input(parsed)


def final_estimate(contract: Contract, end_date: dt.date, reason: str) -> explain.Payslip:
    """The last month's payslip if the contract ended on ``end_date`` for ``reason`` (nothing is
    recorded): notice, indemnities, remaining leave, régularisation."""
    import copy

    ending = copy.copy(contract)
    ending.end_date = end_date
    period = period_of(end_date)
    events = {}
    existing = Declaration.objects.filter(contract=contract, period=period).first()
    if existing is not None and existing.current_version is not None:
        events = existing.current_version.events
    _, slip = compute(draft_input(ending, period, events, {"reason": reason}))
    return slip


def typed_fields(events: dict) -> int:
    """Fields a parent fills in to report these events on the declaration page: one group of
    ticked days per absence reason, one box per day of extra hours, one for leave days."""
    reasons = {a["reason"] for a in events.get("absences", [])}
    return (
        len(reasons)
        + len(events.get("extra_hours", []))
        + (1 if events.get("leave_days_taken") else 0)
    )


def event_count(events: dict) -> int:
    """Events reported: each absence period, each day with extra hours, paid leave taken."""
    return (
        len(events.get("absences", []))
        + len(events.get("extra_hours", []))
        + (1 if events.get("leave_days_taken") else 0)
    )


def record_of(slip: explain.Payslip) -> dict:
    """What a declaration version keeps of its payslip: every amount by line code, the
    figures declared to Pajemploi and the warnings. The explanations (labels, formulas,
    references) are rebuilt from the stored inputs when shown (``explained``)."""
    # Built from the payslip's attributes (not ``as_dict``, which also writes out every
    # line's explanation: a tenth of the cost of a confirmation).
    return {
        "mois": slip.month,
        "salarie": slip.employee,
        "lignes": [{"code": line.code, "montant": str(line.amount)} for line in slip.lines],
        "declaration_pajemploi": {k: str(v) for k, v in slip.declaration.items()},
        "avertissements": [{"code": f.code, "message": f.message} for f in slip.warnings],
    }


#: How long an explained payslip stays in the cache (a version never changes, but an
#: explanation weighs ≈ 18 KB: kept forever, a month of declarations would fill the cache).
EXPLAINED_TTL = 24 * 3600


def explained(version) -> explain.Payslip:
    """The payslip of a declaration version, explained line by line (cached for a day: the page,
    its PDF and the documents built from it read it again; computing it costs ≈ 2 ms)."""
    from django.core.cache import cache

    key = f"declaration-version:{version.pk}:{version.created_at.timestamp()}:explained"
    slip = cache.get(key)
    if slip is None:
        slip = _explain(version)
        cache.set(key, slip, timeout=EXPLAINED_TTL)
    return slip


def _explain(version) -> explain.Payslip:
    """The payslip of a declaration version, explained line by line.

    The explanation is recomputed from the version's stored inputs; the amounts shown are
    always the ones recorded. Should the law's parameters have been corrected since (so that
    the recomputation differs), the recorded amounts win and a note says so.
    """
    from decimal import Decimal

    _, slip = compute(version.inputs)
    recorded = {line["code"]: Decimal(line["montant"]) for line in version.results["lignes"]}
    differs = False
    for i, line in enumerate(slip.lines):
        if line.code in recorded and recorded[line.code] != line.amount:
            differs = True
            slip.lines[i] = dataclasses.replace(line, amount=recorded[line.code])
    if differs or {line.code for line in slip.lines} != set(recorded):
        from unefois.rules.checks import Finding

        slip.warnings.append(
            Finding(
                "EXPLICATION_RECALCULEE",
                "avertissement",
                "",
                "Les paramètres de la réglementation ont été corrigés depuis cette déclaration : "
                "les montants affichés sont ceux qui ont été déclarés.",
                "",
            )
        )
    return slip
