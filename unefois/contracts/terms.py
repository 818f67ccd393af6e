"""The terms of a contract, as facts of the vault (subject ``contract``), and their translation
into the rules core's payslip inputs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from unefois.facts import services as vault
from unefois.facts.models import SubjectType

from .models import Contract

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_LABELS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

# Keys of the contract's facts, with their French label (the form and « Mes données » use them).
TERMS = {
    "weeks_per_year": "Semaines d'accueil par an",
    "schedule": "Heures prévues chaque jour d'une semaine type",
    "hourly_gross": "Salaire horaire brut",
    "entretien_per_day": "Indemnité d'entretien par jour",
    "meal_per_day": "Indemnité de repas par jour",
    "majoration_rate": "Majoration des heures au-delà de 45 h",
    "leave_payment": "Paiement des congés payés",
    "presence_hours_per_week": "Heures de présence responsable par semaine",
}


def terms(contract: Contract) -> dict[str, Any]:
    return vault.values(SubjectType.CONTRACT, contract.pk)


def payslip_input(
    contract: Contract,
    period: int,
    values: dict | None = None,
    household: dict | None = None,
    alsace_moselle: bool = False,
) -> dict:
    """The human-format payslip input (``unefois.rules.intake``) of a contract for a month,
    before the month's events."""
    t = values if values is not None else terms(contract)
    month = f"{period // 12}-{period % 12 + 1:02d}"
    contract_data: dict[str, Any] = {
        "start": contract.start_date.isoformat(),
        "weeks_per_year": float(t.get("weeks_per_year", 52)),
        "schedule": {day: float(h) for day, h in (t.get("schedule") or {}).items() if float(h)},
        "alsace_moselle": alsace_moselle,
    }
    if contract.end_date:
        contract_data["end"] = contract.end_date.isoformat()
    for key in ("hourly_gross", "entretien_per_day", "meal_per_day", "majoration_rate"):
        if t.get(key) not in (None, ""):
            contract_data[key] = float(t[key])
    if t.get("leave_payment"):
        contract_data["leave_payment"] = t["leave_payment"]
    if t.get("presence_hours_per_week"):
        contract_data["presence_hours_per_week"] = float(t["presence_hours_per_week"])
    data = {"employee": contract.kind, "month": month, "contract": contract_data}
    if household:
        data["household"] = household
    return data


def scheduled_days(schedule: dict, first: dt.date, last: dt.date) -> list[dt.date]:
    """Days of the typical week that fall between two dates."""
    out = []
    day = first
    while day <= last:
        if float(schedule.get(WEEKDAYS[day.weekday()], 0) or 0) > 0:
            out.append(day)
        day += dt.timedelta(days=1)
    return out
