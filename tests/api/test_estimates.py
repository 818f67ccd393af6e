"""Estimates (PAJE040, PAJE041) against figures computed here from published rates, never from
the code's output; the Swagger's own statements; bad input refused in the Swagger's shape.

Independent figures (../shared/domain/RULES.md, which cites its sources):
- §7, employee contributions 21,88025 % of the gross (12,35 % + CSG/CRDS 9,70 % on 98,25 %);
- §7, employer rates of the urssaf.fr table of April 2024 — maladie 13,00 % + CSA 0,30 %,
  vieillesse 2,02 % + 8,55 %, allocations familiales 5,25 %, AT/MP 0,79 % (AMA) or 2,10 % (GED)
  until 30 April 2025, FNAL 0,10 %, prévoyance 2,45 %, retraite complémentaire 4,72 %, CEG
  1,29 %, chômage 4,05 % until 30 April 2025, formation 0,85 %, dialogue social 0,016 %;
- §7, déduction forfaitaire patronale of 2 € per hour worked for a GED (CSS art. L241-10 I bis);
- §8 and Pajemploi/Caf: an AMA's contributions are all taken over for a CMG employer; a GED's
  at 50 % (« le CMG les paie à hauteur de 50 % pour une nounou », Dossier Familial, 2018).
The month is October 2024, before the rates that RULES.md marks as unverified.

A gross is fixed by the declared net up to a cent (two grosses can give the same net), so the
contributions are compared to within 2 cents."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from unefois.declarations.models import Declaration
from unefois.exchange.models import LogEntry

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
EMPLOYEE_RATE = Decimal("0.2188025")
EMPLOYER_2024 = [
    Decimal(x)
    for x in (
        *("13.00", "0.30", "2.02", "8.55", "5.25", "0.10"),
        *("2.45", "4.72", "1.29", "4.05", "0.85", "0.016"),
    )
]
AT_AMA_2024, AT_GED_2024 = Decimal("0.79"), Decimal("2.10")
FORFAIT_PER_HOUR = Decimal("2")
GED_SHARE_TAKEN = Decimal("0.5")


def cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def gross_for(net: Decimal) -> Decimal:
    """The gross whose net (gross − employee contributions rounded to the cent) is ``net``."""
    gross = cents(net / (1 - EMPLOYEE_RATE))
    for step in (Decimal("0"), CENT, -CENT, 2 * CENT, -2 * CENT):
        candidate = gross + step
        if candidate - cents(candidate * EMPLOYEE_RATE) == net:
            return candidate
    raise AssertionError(net)


def employer_rate(at: Decimal) -> Decimal:
    return (sum(EMPLOYER_2024) + at) / 100


def close(got: float, expected: Decimal, tolerance: str = "0.02") -> bool:
    return abs(Decimal(str(got)) - expected) <= Decimal(tolerance)


AMA_OK = {"mntSalaireNetMensuel": 500.00, "nbEnfantsGardes": 1, "nbJoursActivite": 20}
GED_OK = {
    "mntSalaireNetMensuel": 1000.00,
    "cdModeCalcul": "R",
    "nbHeures": 100,
    "indcEnfantPlusJeuneAgarder": "1",
    "complementActiviteOk": False,
}


@pytest.mark.parametrize("net", ["500.00", "812.37", "900.00"])
def test_ama_estimate_october_2024_all_contributions_taken_over(software, today, net):
    today(dt.date(2024, 10, 15))
    response = software.call(
        "POST", "/ama/estimer", body={**AMA_OK, "mntSalaireNetMensuel": float(net)}
    )
    assert response.status_code == 200, response.content
    answer = response.json()
    gross = gross_for(Decimal(net))
    expected = cents(gross * EMPLOYEE_RATE) + cents(gross * employer_rate(AT_AMA_2024))
    assert close(answer["mntCotiPriseEnChargeOdpf"], expected), (answer, expected)
    # The Swagger: for a CMG employer and an AMA, nothing left to pay and no deduction.
    assert answer["mntCotiEmplAcharge"] == 0
    assert answer["mntExoEmployeur"] == 0


def test_ama_estimate_above_the_daily_cap_before_the_reform(software, today):
    """Until 31 August 2025 the contributions of an AMA were taken over only while the daily
    gross per child stayed under 5 hourly Smic (Pajemploi; Smic 11,65 € on 1 January 2024,
    RULES.md §6): 1 234,56 € net over 20 days is 79 € gross a day, above 58,25 €."""
    today(dt.date(2024, 10, 15))
    gross = gross_for(Decimal("1234.56"))
    assert gross / 20 > 5 * Decimal("11.65")
    body = {**AMA_OK, "mntSalaireNetMensuel": 1234.56}
    answer = software.call("POST", "/ama/estimer", body=body).json()
    expected = cents(gross * EMPLOYEE_RATE) + cents(gross * employer_rate(AT_AMA_2024))
    assert answer["mntCotiPriseEnChargeOdpf"] == 0
    assert close(answer["mntCotiEmplAcharge"], expected)
    # With two children cared for, the same month is under the cap per child.
    body = {**body, "nbEnfantsGardes": 2}
    answer = software.call("POST", "/ama/estimer", body=body).json()
    assert close(answer["mntCotiPriseEnChargeOdpf"], expected)
    assert answer["mntCotiEmplAcharge"] == 0


def test_ama_estimate_500_net_is_417_73_of_contributions(software, today):
    """The same example written out: 500 € net → 640,04 € gross; 140,04 € + 277,69 €."""
    today(dt.date(2024, 10, 15))
    assert gross_for(Decimal("500.00")) == Decimal("640.04")
    answer = software.call("POST", "/ama/estimer", body=AMA_OK).json()
    assert close(answer["mntCotiPriseEnChargeOdpf"], Decimal("417.73"), "0.01")


@pytest.mark.parametrize(("net", "hours"), [("1000.00", 100), ("650.00", 60), ("1300.50", 130)])
def test_ged_estimate_october_2024_deduction_and_half_taken_over(software, today, net, hours):
    today(dt.date(2024, 10, 15))
    body = {**GED_OK, "mntSalaireNetMensuel": float(net), "nbHeures": hours}
    answer = software.call("POST", "/ged/estimer", body=body).json()
    gross = gross_for(Decimal(net))
    deduction = FORFAIT_PER_HOUR * hours
    employer = cents(gross * employer_rate(AT_GED_2024)) - deduction
    total = cents(gross * EMPLOYEE_RATE) + employer
    assert answer["mntExoEmployeur"] == float(deduction)
    assert close(answer["mntCotiPriseEnChargeOdpf"], cents(total * GED_SHARE_TAKEN)), answer
    assert close(answer["mntCotiEmplAcharge"], total - cents(total * GED_SHARE_TAKEN)), answer


def test_ged_share_taken_over_never_exceeds_half(software, today):
    """Above some wage a monthly ceiling applies (its amount is not verified: RULES.md §8);
    whatever it is, the CAF never takes over more than half."""
    today(dt.date(2024, 10, 15))
    body = {**GED_OK, "mntSalaireNetMensuel": 2500.00, "nbHeures": 170}
    answer = software.call("POST", "/ged/estimer", body=body).json()
    taken, left = (
        Decimal(str(answer["mntCotiPriseEnChargeOdpf"])),
        Decimal(str(answer["mntCotiEmplAcharge"])),
    )
    assert 0 < taken <= left


def test_ged_estimate_1000_net_100_hours(software, today):
    """Written out: 1 280,09 € gross; 280,09 € + 572,15 € − 200 € = 652,24 €; half each."""
    today(dt.date(2024, 10, 15))
    answer = software.call("POST", "/ged/estimer", body=GED_OK).json()
    assert answer["mntExoEmployeur"] == 200.0
    assert close(answer["mntCotiPriseEnChargeOdpf"], Decimal("326.12"), "0.01")
    assert close(answer["mntCotiEmplAcharge"], Decimal("326.12"), "0.01")


def test_ged_overtime_counts_for_the_deduction(software, today):
    today(dt.date(2024, 10, 15))
    body = {**GED_OK, "mntSalaireNetMensuel": 1200.00, "nbHrSupMajA25": 4, "nbHrSupMajA50": 2}
    answer = software.call("POST", "/ged/estimer", body=body).json()
    assert answer["mntExoEmployeur"] == float(FORFAIT_PER_HOUR * (100 + 4 + 2))


def test_ged_child_over_6_opens_no_right(software, today):
    today(dt.date(2024, 10, 15))
    answer = software.call(
        "POST", "/ged/estimer", body={**GED_OK, "indcEnfantPlusJeuneAgarder": "3"}
    ).json()
    assert answer["mntCotiPriseEnChargeOdpf"] == 0
    assert answer["mntCotiEmplAcharge"] > 0
    assert any(e["code"].endswith("_NB_1018") for e in answer["erreursNonBloquantes"])


def test_after_the_2025_reform_an_ama_still_pays_no_contribution(software, today):
    today(dt.date(2025, 10, 27))
    answer = software.call("POST", "/ama/estimer", body=AMA_OK).json()
    assert answer["mntCotiPriseEnChargeOdpf"] > 0
    assert answer["mntCotiEmplAcharge"] == 0
    assert answer["mntExoEmployeur"] == 0
    notices = {e["code"] for e in answer["erreursNonBloquantes"]}
    assert "ER_API_040_NB_0101" in notices  # the hours are assumed, and said so


def test_estimates_record_nothing_but_the_log_entry(software, today, world):
    before = (Declaration.objects.count(), LogEntry.objects.count())
    software.call("POST", "/ama/estimer", body=AMA_OK)
    software.call("POST", "/ged/estimer", body=GED_OK)
    assert Declaration.objects.count() == before[0]
    assert LogEntry.objects.count() == before[1] + 2


# ---- Bad input ---------------------------------------------------------------------------------


def _errors(response, status=400):
    assert response.status_code == status, response.content
    errors = response.json()
    assert isinstance(errors, list)
    assert errors
    for error in errors:
        assert set(error) == {"code", "message", "description"}
    return errors


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nbJoursActivite": 32}, "nbJoursActivite"),
        ({"nbEnfantsGardes": 0}, "nbEnfantsGardes"),
        ({"nbEnfantsGardes": 1.5}, "nbEnfantsGardes"),
        ({"mntSalaireNetMensuel": "500"}, "mntSalaireNetMensuel"),
        ({"mntSalaireNetMensuel": 500.005}, "mntSalaireNetMensuel"),
        ({"mntSalaireNetMensuel": 10000}, "mntSalaireNetMensuel"),
        ({"cdPostalSalarie": "750"}, "cdPostalSalarie"),
        ({"nbJoursActivite": None}, "nbJoursActivite"),
    ],
)
def test_ama_input_off_the_swagger_is_refused_in_its_shape(software, today, change, field):
    body = {**AMA_OK, **change}
    body = {k: v for k, v in body.items() if v is not None}
    errors = _errors(software.call("POST", "/ama/estimer", body=body, valid=False))
    assert all(e["code"] == "ER_API_040_B_0001" for e in errors)
    assert any(field in e["message"] for e in errors), errors


@pytest.mark.parametrize(
    "change",
    [
        {"complementActiviteOk": "true"},
        {"nbHeures": 0},
        {"nbHeures": 1001},
        {"nbHrSupMajA25": 36},
        {"cdModeCalcul": "RR"},
        {"indcEnfantPlusJeuneAgarder": ""},
    ],
)
def test_ged_input_off_the_swagger_is_refused(software, today, change):
    errors = _errors(software.call("POST", "/ged/estimer", body={**GED_OK, **change}, valid=False))
    assert errors[0]["code"] == "ER_API_041_B_0001"


def test_a_body_that_is_not_json_is_refused(software, today):
    response = software.call("POST", "/ama/estimer", body="{pas du json", valid=False)
    errors = _errors(response)
    assert errors[0]["code"].startswith("ER_API_040_B_")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"mntSalaireNetMensuel": 0}, "ER_API_041_B_0009"),
        ({"mntSalaireNetMensuel": -10.5}, "ER_API_041_B_0009"),
        ({"cdModeCalcul": "F"}, "ER_API_041_B_0010"),
        ({"cdModeCalcul": "X"}, "ER_API_041_B_0011"),
        ({"indcEnfantPlusJeuneAgarder": "4"}, "ER_API_041_B_0011"),
    ],
)
def test_functional_errors_have_stable_codes(software, today, change, code):
    """Valid for the Swagger, refused by the rules: same shape, a code of its own."""
    errors = _errors(software.call("POST", "/ged/estimer", body={**GED_OK, **change}))
    assert [e["code"] for e in errors] == [code]
    assert errors[0]["message"]


def test_a_wage_below_the_minimum_is_the_rules_cores_error(software, today):
    """100 h for 300 € net: 3,84 € gross an hour, under the GED minimum (rules core check)."""
    today(dt.date(2025, 10, 27))
    body = {**GED_OK, "mntSalaireNetMensuel": 300.00}
    errors = _errors(software.call("POST", "/ged/estimer", body=body))
    assert [e["code"] for e in errors] == ["ER_API_041_B_1011"]
    assert "minimum" in errors[0]["message"]
    assert "SALAIRE_INFERIEUR_MINIMUM" in errors[0]["description"]


def test_overseas_and_activity_supplement_are_said_not_modelled(software, today):
    body = {**GED_OK, "cdPostalEmployeur": "97200", "complementActiviteOk": True}
    answer = software.call("POST", "/ged/estimer", body=body).json()
    notices = {e["code"] for e in answer["erreursNonBloquantes"]}
    assert {"ER_API_041_NB_0103", "ER_API_041_NB_0102"} <= notices
