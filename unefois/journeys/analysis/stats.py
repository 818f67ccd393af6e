"""Intervals and ratios on counts (pure Python)."""

from __future__ import annotations

import math

Z95 = 1.959963984540054
#: The stricter threshold used to decide that an effect is real among many candidates
#: (two-sided 99.9 %, roughly Bonferroni for a few dozen difficulties).
Z_SELECT = 3.290526731491926


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion. A log cut in time (cases whose first steps fall
    before its start) can count more cases at a step than reached the step before: the share
    is then taken as 1 rather than failing on a negative variance."""
    if n <= 0:
        return 0.0, 1.0
    p = min(max(successes / n, 0.0), 1.0)
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def difference(a: float, n_a: float, b: float, n_b: float, z: float = Z95):
    """p_a − p_b with Newcombe's hybrid score interval (method 10)."""
    p_a = a / n_a if n_a else 0.0
    p_b = b / n_b if n_b else 0.0
    l_a, u_a = wilson(a, n_a, z)
    l_b, u_b = wilson(b, n_b, z)
    d = p_a - p_b
    low = d - math.sqrt((p_a - l_a) ** 2 + (u_b - p_b) ** 2)
    high = d + math.sqrt((u_a - p_a) ** 2 + (p_b - l_b) ** 2)
    return d, low, high


def odds_ratio(a: int, b: int, c: int, d: int, prior: float = 1.0, z: float = Z95):
    """Odds ratio of a 2×2 table (a: with & outcome, b: with & not, c: without & outcome,
    d: without & not), each cell plus ``prior`` as PostHog does, and Woolf's interval."""
    a, b, c, d = a + prior, b + prior, c + prior, d + prior
    ratio = (a / b) / (c / d)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return ratio, math.exp(math.log(ratio) - z * se), math.exp(math.log(ratio) + z * se)


def mean_difference(sum_a, sq_a, n_a, sum_b, sq_b, n_b, z: float = Z95):
    """Difference of two means from sums and sums of squares, with Welch's normal interval."""
    if n_a <= 1 or n_b <= 1:
        return 0.0, 0.0, 0.0
    m_a, m_b = sum_a / n_a, sum_b / n_b
    v_a = max(0.0, (sq_a - n_a * m_a * m_a) / (n_a - 1))
    v_b = max(0.0, (sq_b - n_b * m_b * m_b) / (n_b - 1))
    se = math.sqrt(v_a / n_a + v_b / n_b)
    d = m_a - m_b
    return d, d - z * se, d + z * se
