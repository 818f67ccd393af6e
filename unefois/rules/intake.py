"""One payslip as a person writes it (JSON or YAML, dated events) → one row of ``inputs.COLUMNS``.

The schema is documented in ``docs/payslip-input.md``. Parsing is strict: an unknown field, a
wrong type or an impossible date is reported in French with the path of the field, and nothing
is computed. Dated events (absences, extra hours) are turned into the month's totals here, on
the real calendar of the contract; the formulas then only see totals, exactly like a batch row.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from . import calendar
from .inputs import (
    COLUMNS,
    NO_END,
    PAS_GRID_RULE,
    SCHEDULE,
    EndReason,
    Kind,
    LeavePayment,
    PasZone,
    pas_zone_of_departement,
)
from .law import OutOfRangeError, month_law

Hours = Annotated[float, Field(ge=0)]
Amount = Annotated[float, Field(ge=0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Schedule(_Model):
    monday: Hours = 0
    tuesday: Hours = 0
    wednesday: Hours = 0
    thursday: Hours = 0
    friday: Hours = 0
    saturday: Hours = 0
    sunday: Hours = 0

    def hours(self) -> list[float]:
        return [getattr(self, d) for d in calendar.WEEKDAYS]


class Contract(_Model):
    start: dt.date
    end: dt.date | None = None
    weeks_per_year: float = 52
    schedule: Schedule | None = None
    hours_per_week: Hours | None = None
    days_per_week: Annotated[int, Field(ge=1, le=6)] | None = None
    annual_hours: Hours | None = None
    planned_hours: Hours | None = None
    planned_days: Hours | None = None
    hourly_gross: Amount | None = None
    hourly_net: Amount | None = None
    majoration_rate: Amount | None = None
    complementary_hourly_gross: Amount | None = None
    complementary_hourly_net: Amount | None = None
    majorated_hourly_gross: Amount | None = None
    majorated_hourly_net: Amount | None = None
    presence_hours_per_week: Hours = 0
    certified: bool = False
    entretien_per_day: Amount | None = None
    entretien_per_hour: Amount | None = None
    meal_per_day: Amount = 0
    mileage_rate: Amount = 0
    alsace_moselle: bool = False
    holidays_off: bool = True
    leave_payment: Literal["included", "june", "main_leave", "as_taken"] | None = None

    @model_validator(mode="after")
    def _one_schedule(self) -> Contract:
        if self.schedule is None and self.hours_per_week is None and self.annual_hours is None:
            raise ValueError(
                "indiquez « schedule » (heures par jour), « hours_per_week » ou « annual_hours »"
            )
        return self

    def week(self) -> list[float]:
        if self.schedule is not None:
            return self.schedule.hours()
        if self.hours_per_week is not None:
            days = self.days_per_week or 5
            return [self.hours_per_week / days if i < days else 0.0 for i in range(7)]
        return [0.0] * 7


class Absence(_Model):
    start: dt.date
    end: dt.date | None = None
    reason: Literal[
        "employee_sick",
        "employee_unpaid_leave",
        "adaptation",
        "child_sick",
        "child_hospital",
        "child_other",
    ]
    hours: Hours | None = None  # for a partial day: the hours missed


class ExtraHours(_Model):
    date: dt.date
    hours: Annotated[float, Field(gt=0)]


class Period(_Model):
    start: dt.date
    end: dt.date


class Events(_Model):
    absences: list[Absence] = []
    extra_hours: list[ExtraHours] = []
    complementary_hours: Hours = 0
    majorated_hours: Hours = 0
    overtime_25_hours: Hours = 0
    overtime_50_hours: Hours = 0
    no_care: list[Period] = []
    leave_days_taken: Hours = 0
    main_leave: bool = False
    mileage_km: Hours = 0
    meal_days: Hours | None = None


class Leave(_Model):
    acquired_days: Hours | None = None
    reference_gross: Hours | None = None
    reference_sick_pay: Hours = 0  # pay of the non-occupational sick leave of period N-1
    remaining_days: Hours = 0
    current_days: Hours | None = None
    current_gross: Hours = 0
    current_sick_pay: Hours = 0  # pay of the non-occupational sick leave since 1 June
    current_sick_months: Hours = 0  # months of non-occupational sick leave since 1 June
    weeks_worked: Hours | None = None
    months_worked: Hours | None = None
    weeks_paid_leave_taken: Hours = 0
    # Time off over the reference period, for the days acquired (yearly.leave_acquired_days).
    months_sick: Hours = 0
    weeks_sick: Hours = 0
    months_occupational: Hours = 0
    weeks_occupational: Hours = 0


class History(_Model):
    child_illness_days_last_12_months: Hours = 0
    leave: Leave = Leave()
    contract_gross_total: Hours = 0
    gross_last_12_months: Hours | None = None
    gross_last_3_months: Hours | None = None
    reference_monthly_gross: Hours | None = None
    hours_paid_total: Hours | None = None
    hours_worked_total: Hours | None = None
    overtime_exempt_ytd: Hours = 0
    seniority_months: Hours | None = None


class Household(_Model):
    cmg: bool = True
    monthly_resources: Hours | None = None
    annual_resources: Hours | None = None
    children: Annotated[int, Field(ge=1)] = 1
    child_age_years: Hours | None = None
    child_birth_date: dt.date | None = None
    single_parent: bool = False
    aeeh_children: Annotated[int, Field(ge=0)] = 0


class Tax(_Model):
    pas_rate: Annotated[float, Field(ge=0, le=1)] | None = None
    # The département of the employee's tax domicile chooses the neutral grid; it is validated
    # before ``pas_zone`` so that a contradiction is reported on ``pas_zone``.
    departement: str | None = None
    pas_zone: Literal["metropole", "guadeloupe_martinique_reunion", "guyane_mayotte"] | None = None

    @field_validator("departement")
    @classmethod
    def _a_departement(cls, code: str | None) -> str | None:
        if code is not None:
            pas_zone_of_departement(code)  # ValueError: a French message, on tax.departement
        return code

    @field_validator("pas_zone")
    @classmethod
    def _zone_of_the_departement(cls, value: str | None, info: ValidationInfo) -> str | None:
        code = info.data.get("departement")
        if value is not None and code is not None:
            zone = pas_zone_of_departement(code)
            if PasZone[value.upper()] != zone:
                raise ValueError(
                    f"la zone « {value} » ne correspond pas au département {code.strip()} "
                    f"(zone « {zone.name.lower()} », {PAS_GRID_RULE}) : indiquez le seul "
                    "département, ou une zone qui lui correspond"
                )
        return value

    def zone(self) -> PasZone:
        """The neutral-rate grid: from the département if given, else ``pas_zone``."""
        if self.departement is not None:
            return pas_zone_of_departement(self.departement)
        return PasZone[(self.pas_zone or "metropole").upper()]


class End(_Model):
    reason: Literal[
        "employer_withdrawal",
        "dismissal",
        "resignation",
        "serious_misconduct",
        "agrement_withdrawal",
        "child_death",
    ]


class PayslipInput(_Model):
    employee: Literal["ama", "ged"]
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    contract: Contract
    events: Events = Events()
    history: History = History()
    household: Household = Household()
    tax: Tax = Tax()
    end: End | None = None

    @model_validator(mode="after")
    def _events_in_the_month(self) -> PayslipInput:
        first, last = self.first_day, self.last_day
        for i, absence in enumerate(self.events.absences):
            end = absence.end or absence.start
            if end < absence.start:
                raise ValueError(f"events.absences.{i} : la fin précède le début")
            if end < first or absence.start > last:
                raise ValueError(f"events.absences.{i} : l'absence est en dehors du mois payé")
        for i, extra in enumerate(self.events.extra_hours):
            if not first <= extra.date <= last:
                raise ValueError(f"events.extra_hours.{i} : la date est en dehors du mois payé")
        return self

    @property
    def first_day(self) -> dt.date:
        year, month = (int(x) for x in self.month.split("-"))
        return dt.date(year, month, 1)

    @property
    def last_day(self) -> dt.date:
        first = self.first_day
        following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)


class InputError(ValueError):
    """The file cannot be read as a payslip: each problem with the path of its field."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{path} : {msg}" for path, msg in problems))


