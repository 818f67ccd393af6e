"""The monthly payslip of an AMA or a GED, vectorised: one code path for one row or a million.

``month_chunk(columns, n, law)`` takes rows of ``inputs.COLUMNS`` that all fall in the month of
``law`` and returns, for every row, each amount of the payslip in euros already rounded to the
cent (rule of ``money``), the hours and days declared to Pajemploi, and the figures that explain
them (see ``OUTPUTS``). ``engine.calculate`` cuts a batch into such chunks.

Rows are independent and the formulas use numpy masks and ``where`` only, so a batch equals the
same rows computed one by one. The sources of each rule are on the parameters and in
``explain``.
"""

from __future__ import annotations

import numpy as np

from . import calendar
from .inputs import SCHEDULE, EndReason, Kind, LeavePayment
from .law import MonthLaw
from .money import round_half_up

_HALF = 0.5 + 1e-6  # half a cent, plus the guard documented in ``money``

# Output columns: name → kind. Money is float64 euros rounded to the cent (``money.to_decimal``
# turns it into an exact Decimal); "quantity" is hours, days or months; "rate" a fraction.
MONEY, QUANTITY, RATE, FLAG = "money", "quantity", "rate", "flag"


def _outputs() -> dict[str, str]:
    money = [
        "base_pay",
        "base_pay_net",
        "absence_deduction",
        "entry_exit_deduction",
        "complementary_pay",
        "majorated_pay",
        "overtime_25_pay",
        "overtime_50_pay",
        "paid_leave_tenth",
        "paid_leave_maintien",
        "paid_leave_pay",
        "paid_leave_complement",
        "regularisation_pay",
        "leave_compensation",
        "gross_pay",
        "overtime_reduction",
        "employee_contributions",
        "net_pay",
        "forfaitaire_deduction",
        "employer_contributions",
        "overtime_exempt",
        "taxable_net",
        "entretien",
        "entretien_minimum",
        "meals",
        "mileage",
        "pas_base",
        "pas",
        "termination_indemnity",
        "cmg_contributions",
        "cmg_cost",
        "cmg_cost_basis",
        "cmg_pay",
        "net_paid",
        "employer_cost",
        "parent_cost",
    ]
    quantity = [
        "monthly_hours",
        "planned_hours",
        "absence_hours",
        "entry_exit_hours",
        "child_sick_days_unpaid",
        "child_sick_days_beyond",
        "paid_leave_days",
        "regularisation_hours",
        "leave_compensation_days",
        "care_days",
        "care_hours",
        "seniority_months",
        "notice_days",
        "forfaitaire_hours",
        "notice_weeks",
        "notice_months",
        "declaration.normal_hours",
        "declaration.activity_days",
        "declaration.complementary_hours",
        "declaration.majorated_hours",
        "declaration.overtime_hours",
        "declaration.leave_days",
    ]
    rate = ["hourly_gross", "hourly_net", "employee_rate", "pas_rate", "cmg_effort_rate"]
    flags = ["contract_ends", "cmg_eligible"]
    out = {name: MONEY for name in money}
    out.update({name: QUANTITY for name in quantity})
    out.update({name: RATE for name in rate})
    out.update({name: FLAG for name in flags})
    return out


OUTPUTS = _outputs()


def contribution_outputs(law: MonthLaw) -> list[str]:
    return [f"employee.{n}" for n in law.employee.names] + [
        f"employer.{n}" for n in law.employer.names
    ]


def _r(x) -> np.ndarray:
    """Round to the cent (rule of ``money``: halves away from zero on non-negative amounts)."""
    return np.floor(np.asarray(x) * 100.0 + _HALF) / 100.0


def _rs(x) -> np.ndarray:
    """Round to the cent, for amounts that may be negative."""
    x = np.asarray(x)
    return np.copysign(np.floor(np.abs(x) * 100.0 + _HALF), x) / 100.0


def _b(value, n: int, dtype) -> np.ndarray:
    """A column as an array of ``n`` rows (a scalar column is repeated)."""
    return np.broadcast_to(np.asarray(value, dtype=dtype), (n,))


