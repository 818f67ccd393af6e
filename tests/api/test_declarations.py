"""Pre-declaring (PAJE045, PAJE046) and declaring (PAJE050, PAJE051) a month of the world's
contracts: the rules core's figures against figures computed here from RULES.md; the
declaration recorded through the domain's action, once; the mandate required; bad input refused
in the Swagger's shape with nothing recorded.

Independent figures for October 2025 (../shared/domain/RULES.md):
- §7: gross from net at 21,88025 %; net taxable = net + CSG non déductible and CRDS, 2,90 % of
  98,25 % of the gross;
- §9: withholding tax (PAS) by the neutral grid from 1 May 2025 (1 791–1 911 € → 2,1 %) on the
  net taxable, plus entretien and meals for an AMA;
- §8: CMG since 1 September 2025 = monthly cost × (1 − resources × effort rate ÷ reference
  hourly cost): effort rate 0,0619 % (AMA, one child; doubled for a GED), reference 4,85 €
  (AMA) and 10,38 € (GED); an AMA's cost is the net plus entretien and meals; an AMA's
  contributions are all taken over under the hourly cap. The world's household: 3 000 € of
  monthly resources, one child."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.api.conftest import (
    AMA_TERMS,
    CHILD_LEA,
    CHILD_LOU,
    EMPLOYER_BIRTH,
    EMPLOYER_PAJE,
    GED_NIR,
    ama_declaration,
    ged_declaration,
)
from unefois.audit.models import AuditEntry
from unefois.contracts.actions import do_answer_hire, do_end_contract, do_hire
from unefois.declarations.actions import do_declare
from unefois.declarations.models import Declaration, DeclarationVersion

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
OCTOBER = 2025 * 12 + 9
AMA_PRE = f"/employeurs/{EMPLOYER_PAJE}/ama/predeclarer"
GED_PRE = f"/employeurs/{EMPLOYER_PAJE}/ged/predeclarer"
AMA_DECL = f"/employeurs/{EMPLOYER_PAJE}/ama/declarer"
GED_DECL = f"/employeurs/{EMPLOYER_PAJE}/ged/declarer"


def cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def gross_for(net: Decimal) -> Decimal:
    rate = Decimal("0.2188025")
    gross = cents(net / (1 - rate))
    for step in (Decimal(0), CENT, -CENT):
        if gross + step - cents((gross + step) * rate) == net:
            return gross + step
    raise AssertionError(net)


def taxable_for(net: Decimal) -> Decimal:
    return net + cents(gross_for(net) * Decimal("0.9825") * Decimal("0.029"))


def cmg(cost: Decimal, effort: Decimal, reference: Decimal, resources=Decimal(3000)) -> Decimal:
    return cents(cost * (1 - resources * effort / reference))


def near(got: float, expected: Decimal, tolerance: str = "0.01") -> bool:
    return abs(Decimal(str(got)) - expected) <= Decimal(tolerance)


def _nothing_recorded():
    assert not Declaration.objects.exists()
    assert not AuditEntry.objects.filter(
        action__in=["declaration.declarer", "tierce_declaration.declarer"]
    ).exists()


# ---- Figures -----------------------------------------------------------------------------------


def test_ama_pre_declaration_october_2025(mandated, world, today):
    response = mandated.call("POST", AMA_PRE, mandated.employer_query(), ama_declaration())
    assert response.status_code == 200, response.content
    answer = response.json()
    d = answer["declaration"]
    net, entretien = Decimal("592.80"), Decimal("75.60")
    # All contributions taken over (AMA, CMG, 3,80 € + allowances an hour, under 8 €).
    assert d["mntCotiEmplAcharge"] == 0
    assert d["mntCotiPriseEnChargeOdpf"] == d["mntCotisations"] > 0
    assert near(d["mntSalaireNetImposable"], taxable_for(net), "0.02")
    # PAS: 614,42 € + 75,60 € of allowances is under 1 620 €: 0 %.
    assert (d["txPas"], d["mntImpotPas"]) == (0, 0)
    assert d["mntSalaireNetApayerApresPas"] == float(net)
    assert near(
        d["mntEmplCmgRemuneration"],
        cmg(net + entretien, Decimal("0.000619"), Decimal("4.85")),
    )
    assert d["mntEmplCmgRemuneration"] == 412.48
    assert d["mntApreleverParPaje"] == 0
    assert d["mntEmplAverserSalarie"] == float(net + entretien)
    assert answer["verificationEnfantPe"] == [
        {"reponseStatutEnfant": 1, "inputEnfantPe": CHILD_LEA}
    ]
    assert "referenceDocumentaire" not in answer
    _nothing_recorded()


def test_ged_pre_declaration_october_2025(mandated, world, today):
    response = mandated.call("POST", GED_PRE, mandated.employer_query(), ged_declaration())
    assert response.status_code == 200, response.content
    d = response.json()["declaration"]
    net = Decimal("1800.00")
    taxable = taxable_for(net)
    assert Decimal(1791) <= taxable < Decimal(1911)
    assert near(d["mntSalaireNetImposable"], taxable, "0.02")
    assert d["txPas"] == 2.1  # a percentage, as Pajemploi shows it
    assert near(d["mntImpotPas"], cents(taxable * Decimal("0.021")))
    assert near(d["mntSalaireNetApayerApresPas"], net - cents(taxable * Decimal("0.021")))
    assert near(
        d["mntEmplCmgRemuneration"],
        cmg(net, Decimal("0.001238"), Decimal("10.38")),
    )
    # How the parts add up.
    total = Decimal(str(d["mntCotisations"]))
    taken = Decimal(str(d["mntCotiPriseEnChargeOdpf"]))
    left = Decimal(str(d["mntCotiEmplAcharge"]))
    assert taken + left == total
    assert 0 < taken <= total / 2
    assert Decimal(str(d["mntApreleverParPaje"])) == left + Decimal(str(d["mntImpotPas"]))
    assert d["mntEmplAverserSalarie"] == d["mntSalaireNetApayerApresPas"]
    _nothing_recorded()


def test_allowances_advance_and_extra_hours(mandated, world, today):
    body = ama_declaration(
        mntIndemnitesKilometriques=12.40,
        mntAcompteSalarie=100.00,
        nbHeuresComplementaires=4,
        mntSalaireNetMensuel=608.00,
        mntIndemnitesRepas=36.00,
    )
    d = mandated.call("POST", AMA_PRE, mandated.employer_query(), body).json()["declaration"]
    assert d["mntEmplAverserSalarie"] == float(
        Decimal("608.00")
        - Decimal(str(d["mntImpotPas"]))
        + Decimal("75.60")
        + Decimal("36.00")
        + Decimal("12.40")
        - Decimal("100.00")
    )


# ---- Declaring ---------------------------------------------------------------------------------


def test_declaring_records_through_the_domain_what_the_pre_declaration_said(mandated, world, today):
    pre = mandated.call("POST", GED_PRE, mandated.employer_query(), ged_declaration()).json()
    response = mandated.call("POST", GED_DECL, mandated.employer_query(), ged_declaration())
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["declaration"] == pre["declaration"]
    declaration = Declaration.objects.get()
    assert (declaration.contract, declaration.period) == (world.contracts["ged"], OCTOBER)
    version = declaration.current_version
    assert version.number == 1
    assert version.results["declaration_pajemploi"]["salaire_net"] == "1800.00"
    assert version.results["declaration_pajemploi"]["heures_normales"] == "150"
    assert answer["referenceDocumentaire"] == f"UNEFOIS-202510-{declaration.pk:08d}-1"
    assert (
        AuditEntry.objects.filter(action="declaration.declarer", subject_id=declaration.pk).count()
        == 1
    )
    third = AuditEntry.objects.get(action="tierce_declaration.declarer")
    assert third.new["partner"] == "logiciel-paie"
    assert third.new["period"] == OCTOBER


def test_the_same_declaration_twice_is_one(mandated, world, today):
    first = mandated.call("POST", GED_DECL, mandated.employer_query(), ged_declaration()).json()
    second = mandated.call("POST", GED_DECL, mandated.employer_query(), ged_declaration())
    assert second.status_code == 200
    assert second.json() == first
    assert Declaration.objects.count() == 1
    assert DeclarationVersion.objects.count() == 1
    assert AuditEntry.objects.filter(action="tierce_declaration.declarer").count() == 1


def test_a_declared_month_with_other_figures_is_refused_and_unchanged(mandated, world, today):
    mandated.call("POST", GED_DECL, mandated.employer_query(), ged_declaration())
    other = ged_declaration(mntSalaireNetMensuel=1750.00)
    response = mandated.call("POST", GED_DECL, mandated.employer_query(), other)
    assert response.status_code == 400
    assert [e["code"] for e in response.json()] == ["ER_API_051_B_0013"]
    version = Declaration.objects.get().current_version
    assert version.results["declaration_pajemploi"]["salaire_net"] == "1800.00"
    pre = mandated.call("POST", GED_PRE, mandated.employer_query(), ged_declaration()).json()
    assert "ER_API_046_NB_0107" in {e["code"] for e in pre["erreursNonBloquantes"]}


def test_a_month_declared_on_the_web_with_other_figures_is_not_overwritten(mandated, world, today):
    do_declare(world.employer.user, world.contracts["ama"], OCTOBER, {})
    response = mandated.call("POST", AMA_DECL, mandated.employer_query(), ama_declaration())
    assert [e["code"] for e in response.json()] == ["ER_API_050_B_0013"]
    assert Declaration.objects.count() == 1


def test_ama_extra_hours_are_recorded_as_the_months_events(mandated, world, today):
    body = ama_declaration(
        nbHeuresComplementaires=4, nbHeuresMajorees=2, mntSalaireNetMensuel=616.20
    )
    response = mandated.call("POST", AMA_DECL, mandated.employer_query(), body)
    assert response.status_code == 200, response.content
    version = Declaration.objects.get().current_version
    assert version.events == {"complementary_hours": 4.0, "majorated_hours": 2.0}
    figures = version.results["declaration_pajemploi"]
    assert (figures["heures_complementaires"], figures["heures_majorees"]) == ("4", "2")
    assert figures["salaire_net"] == "616.20"
    assert figures["indemnites_entretien"] == "75.60"


def test_the_first_month_of_a_contract_starting_during_it(mandated, world, today):
    """The AMA contract starts on Monday 6 January 2025: the platform would deduct the days
    before; the declared hours are spread over the days it covers instead."""
    body = ama_declaration(
        dtDebutPeriode="2025-01-06",
        dtFinPeriode="2025-01-31",
        dtPaiementSalaire="2025-01-31",
        nbHeures=130,
        mntSalaireNetMensuel=494.00,
        mntSalaireHoraireNet=3.80,
        nbJoursActivite=15,
        mntIndemnitesEntretien=63.00,
    )
    response = mandated.call("POST", AMA_DECL, mandated.employer_query(), body)
    assert response.status_code == 200, response.content
    figures = Declaration.objects.get().current_version.results["declaration_pajemploi"]
    assert (figures["heures_normales"], figures["salaire_net"]) == ("130", "494.00")
    assert figures["indemnites_entretien"] == "63.00"


def test_activity_days_the_platform_counts_otherwise_are_said(mandated, world, today):
    body = ama_declaration(nbJoursActivite=16)
    answer = mandated.call("POST", AMA_PRE, mandated.employer_query(), body).json()
    notices = {e["code"]: e["message"] for e in answer["erreursNonBloquantes"]}
    assert "ER_API_045_NB_0105" in notices
    assert "18" in notices["ER_API_045_NB_0105"]


def test_an_hourly_wage_that_disagrees_with_the_net_is_said(mandated, world, today):
    body = ama_declaration(mntSalaireHoraireNet=4.10)
    answer = mandated.call("POST", AMA_PRE, mandated.employer_query(), body).json()
    assert "ER_API_045_NB_0104" in {e["code"] for e in answer["erreursNonBloquantes"]}


def test_specific_hours_are_said_to_have_no_effect(mandated, world, today):
    body = ged_declaration(nbHeuresSpecifiques=10)
    answer = mandated.call("POST", GED_PRE, mandated.employer_query(), body).json()
    assert "ER_API_046_NB_0106" in {e["code"] for e in answer["erreursNonBloquantes"]}


def test_with_two_contracts_the_child_tells_which(mandated, world, today):
    contract = do_hire(
        world.employer.user,
        world.employer,
        world.ama,
        world.lou,
        "ama",
        dt.date(2025, 3, 3),
        AMA_TERMS,
    )
    do_answer_hire(world.ama.user, contract, True)
    body = ama_declaration()
    del body["inputDeclEnfant"]
    response = mandated.call("POST", AMA_DECL, mandated.employer_query(), body)
    assert [e["code"] for e in response.json()] == ["ER_API_050_B_0007"]
    _nothing_recorded()
    response = mandated.call(
        "POST", AMA_DECL, mandated.employer_query(), ama_declaration(inputDeclEnfant=[CHILD_LOU])
    )
    assert response.status_code == 200, response.content
    assert Declaration.objects.get().contract == contract


# ---- Refusals: nothing recorded ----------------------------------------------------------------


def test_declaring_needs_the_mandate(software, world, today):
    response = software.call("POST", GED_DECL, software.employer_query(), ged_declaration())
    assert [e["code"] for e in response.json()] == ["ER_API_051_B_0003"]
    software.register_mandate()
    software.call(
        "DELETE", "/mandats", {"numeroPaje": EMPLOYER_PAJE, "dateNaissance": EMPLOYER_BIRTH}
    )
    response = software.call("POST", GED_PRE, software.employer_query(), ged_declaration())
    assert [e["code"] for e in response.json()] == ["ER_API_046_B_0003"]
    _nothing_recorded()


@pytest.mark.parametrize(
    ("body", "valid", "code"),
    [
        (ged_declaration(nbHeures=0), False, "ER_API_051_B_0001"),
        (ged_declaration(mntSalaireNetMensuel=1800.001), False, "ER_API_051_B_0001"),
        # Magnitudes whose remainder a Decimal cannot compute (found by schemathesis): 400.
        (ged_declaration(mntAcompteSalarie=-1.6e36), False, "ER_API_051_B_0001"),
        (ged_declaration(nbJoursCongesPayes=-1.2e308), False, "ER_API_051_B_0001"),
        (ged_declaration(mntFraisTransport=4.6e16), False, "ER_API_051_B_0001"),
        (ged_declaration(dtDebutPeriode="2025-10-32"), False, "ER_API_051_B_0001"),
        ({**ged_declaration(), "cdModeCalcul": None}, False, "ER_API_051_B_0001"),
        (ged_declaration(inputSp={"nirSalarie": "1234"}), False, "ER_API_051_B_0001"),
        (
            {k: v for k, v in ged_declaration().items() if k != "inputDeclCommun"},
            True,
            "ER_API_051_B_0024",
        ),
        (ged_declaration(dtFinPeriode="2025-11-02"), True, "ER_API_051_B_0008"),
        (ged_declaration(dtFinPeriode="2025-09-30"), True, "ER_API_051_B_0008"),
        (ged_declaration(mntSalaireNetMensuel=0), True, "ER_API_051_B_0009"),
        (ged_declaration(mntFraisTransport=-3.00), True, "ER_API_051_B_0009"),
        (ged_declaration(mntIndemnitesLicenciement=300.00), True, "ER_API_051_B_0012"),
        (ged_declaration(cdModeCalcul="S"), True, "ER_API_051_B_0010"),
        (ged_declaration(inputSp={}), True, "ER_API_051_B_0005"),
        (ged_declaration(inputSp={"nirSalarie": "299997512345600"}), True, "ER_API_051_B_0004"),
        (ged_declaration(mntSalaireNetMensuel=900.00), True, "ER_API_051_B_1011"),
        (
            ged_declaration(
                dtDebutPeriode="2025-12-01",
                dtFinPeriode="2025-12-31",
                dtPaiementSalaire="2025-12-31",
            ),
            True,
            "ER_API_051_B_0015",
        ),
    ],
)
def test_bad_declarations_are_refused_in_the_swaggers_shape(
    mandated, world, today, body, valid, code
):
    body = {k: v for k, v in body.items() if v is not None}
    response = mandated.call("POST", GED_DECL, mandated.employer_query(), body, valid=valid)
    assert response.status_code == 400, response.content
    errors = response.json()
    assert errors[0]["code"] == code, errors
    assert all(e["message"] and e["description"] for e in errors)
    _nothing_recorded()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (ama_declaration(nbJoursActivite=40), "ER_API_050_B_0001"),
        (ama_declaration(mntIndemnitesRupture=150.00), "ER_API_050_B_0012"),
        (ama_declaration(mntIndemnitesRepas=-1.00), "ER_API_050_B_0009"),
        # 156 h for 400 € net: 3,27 € gross an hour, under the AMA minimum.
        (ama_declaration(mntSalaireNetMensuel=400.00), "ER_API_050_B_1011"),
        # An entretien of 1 € a day is under the legal minimum.
        (ama_declaration(mntIndemnitesEntretien=18.00), "ER_API_050_B_1014"),
        # The GED's NIR on the AMA route: no AMA contract with her.
        (ama_declaration(inputSp={"nirSalarie": GED_NIR}), "ER_API_050_B_0006"),
    ],
)
def test_bad_ama_declarations(mandated, world, today, body, code):
    response = mandated.call("POST", AMA_DECL, mandated.employer_query(), body)
    assert response.status_code == 400, response.content
    assert response.json()[0]["code"] == code
    _nothing_recorded()


def test_the_end_of_a_contract_is_declared_on_unefois(mandated, world, today):
    do_end_contract(world.employer.user, world.contracts["ged"], dt.date(2025, 10, 17), "dismissal")
    response = mandated.call("POST", GED_DECL, mandated.employer_query(), ged_declaration())
    assert [e["code"] for e in response.json()] == ["ER_API_051_B_0012"]
    _nothing_recorded()


def test_a_month_before_the_contract_has_no_contract(mandated, world, today):
    body = ged_declaration(
        dtDebutPeriode="2024-12-01", dtFinPeriode="2024-12-31", dtPaiementSalaire="2024-12-31"
    )
    response = mandated.call("POST", GED_DECL, mandated.employer_query(), body)
    assert [e["code"] for e in response.json()] == ["ER_API_051_B_0006"]
    _nothing_recorded()
