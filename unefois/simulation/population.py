"""A synthetic population of households, childminders, nannies, contracts and months of activity.

Real Pajemploi data cannot be used here; this population behaves like France's where public
figures exist (docs/simulation.md lists each calibration target and its source) and states its
assumptions where none exist. It is deterministic for a given seed and built in chunks of
households, each with its own random stream (``default_rng([seed, chunk])``), so that the output
does not depend on the chunk size used for writing and a million households stay within a few
hundred megabytes of memory.

Tables (one Parquet file each): ``households``, ``children``, ``employees``, ``contracts`` and
``months`` — one row per contract and month of activity, whose columns are the rules core's
payslip inputs (``unefois.rules.inputs.COLUMNS``) plus the ids: a ready batch for the engine.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from unefois.rules.calendar import public_holidays, weekday_counts
from unefois.rules.checks import entretien_minimum_day, minimum_wage
from unefois.rules.inputs import NO_END, EndReason, Kind, LeavePayment
from unefois.rules.law import month_law

from . import assumptions as A  # noqa: N812 - read as a table of figures
from .departements import ALSACE_MOSELLE, ILE_DE_FRANCE, PAS_ZONE, POPULATION_THOUSANDS

HOUSEHOLDS_PER_CHUNK = 20_000
EPOCH = dt.date(1970, 1, 1)
IDS_PER_CHUNK = 10_000_000  # ids of chunk c are c × IDS_PER_CHUNK + a local number


@dataclass(frozen=True)
class Settings:
    households: int
    months: int = 12
    seed: int = 2025
    first_month: str = "2025-01"

    @property
    def first_period(self) -> int:
        year, month = (int(x) for x in self.first_month.split("-"))
        return year * 12 + month - 1

    @property
    def chunks(self) -> int:
        return -(-self.households // HOUSEHOLDS_PER_CHUNK)


def _day(period: int) -> int:
    return (dt.date(period // 12, period % 12 + 1, 1) - EPOCH).days


def _period_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12


def _month_end(period: np.ndarray) -> np.ndarray:
    return (period - 1970 * 12 + 1).astype("datetime64[M]").astype("datetime64[D]").astype(
        np.int64
    ) - 1


DEPARTEMENTS = np.array(list(POPULATION_THOUSANDS))
DEPARTEMENT_WEIGHTS = np.array(list(POPULATION_THOUSANDS.values()), dtype=float)
DEPARTEMENT_WEIGHTS /= DEPARTEMENT_WEIGHTS.sum()
IN_IDF = np.isin(DEPARTEMENTS, sorted(ILE_DE_FRANCE))
IN_AM = np.isin(DEPARTEMENTS, sorted(ALSACE_MOSELLE))
ZONE = np.array([PAS_ZONE.get(d, 0) for d in DEPARTEMENTS], dtype=np.int8)


def chunks(settings: Settings) -> Iterator[dict[str, dict[str, np.ndarray]]]:
    """The population, chunk by chunk: a dict of tables (columns as numpy arrays)."""
    for index in range(settings.chunks):
        first = index * HOUSEHOLDS_PER_CHUNK
        size = min(HOUSEHOLDS_PER_CHUNK, settings.households - first)
        yield _chunk(settings, index, first, size)


def _chunk(settings: Settings, index: int, first_id: int, size: int) -> dict:
    rng = np.random.default_rng([settings.seed, index])
    window_first = _day(settings.first_period)
    last_period = settings.first_period + settings.months - 1
    window_last = int(_month_end(np.array([last_period]))[0])
    base_id = index * IDS_PER_CHUNK

    # ---- Households ----------------------------------------------------------------------
    h = size
    dep_index = rng.choice(len(DEPARTEMENTS), h, p=DEPARTEMENT_WEIGHTS)
    idf = IN_IDF[dep_index]
    single = rng.random(h) < A.SINGLE_PARENT_SHARE
    income = np.where(
        single,
        rng.lognormal(np.log(A.INCOME_MEDIAN_SINGLE), A.INCOME_SIGMA, h),
        rng.lognormal(np.log(A.INCOME_MEDIAN_COUPLE), A.INCOME_SIGMA, h),
    ) * np.where(idf, A.INCOME_IDF_FACTOR, 1.0)
    in_care = np.where(rng.random(h) < A.TWO_CHILDREN_IN_CARE_SHARE, 2, 1)
    older = rng.poisson(A.OLDER_SIBLINGS_MEAN, h)
    uses_ged = rng.random(h) < np.where(idf, A.GED_SHARE_IDF, A.GED_SHARE_ELSEWHERE)
    households = {
        "household_id": first_id + np.arange(h, dtype=np.int64),
        "departement": DEPARTEMENTS[dep_index],
        "alsace_moselle": IN_AM[dep_index],
        "pas_zone": ZONE[dep_index],
        "single_parent": single,
        "monthly_resources": np.round(income, 0),
        "annual_resources": np.round(income * 12 / A.INCOME_GROWTH_TWO_YEARS, 0),
        "children_in_care": in_care.astype(np.int8),
        "dependent_children": (in_care + older).astype(np.int8),
        "aeeh_children": (rng.random(h) < A.AEEH_SHARE).astype(np.int8),
        "cmg": rng.random(h) < A.CMG_SHARE,
        "mode": np.where(uses_ged, "ged", "ama"),
    }

    # ---- Children -------------------------------------------------------------------------
    child_household = np.repeat(np.arange(h), in_care)
    c = len(child_household)
    first_of_family = np.r_[True, child_household[1:] != child_household[:-1]]
    age_years = rng.uniform(0.05, 3.0, c)
    periscolaire = rng.random(c) < A.PERISCOLAIRE_SHARE
    age_years = np.where(periscolaire, rng.uniform(3.0, 5.8, c), age_years)
    # A second child in care is a twin or one to two years older.
    previous_age = np.r_[age_years[:1], age_years[:-1]]
    gap = np.where(rng.random(c) < A.TWINS_SHARE_OF_SIBLINGS, 0.0, rng.uniform(1.0, 2.2, c))
    age_years = np.where(first_of_family, age_years, np.minimum(previous_age + gap, 5.9))
    birth = window_first - np.round(age_years * 365.25).astype(np.int64)
    children = {
        "child_id": households["household_id"][child_household] * 4
        + _rank_in_group(child_household),
        "household_id": households["household_id"][child_household],
        "birth_date": birth.astype("datetime64[D]"),
    }

    # ---- Contracts: one per child with an AMA, one per household with a GED ---------------
    school_age = np.where(periscolaire, 6, 3)
    care_start = birth + np.round(rng.uniform(*A.CARE_START_AGE_MONTHS, c) * 30.44).astype(int)
    # Planned end: the 31 August after the child reaches school age (3) — or 6 for after-school.
    birth_year = birth.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    birth_month = _period_of(birth) % 12
    end_year = birth_year + school_age + np.where(birth_month >= 8, 1, 0)
    planned_end = np.array([f"{y}-08-31" for y in end_year], dtype="datetime64[D]").astype(np.int64)
    ged_child = uses_ged[child_household]
    # GED: one contract per household, from the first child's start to the last planned end.
    ama_rows = np.flatnonzero(~ged_child)
    ged_households = np.flatnonzero(uses_ged)
    ged_start = np.full(h, np.iinfo(np.int64).max)
    np.minimum.at(ged_start, child_household[ged_child], care_start[ged_child])
    ged_end = np.zeros(h, dtype=np.int64)
    np.maximum.at(ged_end, child_household[ged_child], planned_end[ged_child])
    contract_household = np.r_[child_household[ama_rows], ged_households]
    contract_child = np.r_[ama_rows, -np.ones(len(ged_households), dtype=np.int64)]
    kind = np.r_[np.zeros(len(ama_rows), np.int8), np.ones(len(ged_households), np.int8)]
    start = np.r_[care_start[ama_rows], ged_start[ged_households]]
    end = np.r_[planned_end[ama_rows], ged_end[ged_households]]
    reason = np.full(len(kind), int(EndReason.EMPLOYER), np.int8)
    # Early ends: a monthly hazard; the reason drawn from assumed shares.
    length_months = np.maximum((end - start) / 30.44, 0)
    early = rng.random(len(kind)) < 1 - (1 - A.EARLY_END_MONTHLY) ** length_months
    early_end = start + (rng.random(len(kind)) * (end - start)).astype(np.int64)
    end = np.where(early, np.maximum(early_end, start + 20), end)
    codes, shares = zip(*A.EARLY_END_REASONS.items(), strict=True)
    reason = np.where(early, rng.choice(np.array(codes, np.int8), len(kind), p=shares), reason)
    keep = (end >= window_first) & (start <= window_last)
    contract_household, contract_child, kind = (
        contract_household[keep],
        contract_child[keep],
        kind[keep],
    )
    start, end, reason = start[keep], end[keep], reason[keep]
    n = len(kind)
    ends_in_window = end <= window_last
    is_ama = kind == Kind.AMA
    dep = dep_index[contract_household]

    # Schedules.
    days_per_week = np.where(
        is_ama,
        rng.choice([3, 4, 5], n, p=A.AMA_DAYS_PER_WEEK),
        rng.choice([4, 5], n, p=A.GED_DAYS_PER_WEEK),
    )
    day_hours = np.clip(np.round(rng.normal(A.DAY_HOURS_MEAN, A.DAY_HOURS_SD, n) * 2) / 2, 7, 10.5)
    day_hours = np.minimum(day_hours, np.floor(A.MAX_WEEK_HOURS / days_per_week * 2) / 2)
    weekday_order = np.array([0, 1, 3, 4, 2])  # Monday, Tuesday, Thursday, Friday, Wednesday
    sched = np.zeros((n, 7))
    for rank in range(5):
        sched[:, weekday_order[rank]] = np.where(days_per_week > rank, day_hours, 0.0)
    weeks = np.where(
        is_ama & (rng.random(n) >= A.AMA_52_WEEKS_SHARE),
        rng.choice(A.INCOMPLETE_YEAR_WEEKS, n),
        52.0,
    )
    presence = np.where(~is_ama & (rng.random(n) < A.GED_PRESENCE_SHARE), 5.0, 0.0)

    # Wages: a net hourly wage around the published reference costs, never below the minimum.
    net_median = np.where(is_ama, A.AMA_NET_HOURLY_MEDIAN, A.GED_NET_HOURLY_MEDIAN)
    net = rng.lognormal(np.log(net_median), A.NET_HOURLY_SIGMA, n)
    net = net + np.where(IN_IDF[dep], np.where(is_ama, A.AMA_IDF_PREMIUM, A.GED_IDF_PREMIUM), 0)
    gross = np.round(net / (1 - A.EMPLOYEE_RATE), 2)
    start_period = np.maximum(_period_of(start), settings.first_period)
    floor = _minimum_by_period(start_period, kind)
    gross = np.maximum(gross, floor)
    law_last = month_law(last_period)
    entretien_min = entretien_minimum_day(law_last, day_hours)
    entretien = np.where(
        is_ama,
        np.maximum(
            np.round(rng.uniform(*A.ENTRETIEN_PER_DAY, n), 2), np.ceil(entretien_min * 100) / 100
        ),
        np.nan,
    )
    meal = np.where(
        is_ama & (rng.random(n) < A.MEALS_SHARE), np.round(rng.uniform(*A.MEAL_PER_DAY, n), 2), 0.0
    )
    leave_payment = np.where(
        weeks == 52,
        int(LeavePayment.INCLUDED),
        rng.choice(
            [int(LeavePayment.JUNE), int(LeavePayment.AS_TAKEN), int(LeavePayment.MAIN_LEAVE)],
            n,
            p=A.LEAVE_PAYMENT_SHARES,
        ),
    ).astype(np.int8)
    majoration = np.where(rng.random(n) < A.MAJORATION_25_SHARE, 0.25, 0.10)

    # Employees: AMAs fill their agrément; GEDs are one per household, or shared by two.
    employee_of, employees, partner = _assign_employees(
        rng, base_id, is_ama, start, end, dep, contract_household, uses_ged
    )
    # Shared GED: the nanny keeps the same hours in both families.
    paired = np.flatnonzero(partner >= 0)
    sched[paired] = sched[partner[paired]]
    presence[paired] = presence[partner[paired]]
    contracts = {
        "contract_id": base_id + np.arange(n, dtype=np.int64),
        "household_id": households["household_id"][contract_household],
        "child_id": np.where(
            contract_child >= 0, children["child_id"][np.maximum(contract_child, 0)], -1
        ),
        "employee_id": employee_of,
        "kind": kind,
        "start": start.astype("datetime64[D]"),
        "end": np.where(ends_in_window, end, np.datetime64("NaT").astype(np.int64)).astype(
            "datetime64[D]"
        ),
        "end_reason": np.where(ends_in_window, reason, 0).astype(np.int8),
        "weeks_per_year": weeks,
        **{f"sched_{i}": sched[:, i] for i in range(7)},
        "presence_hours": presence,
        "hourly_gross": gross,
        "majoration_rate": np.where(is_ama, majoration, np.nan),
        "entretien_per_day": entretien,
        "meal_per_day": meal,
        "leave_payment": leave_payment,
        "departement": DEPARTEMENTS[dep],
    }
    months = _months(
        rng,
        settings,
        contracts,
        households,
        contract_household,
        children,
        contract_child,
        window_first,
        window_last,
    )
    return {
        "households": households,
        "children": children,
        "employees": employees,
        "contracts": contracts,
        "months": months,
    }


def _rank_in_group(group: np.ndarray) -> np.ndarray:
    """0, 1, 2… within runs of equal values (the array is grouped)."""
    starts = np.r_[0, np.flatnonzero(group[1:] != group[:-1]) + 1]
    counts = np.diff(np.r_[starts, len(group)])
    return np.arange(len(group)) - np.repeat(starts, counts)


def _minimum_by_period(period: np.ndarray, kind: np.ndarray) -> np.ndarray:
    out = np.empty(len(period))
    for p in np.unique(period):
        rows = period == p
        law = month_law(int(p))
        out[rows] = minimum_wage(law, kind[rows], np.zeros(int(rows.sum()), dtype=bool))
    return np.ceil(out * 100 - 1e-9) / 100


def _assign_employees(rng, base_id, is_ama, start, end, dep, contract_household, uses_ged):
    """AMAs: each contract goes to an AMA of the same département with room in her agrément,
    up to the number of children she wants to care for at once; GEDs: one per household, some
    shared by two households of the same département."""
    n = len(start)
    employee = np.full(n, -1, dtype=np.int64)
    capacity: list[int] = []
    wanted: list[int] = []
    departement: list[int] = []
    kinds: list[int] = []
    active: list[int] = []
    order = np.lexsort((start, dep))
    pools: dict[int, tuple[list, list]] = {}
    for i in order[is_ama[order]]:
        d = int(dep[i])
        heap, available = pools.setdefault(d, ([], []))
        while heap and heap[0][0] < start[i]:
            _, ama = heapq.heappop(heap)
            active[ama] -= 1
            if active[ama] == wanted[ama] - 1:
                available.append(ama)
        if available:
            pick = int(rng.integers(len(available)))
            ama = available[pick]
        else:
            ama = len(capacity)
            cap = int(rng.choice([1, 2, 3, 4], p=A.AMA_AGREMENT_CAPACITY))
            capacity.append(cap)
            wanted.append(min(cap, int(rng.choice([1, 2, 3, 4], p=A.AMA_WANTED_CHILDREN))))
            departement.append(d)
            kinds.append(int(Kind.AMA))
            active.append(0)
            available.append(ama)
            pick = len(available) - 1
        employee[i] = ama
        active[ama] += 1
        heapq.heappush(heap, (int(end[i]), ama))
        if active[ama] >= wanted[ama]:
            available[pick] = available[-1]
            available.pop()
    # GED: one employee per household; a share of households of the same département share
    # theirs two by two (garde partagée).
    ged_rows = np.flatnonzero(~is_ama)
    partner = np.full(n, -1, dtype=np.int64)
    for d in np.unique(dep[ged_rows]):
        rows = ged_rows[dep[ged_rows] == d]
        rows = rows[rng.permutation(len(rows))]
        shared = rows[rng.random(len(rows)) < A.GED_SHARED_HOUSEHOLDS_SHARE]
        for first, second in zip(shared[0::2], shared[1::2], strict=False):
            partner[second] = first
        for i in rows:
            if partner[i] >= 0:
                continue
            employee[i] = len(capacity)
            capacity.append(0)
            wanted.append(0)
            departement.append(int(d))
            kinds.append(int(Kind.GED))
        for i in rows[partner[rows] >= 0]:
            employee[i] = employee[partner[i]]
    ids = base_id + np.arange(len(capacity), dtype=np.int64)
    employees = {
        "employee_id": ids,
        "kind": np.array(kinds, dtype=np.int8),
        "departement": DEPARTEMENTS[np.array(departement, dtype=np.int64)]
        if departement
        else np.array([], dtype=str),
        "agrement_capacity": np.array(capacity, dtype=np.int8),
        "certified": rng.random(len(capacity)) < A.AM_GE_CERTIFIED_SHARE,
    }
    return ids[employee], employees, partner


def _weeks_off_by_month(weeks: np.ndarray) -> np.ndarray:
    """Weeks without care in each calendar month (n, 12), for ≤ 46-week contracts."""
    off = np.maximum(52 - weeks, 0).astype(int)
    table = np.zeros((len(weeks), 12))
    remaining = off.copy()
    for month in A.WEEKS_OFF_ORDER:
        take = np.minimum(remaining, 4 if month == 7 else 1)
        table[:, month] += take
        remaining -= take
    table[:, 7] += remaining  # whatever is left goes to August
    return table


def _draw(rng, m, spec, allowed) -> np.ndarray:
    probability, low, high = spec
    happens = allowed & (rng.random(m) < probability)
    if isinstance(low, int):
        return np.where(happens, rng.integers(low, high + 1, m), 0).astype(float)
    return np.where(happens, np.round(rng.uniform(low, high, m) * 2) / 2, 0.0)


def _months(
    rng,
    settings,
    contracts,
    households,
    contract_household,
    children,
    contract_child,
    window_first,
    window_last,
) -> dict:
    """One row per contract and month of activity: the rules core's payslip inputs."""
    first_period = settings.first_period
    last_period = first_period + settings.months - 1
    start = contracts["start"].astype(np.int64)
    end_date = contracts["end"]
    has_end = ~np.isnat(end_date)
    end = np.where(has_end, end_date.astype(np.int64), NO_END)
    first = np.maximum(_period_of(start), first_period)
    last = np.where(
        has_end, np.minimum(_period_of(np.where(has_end, end, 0)), last_period), last_period
    )
    count = np.maximum(last - first + 1, 0)
    row = np.repeat(np.arange(len(start)), count)
    period = first[row] + _rank_in_group(row)
    m = len(row)
    kind = contracts["kind"][row]
    is_ama = kind == Kind.AMA
    month_of_year = period % 12
    sched = np.stack([contracts[f"sched_{i}"][row] for i in range(7)], 1)
    day_hours = sched.max(1)
    days_per_week = (sched > 0).sum(1)
    week_hours = sched.sum(1)
    weeks = contracts["weeks_per_year"][row]
    month_first = np.array([_day(int(p)) for p in range(first_period, last_period + 1)])
    first_day = month_first[period - first_period]
    last_day = _month_end(period)
    full_month = (start[row] <= first_day) & (end[row] >= last_day)
    # A month in which the contract covers no working day has no activity: no row.
    lo, hi = np.maximum(first_day, start[row]), np.minimum(last_day, end[row])
    hours = (weekday_counts(lo, hi) * sched).sum(1)
    alsace = households["alsace_moselle"][contract_household[row]]
    for p in np.unique(period):
        for local in (False, True):
            for holiday in public_holidays(int(p) // 12, local):
                if holiday.month == int(p) % 12 + 1:
                    day = (holiday - EPOCH).days
                    hit = (period == p) & (alsace == local) & (lo <= day) & (day <= hi)
                    hours = hours - np.where(hit, sched[:, holiday.weekday()], 0.0)
    active = hours > 0
    if not np.all(active):
        keep = np.flatnonzero(active)
        row, period, kind, is_ama, month_of_year = (
            row[keep],
            period[keep],
            kind[keep],
            is_ama[keep],
            month_of_year[keep],
        )
        sched, day_hours, days_per_week, week_hours, weeks = (
            sched[keep],
            day_hours[keep],
            days_per_week[keep],
            week_hours[keep],
            weeks[keep],
        )
        first_day, last_day, full_month = first_day[keep], last_day[keep], full_month[keep]
        m = len(row)

    # Wages: the contract's, raised each January, never below the minimum of the month.
    years = period // 12 - _period_of(start[row]) // 12
    hourly = np.round(
        contracts["hourly_gross"][row] * (1 + A.ANNUAL_RAISE) ** np.maximum(years, 0), 2
    )
    employee_index = contracts["employee_id"][row] % IDS_PER_CHUNK
    hourly = np.maximum(hourly, _minimum_by_period(period, kind))

    # Weeks without care (≤ 46 weeks) and the paid leave taken in them.
    off = _weeks_off_by_month(contracts["weeks_per_year"])[row, month_of_year]
    no_care_days = np.where(full_month, off * days_per_week, 0.0)
    no_care_hours = no_care_days * day_hours
    leave_days = np.where(
        weeks < 52,
        np.where(np.isin(month_of_year, (7, 11)), np.minimum(off, 4) * 6, 0),
        np.where(month_of_year == 7, 12, np.where(month_of_year == 11, 6, 0)),
    ).astype(float)
    leave_days = np.where(full_month, leave_days, 0.0)

    # Absences, within what the month holds (never in a month of entry or exit).
    room = np.maximum(np.floor((days_per_week * 4 - no_care_days) * 0.6), 0)
    allowed = full_month & (room > 0)
    sick = np.minimum(_draw(rng, m, A.EMPLOYEE_SICK, allowed), room)
    room = room - sick
    unpaid = np.minimum(_draw(rng, m, A.EMPLOYEE_UNPAID_LEAVE, allowed), room)
    room = room - unpaid
    child_sick = np.minimum(_draw(rng, m, A.CHILD_SICK, allowed & is_ama), room)
    room = room - child_sick
    hospital = np.minimum(_draw(rng, m, A.CHILD_HOSPITAL, allowed & is_ama), room)
    room = room - hospital
    child_absent = np.minimum(_draw(rng, m, A.CHILD_ABSENT_PAID, allowed), room)

    # Illness of the child over the last 12 months, from earlier months of the same contract.
    cumulative = np.cumsum(child_sick)
    group_start = np.r_[0, np.flatnonzero(row[1:] != row[:-1]) + 1]
    offset = np.repeat(
        cumulative[group_start] - child_sick[group_start], np.diff(np.r_[group_start, m])
    )
    before = cumulative - child_sick - offset
    rank = _rank_in_group(row)
    lagged = np.where(rank >= 12, np.r_[np.zeros(12), cumulative[:-12]] - offset, 0.0)
    child_sick_before = np.maximum(before - lagged, 0.0)

    # Extra hours.
    complementary = np.where(
        (is_ama & (week_hours <= 44)) | (~is_ama & (week_hours < 40)),
        _draw(rng, m, A.COMPLEMENTARY_HOURS, full_month),
        0.0,
    )
    majorated = np.where(
        is_ama & (week_hours >= 43), _draw(rng, m, A.MAJORATED_HOURS, full_month), 0.0
    )
    overtime = np.where(
        ~is_ama & (week_hours >= 40), _draw(rng, m, A.GED_OVERTIME, full_month), 0.0
    )
    km = _draw(rng, m, A.MILEAGE, full_month & is_ama)

    # Paid leave of ≤ 46-week contracts and the tenth comparison: the days acquired over the
    # reference period just ended (June to May), and its gross (monthly base × months).
    ref_end = np.where(month_of_year >= 5, period - month_of_year + 4, period - month_of_year - 8)
    ref_start = ref_end - 11
    months_in_ref = np.clip(ref_end - np.maximum(ref_start, _period_of(start[row])) + 1, 0, 12)
    acquired = np.minimum(np.ceil(months_in_ref * 2.5 - 1e-9), 30)
    units = np.minimum(week_hours, 45) + np.maximum(week_hours - 45, 0) * 1.1
    base_gross = hourly * units * weeks / 12
    option = contracts["leave_payment"][row]
    needs_leave = (
        ((option == LeavePayment.JUNE) & (month_of_year == 5))
        | ((option == LeavePayment.MAIN_LEAVE) & (month_of_year == 7))
        | ((option == LeavePayment.AS_TAKEN) & (leave_days > 0))
        | ((option == LeavePayment.INCLUDED) & (month_of_year == 5))
    ) & (acquired > 0)
    leave_days = np.where(
        option == LeavePayment.AS_TAKEN, np.minimum(leave_days, acquired), leave_days
    )

    # End of contract.
    ends_here = has_end[row] & (period == _period_of(np.where(has_end, end, 0))[row])
    months_before = np.maximum(period - _period_of(start[row]), 0)
    monthly_hours = week_hours * weeks / 12
    paid_total = monthly_hours * months_before
    worked_total = paid_total * rng.uniform(0.97, 1.06, m)

    h = contract_household[row]
    youngest = np.full(len(households["household_id"]), np.iinfo(np.int64).min)
    births = children["birth_date"].astype(np.int64)
    child_household = children["household_id"] - households["household_id"][0]
    np.maximum.at(youngest, child_household, births)
    child = contract_child[row]
    birth = np.where(child >= 0, births[np.maximum(child, 0)], youngest[h])
    child_age = (first_day - birth) / 365.25

    out = {
        "contract_id": contracts["contract_id"][row],
        "household_id": contracts["household_id"][row],
        "employee_id": contracts["employee_id"][row],
        "kind": kind,
        "period": period.astype(np.int32),
        "contract_start": start[row],
        "contract_end": end[row],
        "weeks_per_year": weeks,
        **{f"sched_{i}": sched[:, i] for i in range(7)},
        "hourly_gross": hourly,
        "majoration_rate": contracts["majoration_rate"][row],
        "presence_hours": contracts["presence_hours"][row],
        "entretien_per_day": contracts["entretien_per_day"][row],
        "meal_per_day": contracts["meal_per_day"][row],
        "mileage_km": km,
        "mileage_rate": np.where(km > 0, A.MILEAGE_RATE, 0.0),
        "alsace_moselle": households["alsace_moselle"][h],
        "absence_days": sick + unpaid,
        "absence_hours": (sick + unpaid) * day_hours,
        "child_sick_days": child_sick,
        "child_sick_hours": child_sick * day_hours,
        "child_hospital_days": hospital,
        "child_hospital_hours": hospital * day_hours,
        "child_absent_days": child_absent,
        "child_absent_hours": child_absent * day_hours,
        "no_care_days": no_care_days,
        "no_care_hours": no_care_hours,
        "complementary_hours": complementary,
        "majorated_hours": majorated,
        "overtime_25_hours": overtime,
        "leave_days_taken": leave_days,
        "main_leave": (option == LeavePayment.MAIN_LEAVE) & (month_of_year == 7),
        "leave_payment": option,
        "child_sick_days_before": child_sick_before,
        "leave_acquired_days": np.where(needs_leave, acquired, np.nan),
        "leave_reference_gross": np.where(
            needs_leave, np.round(base_gross * months_in_ref, 2), np.nan
        ),
        "contract_gross_total": np.where(ends_here, np.round(base_gross * months_before, 2), 0.0),
        "hours_paid_total": np.where(
            ends_here & is_ama & (weeks < 52), np.round(paid_total, 2), np.nan
        ),
        "hours_worked_total": np.where(
            ends_here & is_ama & (weeks < 52), np.round(worked_total, 2), np.nan
        ),
        "cmg": households["cmg"][h],
        "monthly_resources": households["monthly_resources"][h],
        "annual_resources": households["annual_resources"][h],
        "children": households["dependent_children"][h].astype(np.int16),
        "child_age": np.round(child_age, 3),
        "single_parent": households["single_parent"][h],
        "aeeh_children": households["aeeh_children"][h].astype(np.int16),
        "pas_zone": households["pas_zone"][h],
        "end_reason": np.where(ends_here, contracts["end_reason"][row], 0).astype(np.int8),
        "certified": np.zeros(m, dtype=bool),
    }
    del employee_index
    return out