def month_chunk(c: dict, n: int, law: MonthLaw) -> dict[str, np.ndarray]:
    """The formula sheet, for rows that all fall in ``law``'s month."""
    lv = law.__getitem__
    out: dict[str, np.ndarray] = {}
    kind = _b(c["kind"], n, np.int64)
    is_ama = kind == Kind.AMA
    is_ged = ~is_ama
    any_ged = bool(np.any(is_ged))
    alsace = _b(c["alsace_moselle"], n, bool)
    first_day, last_day = (int(x[0]) for x in calendar.month_bounds(np.array([law.period])))

    # ---- The contract's week ------------------------------------------------------------
    days = [np.broadcast_to(np.asarray(c[name], dtype=np.float64), (n,)) for name in SCHEDULE]
    week_hours = sum(days[1:], days[0])
    days_per_week = sum((d > 0 for d in days[1:]), (days[0] > 0).astype(np.float64))
    weeks = np.asarray(c["weeks_per_year"], dtype=np.float64)
    majoration = c["majoration_rate"]
    majoration = np.where(np.isnan(majoration), lv("ama.heures_majorees_taux_minimum"), majoration)
    ama_limit = lv("ama.duree.hebdomadaire_conventionnelle")
    if any_ged:
        presence = np.where(is_ged, c["presence_hours"], 0.0)
        effective_week = week_hours - presence * (1.0 - lv("ged.presence_responsable_equivalence"))
        ged_full = lv("ged.duree_temps_plein")
        ged_high = lv("ged.heures_supplementaires.seuil_haut")
        rate_1 = np.where(is_ama, majoration, lv("ged.heures_supplementaires.majoration_premieres"))
        rate_2 = lv("ged.heures_supplementaires.majoration_haute")
        threshold = np.where(is_ama, ama_limit, ged_full)
        tier_1 = np.where(
            is_ama,
            np.maximum(effective_week - ama_limit, 0.0),
            np.clip(effective_week - ged_full, 0.0, ged_high - ged_full),
        )
        tier_2 = np.where(is_ama, 0.0, np.maximum(effective_week - ged_high, 0.0))
    else:
        effective_week = week_hours
        rate_1, rate_2 = majoration, 0.0
        threshold = ama_limit
        tier_1 = np.maximum(week_hours - ama_limit, 0.0)
        tier_2 = 0.0
    tier_0 = np.minimum(effective_week, threshold)
    overtime_units_week = tier_1 * (1.0 + rate_1) + tier_2 * (1.0 + rate_2)
    week_units = tier_0 + overtime_units_week

    annual = c["annual_hours"]
    variable = ~np.isnan(annual)
    any_variable = bool(np.any(variable))
    monthly_hours = effective_week * weeks / 12.0
    base_units = tier_0 * weeks / 12.0
    overtime_units = overtime_units_week * weeks / 12.0
    if any_variable:
        monthly_hours = np.where(variable, annual / 12.0, monthly_hours)
        base_units = np.where(variable, annual / 12.0, base_units)
        overtime_units = np.where(variable, 0.0, overtime_units)

    # ---- Hourly wage: gross, or rebuilt from the net as Pajemploi does ------------------
    # Hours paid with a majoration (or complementary hours) get a reduction of the employee's
    # old-age contributions (CSS L241-17). When the wage is agreed in net, the net of those
    # hours is what was agreed, so their gross is rebuilt with the reduced rate.
    combo = kind * 2 + alsace.astype(np.int64)
    if np.all(combo == combo[0]):
        combo = int(combo[0])
    table = law.employee
    emp_rate = table.rates.sum(axis=2).reshape(4)[combo]
    old_age = np.array([bool(m.get("old_age")) for m in table.metas])
    reduction_rate = np.minimum(
        table.nominal[..., old_age].sum(-1).reshape(4)[combo],
        lv("heures_supplementaires.reduction_salariale_plafond"),
    )
    hourly = np.asarray(c["hourly_gross"], dtype=np.float64)
    net_agreed = np.isnan(hourly)
    hourly = np.where(net_agreed, c["hourly_net"] / (1.0 - emp_rate), hourly)
    overtime_factor = np.where(
        net_agreed, (1.0 - emp_rate) / (1.0 - emp_rate + reduction_rate), 1.0
    )
    out["hourly_gross"] = hourly
    out["hourly_net"] = hourly * (1.0 - emp_rate)
    out["employee_rate"] = emp_rate
    out["monthly_hours"] = monthly_hours
    structural_units = overtime_units * overtime_factor
    out["base_pay"] = base_pay = _r(hourly * (base_units + structural_units))
    out["base_pay_net"] = _r(
        hourly * base_units * (1.0 - emp_rate)
        + hourly * structural_units * (1.0 - emp_rate + reduction_rate)
    )

    # ---- The real calendar of the month (Cour de cassation method) -------------------------
    month_counts = calendar.weekday_counts(np.array([first_day]), np.array([last_day]))[0]
    holidays_off = _b(c["holidays_off"], n, bool)
    month_hours = sum(d * k for d, k in zip(days, month_counts, strict=True)) - _holiday_hours(
        law, days, alsace, holidays_off, None
    )
    start = _b(c["contract_start"], n, np.int64)
    end = _b(c["contract_end"], n, np.int64)
    partial = (start > first_day) | (end < last_day)
    contract_hours = month_hours.copy()
    contract_days = sum(
        (d > 0) * k for d, k in zip(days, month_counts, strict=True)
    ) - _holiday_days(law, days, alsace, holidays_off, None)
    if np.any(partial):
        rows = np.flatnonzero(partial)
        lo = np.maximum(first_day, start[rows])
        hi = np.minimum(last_day, end[rows])
        counts = calendar.weekday_counts(lo, hi)
        sub = np.stack([d[rows] for d in days], 1)
        al, off = alsace[rows], holidays_off[rows]
        columns = list(sub.T)
        contract_hours[rows] = (counts * sub).sum(1) - _holiday_hours(
            law, columns, al, off, (lo, hi)
        )
        contract_days = contract_days.astype(np.float64)
        contract_days[rows] = (counts * (sub > 0)).sum(1) - _holiday_days(
            law, columns, al, off, (lo, hi)
        )
    no_care_hours = c["no_care_hours"]
    month_hours = month_hours - no_care_hours
    contract_hours = contract_hours - no_care_hours
    contract_days = contract_days - c["no_care_days"]
    if any_variable:
        # Variable schedules: the hours planned this month if known; else the typical week on
        # the real calendar if one is given; else the monthly average.
        planned = c["planned_hours"]
        fallback = np.where(week_hours > 0, contract_hours, monthly_hours)
        planned = np.where(np.isnan(planned), fallback, planned)
        month_hours = np.where(
            variable, np.where(week_hours > 0, month_hours, planned), month_hours
        )
        contract_hours = np.where(variable, planned, contract_hours)
        planned_days = c["planned_days"]
        planned_days = np.where(np.isnan(planned_days), contract_days, planned_days)
        contract_days = np.where(variable, planned_days, contract_days)
    out["planned_hours"] = month_hours
    outside_hours = np.maximum(month_hours - contract_hours, 0.0)
    safe_month_hours = np.where(month_hours > 0, month_hours, 1.0)

    # Deductible absences: the employee's, and the child's illness within its limits (AMA).
    sick_days = c["child_sick_days"]
    hospital_days = c["child_hospital_days"]
    sick_allowed = np.clip(
        lv("ama.absences.maladie_enfant_jours") - c["child_sick_days_before"], 0.0, sick_days
    )
    hospital_allowed = np.minimum(hospital_days, lv("ama.absences.hospitalisation_enfant_jours"))
    sick_hours = _share(c["child_sick_hours"], sick_allowed, sick_days)
    hospital_hours = _share(c["child_hospital_hours"], hospital_allowed, hospital_days)
    child_deductible = np.where(is_ama, sick_hours + hospital_hours, 0.0)
    absence_hours = c["absence_hours"] + child_deductible
    out["absence_hours"] = absence_hours
    out["child_sick_days_unpaid"] = np.where(is_ama, sick_allowed, 0.0)
    out["child_sick_days_beyond"] = np.where(is_ama, sick_days - sick_allowed, 0.0)
    out["absence_deduction"] = _r(base_pay * absence_hours / safe_month_hours)
    out["entry_exit_hours"] = outside_hours
    # The two deductions together are the rounded share of the unpaid hours: rounded one by
    # one, two halves of the month would each round up and take a cent more than the base.
    out["entry_exit_deduction"] = np.maximum(
        _r(base_pay * (absence_hours + outside_hours) / safe_month_hours)
        - out["absence_deduction"],
        0.0,
    )
    paid_share = np.clip(1.0 - (absence_hours + outside_hours) / safe_month_hours, 0.0, 1.0)

    # ---- Extra hours of the month ----------------------------------------------------------
    complementary_hours = c["complementary_hours"]
    majorated_hours = np.where(is_ama, c["majorated_hours"], 0.0)
    overtime_hourly = hourly * overtime_factor
    net_to_gross = 1.0 / (1.0 - emp_rate + reduction_rate)
    complementary_rate = np.where(
        np.isnan(c["complementary_hourly"]),
        np.where(
            np.isnan(c["complementary_hourly_net"]),
            overtime_hourly,
            c["complementary_hourly_net"] * net_to_gross,
        ),
        c["complementary_hourly"],
    )
    majorated_rate = np.where(
        np.isnan(c["majorated_hourly"]),
        np.where(
            np.isnan(c["majorated_hourly_net"]),
            overtime_hourly * (1.0 + majoration),
            c["majorated_hourly_net"] * net_to_gross,
        ),
        c["majorated_hourly"],
    )
    out["complementary_pay"] = _r(complementary_hours * complementary_rate)
    out["majorated_pay"] = _r(majorated_hours * majorated_rate)
    extra_pay = out["complementary_pay"] + out["majorated_pay"]
    extra_hours = complementary_hours + majorated_hours
    if any_ged:
        ot25 = np.where(is_ged, c["overtime_25_hours"], 0.0)
        ot50 = np.where(is_ged, c["overtime_50_hours"], 0.0)
        out["overtime_25_pay"] = _r(ot25 * overtime_hourly * (1.0 + rate_1))
        out["overtime_50_pay"] = _r(ot50 * overtime_hourly * (1.0 + rate_2))
        extra_pay = extra_pay + out["overtime_25_pay"] + out["overtime_50_pay"]
        extra_hours = extra_hours + ot25 + ot50
        out["declaration.overtime_hours"] = ot25 + ot50
    # Hours paid with a majoration inside the monthly pay count as overtime too.
    structural_overtime = _r(hourly * structural_units * paid_share)
    overtime_gross = extra_pay + structural_overtime

    # ---- Paid leave ------------------------------------------------------------------------
    tenth = lv("conges_payes.fraction_dixieme")
    week_pay = hourly * week_units
    if any_variable:
        week_pay = np.where(variable, hourly * annual / weeks, week_pay)
    per_leave_day = week_pay / lv("conges_payes.jours_ouvrables_par_semaine")
    acquired = c["leave_acquired_days"]
    # The tenth's base: the reference period's gross, plus 80 % of the pay of the time off for a
    # non-occupational illness (C. trav. art. L3141-24 since the loi n° 2024-364).
    sick_share = lv("conges_payes.maladie_part_remuneration_dixieme")
    ref_gross = c["leave_reference_gross"] + sick_share * c["leave_reference_sick_pay"]
    known = acquired > 0  # NaN compares False
    has_reference = ~np.isnan(ref_gross)
    option = np.asarray(c["leave_payment"])
    days_paid = 0.0
    gross_leave = 0.0
    if np.any(known):
        safe_acquired = np.where(known, acquired, 1.0)
        ref = np.where(known & has_reference, ref_gross, 0.0)
        june = law.period % 12 == 5
        all_at_once = (june & (option == LeavePayment.JUNE)) | (
            (option == LeavePayment.MAIN_LEAVE) & np.asarray(c["main_leave"], dtype=bool)
        )
        days_paid = np.where(
            all_at_once,
            acquired,
            np.where(option == LeavePayment.AS_TAKEN, c["leave_days_taken"], 0.0),
        )
        days_paid = np.where(known, days_paid, 0.0)
        leave = leave_pay(law, days_paid, safe_acquired, ref, per_leave_day)
        out["paid_leave_tenth"] = leave["tenth"]
        out["paid_leave_maintien"] = leave["maintien"]
        out["paid_leave_pay"] = leave["pay"]
        if june:  # 52 weeks: leave is in the monthly pay; in June the tenth is compared with it
            complement = tenth * ref - per_leave_day * np.where(known, acquired, 0.0)
            included = (option == LeavePayment.INCLUDED) & known & has_reference
            out["paid_leave_complement"] = _r(np.where(included, np.maximum(complement, 0.0), 0))
            gross_leave = out["paid_leave_complement"]
        gross_leave = gross_leave + out["paid_leave_pay"]
    out["paid_leave_days"] = days_paid
    out["declaration.leave_days"] = np.where(weeks <= 46, days_paid, 0.0)

    gross = base_pay - out["absence_deduction"] - out["entry_exit_deduction"] + extra_pay
    gross = gross + gross_leave

    # ---- End of contract: régularisation, leave compensation, notice, indemnities ----------
    ends = (end >= first_day) & (end <= last_day)
    out["contract_ends"] = ends
    indemnity = 0.0
    out["seniority_months"] = c["seniority_months"]
    if np.any(ends):
        rows = np.flatnonzero(ends)

        def take(x):
            return x[rows] if np.ndim(x) else x

        sub = {k: take(v) for k, v in c.items()}
        derived = dict(
            is_ama=take(is_ama),
            weeks=take(weeks),
            hourly=take(hourly),
            gross=take(gross),
            per_leave_day=take(per_leave_day),
            base_pay=take(base_pay),
            start=take(start),
            end=take(end),
            known=take(known),
            ref_gross=take(ref_gross),
        )
        ending = _end_of_contract(sub, law, last_day, tenth, **derived)
        for name, values in ending.items():
            full = np.full(n, np.nan) if name == "seniority_months" else np.zeros(n)
            full[rows] = values
            out[name] = full
        gross = gross + out.pop("end_gross")
        indemnity = out["termination_indemnity"]
    out["termination_indemnity"] = indemnity
    out["gross_pay"] = gross = _r(gross)

    # ---- Contributions ---------------------------------------------------------------------
    csg = np.array([m["base"] == "csg" for m in table.metas])
    taxable_csg = np.array([m["base"] == "csg" and bool(m.get("taxable")) for m in table.metas])
    lines, lines_total, (non_csg, csg_deductible, csg_taxable) = _lines(
        gross,
        table.rates.reshape(4, -1),
        combo,
        table.caps,
        (~csg, csg & ~taxable_csg, taxable_csg),
    )
    for i, name in enumerate(table.names):
        out[f"employee.{name}"] = lines[:, i]
    out["overtime_reduction"] = reduction = _r(overtime_gross * reduction_rate)
    employee_total = _r(lines_total - reduction)
    out["employee_contributions"] = employee_total
    out["net_pay"] = net = _r(gross - employee_total)

    deductible = ~law.employer.mask("forfaitaire_deduction", False)
    lines_e, employer_gross_total, (deductible_total,) = _lines(
        gross, law.employer.rates.reshape(4, -1), combo, law.employer.caps, (deductible,)
    )
    for i, name in enumerate(law.employer.names):
        out[f"employer.{name}"] = lines_e[:, i]

    # ---- Pajemploi declaration: whole hours and days ----------------------------------------
    paid_hours = monthly_hours * paid_share
    out["declaration.normal_hours"] = round_half_up(paid_hours)
    # Days of activity (Pajemploi's examples): the mensualised days rounded up; in a month with
    # an unpaid absence or an entry or exit, the days really worked.
    mensualised_days = days_per_week * weeks / 12.0
    if any_variable:
        mensualised_days = np.where(variable, contract_days, mensualised_days)
    absent_days = c["absence_days"] + np.where(is_ama, sick_allowed + hospital_allowed, 0.0)
    interrupted = (absence_hours > 0) | (outside_hours > 0)
    out["declaration.activity_days"] = np.where(
        interrupted,
        np.maximum(contract_days - absent_days, 0.0),
        np.ceil(mensualised_days - 1e-9),
    )
    out["declaration.complementary_hours"] = complementary_hours
    out["declaration.majorated_hours"] = majorated_hours

    forfait = 0.0
    if any_ged:
        base = deductible_total
        forfait = _r(
            np.where(
                is_ged,
                np.minimum(
                    lv("deduction_forfaitaire.par_heure") * (paid_hours + extra_hours), base
                ),
                0.0,
            )
        )
    out["forfaitaire_deduction"] = forfait
    out["employer_contributions"] = employer_total = _r(employer_gross_total - forfait)

    # ---- Net taxable: CSG/CRDS on overtime not deductible; overtime exempt up to a ceiling ---
    safe_gross = np.where(gross > 0, gross, 1.0)
    share_ot = overtime_gross / safe_gross
    room = np.maximum(
        lv("heures_supplementaires.plafond_exoneration_impot") - c["overtime_exempt_ytd"], 0
    )
    exempt = _r(np.clip(overtime_gross - share_ot * non_csg + reduction, 0.0, room))
    out["overtime_exempt"] = exempt
    out["taxable_net"] = taxable = _rs(net + csg_taxable + _r(csg_deductible * share_ot) - exempt)

    # ---- Allowances ------------------------------------------------------------------------
    care_days = np.maximum(
        contract_days - c["absence_days"] - sick_days - hospital_days - c["child_absent_days"], 0.0
    )
    care_hours = np.maximum(
        contract_hours
        - c["absence_hours"]
        - c["child_sick_hours"]
        - c["child_hospital_hours"]
        - c["child_absent_hours"],
        0.0,
    )
    out["care_days"] = care_days
    out["care_hours"] = care_hours
    per_hour_min = (
        lv("ama.entretien.part_minimum_garanti")
        * lv("minimum_garanti")
        / lv("ama.entretien.duree_journee_reference")
    )
    entretien_minimum = np.maximum(
        lv("ama.entretien.plancher_journalier") * care_days, per_hour_min * care_hours
    )
    per_day = c["entretien_per_day"]
    per_hour = c["entretien_per_hour"]
    entretien = np.where(
        ~np.isnan(per_day),
        per_day * care_days,
        np.where(~np.isnan(per_hour), per_hour * care_hours, entretien_minimum),
    )
    out["entretien_minimum"] = _r(np.where(is_ama, entretien_minimum, 0.0))
    out["entretien"] = entretien = _r(np.where(is_ama, entretien, 0.0))
    meal_days = c["meal_days"]
    meal_days = np.where(np.isnan(meal_days), care_days, meal_days)
    out["meals"] = meals = _r(c["meal_per_day"] * meal_days)
    out["mileage"] = mileage = _r(c["mileage_km"] * c["mileage_rate"])
    allowances = entretien + meals + mileage

    # ---- Withholding tax (PAS): the neutral grid unless a personal rate is known -------------
    # For an AMA, the base includes the entretien and meal allowances (since 2021; no abatement
    # at source: docs/research/pas-base.md).
    pas_base = taxable + np.where(is_ama, entretien + meals, 0.0)
    # Each zone reads its own grid (CGI art. 204 H, III); a zone whose grid is unknown this month
    # gets no rate (NaN), and ``checks`` refuses the row unless a personal rate is given.
    zone = np.asarray(c["pas_zone"])
    grid = _pas_rate(law.pas_grids[0], pas_base)
    if np.any(zone != 0):
        grid = np.where(zone == 0, grid, np.nan)
        for z in range(1, len(law.pas_grids)):
            if np.any(zone == z):
                grid = np.where(zone == z, _pas_rate(law.pas_grids[z], pas_base), grid)
    pas_rate = np.where(np.isnan(c["pas_rate"]), grid, c["pas_rate"])
    out["pas_rate"] = pas_rate
    out["pas_base"] = pas_base
    out["pas"] = pas = _r(np.maximum(pas_base, 0.0) * pas_rate)

    # ---- CMG: contributions taken over and the pay part -------------------------------------
    _cmg(c, n, law, out, is_ama, net, entretien + meals, paid_hours + extra_hours, contract_days)

    # ---- Totals ----------------------------------------------------------------------------
    out["net_paid"] = _r(net + allowances - pas + indemnity)
    out["employer_cost"] = employer_cost = _r(gross + employer_total + allowances + indemnity)
    out["parent_cost"] = _rs(employer_cost - out["cmg_contributions"] - out["cmg_pay"])
    return out