_FRENCH = {
    "missing": "ce champ est obligatoire",
    "extra_forbidden": "ce champ n'existe pas (vérifiez son orthographe)",
    "float_parsing": "un nombre est attendu",
    "float_type": "un nombre est attendu",
    "int_parsing": "un nombre entier est attendu",
    "int_type": "un nombre entier est attendu",
    "int_from_float": "un nombre entier est attendu",
    "bool_parsing": "« true » ou « false » est attendu",
    "bool_type": "« true » ou « false » est attendu",
    "date_from_datetime_parsing": "une date AAAA-MM-JJ est attendue",
    "date_parsing": "une date AAAA-MM-JJ est attendue",
    "date_type": "une date AAAA-MM-JJ est attendue",
    "string_pattern_mismatch": "le mois s'écrit AAAA-MM (par exemple 2025-10)",
    "string_type": "un texte est attendu",
    "literal_error": "valeur non reconnue",
    "greater_than_equal": "la valeur ne peut pas être négative",
    "greater_than": "la valeur doit être positive",
    "less_than_equal": "la valeur est trop grande",
    "list_type": "une liste est attendue",
    "model_type": "un ensemble de champs est attendu",
    "dict_type": "un ensemble de champs est attendu",
}


def _french(error: dict) -> str:
    kind = error["type"]
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"valeur non reconnue (valeurs possibles : {expected})"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    if kind in ("greater_than_equal", "greater_than", "less_than_equal"):
        limit = next(iter(error.get("ctx", {}).values()), "")
        base = _FRENCH[kind]
        return f"{base} (limite : {limit})" if kind == "less_than_equal" else base
    return _FRENCH.get(kind, error["msg"])


