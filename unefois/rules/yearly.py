"""Yearly figures: paid leave acquired over a reference period, and the tax-credit estimate.

Vectorised like the payslip: every argument may be an array (one row per employee or household).
"""

from __future__ import annotations

import numpy as np

from .inputs import NO_END
from .law import month_law

_LAST_DAY = 2_000_000  # a day number (year 7445) beyond any date; NO_END is far above it


def leave_acquired_days(
    period,
    weeks_worked=None,
    months_worked=None,
    weeks_assimilated=0.0,
    *,
    months_sick=0.0,
    weeks_sick=0.0,
    months_occupational=0.0,
    weeks_occupational=0.0,
    round_up=True,
) -> np.ndarray:
    """Working days (jours ouvrables) of paid leave acquired over a reference period.

    * Work, and the periods the law counts as work — paid leave taken (``weeks_assimilated``),
      time off after an accident at work, on the way to work or an occupational illness
      (``*_occupational``, without the former one-year limit): 2.5 days per month, or per 4
      weeks (C. trav. art. L3141-3, L3141-4, L3141-5 5°);
    * time off after an accident or illness that is not occupational (``*_sick``): 2 days per
      month or per 4 weeks, at most 24 days for the period (art. L3141-5 7° and L3141-5-1,
      loi n° 2024-364 du 22 avril 2024);
    * at most 30 days in all; a fraction of a day is rounded up to the next whole day (art.
      L3141-3 and L3141-7). ``round_up=False`` gives the exact figure, as for one month.

    Months and weeks are each counted the more favourable way (months, or weeks ÷ 4).
    """
    law = month_law(period)
    months = np.zeros(1) if months_worked is None else np.asarray(months_worked, dtype=float)
    weeks = np.zeros(1) if weeks_worked is None else np.asarray(weeks_worked, dtype=float)
    work_months = months + np.asarray(months_occupational, dtype=float)
    work_weeks = (
        weeks
        + np.asarray(weeks_assimilated, dtype=float)
        + np.asarray(weeks_occupational, dtype=float)
    )
    worked = np.maximum(work_months, work_weeks / 4.0)
    sick = np.maximum(
        np.asarray(months_sick, dtype=float), np.asarray(weeks_sick, dtype=float) / 4.0
    )
    days = worked * law["conges_payes.jours_par_mois"] + np.minimum(
        sick * law["conges_payes.maladie_jours_par_mois"], law["conges_payes.maladie_maximum_jours"]
    )
    days = np.minimum(days, law["conges_payes.maximum_jours"])
    return np.ceil(days - 1e-9) if round_up else days


def leave_reference_gross(period, gross, sick_pay=0.0) -> np.ndarray:
    """The pay the tenth of paid leave is computed on (C. trav. art. L3141-24): the gross of the
    reference period — with the pay of the periods counted as work, as if worked — plus a share
    (80 %) of the pay the employee would have earned during time off for a non-occupational
    accident or illness (``sick_pay``)."""
    law = month_law(period)
    share = law["conges_payes.maladie_part_remuneration_dixieme"]
    return np.asarray(gross, dtype=float) + share * np.asarray(sick_pay, dtype=float)


def sick_leave_carryover_expiry(
    period, informed_day, reference_end_day=None, sick_since_day=None
) -> np.ndarray:
    """Day (number since 1970-01-01) on which the carry-over of leave that an illness or an
    accident prevented from taking expires (C. trav. art. L3141-19-1 to L3141-19-3).

    The 15 months run from the day the employer informs the employee, in the month after the
    return to work, of the days left and of the deadline (``informed_day``). Leave acquired
    during a time off that had lasted at least a year when its reference period ended
    (``sick_since_day`` on or before ``reference_end_day`` minus a year) is carried over from
    the end of that period instead. A period expires on the day of its last month bearing
    the same number as its first day (the last day of that month if there is none).
    ``NO_END`` (not informed yet) gives ``NO_END``. Not modelled: the suspension of a carry-over
    begun at the end of the period, from the return to work until the information
    (art. L3141-19-2, second sentence), and longer periods set by a collective agreement.
    """
    law = month_law(period)
    months = int(law["conges_payes.report_maladie_mois"])
    long_months = int(law["conges_payes.report_suspension_minimum_mois"])
    informed = np.asarray(informed_day, dtype=np.int64)
    start = informed
    if reference_end_day is not None and sick_since_day is not None:
        end = np.asarray(reference_end_day, dtype=np.int64)
        since = np.asarray(sick_since_day, dtype=np.int64)
        long = _add_months(since, long_months) <= end + 1  # a year complete on that day
        start = np.where(long, end, informed)
    expiry = _add_months(start, months)
    return np.where(start >= NO_END, NO_END, expiry)


def _add_months(day, months: int) -> np.ndarray:
    """The day ``months`` months after ``day`` (day numbers), clipped to the month's end."""
    d = np.minimum(np.asarray(day, dtype=np.int64), _LAST_DAY).astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    offset = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.timedelta64(months, "M")
    length = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype(
        "datetime64[D]"
    )
    offset = np.minimum(offset, length.astype(np.int64) - 1)
    return (target.astype("datetime64[D]") + offset).astype(np.int64)


def tax_credit(
    period: int, kind, expenses, cmg=0.0, children=1, first_year=False, other_aid=0.0
) -> np.ndarray:
    """Yearly tax credit of a household for childcare expenses, before any other limit.

    * AMA (childcare outside the home, child under 6 on 1 January): 50 % of the expenses net of
      the CMG, within a ceiling per child (CGI art. 200 quater B);
    * GED (employee at home): 50 % of the expenses net of the CMG, within 12,000 € plus 1,500 €
      per dependent child, 15,000 € at most (18,000 € the first year) (CGI art. 199 sexdecies).

    Other aid received for the same care (from a town, an employer…) is deducted like the CMG.
    """
    law = month_law(period)
    kind = np.asarray(kind)
    aid = np.asarray(cmg, dtype=float) + np.asarray(other_aid, dtype=float)
    net = np.maximum(np.asarray(expenses, dtype=float) - aid, 0.0)
    children = np.asarray(children, dtype=float)
    ama = law["credit_impot.ama_taux"] * np.minimum(
        net, law["credit_impot.ama_plafond_par_enfant"] * np.maximum(children, 1.0)
    )
    first = np.asarray(first_year, dtype=bool)
    base = np.where(
        first, law["credit_impot.ged_plafond_premiere_annee"], law["credit_impot.ged_plafond"]
    )
    top = np.where(
        first,
        law["credit_impot.ged_plafond_majore_premiere_annee"],
        law["credit_impot.ged_plafond_majore"],
    )
    ceiling = np.minimum(base + law["credit_impot.ged_majoration_par_enfant"] * children, top)
    ged = law["credit_impot.ged_taux"] * np.minimum(net, ceiling)
    return np.floor(np.where(kind == 0, ama, ged) * 100.0 + 0.5 + 1e-6) / 100.0


def entretien_minimum_per_day(period: int, hours) -> np.ndarray:
    """Minimum entretien allowance for a day of care of ``hours`` (CCN art. 114.1)."""
    law = month_law(period)
    per_hour = (
        law["ama.entretien.part_minimum_garanti"]
        * law["minimum_garanti"]
        / law["ama.entretien.duree_journee_reference"]
    )
    exact = np.maximum(law["ama.entretien.plancher_journalier"], per_hour * np.asarray(hours))
    return np.floor(exact * 100.0 + 0.5 + 1e-6) / 100.0