def _end_of_contract(
    c,
    law,
    last_day,
    tenth,
    *,
    is_ama,
    weeks,
    hourly,
    gross,
    per_leave_day,
    base_pay,
    start,
    end,
    known,
    ref_gross,
) -> dict[str, np.ndarray]:
    """Final amounts, for rows whose contract ends this month (and only those)."""
    out: dict[str, np.ndarray] = {}
    end_reason = np.asarray(c["end_reason"])
    regul_hours = np.where(
        (weeks <= 46) & is_ama,
        np.maximum(np.nan_to_num(c["hours_worked_total"] - c["hours_paid_total"]), 0.0),
        0.0,
    )
    out["regularisation_hours"] = regul_hours
    out["regularisation_pay"] = regul = _r(regul_hours * hourly)
    gross = gross + regul

    acquired = np.where(known, c["leave_acquired_days"], 1.0)
    reference = np.where(known & ~np.isnan(ref_gross), ref_gross, 0.0)
    remaining = c["leave_remaining_days"]
    previous_part = leave_pay(law, remaining, acquired, reference, per_leave_day, rounded=False)
    previous_part = previous_part["pay"]
    current_days = c["leave_current_days"]
    current_days = np.where(
        np.isnan(current_days),
        _leave_days_since_june(law, start, c["leave_current_sick_months"]),
        current_days,
    )
    current_gross = (
        c["leave_current_gross"]
        + law["conges_payes.maladie_part_remuneration_dixieme"] * c["leave_current_sick_pay"]
        + gross
    )
    current_part = np.maximum(tenth * current_gross, per_leave_day * current_days)
    out["leave_compensation_days"] = remaining + current_days + 0.0 * gross
    out["leave_compensation"] = compensation = _r(previous_part + current_part)
    gross = gross + compensation
    out["end_gross"] = regul + compensation

    seniority = c["seniority_months"]
    seniority = np.where(
        np.isnan(seniority), _months_between(start, np.minimum(end, last_day) + 1), seniority
    )
    out["seniority_months"] = seniority
    out.update(notice(law, is_ama, end_reason, seniority))
    monthly = c["reference_monthly_gross"]
    monthly = np.where(
        np.isnan(monthly),
        np.fmax(c["gross_last_12_months"] / 12.0, c["gross_last_3_months"] / 3.0),
        monthly,
    )
    monthly = np.where(np.isnan(monthly), base_pay, monthly)
    contract_gross = c["contract_gross_total"] + _r(gross)
    out["termination_indemnity"] = termination_indemnity(
        law, is_ama, end_reason, seniority, contract_gross, monthly
    )
    return out


