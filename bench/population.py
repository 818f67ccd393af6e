"""Month-contracts for the benchmarks: plausible, valid, seeded, ordered by month."""

from __future__ import annotations

import datetime as dt

import numpy as np

from unefois.rules.inputs import NO_END


def _day(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days


def month_contracts(n: int, seed: int = 2025, year: int = 2025) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    period = np.sort(year * 12 + rng.integers(0, 12, n)).astype(np.int32)
    ged = rng.random(n) < 0.15
    kind = ged.astype(np.int8)
    days = rng.choice([3, 4, 5], n, p=[0.2, 0.5, 0.3])
    day_hours = np.where(ged, rng.choice([7.0, 8.0, 9.0], n), rng.choice([8.0, 9.0, 10.0], n))
    day_hours = np.where(days * day_hours > 45, 9.0, day_hours)
    sched = {}
    order = [0, 1, 3, 4, 2]  # Monday, Tuesday, Thursday, Friday, then Wednesday
    for rank, weekday in enumerate(order):
        sched[f"sched_{weekday}"] = np.where(days > rank, day_hours, 0.0)
    sched["sched_5"] = np.zeros(n)
    sched["sched_6"] = np.zeros(n)
    weeks = np.where(ged | (rng.random(n) < 0.7), 52.0, rng.choice([36.0, 40.0, 44.0, 46.0], n))
    premium = rng.gamma(2.0, 0.25, n)
    hourly = np.where(ged, 12.80 + premium * 2, 4.00 + premium)
    first_of_month = (
        (period.astype(np.int64) - 1970 * 12)
        .astype("datetime64[M]")
        .astype("datetime64[D]")
        .astype(np.int64)
    )
    start = first_of_month - rng.integers(30, 900, n)
    new = rng.random(n) < 0.03
    start = np.where(new, first_of_month + rng.integers(0, 20, n), start)
    ends = rng.random(n) < 0.03
    end = np.where(ends, first_of_month + 27, NO_END)
    absent = rng.random(n) < 0.2
    absence_days = np.where(absent, rng.integers(1, 3, n), 0).astype(float)
    return {
        "kind": kind,
        "period": period,
        "contract_start": start,
        "contract_end": end,
        "weeks_per_year": weeks,
        **sched,
        "hourly_gross": np.round(hourly, 2),
        "entretien_per_day": np.where(ged, np.nan, np.round(0.45 * day_hours + 0.2, 2)),
        "meal_per_day": np.where(ged | (rng.random(n) < 0.5), 0.0, 3.5),
        "absence_days": absence_days,
        "absence_hours": absence_days * day_hours,
        "complementary_hours": np.where(rng.random(n) < 0.1, rng.integers(1, 6, n), 0).astype(
            float
        ),
        "leave_payment": np.where(weeks == 52, 0, 3).astype(np.int8),
        "monthly_resources": np.round(rng.lognormal(8.2, 0.5, n), 0),
        "children": rng.choice([1, 2, 3], n, p=[0.5, 0.35, 0.15]).astype(np.int16),
        "child_age": rng.uniform(0.3, 5.5, n),
        "end_reason": np.where(ends, rng.choice([1, 2], n), 0).astype(np.int8),
        "contract_gross_total": np.where(ends, rng.uniform(2000, 20000, n), 0.0),
        "alsace_moselle": rng.random(n) < 0.04,
    }
