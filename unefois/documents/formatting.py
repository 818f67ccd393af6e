"""How the documents write numbers and dates: the French way.

Money: ``1 234,56 €`` (no-break spaces, so that an amount never breaks across two lines);
dates: ``DD/MM/YYYY``; months: ``octobre 2025``. Amounts are ``Decimal`` (or ``int``); a float is
refused, because money is exact at the edges of the platform.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
MINUS = "\u2212"  # the typographic minus sign
CENT = Decimal("0.01")

MONTHS = (
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


def as_decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"montant en virgule flottante refusé : {value!r} (utilisez Decimal)")
    if isinstance(value, bool):
        raise TypeError(f"montant invalide : {value!r}")
    return value if isinstance(value, Decimal) else Decimal(value)


def _grouped(units: int) -> str:
    return f"{units:,}".replace(",", NBSP)


def euros(value: Decimal | int | str) -> str:
    """``Decimal("1234.5")`` → ``"1 234,50 €"`` (rounded to the cent, halves away from zero)."""
    amount = as_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = MINUS if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    return f"{sign}{_grouped(int(units))},{cents}{NBSP}€"


def quantity(value: Decimal | int | str) -> str:
    """Hours or days: ``Decimal("147")`` → ``"147"``, ``Decimal("2.50")`` → ``"2,5"``."""
    number = as_decimal(value)
    sign = MINUS if number < 0 else ""
    text = f"{abs(number):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    units, _, decimals = text.partition(".")
    return sign + _grouped(int(units)) + (f",{decimals}" if decimals else "")


def hours(value: Decimal | int | str) -> str:
    return f"{quantity(value)}{NBSP}h"


def date_fr(value: dt.date | None) -> str:
    """``date(2025, 10, 3)`` → ``"03/10/2025"``."""
    return value.strftime("%d/%m/%Y") if value else ""


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """``"2025-10"`` → first and last day of the month."""
    year, number = (int(part) for part in month.split("-"))
    first = dt.date(year, number, 1)
    following = dt.date(year + number // 12, number % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def month_fr(month: str) -> str:
    """``"2025-10"`` → ``"octobre 2025"``."""
    first, _ = month_bounds(month)
    return f"{MONTHS[first.month - 1]} {first.year}"


def nir(value: str) -> str:
    """A social security number in its usual groups: ``2 85 05 75 123 456 78``."""
    digits = value.replace(" ", "")
    if len(digits) != 15:
        return value
    groups = (digits[0], digits[1:3], digits[3:5], digits[5:7], digits[7:10], digits[10:13])
    return NBSP.join(groups) + NBSP + digits[13:]