def leave_pay(law, days, acquired, reference_gross, per_leave_day, rounded=True) -> dict:
    """Pay for ``days`` of paid leave (jours ouvrables): the more favourable of the tenth of the
    reference period's gross, in proportion to the days (C. trav. L3141-24), and the salary
    maintained (a sixth of the week's pay per day). ``reference_gross`` 0 when unknown."""
    tenth = law["conges_payes.fraction_dixieme"] * reference_gross * days / acquired
    maintien = per_leave_day * days
    pay = np.maximum(tenth, maintien)
    if not rounded:
        return {"tenth": tenth, "maintien": maintien, "pay": pay}
    return {"tenth": _r(tenth), "maintien": _r(maintien), "pay": _r(pay)}


def notice(law, is_ama, reason, seniority) -> dict[str, np.ndarray]:
    """Notice owed when the contract is ended by the employer or the employee (CCN art. 120,
    162.4.1 and 162.6), by seniority in months: AMA in calendar days then months; GED in weeks
    then months, depending on who ends it. None for the other reasons."""
    by_employer = reason == EndReason.EMPLOYER
    owed = by_employer | (reason == EndReason.RESIGNATION)
    s = seniority
    ged_weeks = np.where(
        by_employer,
        law.scale("preavis.ged_licenciement_semaines")(s),
        law.scale("preavis.ged_demission_semaines")(s),
    )
    ged_months = np.where(
        by_employer,
        law.scale("preavis.ged_licenciement_mois")(s),
        law.scale("preavis.ged_demission_mois")(s),
    )
    ama_months = law.scale("preavis.ama_mois")(s)
    return {
        "notice_days": np.where(owed & is_ama, law.scale("preavis.ama_jours")(s), 0.0),
        "notice_weeks": np.where(owed & ~is_ama, ged_weeks, 0.0),
        "notice_months": np.where(owed, np.where(is_ama, ama_months, ged_months), 0.0),
    }


