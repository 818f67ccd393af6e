"""The month's figures: estimates without any account, pre-declarations and declarations of an
employer's contract on the platform. All figures are the rules core's (``mapping.solve``).

**Pre-declaring and declaring** go through the platform's own declaration input
(``declarations.services.draft_input``: the contract, the household and the history from the
vault), with the month's terms taken from the request: the contract's working days share the
declared normal hours (scaled when the contract starts during the month), the wage is the one
that gives the declared net, the entretien and meal allowances are spread over the month's days
of care, the extra hours are events. What a pre-declaration answers is therefore exactly what
the declaration will record; a month the platform cannot reproduce (the contract ends during
it, say) is refused with the figures that differ, and nothing is recorded."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from unefois.contracts import terms as contract_terms
from unefois.contracts.models import Contract
from unefois.declarations import services as declarations
from unefois.rules import intake
from unefois.rules.api import calculate_rows
from unefois.rules.checks import minimum_wage
from unefois.rules.inputs import Kind
from unefois.rules.law import OutOfRangeError, month_law

from . import codes
from .codes import ApiError, Problem
from .mapping import ALL_ERRORS, Month, Solution, estimate_input, postcode_regime, solve

WEEKDAYS = contract_terms.WEEKDAYS


@dataclass
class Computed:
    """A month computed by the rules core, with the notices to give alongside."""

    solution: Solution
    notices: list[Problem] = field(default_factory=list)
    events: dict = field(default_factory=dict)
    terms: dict = field(default_factory=dict)

    @property
    def slip(self):
        return self.solution.slip

    def warnings(self, skip: tuple[str, ...] = ()) -> list[Problem]:
        found = [codes.from_finding(f) for f in self.slip.warnings if f.code not in skip]
        return found + self.notices


def _refuse_findings(solution: Solution, subject: int | None = None) -> None:
    if solution.slip.errors:
        raise ApiError(400, [codes.from_finding(f) for f in solution.slip.errors], subject=subject)


def _rounding_notice(solution: Solution, month: Month) -> list[Problem]:
    if solution.exact:
        return []
    kept = solution.slip.amount("net_pay")
    return [
        Problem(
            codes.NET_ROUNDED,
            f"Salaire net retenu : {kept} € au lieu de {month.net} €.",
            "Avec ces heures, aucun salaire horaire ne donne exactement le salaire net déclaré "
            "(arrondis au centime de plusieurs lignes) : le plus proche est retenu.",
            blocking=False,
        )
    ]


def _hourly_notice(month: Month) -> list[Problem]:
    if month.hourly_net is None:
        return []
    implied = month.implied_hourly_net()
    if abs(implied - month.hourly_net) <= Decimal("0.01"):
        return []
    return [
        Problem(
            codes.HOURLY_WAGE_DIFFERS,
            f"Le salaire horaire net déclaré ({month.hourly_net} €) ne correspond pas au "
            f"salaire net et aux heures déclarés ({implied} € de l'heure).",
            "Le calcul part du salaire net mensuel déclaré (mntSalaireNetMensuel) et des heures.",
            blocking=False,
        )
    ]


# ---- Estimates (no account) -------------------------------------------------------------------


def estimate_ama(month: Month, children: int, postcode_employee: str | None) -> Computed:
    """AMA estimate. The request gives no hours: the month is taken as the usual day of care
    (9 h, CCN art. 96.1) per day of activity and per child — fewer when the wage would then fall
    below the minimum — and the employer as receiving the CMG (the Swagger's notes). The caps of
    the CMG are per child: the days count once per child."""
    alsace, zone, overseas = postcode_regime(postcode_employee)
    month = dataclasses.replace(month, days=(month.days or 1) * children)
    notices = _overseas_notice(overseas)
    try:
        law = month_law(month.period)
        day_hours = law["ama.duree.journaliere_usuelle"]
        floor = float(minimum_wage(law, Kind.AMA, False))
    except OutOfRangeError:
        day_hours, floor = 9.0, math.nan
    assumed = month.days * day_hours
    household = {"cmg": True, "children": children, "child_age_years": 1.0}
    if not math.isnan(floor):
        probe = solve(
            estimate_input(month, assumed_hours=1.0, household=household, pas_zone=zone),
            month.net,
        )
        if probe.ok:
            gross = float(probe.slip.amount("gross_pay"))
            assumed = max(1.0, min(assumed, math.floor(gross / floor * 100) / 100))
    data = estimate_input(
        month,
        assumed_hours=assumed,
        household=household,
        alsace_moselle=alsace,
        pas_zone=zone,
    )
    solution = solve(data, month.net)
    _refuse_findings(solution)
    notices.append(
        Problem(
            codes.HOURS_ASSUMED,
            f"Heures de garde supposées : {assumed:g} h ({children} enfant(s)).",
            "L'estimation AMA ne reçoit pas le nombre d'heures ; la prise en charge des "
            "cotisations par le CMG en dépend (plafond horaire par enfant depuis le "
            "1er septembre 2025).",
            blocking=False,
        )
    )
    return Computed(solution, notices + _rounding_notice(solution, month))


def ged_child_age(indicator: str) -> float:
    """``indcEnfantPlusJeuneAgarder``: 1 under 3, 2 from 3 to 6, 3 over 6 (an age inside)."""
    return {"1": 1.0, "2": 4.0, "3": 7.0}[indicator]


def estimate_ged(
    month: Month, indicator: str, activity_supplement: bool, postcode_employer: str | None
) -> Computed:
    """GED estimate: the employer receives the CMG; the youngest child's age band sets the
    ceiling of the contributions taken over (and none above 6)."""
    alsace, zone, overseas = postcode_regime(postcode_employer)
    notices = _overseas_notice(overseas)
    if activity_supplement:
        notices.append(
            Problem(
                codes.ACTIVITY_SUPPLEMENT,
                "Le complément d'activité n'est pas pris en compte par le calcul.",
                "complementActiviteOk : le cœur de règles ne modélise pas la réduction liée à "
                "la prestation partagée d'éducation de l'enfant ; les montants sont calculés "
                "sans elle.",
                blocking=False,
            )
        )
    household = {"cmg": True, "children": 1, "child_age_years": ged_child_age(indicator)}
    data = estimate_input(month, household=household, alsace_moselle=alsace, pas_zone=zone)
    solution = solve(data, month.net)
    _refuse_findings(solution)
    return Computed(solution, notices + _rounding_notice(solution, month) + _hourly_notice(month))


def _overseas_notice(overseas: bool) -> list[Problem]:
    if not overseas:
        return []
    return [
        Problem(
            codes.OVERSEAS,
            "Règles des départements d'outre-mer non prises en charge : calcul de métropole.",
            "Déduction forfaitaire outre-mer et modes de calcul propres aux DOM non modélisés.",
            blocking=False,
        )
    ]


# ---- Pre-declaration and declaration (a contract on the platform) -------------------------------


def _schedule_days(terms: dict) -> list[str]:
    schedule = terms.get("schedule") or {}
    days = [d for d in WEEKDAYS if float(schedule.get(d, 0) or 0) > 0]
    return days or list(WEEKDAYS[:5])


def _terms(vault_terms: dict, days: list[str], week: float, wage: float) -> dict:
    out = {
        k: v for k, v in vault_terms.items() if k in ("majoration_rate",) and v not in (None, "")
    }
    out.update(
        {
            "weeks_per_year": 52,
            "leave_payment": "included",
            "schedule": {d: week / len(days) for d in days},
            "hourly_gross": wage,
        }
    )
    return out


def platform_month(contract: Contract, month: Month) -> Computed:
    """The month as the platform will record it for this contract (see the module's doc)."""
    first = month.first_day
    last = declarations.last_day(month.period)
    subject = contract.employer_id
    if contract.end_date and first <= contract.end_date <= last:
        raise ApiError(
            400,
            [
                Problem(
                    codes.END_OF_CONTRACT,
                    "Le contrat se termine ce mois-ci : sa fin se déclare sur unefois.",
                    "Le dernier mois (congés payés restants, indemnité de rupture ou de "
                    "licenciement, régularisation) est calculé d'après l'historique du contrat "
                    "sur la plateforme.",
                )
            ],
            subject=subject,
        )
    vault_terms = contract_terms.terms(contract)
    days = _schedule_days(vault_terms)
    events = month.extra_events()
    week = month.hours * 12 / 52
    wage = month.first_wage()

    def data_for(terms: dict) -> dict:
        return declarations.draft_input(contract, month.period, events, None, terms)

    # A first run, whatever the checks say, reads the month's calendar for this contract: the
    # share of the month it covers and its days of care.
    probe = calculate_rows(
        [intake.to_row(intake.parse(data_for(_terms(vault_terms, days, week, wage))))],
        waive=ALL_ERRORS,
    )
    out = {k: float(v[0]) for k, v in probe.outputs.items()}
    planned = out.get("planned_hours", 0.0)
    share = 1.0 - out.get("entry_exit_hours", 0.0) / planned if planned > 0 else 1.0
    care_days = out.get("care_days", 0.0)
    if share <= 0 or math.isnan(share):
        raise ApiError(
            400,
            [Problem(codes.NO_CONTRACT, "Le contrat ne couvre aucun jour de ce mois.")],
            subject=subject,
        )
    terms = _terms(vault_terms, days, week / share, wage)
    notices: list[Problem] = []
    if month.kind == "ama":
        if care_days > 0 and month.entretien > 0:
            terms["entretien_per_day"] = float(month.entretien) / care_days
        if care_days > 0 and month.meals > 0:
            terms["meal_per_day"] = float(month.meals) / care_days
    solution = solve(data_for(terms), month.net)
    _refuse_findings(solution, subject)
    terms["hourly_gross"] = solution.data["contract"]["hourly_gross"]
    slip = solution.slip
    differences = []
    if slip.declaration.get("heures_normales") != month.hours:
        differences.append(
            f"heures normales {slip.declaration.get('heures_normales')} au lieu de {month.hours}"
        )
    if month.kind == "ama":
        for code, label, declared in (
            ("entretien", "indemnités d'entretien", month.entretien),
            ("meals", "indemnités de repas", month.meals),
        ):
            if slip.amount(code) != declared.quantize(Decimal("0.01")):
                differences.append(f"{label} {slip.amount(code)} € au lieu de {declared} €")
    if differences:
        raise ApiError(
            400,
            [
                Problem(
                    codes.NOT_REPRODUCIBLE,
                    "Ce mois ne peut pas être enregistré tel qu'il est déclaré.",
                    "D'après le contrat enregistré sur unefois : " + " ; ".join(differences) + ".",
                )
            ],
            subject=subject,
        )
    days_recorded = slip.declaration.get("jours_activite")
    if month.days and days_recorded is not None and int(days_recorded) != month.days:
        notices.append(
            Problem(
                codes.ACTIVITY_DAYS_DIFFER,
                f"Jours d'activité retenus : {days_recorded} (déclarés : {month.days}).",
                "unefois compte les jours d'activité d'après les jours d'accueil du contrat "
                "(mensualisation, arrondie au jour supérieur).",
                blocking=False,
            )
        )
    notices += _rounding_notice(solution, month) + _hourly_notice(month)
    return Computed(solution, notices, events, terms)


def pas_rate(computed: Computed) -> float:
    rate = computed.solution.outputs.get("pas_rate", 0.0)
    return 0.0 if math.isnan(rate) else rate


def pas_rate_of_record(inputs: dict) -> float:
    """The withholding rate of a recorded declaration, recomputed from its stored inputs."""
    try:
        result = calculate_rows([intake.to_row(intake.parse(inputs))])
    except (intake.InputError, KeyError, ValueError):
        return 0.0
    rate = float(result.outputs["pas_rate"][0])
    return 0.0 if math.isnan(rate) else rate


def today() -> dt.date:
    return dt.date.today()