def parse(data: Any) -> PayslipInput:
    try:
        return PayslipInput.model_validate(data)
    except ValidationError as exc:
        problems = [
            (".".join(str(p) for p in e["loc"]) or "(fichier)", _french(e))
            for e in exc.errors(include_url=False)
        ]
        raise InputError(problems) from None


def load(path: Path) -> PayslipInput:
    """Read a payslip file (.json, .yaml or .yml)."""
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(
            [("(fichier)", f"le fichier n'est pas un JSON/YAML valide : {exc}")]
        ) from None
    return parse(data)


# ---- From dated events to the month's totals ----------------------------------------------

_END = {
    "employer_withdrawal": EndReason.EMPLOYER,
    "dismissal": EndReason.EMPLOYER,
    "resignation": EndReason.RESIGNATION,
    "serious_misconduct": EndReason.SERIOUS_MISCONDUCT,
    "agrement_withdrawal": EndReason.AGREMENT_WITHDRAWAL,
    "child_death": EndReason.CHILD_DEATH,
}
_LEAVE = {
    "included": LeavePayment.INCLUDED,
    "june": LeavePayment.JUNE,
    "main_leave": LeavePayment.MAIN_LEAVE,
    "as_taken": LeavePayment.AS_TAKEN,
}
_ABSENCE_COLUMNS = {
    "employee_sick": "absence",
    "employee_unpaid_leave": "absence",
    "adaptation": "absence",  # hours not worked during the adaptation period are not paid
    "child_sick": "child_sick",
    "child_hospital": "child_hospital",
    "child_other": "child_absent",
}