def termination_indemnity(law, is_ama, reason, seniority, contract_gross, monthly_gross):
    """AMA: 1/80 of the contract's gross salaries when the employer withdraws the child after
    9 months, or when the child dies (CCN art. 121.1). GED: ¼ of a month's reference gross per
    year of seniority (⅓ beyond 10 years) when dismissed after 8 months (C. trav. L1234-9,
    R1234-2). Never for serious misconduct or the withdrawal of the agrément."""
    lv = law.__getitem__
    by_employer = reason == EndReason.EMPLOYER
    ama_due = is_ama & (
        (by_employer & (seniority >= lv("ama.rupture.anciennete_minimum_mois")))
        | (reason == EndReason.CHILD_DEATH)
    )
    ged_due = ~is_ama & by_employer & (seniority >= lv("ged.licenciement.anciennete_minimum_mois"))
    years = seniority / 12.0
    ged = monthly_gross * (
        lv("ged.licenciement.fraction_dix_premieres_annees") * np.minimum(years, 10.0)
        + lv("ged.licenciement.fraction_au_dela") * np.maximum(years - 10.0, 0.0)
    )
    return _r(
        np.where(ama_due, lv("ama.rupture.fraction_salaires") * contract_gross, 0.0)
        + np.where(ged_due, ged, 0.0)
    )


