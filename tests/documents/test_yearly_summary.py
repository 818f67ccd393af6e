"""The employee's yearly summary for her income-tax return."""

import datetime as dt
from decimal import Decimal

import pytest

from unefois.documents import data as d
from unefois.documents import render

from . import samples
from .conftest import Page, Pdf, check_page, check_pdf, fr

GED_YEAR = d.YearWithEmployer(
    employer=samples.SECOND_EMPLOYER,
    kind="ged",
    taxable_net=Decimal("4321.09"),
    exempt_overtime=Decimal("210.50"),
    pas_withheld=Decimal("12.34"),
    months=5,
)


@pytest.fixture(scope="module")
def slips(example_slip):
    return [samples.september_slip(), example_slip]


@pytest.fixture(scope="module")
def ama_year(slips):
    return d.year_from_payslips(samples.EMPLOYER, slips)


@pytest.fixture(scope="module")
def rendered(ama_year):
    doc = d.YearlySummaryDocument(
        year=2025,
        employee=samples.EMPLOYEE,
        employers=(ama_year, GED_YEAR),
        issued_on=dt.date(2026, 4, 10),
    )
    html, pdf = render.yearly_summary(doc)
    return [Page(html), Pdf(pdf)]


def test_a_year_with_an_employer_adds_up_its_payslips(slips, ama_year):
    assert all(not s.errors for s in slips)
    assert ama_year.kind == "ama"
    assert ama_year.months == 2
    assert ama_year.taxable_net == sum(s.amount("taxable_net") for s in slips)
    assert ama_year.entretien == sum(s.amount("entretien") for s in slips)
    assert ama_year.meals == sum(s.amount("meals") for s in slips)
    assert ama_year.pas_withheld == sum(s.amount("pas") for s in slips)
    assert ama_year.care_days == sum(Decimal(s.facts["jours_d_accueil"]) for s in slips)
    # October has 2 complementary hours, exempt from income tax: what the taxable net leaves out.
    october = slips[1]
    exempt = (
        october.amount("net_pay")
        + october.amount("employee.csg_non_deductible")
        + october.amount("employee.crds")
        - october.amount("taxable_net")
    )
    assert exempt > 0
    assert ama_year.exempt_overtime == exempt


def test_is_an_accessible_page_and_a_pdf(rendered):
    check_page(rendered[0])
    check_pdf(rendered[1])


@pytest.mark.parametrize("kind", [0, 1], ids=["html", "pdf"])
def test_per_employer_figures_and_totals(rendered, ama_year, kind):
    doc = rendered[kind]
    assert doc.has("Récapitulatif annuel des salaires 2025")
    assert doc.has("Nadia Benali")
    ama_row = (
        f"{fr(ama_year.taxable_net)} {fr(ama_year.exempt_overtime)} {fr(ama_year.pas_withheld)} "
        f"{fr(ama_year.entretien)} {fr(ama_year.meals)} {ama_year.care_days}"
    )
    assert doc.has("Camille Martin")
    assert doc.has("PAJE1234567")
    assert doc.has(ama_row), ama_row
    assert doc.has("Louis Dupont")
    assert doc.has("garde d'enfants à domicile, 5 mois")
    assert doc.has(f"{fr(Decimal('4321.09'))} {fr(Decimal('210.50'))} {fr(Decimal('12.34'))}")
    total = (
        f"Total de l'année {fr(ama_year.taxable_net + Decimal('4321.09'))} "
        f"{fr(ama_year.exempt_overtime + Decimal('210.50'))} "
        f"{fr(ama_year.pas_withheld + Decimal('12.34'))} {fr(ama_year.entretien)}"
    )
    assert doc.has(total), total


@pytest.mark.parametrize("kind", [0, 1], ids=["html", "pdf"])
def test_notes_and_the_special_regime_of_childminders(rendered, kind):
    doc = rendered[kind]
    assert doc.has("81 quater")
    assert doc.has("art. 80 sexies")
    assert doc.has("régime spécial")
    assert doc.has("établi par unefois le 10/04/2026")


def test_no_special_regime_note_without_a_childminder():
    page = Page(
        render.yearly_summary_html(
            d.YearlySummaryDocument(2025, samples.EMPLOYEE, (GED_YEAR,), dt.date(2026, 4, 10))
        )
    )
    assert not page.has("80 sexies")
    assert not page.has("Indemnités d'entretien")
