"""Sample data for the documents' tests: parties, and payslips computed by the rules core."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from pathlib import Path

import yaml

from unefois.documents import data as d
from unefois.rules.api import payslip_from_data
from unefois.rules.explain import Payslip

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ama-52-semaines.yaml"

EMPLOYER = d.Employer(
    name="Camille Martin",
    address=d.Address("12 rue des Lilas", "69003", "Lyon"),
    pajemploi_number="PAJE1234567",
)
SECOND_EMPLOYER = d.Employer(
    name="Louis Dupont",
    address=d.Address("5 place Bellecour", "69002", "Lyon"),
    pajemploi_number="PAJE7654321",
)
EMPLOYEE = d.Employee(
    name="Nadia Benali",
    address=d.Address("3 allée des Tilleuls", "69008", "Lyon", complement="Bâtiment B"),
    nir="2 78 02 75 123 456 78",
    birth_date=dt.date(1978, 2, 3),
    pajemploi_number="SAL998877",
)

# An AMA contract that ends in October 2025: the parent withdraws the child after 13 months.
FINAL_INPUT = {
    "employee": "ama",
    "month": "2025-10",
    "contract": {
        "start": "2024-09-02",
        "end": "2025-10-24",
        "weeks_per_year": 52,
        "schedule": {"monday": 9, "tuesday": 9, "thursday": 9, "friday": 9},
        "hourly_gross": 4.5,
        "entretien_per_day": 4.0,
        "meal_per_day": 3.5,
    },
    "history": {
        "contract_gross_total": 9126.0,
        "leave": {
            "acquired_days": 25,
            "reference_gross": 8424.0,
            "remaining_days": 10,
            "current_days": 12.5,
            "current_gross": 2808.0,
        },
    },
    "household": {"monthly_resources": 3200, "children": 1, "child_birth_date": "2024-03-12"},
    "tax": {"pas_rate": 0.02},
    "end": {"reason": "employer_withdrawal"},
}


def example_input() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def example_slip() -> Payslip:
    """The rules core's payslip of examples/ama-52-semaines.yaml (October 2025)."""
    return payslip_from_data(example_input())


def september_slip() -> Payslip:
    """The same contract in September 2025, a month without events."""
    data = example_input()
    data["month"] = "2025-09"
    data.pop("events")
    return payslip_from_data(data)


def final_slip() -> Payslip:
    return payslip_from_data(copy.deepcopy(FINAL_INPUT))


def twelve_months() -> tuple[d.MonthPay, ...]:
    """Twelve months of salary, November 2024 to October 2025 (the last one incomplete)."""
    months = [f"2024-{m:02d}" for m in (11, 12)] + [f"2025-{m:02d}" for m in range(1, 11)]
    rows = [d.MonthPay(month, Decimal(156), Decimal("702.00")) for month in months[:-2]]
    rows.append(
        d.MonthPay("2025-09", Decimal(147), Decimal("663.00"), Decimal(1), "arrêt maladie le 15/09")
    )
    rows.append(d.MonthPay("2025-10", Decimal(121), Decimal("546.00")))
    return tuple(rows)