def effort_rate(law, is_ama, children, aeeh) -> np.ndarray:
    """Hourly effort rate of the CMG since September 2025 (a fraction of monthly resources)."""
    rank = _effort_rank(np.maximum(children, 1), aeeh)
    rate = law.scale("cmg.reforme_2025.taux_effort_horaire_ama")(rank)
    return rate * np.where(is_ama, 1.0, law["cmg.reforme_2025.multiplicateur_taux_effort_ged"])


def cmg_after_reform(law, is_ama, cost, hours, resources, children, aeeh) -> dict:
    """CMG since 1 September 2025 (CSS L531-5, D531-18): capped cost × (1 − resources × effort
    rate ÷ reference hourly cost), floored at 0. The hourly cost is capped (8 € AMA, 15 € GED);
    ``cost`` is the net salary, plus entretien and meals for an AMA."""
    lv = law.__getitem__
    cap = np.where(
        is_ama,
        lv("cmg.reforme_2025.cout_horaire_plafond_ama"),
        lv("cmg.reforme_2025.cout_horaire_plafond_ged"),
    )
    capped = np.minimum(cost, cap * hours)
    resources = np.clip(
        np.nan_to_num(resources),
        lv("cmg.reforme_2025.ressources_plancher_mensuel"),
        lv("cmg.reforme_2025.ressources_plafond_mensuel"),
    )
    effort = effort_rate(law, is_ama, children, aeeh)
    reference = np.where(
        is_ama,
        lv("cmg.reforme_2025.cout_horaire_reference_ama"),
        lv("cmg.reforme_2025.cout_horaire_reference_ged"),
    )
    return {
        "cmg_pay": _r(np.maximum(capped * (1.0 - resources * effort / reference), 0.0)),
        "cmg_cost_basis": _r(capped),
        "cmg_effort_rate": effort,
        "cmg_contributions_share": np.clip(cap * hours / np.where(cost > 0, cost, 1.0), 0, 1),
    }


