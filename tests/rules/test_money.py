"""Rounding to the cent: the float pipeline agrees with Decimal ROUND_HALF_UP."""

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from unefois.rules.money import cumulative_round, round_cents, round_half_up, to_decimal

CENTS = Decimal("0.01")


@given(st.decimals(min_value=0, max_value=100_000, places=6, allow_nan=False))
def test_round_cents_is_half_up_on_decimal_values(value):
    expected = value.quantize(CENTS, rounding=ROUND_HALF_UP)
    assert to_decimal(round_cents(float(value))) == expected


@given(
    st.decimals(min_value=0, max_value=10_000, places=2),
    st.sampled_from(
        [
            Decimal("0.069"),
            Decimal("0.004"),
            Decimal("0.0315"),
            Decimal("0.9825") * Decimal("0.068"),
            Decimal("0.13"),
            Decimal("0.0855"),
            Decimal("0.00016"),
        ]
    ),
)
def test_rate_times_cents_rounds_like_decimal(base, rate):
    expected = (base * rate).quantize(CENTS, rounding=ROUND_HALF_UP)
    assert to_decimal(round_cents(float(base) * float(rate))) == expected


def test_halves_go_up():
    assert list(round_cents(np.array([4.125, 4.135, 0.005, 2.675]))) == [4.13, 4.14, 0.01, 2.68]
    assert list(round_half_up(np.array([146.5, 146.49, 147.0]))) == [147, 146, 147]


@given(st.lists(st.floats(0, 500, allow_nan=False), min_size=1, max_size=12))
def test_cumulative_rounding_sums_to_rounded_total_and_stays_within_a_cent(values):
    exact = np.array([values])
    lines = cumulative_round(exact)[0]
    total = Decimal(repr(sum(values))).quantize(CENTS, rounding=ROUND_HALF_UP)
    assert sum(to_decimal(x) for x in lines) == total
    for line, value in zip(lines, values, strict=True):
        assert abs(Decimal(repr(float(line))) - Decimal(repr(value))) <= Decimal("0.0100001")
