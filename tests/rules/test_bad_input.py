"""Bad input gets a clear French error naming the field and the rule, and no figure."""

import copy
import math

import pytest

from unefois.rules import intake
from unefois.rules.api import payslip_from_data

BASE = {
    "employee": "ama",
    "month": "2025-10",
    "contract": {
        "start": "2025-01-06",
        "weeks_per_year": 52,
        "schedule": {"monday": 9, "tuesday": 9, "thursday": 9, "friday": 9},
        "hourly_gross": 4.5,
    },
}


def variant(**changes):
    return variant_of(BASE, **changes)


def variant_of(base, **changes):
    data = copy.deepcopy(base)
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for key in parents:
            target = target.setdefault(key, {})
        target[last] = value
    return data


def test_the_base_case_computes():
    slip = payslip_from_data(BASE)
    assert not slip.errors
    assert slip.amount("gross_pay") > 0


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"contract__schedule": {"monday": -2}}, "contract.schedule.monday", "négative"),
        ({"contract__hourly_gross": "quatre"}, "contract.hourly_gross", "nombre"),
        ({"contract__start": "2025-02-30"}, "contract.start", "date"),
        ({"month": "2025-13"}, "month", "AAAA-MM"),
        ({"employee": "nounou"}, "employee", "valeur non reconnue"),
        ({"contract__hourly_gros": 4.5}, "contract.hourly_gros", "n'existe pas"),
        (
            {"events__absences": [{"start": "2025-10-01", "reason": "vacances"}]},
            "events.absences.0.reason",
            "valeurs possibles",
        ),
    ],
)
def test_malformed_files_are_refused_with_the_field_path(changes, field, words):
    with pytest.raises(intake.InputError) as caught:
        payslip_from_data(variant(**changes))
    assert any(path == field and words in message for path, message in caught.value.problems), (
        caught.value.problems
    )


@pytest.mark.parametrize(
    ("changes", "code", "field", "words"),
    [
        ({"contract__hourly_gross": 3.0}, "SALAIRE_INFERIEUR_MINIMUM", "hourly_gross", "3,64 €"),
        (
            {
                "contract__schedule": {
                    "monday": 10,
                    "tuesday": 10,
                    "wednesday": 10,
                    "thursday": 10,
                    "friday": 10,
                }
            },
            "DUREE_MAXIMALE",
            "schedule",
            "48 heures",
        ),
        ({"contract__schedule": {"monday": 14}}, "JOURNEE_TROP_LONGUE", "schedule", "11 heures"),
        (
            {"contract__entretien_per_day": 2.0},
            "ENTRETIEN_INFERIEUR_MINIMUM",
            "entretien_per_day",
            "2,65 €",
        ),
        ({"month": "2023-06"}, "PERIODE_HORS_PARAMETRES", "period", "01/2024"),
        ({"month": "2027-02"}, "PERIODE_HORS_PARAMETRES", "period", "12/2026"),
        ({"contract__weeks_per_year": 49}, "SEMAINES_INVALIDES", "weeks_per_year", "46 semaines"),
        ({"contract__majoration_rate": 0.05}, "MAJORATION_INSUFFISANTE", "majoration_rate", "10 %"),
        ({"contract__end": "2024-12-31"}, "DATES_CONTRAT", "contract_end", "antérieure"),
    ],
)
def test_impossible_situations_give_an_error_and_no_figure(changes, code, field, words):
    slip = payslip_from_data(variant(**changes))
    codes = {f.code: f for f in slip.errors}
    assert code in codes, [f.code for f in slip.errors]
    assert codes[code].field == field
    assert words in codes[code].message, codes[code].message
    assert not slip.lines  # never a wrong figure


def test_events_outside_the_month_are_refused():
    with pytest.raises(intake.InputError) as caught:
        payslip_from_data(variant(events__extra_hours=[{"date": "2025-11-03", "hours": 2}]))
    assert "en dehors du mois" in str(caught.value)


def test_absences_longer_than_the_month_are_an_error_in_a_batch():
    from unefois.rules.api import calculate_rows
    from unefois.rules.intake import parse, to_row

    row = dict(to_row(parse(BASE)), absence_hours=200.0, absence_days=20.0)
    result = calculate_rows([row])
    finding = next(f for f in result.findings(0) if f.code == "ABSENCES_SUPERIEURES_AU_MOIS")
    assert "dépassent" in finding.message
    assert math.isnan(result.outputs["net_pay"][0])


# A GED hired on Tuesday 16 January 2024 for Mondays, 4 h: January has 5 Mondays, one of them
# New Year's Day, so 16 h planned in the month (202,63 € mensualised: 4 × 52 ÷ 12 × 11,69 €), of
# which 8 h before the hiring (the 1st is off and the 8th and the 15th before it) and 8 h while the
# contract runs (the 22nd and the 29th).
HIRED_MID_MONTH = {
    "employee": "ged",
    "month": "2024-01",
    "contract": {
        "start": "2024-01-16",
        "weeks_per_year": 52,
        "schedule": {"monday": 4},
        "hourly_gross": 11.69,
    },
}


def test_absent_for_every_hour_of_the_contracts_part_of_the_month_is_paid_nothing():
    # Both Mondays of the contract missed: nothing is paid (the two deductions, each rounded
    # on its own, used to take one cent more than the 202,63 € of the month).
    slip = payslip_from_data(
        variant_of(
            HIRED_MID_MONTH,
            events__absences=[
                {"start": "2024-01-22", "end": "2024-01-22", "reason": "employee_unpaid_leave"},
                {"start": "2024-01-29", "end": "2024-01-29", "reason": "employee_unpaid_leave"},
            ],
        )
    )
    assert not slip.errors, slip.errors
    assert slip.amount("gross_pay") == 0


def test_absences_beyond_the_contracts_part_of_the_month_are_an_error():
    from unefois.rules.api import calculate_rows
    from unefois.rules.intake import parse, to_row

    # 12 h of absence where the contract plans 8 h this month (hired on the 16th).
    row = dict(to_row(parse(HIRED_MID_MONTH)), absence_hours=12.0, absence_days=3.0)
    result = calculate_rows([row])
    codes = [f.code for f in result.findings(0)]
    assert "ABSENCES_SUPERIEURES_AU_MOIS" in codes
    assert math.isnan(result.outputs["gross_pay"][0])


def test_warnings_do_not_block():
    slip = payslip_from_data(
        variant(
            events__absences=[{"start": "2025-10-06", "end": "2025-10-10", "reason": "child_sick"}],
            history__child_illness_days_last_12_months=3,
        )
    )
    assert not slip.errors
    assert "MALADIE_ENFANT_AU_DELA" in {w.code for w in slip.warnings}
    assert slip.amount("net_pay") > 0


def test_errors_leave_nan_in_a_batch_and_other_rows_intact():
    from unefois.rules.api import calculate_rows
    from unefois.rules.intake import parse, to_row

    good = to_row(parse(BASE))
    bad = dict(good, hourly_gross=1.0)
    result = calculate_rows([good, bad, good])
    assert list(result.errors) == [False, True, False]
    assert math.isnan(result.outputs["gross_pay"][1])
    assert result.outputs["gross_pay"][0] == result.outputs["gross_pay"][2] > 0