def cmg_before_reform(law, is_ama, cost, annual_resources, children, single, age) -> np.ndarray:
    """CMG until 31 August 2025: the monthly maximum for the household's income bracket and
    the child's age, net of CRDS, within 85 % of the cost (CSS D531-17, D531-18)."""
    maximum = _old_cmg_maximum(
        {"children": children, "single_parent": single, "annual_resources": annual_resources},
        law,
        is_ama,
        age,
    )
    return _r(np.minimum(maximum, (1.0 - law["cmg.avant_reforme.reste_a_charge_minimum"]) * cost))


def _cmg(c, n, law, out, is_ama, net, ama_allowances, hours, activity_days) -> None:
    lv = law.__getitem__
    age = c["child_age"]
    single = np.asarray(c["single_parent"], dtype=bool)
    age_limit = np.where(single, lv("cmg.age_limite_parent_isole"), lv("cmg.age_limite"))
    eligible = np.asarray(c["cmg"], dtype=bool) & (age < age_limit)
    contributions = out["employee_contributions"] + out["employer_contributions"]
    gross = out["gross_pay"]
    smic = lv("smic.horaire_brut")
    cost = net + np.where(is_ama, ama_allowances, 0.0)
    out["cmg_cost"] = cost
    ged_cap = np.where(
        age < 3,
        lv("cmg.cotisations_ged_plafond_moins_3_ans"),
        lv("cmg.cotisations_ged_plafond_3_6_ans"),
    )
    ged_taken = np.minimum(lv("cmg.cotisations_ged_taux") * contributions, ged_cap)
    if law.reform:
        # Above the hourly cap, an AMA's contributions are taken over in the proportion
        # cap × hours ÷ cost (CSS D531-17 I and D531-18 1°).
        new = cmg_after_reform(
            law, is_ama, cost, hours, c["monthly_resources"], c["children"], c["aeeh_children"]
        )
        pay = new["cmg_pay"]
        ama_share = new["cmg_contributions_share"]
        out["cmg_cost_basis"] = new["cmg_cost_basis"]
        out["cmg_effort_rate"] = new["cmg_effort_rate"]
    else:
        # AMA: all contributions taken over while the daily gross per child stays under
        # 5 Smic; above it, no CMG at all.
        days = np.where(activity_days > 0, activity_days, 1.0)
        cap_day = lv("cmg.avant_reforme.cotisations_ama_plafond_journalier_smic") * smic
        ama_ok = gross / days <= cap_day
        ama_share = np.where(ama_ok, 1.0, 0.0)
        eligible = eligible & (~is_ama | ama_ok)
        pay = cmg_before_reform(
            law, is_ama, cost, c["annual_resources"], c["children"], single, age
        )
        out["cmg_cost_basis"] = cost

    taken = np.where(is_ama, ama_share * contributions, ged_taken)
    out["cmg_eligible"] = eligible
    out["cmg_contributions"] = _r(np.where(eligible, taken, 0.0))
    out["cmg_pay"] = _r(np.where(eligible & (hours > 0), pay, 0.0))


def _effort_rank(children, aeeh) -> np.ndarray:
    """The row of the effort-rate table: by dependent children, one row down per AEEH child.

    The table's rows are 1, 2, 3, 4–7 and 8+ children (CSS D531-18): one row down from 4–7
    is 8+. Returns a number of children that falls in the chosen row.
    """
    steps = np.array([1, 2, 3, 4, 8])
    row = np.searchsorted(steps, children, side="right") - 1 + aeeh
    return steps[np.clip(row, 0, len(steps) - 1)]


