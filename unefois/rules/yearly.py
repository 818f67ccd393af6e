"""Yearly figures: paid leave acquired over a reference period, and the tax-credit estimate.

Vectorised like the payslip: every argument may be an array (one row per employee or household).
"""

from __future__ import annotations

import numpy as np

from .law import month_law


def leave_acquired_days(
    period: int, weeks_worked=None, months_worked=None, weeks_assimilated=0.0
) -> np.ndarray:
    """Working days (jours ouvrables) of paid leave acquired over a reference period.

    2.5 days per month, or per 4 weeks, of actual work — paid leave taken counts as work
    (``weeks_assimilated``); at most 30; a fraction of a day is rounded up to the next whole
    day (Code du travail, art. L3141-3, L3141-5 and L3141-7).
    """
    law = month_law(period)
    per_month = law["conges_payes.jours_par_mois"]
    months = np.zeros(1) if months_worked is None else np.asarray(months_worked, dtype=float)
    weeks = np.zeros(1) if weeks_worked is None else np.asarray(weeks_worked, dtype=float)
    weeks = weeks + np.asarray(weeks_assimilated, dtype=float)
    periods = np.maximum(months, weeks / 4.0)
    return np.minimum(np.ceil(periods * per_month - 1e-9), law["conges_payes.maximum_jours"])


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
