"""Rounding money to the cent: one rule for every amount a user sees.

**The rule.** An amount is rounded to the nearest cent, halves away from zero (« arrondi
commercial », as on a payslip), computed on the exact value of the formula. Where several lines
add up to a total (contributions), the total is rounded once, and each line is the difference
of the rounded running sums (cumulative rounding): every line is within one cent of its exact
value and the lines always add up to the total.

The vectorised core computes in binary floating point. ``round_cents`` adds a guard of 1e-6
cent before flooring so that a value that is exactly a half cent in decimal arithmetic (say
4.125) but stored as 4.12499999… still rounds up; the property tests check the result against
``decimal.Decimal`` with ROUND_HALF_UP.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np

_GUARD = 1e-6


def round_cents(x: np.ndarray | float) -> np.ndarray:
    """Round to the cent, halves away from zero."""
    x = np.asarray(x, dtype=np.float64)
    return np.copysign(np.floor(np.abs(x) * 100.0 + 0.5 + _GUARD), x) / 100.0


def round_half_up(x: np.ndarray | float) -> np.ndarray:
    """Round to a whole number, halves up (for hours and days declared to Pajemploi)."""
    x = np.asarray(x, dtype=np.float64)
    return np.floor(x + 0.5 + 1e-9)


def cumulative_round(exact: np.ndarray) -> np.ndarray:
    """Round the columns of ``exact`` (n, k) so that each row sums to its rounded total."""
    running = round_cents(np.cumsum(exact, axis=1))
    out = np.diff(running, axis=1, prepend=0.0)
    return round_cents(out)  # removes the float noise of the difference


def to_decimal(x: float) -> Decimal:
    """A rounded float amount as an exact Decimal with two places (for forms, API, documents)."""
    return Decimal(repr(float(x))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def decimal_round(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
