"""The withholding grid follows the employee's tax domicile (CGI art. 204 H, III), and a domicile
without a grid, an invalid code, a contradicting zone or a month whose grid is unknown is refused
with a French message naming the field and the rule — never computed with another zone's grid."""

from __future__ import annotations

import copy
import math

import pytest

from unefois.rules import intake, params
from unefois.rules.api import calculate_rows, payslip_from_data
from unefois.rules.inputs import PasZone, pas_zone_of_departement
from unefois.rules.law import PAS_GRID_PATHS, month_law

# A GED paid 14 € gross an hour, 39 hours a week over 52 weeks: 2 366 € gross in March 2025, when
# the 2024 grids were still in force (until 30 April 2025).
GED = {
    "employee": "ged",
    "month": "2025-03",
    "contract": {
        "start": "2024-09-02",
        "weeks_per_year": 52,
        "hours_per_week": 39,
        "days_per_week": 5,
        "hourly_gross": 14.0,
    },
}


def with_tax(data: dict, **tax) -> dict:
    data = copy.deepcopy(data)
    data["tax"] = tax
    return data


def refused(data: dict) -> list[tuple[str, str]]:
    with pytest.raises(intake.InputError) as caught:
        payslip_from_data(data)
    return caught.value.problems


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("975", "Saint-Pierre-et-Miquelon"),
        ("977", "Saint-Barthélemy"),
        ("978", "Saint-Martin"),
        ("984", "Terres australes"),
        ("986", "Wallis-et-Futuna"),
        ("987", "Polynésie française"),
        ("988", "Nouvelle-Calédonie"),
        ("989", "Clipperton"),
    ],
)
def test_an_overseas_collectivity_has_no_grid_and_is_refused(code, name):
    problems = refused(with_tax(GED, departement=code))
    assert len(problems) == 1, problems
    field, message = problems[0]
    assert field == "tax.departement"
    assert code in message
    assert name in message
    assert "collectivité" in message
    assert "art. 204 H, III" in message
    assert "autre zone" in message  # no other zone's grid stands in


def test_an_overseas_collectivity_is_refused_even_with_a_personal_rate():
    problems = refused(with_tax(GED, departement="978", pas_rate=0.05))
    assert [field for field, _ in problems] == ["tax.departement"]


@pytest.mark.parametrize("code", ["20", "96", "99", "00", "9", "970", "979", "2C", "ABC", ""])
def test_a_code_that_is_not_a_departement_is_refused(code):
    problems = refused(with_tax(GED, departement=code))
    assert len(problems) == 1, problems
    field, message = problems[0]
    assert field == "tax.departement"
    assert "n'est pas un code de département" in message
    assert "art. 204 H, III" in message


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("972", "metropole"),
        ("972", "guyane_mayotte"),
        ("973", "guadeloupe_martinique_reunion"),
        ("75", "guyane_mayotte"),
    ],
)
def test_a_zone_contradicting_the_departement_is_refused(code, zone):
    problems = refused(with_tax(GED, departement=code, pas_zone=zone))
    assert len(problems) == 1, problems
    field, message = problems[0]
    assert field == "tax.pas_zone"
    assert f"« {zone} »" in message
    assert code in message
    assert "ne correspond pas" in message
    assert "art. 204 H, III" in message


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("971", PasZone.GUADELOUPE_MARTINIQUE_REUNION),
        ("972", PasZone.GUADELOUPE_MARTINIQUE_REUNION),
        ("974", PasZone.GUADELOUPE_MARTINIQUE_REUNION),
        ("973", PasZone.GUYANE_MAYOTTE),
        ("976", PasZone.GUYANE_MAYOTTE),
        ("75", PasZone.METROPOLE),
        ("01", PasZone.METROPOLE),
        ("2A", PasZone.METROPOLE),
        (" 2b ", PasZone.METROPOLE),
    ],
)
def test_each_departement_gets_the_grid_of_its_zone(code, zone):
    assert pas_zone_of_departement(code) == zone
    row = intake.to_row(intake.parse(with_tax(GED, departement=code)))
    assert row["pas_zone"] == int(zone)
    # A consistent zone alongside the département is accepted.
    consistent = with_tax(GED, departement=code, pas_zone=zone.name.lower())
    assert intake.to_row(intake.parse(consistent))["pas_zone"] == int(zone)


# --- Martinique: her grid, not the metropolitan one ------------------------------------------
# Published grids in force from 1 January to 30 April 2025 (efisciences.fr, « taux par défaut ...
# pour les revenus perçus ou réalisés du 1er janvier 2025 au 30 avril 2025 »,
# https://www.efisciences.fr/?p=48584; the 2024 grids of BOI-BAREME-000037):
# - Guadeloupe, Martinique, La Réunion: « Supérieure ou égale à 1 825 et inférieure à 1 936 € :
#   0,5 % »;
# - métropole: « Supérieure ou égale à 1 877 et inférieure à 2 006 € : 2,9 % ».
MARTINIQUE_BAND = (1825.0, 1936.0, 0.005)
METROPOLE_BAND = (1877.0, 2006.0, 0.029)


