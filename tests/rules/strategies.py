"""Hypothesis strategies: valid month-contracts of AMA and GED across the parameters' coverage."""

import datetime as dt

from hypothesis import strategies as st

from unefois.rules import calendar
from unefois.rules.inputs import Kind
from unefois.rules.law import month_law

FIRST_PERIOD = 2024 * 12
LAST_PERIOD = 2026 * 12 + 11


def minimum_wage(kind: int, period: int) -> float:
    law = month_law(period)
    if kind == Kind.AMA:
        return max(
            law["ama.remuneration.minimum_legal_part_smic"] * law["smic.horaire_brut"],
            law["ama.remuneration.minimum_conventionnel_horaire"],
        )
    return max(law["smic.horaire_brut"], law["ged.minimum_conventionnel_horaire"])


@st.composite
def rows(draw, kind=None, with_events=True):
    kind = draw(st.sampled_from([Kind.AMA, Kind.GED])) if kind is None else kind
    period = draw(st.integers(FIRST_PERIOD, LAST_PERIOD))
    first = dt.date(period // 12, period % 12 + 1, 1)
    days = draw(st.lists(st.sampled_from(range(5)), min_size=1, max_size=5, unique=True))
    day_hours = draw(st.sampled_from([4.0, 6.5, 8.0, 9.0, 10.0]))
    sched = [day_hours if i in days else 0.0 for i in range(7)]
    limit = 48.0 if kind == Kind.AMA else 45.0
    if sum(sched) > limit:
        sched = [min(h, 9.0) for h in sched]
    weeks = 52.0 if kind == Kind.GED else draw(st.sampled_from([52.0, 46.0, 40.0]))
    minimum = minimum_wage(kind, period)
    hourly = round(minimum + draw(st.integers(0, 300)) / 100.0, 2)
    start = first - dt.timedelta(days=draw(st.integers(0, 400)))
    if draw(st.booleans()):
        start = first + dt.timedelta(days=draw(st.integers(0, 20)))
    row = {
        "kind": int(kind),
        "period": period,
        "contract_start": calendar.day_number(start),
        "weeks_per_year": weeks,
        "hourly_gross": hourly,
        "monthly_resources": float(draw(st.integers(0, 9000))),
        "children": draw(st.integers(1, 4)),
        "child_age": draw(st.sampled_from([0.5, 2.0, 4.0])),
        "leave_payment": 0 if weeks == 52 else 3,
        "alsace_moselle": draw(st.booleans()),
    }
    for i, h in enumerate(sched):
        row[f"sched_{i}"] = h
    if with_events:
        row["complementary_hours"] = float(draw(st.integers(0, 6)))
        if kind == Kind.AMA:
            row["majorated_hours"] = float(draw(st.integers(0, 3)))
        else:
            row["overtime_25_hours"] = float(draw(st.integers(0, 4)))
        # Absent only on days the contract schedules: when it starts during the month, on its
        # days left (less up to three public holidays that may fall on them).
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        left = sum(
            1
            for k in range((last - max(first, start)).days + 1)
            if sched[(max(first, start) + dt.timedelta(days=k)).weekday()] > 0
        )
        absent_days = min(draw(st.integers(0, 2)), max(0, left - 3) if start > first else 2)
        row["absence_days"] = float(absent_days)
        row["absence_hours"] = absent_days * day_hours
    return row
