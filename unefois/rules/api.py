"""The rules core's public functions: what the rest of the project calls."""

from __future__ import annotations

from typing import Any

from . import explain, intake
from .engine import Result, calculate


def payslip_from_input(parsed: intake.PayslipInput) -> explain.Payslip:
    """One explained payslip from a parsed input file."""
    row = intake.to_row(parsed)
    return explain.payslip(calculate(row, 1), 0)


def payslip_from_data(data: Any) -> explain.Payslip:
    """One explained payslip from JSON-like data (raises ``intake.InputError`` on bad input)."""
    return payslip_from_input(intake.parse(data))


def calculate_rows(rows: list[dict[str, Any]], waive: frozenset[str] = frozenset()) -> Result:
    """Many payslips from batch rows (``inputs.COLUMNS``), one vectorised run."""
    batch, n = intake.to_batch(rows)
    return calculate(batch, n, waive)
