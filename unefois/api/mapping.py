"""From the Swagger's words to the rules core's, and back. No Django here.

A Pajemploi declaration states totals: the month's **net salary** (extra hours included), the
normal hours, the days of activity, the extra hours and the allowances. The rules core computes
from a wage: ``solve`` finds the gross hourly wage whose payslip has exactly the declared net
(one vectorised run over candidate wages), so that every other figure — gross, contributions,
contributions taken over, CMG, net taxable, withholding tax — is the rules core's.

- ``estimate_input``: the month as a payslip input of the rules core without any contract
  (variable schedule: ``annual_hours`` = 12 × the month's hours, ``planned_days`` = the days).
- ``declaration_amounts`` / ``estimate_amounts``: a computed payslip → the Swagger's fields.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from unefois.rules import explain, intake
from unefois.rules.api import calculate_rows, payslip_from_input
from unefois.rules.checks import CODES, ERROR, severity
from unefois.rules.law import OutOfRangeError, month_law

CENT = Decimal("0.01")
# The search for the wage looks past the checks: they are judged once, at the wage found.
ALL_ERRORS = frozenset(code for code in CODES if severity(code) == ERROR)
ZERO = Decimal("0.00")

# Départements of Alsace-Moselle (local health insurance regime, two more public holidays).
ALSACE_MOSELLE = ("57", "67", "68")


@dataclass(frozen=True)
class Month:
    """The month as the request states it (Swagger fields, already validated)."""

    kind: str  # "ama" or "ged"
    period: int  # year × 12 + month − 1
    net: Decimal  # mntSalaireNetMensuel: the month's net salary, extra hours included
    hours: int  # nbHeures: normal hours (paid leave included)
    days: int | None = None  # nbJoursActivite (AMA)
    complementary_hours: float = 0.0  # nbHeuresComplementaires (AMA)
    majorated_hours: float = 0.0  # nbHeuresMajorees (AMA)
    overtime_25_hours: float = 0.0  # nbHrSupMajA25 (GED)
    overtime_50_hours: float = 0.0  # nbHrSupMajA50 (GED)
    entretien: Decimal = ZERO  # mntIndemnitesEntretien (AMA)
    meals: Decimal = ZERO  # mntIndemnitesRepas (AMA)
    mileage: Decimal = ZERO  # mntIndemnitesKilometriques
    transport: Decimal = ZERO  # mntFraisTransport (GED)
    advance: Decimal = ZERO  # mntAcompteSalarie
    hourly_net: Decimal | None = None  # mntSalaireHoraireNet

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.period // 12, self.period % 12 + 1, 1)

    @property
    def month(self) -> str:
        return f"{self.period // 12:04d}-{self.period % 12 + 1:02d}"

    def law(self, path: str, default: float) -> float:
        try:
            value = month_law(self.period)[path]
        except OutOfRangeError:
            return default
        return default if math.isnan(value) else value

    def paid_units(self) -> float:
        """Hours weighted by their majoration: what the net is paid for, in normal hours."""
        if self.kind == "ama":
            majoration = self.law("ama.heures_majorees_taux_minimum", 0.10)
            return self.hours + self.complementary_hours + self.majorated_hours * (1 + majoration)
        first = self.law("ged.heures_supplementaires.majoration_premieres", 0.25)
        high = self.law("ged.heures_supplementaires.majoration_haute", 0.50)
        return (
            self.hours + self.overtime_25_hours * (1 + first) + self.overtime_50_hours * (1 + high)
        )

    def first_wage(self) -> float:
        """A first gross hourly wage to start the search from (net ≈ 78 % of gross)."""
        return float(self.net) / 0.78 / max(self.paid_units(), 1.0)

    def implied_hourly_net(self) -> Decimal:
        return (self.net / Decimal(str(max(self.paid_units(), 1.0)))).quantize(CENT)

    def extra_events(self) -> dict[str, float]:
        names = (
            ("complementary_hours", self.complementary_hours),
            ("majorated_hours", self.majorated_hours),
            ("overtime_25_hours", self.overtime_25_hours),
            ("overtime_50_hours", self.overtime_50_hours),
        )
        return {name: float(value) for name, value in names if value}


def postcode_regime(postcode: str | None) -> tuple[bool, str, bool]:
    """(Alsace-Moselle, zone of the withholding-tax grid, overseas) of a French postcode."""
    code = (postcode or "").strip()
    if code.startswith("97"):
        zone = "guyane_mayotte" if code[:3] in ("973", "976") else "guadeloupe_martinique_reunion"
        return False, zone, True
    return code[:2] in ALSACE_MOSELLE, "metropole", False


def estimate_input(
    month: Month,
    *,
    assumed_hours: float | None = None,
    household: dict[str, Any] | None = None,
    alsace_moselle: bool = False,
    pas_zone: str = "metropole",
) -> dict[str, Any]:
    """The payslip input of a month described by its totals, with no contract: hours of a
    variable schedule (paid as they are, no mensualisation), the allowances spread over the
    days of activity."""
    hours = float(assumed_hours if assumed_hours is not None else month.hours)
    contract: dict[str, Any] = {
        "start": month.first_day.isoformat(),
        "weeks_per_year": 52,
        "annual_hours": hours * 12,
        "planned_hours": hours,
        "hourly_gross": month.first_wage(),
        "leave_payment": "included",
        "alsace_moselle": alsace_moselle,
    }
    if month.days:
        contract["planned_days"] = float(month.days)
        if month.kind == "ama" and month.entretien > 0:
            contract["entretien_per_day"] = float(month.entretien) / month.days
        if month.meals > 0:
            contract["meal_per_day"] = float(month.meals) / month.days
    return {
        "employee": month.kind,
        "month": month.month,
        "contract": contract,
        "events": month.extra_events(),
        "household": household or {},
        "tax": {"pas_zone": pas_zone},
    }


# ---- Solving for the declared net ----------------------------------------------------------


@dataclass
class Solution:
    """The payslip whose net is the declared one (or, when the rules core refuses the month,
    its errors). ``outputs``: the raw figures of the rules core for that payslip."""

    data: dict[str, Any]
    slip: explain.Payslip
    outputs: dict[str, float] = field(default_factory=dict)
    exact: bool = True

    @property
    def ok(self) -> bool:
        return not self.slip.errors


def _with_wage(data: dict[str, Any], wage: float) -> dict[str, Any]:
    return {**data, "contract": {**data["contract"], "hourly_gross": wage}}


def solve(data: dict[str, Any], target: Decimal) -> Solution:
    """The gross hourly wage whose payslip's net salary is ``target``, and that payslip.

    The net is proportional to the wage but for the roundings to the cent: a few secant steps
    come within a cent or two, then one vectorised run over 401 neighbouring wages picks the
    nearest one whose net is exactly the target (a net can skip a cent only when two roundings
    move together; the nearest net is then kept and ``exact`` is False)."""
    parsed = intake.parse(data)
    row = intake.to_row(parsed)
    wage = float(data["contract"]["hourly_gross"])
    goal = float(target)
    net = math.nan
    for _ in range(5):
        result = calculate_rows([{**row, "hourly_gross": wage}], waive=ALL_ERRORS)
        net = float(result.outputs["net_pay"][0])
        if not net > 0 or abs(net - goal) < 0.005:
            break
        wage *= goal / net
    if net > 0 and abs(net - goal) >= 0.005:
        step = wage * 0.0025 / goal  # a quarter of a cent of net per step
        wages = wage + step * np.arange(-200, 201)
        wages = wages[wages > 0]
        result = calculate_rows(
            [{**row, "hourly_gross": float(w)} for w in wages], waive=ALL_ERRORS
        )
        nets = np.nan_to_num(result.outputs["net_pay"], nan=np.inf)
        gap = np.abs(nets - goal)
        best = int(np.argmin(gap + np.abs(np.arange(len(wages)) - len(wages) // 2) * 1e-9))
        if np.isfinite(gap[best]):
            wage = float(wages[best])
    chosen = _with_wage(data, wage)
    final_parsed = intake.parse(chosen)
    result = calculate_rows([intake.to_row(final_parsed)])
    slip = payslip_from_input(final_parsed)
    outputs = {k: float(v[0]) for k, v in result.outputs.items()}
    exact = not slip.errors and slip.amount("net_pay") == target
    return Solution(chosen, slip, outputs, exact)


# ---- Figures of the Swagger -----------------------------------------------------------------


def money(value: Decimal | float) -> float:
    """An amount as the JSON number the Swagger expects (euros, two decimals at most)."""
    return float(Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP))


def contributions(amounts: dict[str, Decimal]) -> dict[str, Decimal]:
    """Total contributions, the part taken over by the CAF/MSA (CMG) and the rest."""
    total = amounts.get("employee_contributions", ZERO) + amounts.get(
        "employer_contributions", ZERO
    )
    taken = amounts.get("cmg_contributions", ZERO)
    return {"total": total, "taken": taken, "left": total - taken}


def estimate_amounts(amounts: dict[str, Decimal]) -> dict[str, float]:
    """``EstimationCotiCommun``: contributions taken over, left to the employer, deduction."""
    c = contributions(amounts)
    return {
        "mntCotiPriseEnChargeOdpf": money(c["taken"]),
        "mntCotiEmplAcharge": money(c["left"]),
        "mntExoEmployeur": money(amounts.get("forfaitaire_deduction", ZERO)),
    }


def declaration_amounts(
    amounts: dict[str, Decimal], pas_rate: float, month: Month
) -> dict[str, float]:
    """``DeclarationCommun``. Amounts owed to the employee: the net after withholding tax, the
    allowances, the mileage and transport costs (outside the rules core), less the advance
    already paid. Pajemploi debits the employer for the contributions left to them and the
    withholding tax; the CMG « rémunération » is paid by the CAF/MSA (``mntAverserParPaje``
    stays 0: the « Pajemploi+ » service, where Pajemploi pays the employee, is not offered)."""
    c = contributions(amounts)
    pas = amounts.get("pas", ZERO)
    net = amounts.get("net_pay", ZERO)
    to_employee = amounts.get("net_paid", ZERO) + month.mileage + month.transport - month.advance
    return {
        "mntAverserParPaje": 0.0,
        "mntCotisations": money(c["total"]),
        "mntCotiPriseEnChargeOdpf": money(c["taken"]),
        "mntCotiEmplAcharge": money(c["left"]),
        "mntSalaireNetImposable": money(amounts.get("taxable_net", ZERO)),
        "txPas": round(pas_rate * 100, 4),
        "mntImpotPas": money(pas),
        "mntSalaireNetApayerApresPas": money(net - pas),
        "mntEmplCmgRemuneration": money(amounts.get("cmg_pay", ZERO)),
        "mntApreleverParPaje": money(c["left"] + pas),
        "mntEmplAverserSalarie": money(to_employee),
    }


AMOUNT_CODES = (
    "gross_pay",
    "net_pay",
    "employee_contributions",
    "employer_contributions",
    "forfaitaire_deduction",
    "cmg_contributions",
    "cmg_pay",
    "taxable_net",
    "pas",
    "entretien",
    "meals",
    "net_paid",
)


def amounts_of(slip: explain.Payslip) -> dict[str, Decimal]:
    return {code: slip.amount(code) for code in AMOUNT_CODES}


def amounts_of_record(results: dict) -> dict[str, Decimal]:
    """The same figures from a declaration version's stored results (``lignes``)."""
    lines = {line["code"]: Decimal(line["montant"]) for line in results.get("lignes", [])}
    return {code: lines.get(code, ZERO) for code in AMOUNT_CODES}
