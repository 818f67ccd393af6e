"""Worked examples from independent sources: each figure is the one its source publishes.

The examples live in ``examples/*.yaml`` (one file per topic), each with its source, a short
quote of the figures, the input as our schema expresses it and the expected figures. The code's
own output is never the expected value. An example whose figure we believe is wrong at the
source is kept with ``doubt:`` explaining why, and is expected to fail (strict xfail), so that
the day the engine agrees with it, someone looks again.

``calculation`` says which rule an example exercises: a whole payslip (default), or one of the
functions the payslip is built from (``cmg``, ``termination``, ``leave_compensation``,
``leave_acquisition``, ``pas_grid``) when the source states only that rule's inputs;
``rounding: none`` asks ``leave_acquisition`` for the exact figure (a source that stops before
rounding up); ``waive`` lists the checks a formula example may pass
(a wage below today's minimum in an older source), with the reason in ``notes``.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from unefois.rules import intake, payslip, yearly
from unefois.rules.api import calculate_rows
from unefois.rules.inputs import EndReason
from unefois.rules.law import month_law

EXAMPLES = Path(__file__).parent / "examples"

# Keys of the examples that are quantities of the intake's normalised row, not outputs.
ROW_KEYS = {
    "complementary_hours": "complementary_hours",
    "majorated_hours": "majorated_hours",
    "overtime_25_hours": "overtime_25_hours",
    "overtime_50_hours": "overtime_50_hours",
}
OUTPUT_ALIASES = {"cmg_cost_basis": "cmg_cost_basis"}


def _load() -> list[dict]:
    cases = []
    for file in sorted(EXAMPLES.glob("*.yaml")):
        for case in yaml.safe_load(file.read_text(encoding="utf-8")) or []:
            case["_file"] = file.name
            cases.append(case)
    return cases


CASES = _load()


def _params():
    for case in CASES:
        marks = []
        if case.get("doubt"):
            marks.append(pytest.mark.xfail(reason=case["doubt"], strict=True))
        yield pytest.param(case, id=f"{case['_file'][:-5]}:{case['id']}", marks=marks)


def test_there_are_at_least_40_examples_each_with_a_source():
    assert len(CASES) >= 40
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate example ids"
    for case in CASES:
        source = case["source"]
        assert source.get("url") or source.get("repository"), case["id"]
        assert source.get("quote"), case["id"]
        assert case["expected"], case["id"]


def _month(case) -> str:
    return case["input"].get("month", "2025-10")


def _period(case) -> int:
    year, month = (int(x) for x in _month(case).split("-"))
    return year * 12 + month - 1


def _complete(data: dict, case: dict) -> dict:
    """Fill what an example leaves unsaid with neutral values (never an expected figure)."""
    data = copy.deepcopy(data)
    data.setdefault("month", _month(case))
    year, month = (int(x) for x in data["month"].split("-"))
    first = dt.date(year, month, 1)
    contract = data.setdefault("contract", {})
    contract.setdefault("start", (first - dt.timedelta(days=400)).isoformat())
    if not any(k in contract for k in ("schedule", "hours_per_week", "annual_hours")):
        contract["schedule"] = {"monday": 9, "tuesday": 9, "thursday": 9, "friday": 9}
    if "hourly_gross" not in contract and "hourly_net" not in contract:
        contract["hourly_gross"] = 5.0 if data["employee"] == "ama" else 14.0
    if "end" in data and "end" not in contract:
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        contract["end"] = (following - dt.timedelta(days=1)).isoformat()
    return data


_END = {
    "employer_withdrawal": EndReason.EMPLOYER,
    "dismissal": EndReason.EMPLOYER,
    "resignation": EndReason.RESIGNATION,
    "serious_misconduct": EndReason.SERIOUS_MISCONDUCT,
    "agrement_withdrawal": EndReason.AGREMENT_WITHDRAWAL,
    "child_death": EndReason.CHILD_DEATH,
}


def _months_since_june(start: dt.date, month: str) -> float:
    """Whole months worked in the reference period (1 June – 31 May) up to the end of ``month``."""
    year, m = (int(x) for x in month.split("-"))
    june = dt.date(year if m >= 6 else year - 1, 6, 1)
    first = max(start, june)
    return (year * 12 + m) - (first.year * 12 + first.month) + (1 if first.day == 1 else 0)


def _actual(case: dict) -> dict[str, float]:
    kind = case.get("calculation", "payslip")
    data = case["input"]
    period = _period(case)
    is_ama = np.array(data["employee"] == "ama")
    if kind == "tax_credit":
        y = data["yearly"]
        value = yearly.tax_credit(
            period,
            0 if data["employee"] == "ama" else 1,
            y["expenses"],
            y.get("cmg", 0.0),
            y.get("children", 1),
            y.get("first_year", False),
            y.get("other_aid", 0.0),
        )
        return {"tax_credit": float(value)}
    if kind == "leave_acquisition":
        leave = data.get("history", {}).get("leave", {})
        months = leave.get("months_worked")
        if months is None and leave.get("weeks_worked") is None:
            months = _months_since_june(data["contract"]["start"], _month(case))
        value = yearly.leave_acquired_days(
            period,
            leave.get("weeks_worked"),
            months,
            leave.get("weeks_paid_leave_taken", 0),
            months_sick=leave.get("months_sick", 0),
            weeks_sick=leave.get("weeks_sick", 0),
            months_occupational=leave.get("months_occupational", 0),
            weeks_occupational=leave.get("weeks_occupational", 0),
            round_up=case.get("rounding", "up") == "up",
        )
        return {"paid_leave_days_acquired": float(value[0])}
    law = month_law(period)
    if kind == "pas_grid":
        zone = intake.Tax.model_validate(data.get("tax", {})).zone()
        base = float(data["pas"]["base"])
        rate = float(law.pas_grids[zone](np.array(base)))
        return {"pas_rate": rate, "pas": math.floor(base * rate * 100 + 0.5 + 1e-6) / 100}
    if kind == "leave_compensation":
        leave = data["leave"]
        week_pay = leave["hourly_gross"] * sum(leave["schedule"].values())
        per_day = week_pay / law["conges_payes.jours_ouvrables_par_semaine"]
        out = payslip.leave_pay(
            law,
            np.array(float(leave["days"])),
            np.array(float(leave.get("acquired_days", leave["days"]))),
            np.array(float(leave.get("reference_gross", 0.0))),
            per_day,
        )
        return {
            "leave_compensation": float(out["pay"]),
            "paid_leave_maintien": float(out["maintien"]),
        }
    if kind == "termination":
        history = data.get("history", {})
        reason = np.array(int(_END[data["end"]["reason"]]))
        seniority = np.array(float(history["seniority_months"]))
        value = payslip.termination_indemnity(
            law,
            is_ama,
            reason,
            seniority,
            np.array(float(history.get("contract_gross_total", 0.0))),
            np.array(float(history.get("reference_monthly_gross", 0.0))),
        )
        return {"termination_indemnity": float(value)}
    if kind == "cmg":
        g = data["cmg"]
        if law.reform:
            out = payslip.cmg_after_reform(
                law,
                is_ama,
                np.array(float(g.get("cost", 0.0))),
                np.array(float(g.get("hours", 0.0))),
                np.array(float(g.get("monthly_resources", 0.0))),
                np.array(g.get("children", 1)),
                np.array(g.get("aeeh_children", 0)),
            )
        else:
            cost = np.array(float(g["cost"]))
            pay = payslip.cmg_before_reform(
                law,
                is_ama,
                cost,
                np.array(float(g["annual_resources"])),
                np.array(g.get("children", 1)),
                np.array(g.get("single_parent", False)),
                np.array(float(g.get("child_age_years", 1.0))),
            )
            out = {"cmg_pay": pay, "cmg_cost_basis": cost}
        result = {k: float(v) for k, v in out.items()}
        if "cost" in g:
            result["parent_cost"] = float(g["cost"]) - result["cmg_pay"]
        return result
    parsed = intake.parse(_complete(data, case))
    row = intake.to_row(parsed)
    result = calculate_rows([row], waive=frozenset(case.get("waive", ())))
    assert not result.errors[0], [f.message for f in result.findings(0)]
    out = {k: float(v) for k, v in result.row(0).items()}
    for key, column in ROW_KEYS.items():
        out[key] = float(row.get(column, 0.0))
    out["entretien_minimum_per_day"] = float(
        yearly.entretien_minimum_per_day(_period(case), max(parsed.contract.week()))
    )
    return out


@pytest.mark.parametrize("case", list(_params()))
def test_worked_example(case):
    actual = _actual(case)
    tolerance = float(case.get("tolerance", 0.005))
    for key, expected in case["expected"].items():
        name = OUTPUT_ALIASES.get(key, key)
        assert name in actual, f"{case['id']}: no figure named {key}"
        value = actual[name]
        assert not math.isnan(value), f"{case['id']}: {key} is not computed"
        assert abs(value - float(expected)) <= tolerance + 1e-9, (
            f"{case['id']}: {key} = {value}, the source says {expected} "
            f"({case['source'].get('url') or case['source'].get('repository')})"
        )
