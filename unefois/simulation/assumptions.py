"""Every figure the simulated population is drawn from, with where it comes from.

"Target" values reproduce a published figure (the source is given; calibration.py checks the
population against it). "Assumption" values have no public source that we know of; they are
stated so that they can be challenged and replaced. docs/simulation.md explains both.
"""

from unefois.rules.inputs import EndReason

# ---- Households ---------------------------------------------------------------------------
# Assumption: share of single parents among parent employers of a childminder or a nanny
# (lower than among all families with young children, 24.7 % per INSEE, because both
# parents of an employer household usually work).
SINGLE_PARENT_SHARE = 0.13
# Assumption: monthly net resources of the household (median), and their spread.
INCOME_MEDIAN_COUPLE = 4_600.0
INCOME_MEDIAN_SINGLE = 2_300.0
INCOME_SIGMA = 0.45
INCOME_IDF_FACTOR = 1.25
INCOME_GROWTH_TWO_YEARS = 1.05  # resources of year N-2, for the CMG before the reform
# Assumption: households with two children in care at once (twins or close siblings).
TWO_CHILDREN_IN_CARE_SHARE = 0.12
TWINS_SHARE_OF_SIBLINGS = 0.25
OLDER_SIBLINGS_MEAN = 0.6  # older dependent children (effort rate of the CMG)
AEEH_SHARE = 0.01
# Target: the CMG is paid through Pajemploi to more than 750,000 parents (CAF, 2025) out of
# fewer than 1 million parent employers for childcare (Stat'ur n° 405): at least 75 %.
CMG_SHARE = 0.88

# ---- Mode of care -------------------------------------------------------------------------
# Target: end 2020, 720,000 AMA employers and 88,000 GED employers (Urssaf, Stat'ur, January
# 2022): 10.9 % of childcare employer households employ a GED. Assumption: nannies are much
# more frequent in Île-de-France; the two shares below give 10.9 % overall.
GED_SHARE_IDF = 0.28
GED_SHARE_ELSEWHERE = 0.068
# Target: in 2019, 127,481 parents employed 116,926 GED (FEPEM baromètre 38): 1.09 parents per
# GED, i.e. 9 % of nannies shared by two households, i.e. 16.5 % of GED households sharing.
GED_SHARED_HOUSEHOLDS_SHARE = 0.19
# Assumption: children cared for by an AMA after school (aged 3–6).
PERISCOLAIRE_SHARE = 0.12
# Assumption: age of the child when care starts (months), end of parental leave.
CARE_START_AGE_MONTHS = (2.5, 14.0)
# Assumption: contracts ended before the child goes to school (monthly hazard), and why.
EARLY_END_MONTHLY = 0.012
EARLY_END_REASONS = {
    int(EndReason.EMPLOYER): 0.70,
    int(EndReason.RESIGNATION): 0.26,
    int(EndReason.SERIOUS_MISCONDUCT): 0.02,
    int(EndReason.AGREMENT_WITHDRAWAL): 0.019,
    int(EndReason.CHILD_DEATH): 0.001,
}

# ---- Childminders -------------------------------------------------------------------------
# Assumption: distribution of the agrément's capacity (1 to 4 children, CASF L421-4).
AMA_AGREMENT_CAPACITY = (0.03, 0.10, 0.32, 0.55)
# Calibrated: how many children an AMA wants at once (within her agrément), so that she cares
# for 2.4 children under 3 on average (figure for 2023 gathered in the project's domain notes).
AMA_WANTED_CHILDREN = (0.03, 0.12, 0.33, 0.52)
AM_GE_CERTIFIED_SHARE = 0.03

# ---- Contracts ----------------------------------------------------------------------------
AMA_DAYS_PER_WEEK = (0.15, 0.50, 0.35)  # 3, 4, 5 days (assumption)
GED_DAYS_PER_WEEK = (0.30, 0.70)  # 4, 5 days (assumption)
DAY_HOURS_MEAN = 9.2  # assumption; usual day of an AMA: 9 h (CCN art. 96)
DAY_HOURS_SD = 0.7
MAX_WEEK_HOURS = 47.0
AMA_52_WEEKS_SHARE = 0.62  # assumption
INCOMPLETE_YEAR_WEEKS = (36.0, 38.0, 40.0, 42.0, 44.0, 45.0, 46.0)
GED_PRESENCE_SHARE = 0.10  # assumption: contracts with présence responsable hours
# Target: the reference hourly costs of the reformed CMG are the median net hourly wages:
# 4.85 € (AMA, per child) and 10.38 € (GED) (CSS D531-18; caf.fr « tarif de référence »).
AMA_NET_HOURLY_MEDIAN = 4.60
GED_NET_HOURLY_MEDIAN = 9.50
NET_HOURLY_SIGMA = 0.13
AMA_IDF_PREMIUM = 0.80  # assumption: higher wages in Île-de-France
GED_IDF_PREMIUM = 1.00
EMPLOYEE_RATE = 0.2188025  # to turn the drawn net into a gross (rate of 2024–2026)
ENTRETIEN_PER_DAY = (3.60, 4.80)  # assumption; never below the minimum
MEALS_SHARE = 0.55  # assumption: AMAs who provide meals
MEAL_PER_DAY = (3.0, 5.5)
LEAVE_PAYMENT_SHARES = (0.55, 0.35, 0.10)  # June, as taken, main leave (assumption)
MAJORATION_25_SHARE = 0.30  # assumption: contracts majorating hours above 45 h by 25 %
ANNUAL_RAISE = 0.02  # assumption: wages rise by 2 % each January (and never below the minimum)

# ---- A month of activity (monthly probabilities; assumptions) ------------------------------
EMPLOYEE_SICK = (0.05, 1, 4)  # probability, fewest days, most days
EMPLOYEE_UNPAID_LEAVE = (0.015, 1, 2)
CHILD_SICK = (0.12, 1, 3)
CHILD_HOSPITAL = (0.003, 2, 5)
CHILD_ABSENT_PAID = (0.06, 1, 2)
COMPLEMENTARY_HOURS = (0.15, 1.0, 8.0)
MAJORATED_HOURS = (0.05, 1.0, 3.0)
GED_OVERTIME = (0.10, 1.0, 6.0)
MILEAGE = (0.04, 20.0, 120.0)
MILEAGE_RATE = 0.45  # € per km, between the administration and the tax scales (assumption)
# Weeks without care in a ≤ 46-week contract, by calendar month (the AMA's paid leave falls in
# them): August first, then the school holidays.
WEEKS_OFF_ORDER = (7, 11, 1, 3, 9, 6, 4, 10, 2, 0, 5, 8, 6, 7)