def _days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def to_row(p: PayslipInput) -> dict[str, Any]:
    """The batch row of one payslip (every column as a scalar)."""
    c = p.contract
    week = c.week()
    first, last = p.first_day, p.last_day
    in_first = max(first, c.start)
    in_last = min(last, c.end or last)
    holidays = (
        set(calendar.public_holidays(first.year, c.alsace_moselle)) if c.holidays_off else set()
    )

    def scheduled(day: dt.date) -> float:
        if day in holidays or not (in_first <= day <= in_last):
            return 0.0
        return week[day.weekday()]

    row: dict[str, Any] = {
        "kind": int(Kind.AMA if p.employee == "ama" else Kind.GED),
        "period": first.year * 12 + first.month - 1,
        "contract_start": calendar.day_number(c.start),
        "contract_end": calendar.day_number(c.end) if c.end else NO_END,
        "weeks_per_year": float(c.weeks_per_year),
        "certified": c.certified,
        "alsace_moselle": c.alsace_moselle,
        "holidays_off": c.holidays_off,
        "presence_hours": c.presence_hours_per_week,
        "meal_per_day": c.meal_per_day,
        "mileage_rate": c.mileage_rate,
    }
    for name, hours in zip(SCHEDULE, week, strict=True):
        row[name] = float(hours)
    optional = {
        "annual_hours": c.annual_hours,
        "planned_hours": c.planned_hours,
        "planned_days": c.planned_days,
        "hourly_gross": c.hourly_gross,
        "hourly_net": c.hourly_net,
        "majoration_rate": c.majoration_rate,
        "entretien_per_day": c.entretien_per_day,
        "entretien_per_hour": c.entretien_per_hour,
    }
    for name, value in optional.items():
        if value is not None:
            row[name] = float(value)
    for name in ("complementary", "majorated"):
        gross = getattr(c, f"{name}_hourly_gross")
        net = getattr(c, f"{name}_hourly_net")
        if gross is not None:
            row[f"{name}_hourly"] = float(gross)
        if net is not None:
            row[f"{name}_hourly_net"] = float(net)
    default_leave = "included" if c.weeks_per_year == 52 or p.employee == "ged" else "june"
    row["leave_payment"] = int(_LEAVE[c.leave_payment or default_leave])

    # Absences: hours and days of the schedule they cover, by kind.
    totals = {f"{k}_{u}": 0.0 for k in set(_ABSENCE_COLUMNS.values()) for u in ("hours", "days")}
    absent_hours_by_day: dict[dt.date, float] = {}
    for absence in p.events.absences:
        prefix = _ABSENCE_COLUMNS[absence.reason]
        for day in _days(max(absence.start, first), min(absence.end or absence.start, last)):
            planned = scheduled(day)
            if planned <= 0:
                continue
            hours = min(absence.hours, planned) if absence.hours is not None else planned
            totals[f"{prefix}_hours"] += hours
            totals[f"{prefix}_days"] += 1.0 if hours >= planned else 0.0
            absent_hours_by_day[day] = absent_hours_by_day.get(day, 0.0) + hours
    row.update({k: v for k, v in totals.items()})
    no_care_hours = no_care_days = 0.0
    for period in p.events.no_care:
        for day in _days(max(period.start, first), min(period.end, last)):
            planned = scheduled(day)
            if planned > 0:
                no_care_hours += planned
                no_care_days += 1
    row["no_care_hours"], row["no_care_days"] = no_care_hours, no_care_days

    # Extra hours: split by week against the conventional thresholds.
    row.update(_split_extra_hours(p, week, absent_hours_by_day))
    e = p.events
    row["leave_days_taken"] = e.leave_days_taken
    row["main_leave"] = e.main_leave
    row["mileage_km"] = e.mileage_km
    if e.meal_days is not None:
        row["meal_days"] = e.meal_days

    h = p.history
    row["child_sick_days_before"] = h.child_illness_days_last_12_months
    leave = h.leave
    for name, value in {
        "leave_acquired_days": leave.acquired_days,
        "leave_reference_gross": leave.reference_gross,
        "leave_current_days": leave.current_days,
        "gross_last_12_months": h.gross_last_12_months,
        "gross_last_3_months": h.gross_last_3_months,
        "reference_monthly_gross": h.reference_monthly_gross,
        "hours_paid_total": h.hours_paid_total,
        "hours_worked_total": h.hours_worked_total,
        "seniority_months": h.seniority_months,
    }.items():
        if value is not None:
            row[name] = float(value)
    row["leave_remaining_days"] = leave.remaining_days
    row["leave_current_gross"] = leave.current_gross
    row["leave_reference_sick_pay"] = leave.reference_sick_pay
    row["leave_current_sick_pay"] = leave.current_sick_pay
    row["leave_current_sick_months"] = leave.current_sick_months
    row["contract_gross_total"] = h.contract_gross_total
    row["overtime_exempt_ytd"] = h.overtime_exempt_ytd

    hh = p.household
    row["cmg"] = hh.cmg
    row["children"] = hh.children
    row["single_parent"] = hh.single_parent
    row["aeeh_children"] = hh.aeeh_children
    if hh.monthly_resources is not None:
        row["monthly_resources"] = hh.monthly_resources
    if hh.annual_resources is not None:
        row["annual_resources"] = hh.annual_resources
    if hh.child_age_years is not None:
        row["child_age"] = hh.child_age_years
    elif hh.child_birth_date is not None:
        row["child_age"] = (first - hh.child_birth_date).days / 365.25
    if p.tax.pas_rate is not None:
        row["pas_rate"] = p.tax.pas_rate
    row["pas_zone"] = int(p.tax.zone())
    row["end_reason"] = int(_END[p.end.reason]) if p.end else 0
    return row