def _outputs(data: dict) -> dict[str, float]:
    result = calculate_rows([intake.to_row(intake.parse(data))])
    assert not result.errors[0], [f.message for f in result.findings(0)]
    return {k: float(v) for k, v in result.row(0).items()}


def test_a_martinique_employee_is_withheld_on_her_grid():
    out = _outputs(with_tax(GED, departement="972"))
    low, high, rate = MARTINIQUE_BAND
    base = out["pas_base"]
    assert low <= base < high, base  # the net taxable of this payslip, 1 915,72 €
    assert out["pas_rate"] == rate
    # By hand: 1 915,72 € × 0,5 % = 9,5786 €, i.e. 9,58 € withheld.
    assert out["pas"] == pytest.approx(9.58, abs=0.005)
    assert out["pas"] == pytest.approx(round(base * rate + 1e-9, 2), abs=0.005)

    # The same pay for an employee domiciled in Paris: the metropolitan grid, 2,9 %.
    paris = _outputs(with_tax(GED, departement="75"))
    low, high, rate = METROPOLE_BAND
    assert paris["pas_base"] == base
    assert low <= base < high
    assert paris["pas_rate"] == rate
    # By hand: 1 915,72 € × 2,9 % = 55,5559 €, i.e. 55,56 € withheld.
    assert paris["pas"] == pytest.approx(55.56, abs=0.005)


def test_the_payslip_line_cites_the_grid_of_the_domicile():
    slip = payslip_from_data(with_tax(GED, departement="972"))
    line = next(line for line in slip.lines if line.code == "pas")
    assert "taux neutre 0,5 %" in line.label
    assert "art. 204 H, III, 2°" in line.reference
    assert "Martinique" in line.reference
    assert any(p.path == "pas.taux_neutre_outre_mer_1" for p in line.parameters)


# --- A month whose grid is unknown --------------------------------------------------------


@pytest.fixture
def overseas_grid_ended(monkeypatch):
    """The grid of Guadeloupe, Martinique and La Réunion has no value at any date (as a grid that
    ends with ``value: null`` or starts later would), the others are untouched."""
    real = params.value_at

    ended = PAS_GRID_PATHS[PasZone.GUADELOUPE_MARTINIQUE_REUNION]

    def value_at(path, day):
        return None if path == ended else real(path, day)

    month_law.cache_clear()
    monkeypatch.setattr(params, "value_at", value_at)
    yield
    monkeypatch.undo()
    month_law.cache_clear()  # the next tests get the real grids again


def test_a_month_without_the_grid_of_the_zone_is_refused(overseas_grid_ended):
    assert month_law(2025 * 12 + 2).pas_grids[PasZone.GUADELOUPE_MARTINIQUE_REUNION] is None
    slip = payslip_from_data(with_tax(GED, departement="972"))
    errors = {f.code: f for f in slip.errors}
    assert "GRILLE_PAS_INCONNUE" in errors, [f.code for f in slip.errors]
    finding = errors["GRILLE_PAS_INCONNUE"]
    assert finding.field == "pas_zone"
    assert "Martinique" in finding.message
    assert "03/2025" in finding.message
    assert "grille d'une autre zone" in finding.message
    assert "204 H, III" in finding.reference
    assert not slip.lines  # never a figure, and never the metropolitan grid's


def test_without_the_grid_a_personal_rate_still_computes(overseas_grid_ended):
    out = _outputs(with_tax(GED, departement="972", pas_rate=0.02))
    assert out["pas_rate"] == 0.02
    assert out["pas"] == pytest.approx(round(out["pas_base"] * 0.02 + 1e-9, 2), abs=0.005)


def test_without_one_grid_the_other_zones_are_computed(overseas_grid_ended):
    paris = _outputs(with_tax(GED, departement="75"))
    assert paris["pas_rate"] == METROPOLE_BAND[2]
    guyane = payslip_from_data(with_tax(GED, departement="973"))
    assert not guyane.errors


def test_a_batch_row_with_no_such_zone_is_refused_and_the_others_computed():
    good = intake.to_row(intake.parse(GED))
    unknown = dict(good, pas_zone=3)
    result = calculate_rows([good, unknown])
    assert list(result.errors) == [False, True]
    finding = next(f for f in result.findings(1) if f.code == "GRILLE_PAS_INCONNUE")
    assert finding.field == "pas_zone"
    assert "zone n° 3 (inconnue)" in finding.message
    assert math.isnan(result.outputs["pas"][1])
    assert math.isnan(result.outputs["net_pay"][1])
    assert result.outputs["pas"][0] >= 0
