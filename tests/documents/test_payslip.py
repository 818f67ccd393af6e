"""The bulletin de salaire, from the payslip the rules core computes for
examples/ama-52-semaines.yaml."""

import datetime as dt
from decimal import Decimal

import pytest

from unefois.documents import data as d
from unefois.documents import render
from unefois.rules.api import payslip_from_data

from . import samples
from .conftest import Page, Pdf, check_page, check_pdf, fr


@pytest.fixture(scope="module")
def doc(example_slip):
    return d.PayslipDocument(
        slip=example_slip,
        employer=samples.EMPLOYER,
        employee=samples.EMPLOYEE,
        employment=d.Employment("ama", dt.date(2025, 1, 6)),
        declared_on=dt.date(2025, 11, 3),
        paid_on=dt.date(2025, 11, 4),
        leave=(d.LeavePeriod(dt.date(2025, 10, 27), dt.date(2025, 10, 31)),),
    )


@pytest.fixture(scope="module")
def rendered(doc):
    html, pdf = render.payslip(doc)
    return Page(html), Pdf(pdf)


def test_the_example_is_what_the_document_shows(example_slip):
    # The figures the test relies on come from the rules core, not from the renderer.
    assert not example_slip.errors
    assert example_slip.amount("gross_pay") == Decimal("672.00")
    assert example_slip.amount("net_paid") == Decimal("653.48")


def test_html_is_an_accessible_french_page(rendered):
    page, _ = rendered
    check_page(page)
    assert page.html.count("<h2") >= 5


def test_pdf_is_a_real_a4_pdf(rendered):
    _, pdf = rendered
    check_pdf(pdf)
    assert "Bulletin de salaire" in pdf.reader.metadata.title


@pytest.mark.parametrize("kind", ["html", "pdf"])
def test_every_line_shows_its_label_amount_formula_and_reference(rendered, example_slip, kind):
    doc = rendered[0] if kind == "html" else rendered[1]
    assert example_slip.lines
    for line in example_slip.lines:
        assert doc.has(line.label), line.label
        assert doc.has(fr(line.amount)), (line.code, line.amount)
        assert doc.has(line.formula), line.formula
        if line.reference:
            assert doc.has(line.reference), line.reference


@pytest.mark.parametrize("kind", ["html", "pdf"])
def test_sections_totals_and_declaration(rendered, example_slip, kind):
    doc = rendered[0] if kind == "html" else rendered[1]
    for section in {line.section for line in example_slip.lines}:
        assert doc.has(section)
    assert doc.has("Net à payer au salarié")
    assert doc.has(fr(example_slip.amount("net_paid")))
    # Net before tax: net to pay + the tax withheld (0 this month: taux neutre, low pay).
    before_tax = example_slip.amount("net_paid") + example_slip.amount("pas")
    label = "Net à payer avant impôt sur le revenu net à payer + prélèvement à la source"
    assert doc.has(f"{label} {fr(before_tax)}")
    assert doc.has("Déclaration à Pajemploi")
    declared = example_slip.declaration
    assert doc.has(f"Heures normales {declared['heures_normales']} h")
    assert doc.has(f"Jours d'activité {declared['jours_activite']}")
    assert doc.has(f"Salaire net {fr(declared['salaire_net'])}")
    assert doc.has(f"Indemnités d'entretien {fr(declared['indemnites_entretien'])}")
    assert doc.has(f"Indemnités de repas {fr(declared['indemnites_repas'])}")


@pytest.mark.parametrize("kind", ["html", "pdf"])
def test_the_mentions_a_payslip_must_carry(rendered, kind):
    doc = rendered[0] if kind == "html" else rendered[1]
    # R3243-1 of the Code du travail: employer, Pajemploi number, convention, employee and job,
    # period, payment date, leave dates; R3243-5: keep it without time limit.
    assert doc.has("Bulletin de salaire — octobre 2025")
    for text in (
        "Camille Martin",
        "12 rue des Lilas",
        "69003 Lyon",
        "PAJE1234567",
        "Urssaf — service Pajemploi",
        "Nadia Benali",
        "3 allée des Tilleuls",
        "Bâtiment B",
        "2 78 02 75 123 456 78",
        "SAL998877",
        "Assistant maternel agréé",
        "IDCC 3239",
        "Période de paie du 01/10/2025 au 31/10/2025",
        "Date de paiement 04/11/2025",
        "Début du contrat 06/01/2025",
        "Congés payés pris du 27/10/2025 au 31/10/2025",
        "Conservez ce bulletin de paie sans limitation de durée.",
        "service-public.fr",
    ):
        assert doc.has(text), text


@pytest.mark.parametrize("kind", ["html", "pdf"])
def test_footer_and_warnings(rendered, example_slip, kind):
    doc = rendered[0] if kind == "html" else rendered[1]
    assert doc.has("Bulletin établi à partir de la déclaration du 03/11/2025")
    assert example_slip.warnings
    for warning in example_slip.warnings:
        assert doc.has(warning.message)


def test_parameters_annex_flags_unverified_values(rendered, example_slip):
    page, _ = rendered
    parameters = {p.path: p for line in example_slip.lines for p in line.parameters}
    for p in parameters.values():
        assert page.has(p.description)
    if any(p.unverified for p in parameters.values()):
        assert page.has("valeur non vérifiée dans un texte")


def test_a_ged_payslip_shows_its_job_and_classification():
    data = samples.example_input()
    data["employee"] = "ged"
    data["contract"] = {
        "start": "2025-01-06",
        "schedule": {"monday": 8, "tuesday": 8, "thursday": 8, "friday": 8},
        "hourly_gross": 12.60,
    }
    data.pop("events")
    slip = payslip_from_data(data)
    assert not slip.errors, slip.errors
    page = Page(
        render.payslip_html(
            d.PayslipDocument(
                slip,
                samples.EMPLOYER,
                samples.EMPLOYEE,
                d.Employment("ged", dt.date(2025, 1, 6), classification="Niveau III"),
                declared_on=dt.date(2025, 11, 2),
            )
        )
    )
    assert page.has("Garde d'enfants à domicile, Niveau III")
    assert page.has("Date de paiement non communiquée")
    for line in slip.lines:
        assert page.has(line.label)
        assert page.has(fr(line.amount))