def _split_extra_hours(p: PayslipInput, week: list[float], absent: dict) -> dict[str, float]:
    """Dated extra hours → complementary / majorated (AMA) or 25 % / 50 % (GED) hours."""
    e = p.events
    out = {
        "complementary_hours": e.complementary_hours,
        "majorated_hours": e.majorated_hours,
        "overtime_25_hours": e.overtime_25_hours,
        "overtime_50_hours": e.overtime_50_hours,
    }
    if not e.extra_hours:
        return out
    c = p.contract
    try:
        law = month_law(p.first_day.year * 12 + p.first_day.month - 1)
    except OutOfRangeError:
        return out  # the engine refuses the month; nothing to split
    ama_week = law["ama.duree.hebdomadaire_conventionnelle"]
    ged_full = law["ged.duree_temps_plein"]
    ged_high = law["ged.heures_supplementaires.seuil_haut"]
    equivalence = law["ged.presence_responsable_equivalence"]
    contract_week = sum(week) - (
        c.presence_hours_per_week * (1 - equivalence) if p.employee == "ged" else 0.0
    )
    by_week: dict[tuple[int, int], float] = {}
    for extra in e.extra_hours:
        key = extra.date.isocalendar()[:2]
        by_week[key] = by_week.get(key, 0.0) + extra.hours
    for (year, number), extra in sorted(by_week.items()):
        monday = dt.date.fromisocalendar(year, number, 1)
        missed = sum(absent.get(monday + dt.timedelta(days=i), 0.0) for i in range(7))
        base = max(contract_week - missed, 0.0)
        if p.employee == "ama":
            room = max(ama_week - base, 0.0)
            out["complementary_hours"] += min(extra, room)
            out["majorated_hours"] += max(extra - room, 0.0)
        else:
            total = base + extra
            normal = max(min(total, ged_full) - base, 0.0)
            tier_50 = max(total - max(base, ged_high), 0.0)
            out["complementary_hours"] += normal
            out["overtime_25_hours"] += extra - normal - tier_50
            out["overtime_50_hours"] += tier_50
    return out


def to_batch(rows: list[dict[str, Any]]) -> tuple[dict[str, np.ndarray], int]:
    """Stack rows into columns (missing values take the column's default)."""
    batch = {}
    for column in COLUMNS:
        values = [r.get(column.name, column.default) for r in rows]
        batch[column.name] = np.array(values, dtype=column.dtype)
    return batch, len(rows)
