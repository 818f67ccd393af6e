"""The real calendar of a month, vectorised over many contracts.

Absences are deducted by the hours that would really have been worked in the month (Cour de
cassation method), so each row needs, for the part of the month its contract covers, how many
Mondays, Tuesdays… it holds, less the public holidays that fall on a working day. Public holidays
come from the ``holidays`` package (France, with Alsace-Moselle's two extra days).

Days are numpy ``datetime64[D]`` counted from 1970-01-01 (a Thursday).
"""

from __future__ import annotations

import datetime as dt
import functools

import holidays
import numpy as np

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday = 0)


def day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def weekday(days: np.ndarray) -> np.ndarray:
    """Weekday (Monday = 0) of integer day numbers."""
    return (days + EPOCH_WEEKDAY) % 7


def weekday_counts(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """How many of each weekday lie in [first, last] (integer day numbers), shape (n, 7).

    An empty interval (last < first) counts nothing.
    """
    span = np.maximum(last - first + 1, 0)
    full_weeks, remainder = np.divmod(span, 7)
    offset = (np.arange(7)[None, :] - weekday(first)[:, None]) % 7
    return full_weeks[:, None] + (offset < remainder[:, None])


@functools.cache
def public_holidays(year: int, alsace_moselle: bool) -> tuple[dt.date, ...]:
    subdiv = "57" if alsace_moselle else None
    return tuple(sorted(holidays.France(years=year, subdiv=subdiv)))


def holidays_by_month(periods: np.ndarray, alsace_moselle: bool) -> np.ndarray:
    """For each distinct period (``year * 12 + month - 1``), its public holidays as day numbers.

    Returns an array (len(periods), k) padded with -1.
    """
    rows = []
    for period in periods:
        year, month = int(period) // 12, int(period) % 12 + 1
        rows.append(
            [
                (day - dt.date(1970, 1, 1)).days
                for day in public_holidays(year, alsace_moselle)
                if day.month == month
            ]
        )
    width = max((len(r) for r in rows), default=0) or 1
    out = np.full((len(rows), width), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out


def month_bounds(periods: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last day numbers of each period."""
    years = periods // 12
    months = periods % 12
    first = ((years - 1970).astype("datetime64[Y]") + months.astype("timedelta64[M]")).astype(
        "datetime64[M]"
    )
    last_exclusive = first + np.timedelta64(1, "M")
    return (
        first.astype("datetime64[D]").astype(np.int64),
        last_exclusive.astype("datetime64[D]").astype(np.int64) - 1,
    )