def _old_cmg_maximum(c, law, is_ama, age) -> np.ndarray:
    lv = law.__getitem__
    children = np.maximum(c["children"], 1)
    single = np.asarray(c["single_parent"], dtype=bool)
    boost = np.where(single, 1.0 + lv("cmg.majoration_plafond_parent_isole"), 1.0)
    ceiling_1 = (
        lv("cmg.avant_reforme.plafond_1_un_enfant")
        + lv("cmg.avant_reforme.plafond_1_majoration_par_enfant") * (children - 1)
    ) * boost
    ceiling_2 = (
        lv("cmg.avant_reforme.plafond_2_un_enfant")
        + lv("cmg.avant_reforme.plafond_2_majoration_par_enfant") * (children - 1)
    ) * boost
    resources = np.nan_to_num(c["annual_resources"])
    bracket = np.where(resources <= ceiling_1, 1, np.where(resources <= ceiling_2, 2, 3))
    ama = np.array([0.0] + [lv(f"cmg.avant_reforme.montant_ama_tranche_{i}") for i in (1, 2, 3)])
    ged = np.array([0.0] + [lv(f"cmg.avant_reforme.montant_ged_tranche_{i}") for i in (1, 2, 3)])
    bmaf = lv("cmg.avant_reforme.bmaf")
    coef = np.where(is_ama, ama[bracket], ged[bracket])
    half = np.where(age >= 3, lv("cmg.avant_reforme.taux_enfant_3_6_ans"), 1.0)
    net_of_crds = 1.0 - lv("cmg.avant_reforme.crds")
    return _r(coef * bmaf * net_of_crds) * half


def _lines(gross, rates, combo, caps, groups=()) -> tuple[np.ndarray, np.ndarray, list]:
    """Contribution lines by cumulative rounding (see ``money``): rows sum to the rounded total.

    ``rates`` is (4, k): one row per (kind, Alsace-Moselle) combination; ``combo`` picks each
    row's combination (a scalar when the whole chunk shares one). A line with a cap per payslip
    is the smaller of its rate times the gross and its cap. Returns the lines (n, k), their
    rounded total, and the sum of the lines of each group (a boolean mask over the lines).
    """
    k = rates.shape[1]
    n = len(gross)
    out = np.empty((n, k))
    running = np.zeros(n)
    previous = np.zeros(n)
    sums = [np.zeros(n) for _ in groups]
    for i in range(k):
        exact = gross * rates[combo, i]
        running += exact if np.isinf(caps[i]) else np.minimum(exact, caps[i])
        rounded = np.floor(running * 100.0 + _HALF)
        line = (rounded - previous) / 100.0
        out[:, i] = line
        for g, group in enumerate(groups):
            if group[i]:
                sums[g] += line
        previous = rounded
    return out, previous / 100.0, sums


def _pas_rate(grid, base) -> np.ndarray:
    """The neutral rate of ``grid`` for each base; NaN when the grid is unknown (``None``)."""
    if grid is None:
        return np.full(np.shape(base), np.nan)
    return grid(base)


def _share(hours, allowed_days, days):
    """Hours of the first ``allowed_days`` of ``days`` (days of equal length)."""
    return np.where(days > 0, hours * allowed_days / np.where(days > 0, days, 1.0), 0.0)


def _holiday_hours(law, days, alsace, holidays_off, bounds):
    return _holidays(law, days, alsace, holidays_off, bounds, hours=True)


def _holiday_days(law, days, alsace, holidays_off, bounds):
    return _holidays(law, days, alsace, holidays_off, bounds, hours=False)


def _holidays(law, days, alsace, holidays_off, bounds, hours):
    """Hours (or days) of the schedule falling on a public holiday (within ``bounds``).

    ``days`` holds the hours of each weekday, Monday first (one array per weekday).
    """
    total = 0.0
    year, month = law.period // 12, law.period % 12 + 1
    for local in (False, True):
        selected = holidays_off & (alsace == local)
        if not np.any(selected):
            continue
        for day in calendar.public_holidays(year, local):
            if day.month != month:
                continue
            number = calendar.day_number(day)
            column = days[day.weekday()]
            value = column if hours else (column > 0)
            if bounds is not None:
                value = value * ((bounds[0] <= number) & (number <= bounds[1]))
            total = total + np.where(selected, value, 0.0)
    return total


def _months_between(start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Whole calendar months from ``start`` to ``stop`` (day numbers), plus the fraction left."""
    s = np.asarray(start).astype("datetime64[D]")
    t = np.asarray(stop).astype("datetime64[D]")
    sm = s.astype("datetime64[M]")
    tm = t.astype("datetime64[M]")
    months = (tm - sm).astype(np.int64)
    s_day = (s - sm.astype("datetime64[D]")).astype(np.int64)
    t_day = (t - tm.astype("datetime64[D]")).astype(np.int64)
    months = months - (t_day < s_day)
    anchor = (sm + months.astype("timedelta64[M]")).astype("datetime64[D]") + s_day
    return months + (t - anchor).astype(np.int64) / 30.4375


def _leave_days_since_june(law, start, sick_months=0.0) -> np.ndarray:
    """Leave days acquired since the start of the reference period (1 June), this month included:
    2.5 days a month, but 2 for the months off for a non-occupational illness (at most 24),
    30 at most, rounded up (C. trav. art. L3141-3, L3141-5-1, L3141-7)."""
    period = law.period
    june = period - ((period % 12 - 5) % 12)
    start_period = (
        np.asarray(start).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        + 1970 * 12
    )
    months = np.maximum(period - np.maximum(june, start_period) + 1, 0)
    sick = np.clip(sick_months, 0.0, months)
    days = (months - sick) * law["conges_payes.jours_par_mois"] + np.minimum(
        sick * law["conges_payes.maladie_jours_par_mois"], law["conges_payes.maladie_maximum_jours"]
    )
    return np.minimum(np.ceil(days - 1e-9), law["conges_payes.maximum_jours"])
