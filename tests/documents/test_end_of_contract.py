"""The end-of-contract documents: attestation employeur (France Travail), certificat de travail,
reçu pour solde de tout compte; the sums come from a final payslip computed by the rules core."""

import datetime as dt
from decimal import Decimal

import pytest

from unefois.documents import data as d
from unefois.documents import render

from . import samples
from .conftest import Page, Pdf, check_page, check_pdf, fr

END = dt.date(2025, 10, 24)
EMPLOYMENT = d.Employment("ama", dt.date(2024, 9, 2), END)
SIGNED = d.Signature("Lyon", dt.date(2025, 10, 24))


def both(rendered):
    html, pdf = rendered
    return [Page(html), Pdf(pdf)]


# ---- Attestation employeur -----------------------------------------------------------------


@pytest.fixture(scope="module")
def attestation(final_slip):
    months = samples.twelve_months()
    doc = d.AttestationEmployeurDocument(
        employer=samples.EMPLOYER,
        employee=samples.EMPLOYEE,
        employment=EMPLOYMENT,
        end_reason="employer_withdrawal",
        last_worked_day=END,
        months=tuple(reversed(months)),  # any order: the document sorts them
        sums=d.end_sums_from_payslip(final_slip),
        signature=SIGNED,
        notice=d.Notice(dt.date(2025, 9, 24), END, worked=True, duration="1 mois"),
        weekly_hours=Decimal(36),
    )
    return doc, months, both(render.attestation_employeur(doc))


def test_attestation_is_an_accessible_page_and_a_pdf(attestation):
    _, _, (page, pdf) = attestation
    check_page(page)
    check_pdf(pdf)


@pytest.mark.parametrize("kind", [0, 1], ids=["html", "pdf"])
def test_attestation_identifies_the_parties_and_the_job(attestation, kind):
    rendered = attestation[2][kind]
    for text in (
        "Attestation employeur destinée à France Travail",
        "Camille Martin",
        "PAJE1234567",
        "Nadia Benali",
        "N° de sécurité sociale 2 78 02 75 123 456 78",
        "Date de naissance 03/02/1978",
        "IRCEM",
        "Emploi occupé Assistant maternel agréé",
        "Date de début du contrat 02/09/2024",
        "Dernier jour travaillé et payé 24/10/2025",
        "Date de fin du contrat 24/10/2025",
        "Durée hebdomadaire de travail 36 h",
        "Retrait de l'enfant par le particulier employeur",
    ):
        assert rendered.has(text), text


@pytest.mark.parametrize("kind", [0, 1], ids=["html", "pdf"])
def test_attestation_notice_months_and_end_sums(attestation, final_slip, kind):
    _, months, pages = attestation
    rendered = pages[kind]
    assert rendered.has("Durée 1 mois")
    assert rendered.has("du 24/09/2025 au 24/10/2025")
    assert rendered.has("Préavis effectué oui")
    names = {"2024-11": "novembre 2024", "2024-12": "décembre 2024", "2025-09": "septembre 2025"}
    for month in months:
        label = names.get(month.month, "")
        if label:
            assert rendered.has(f"{label} {month.hours} h {fr(month.gross)}"), label
    assert rendered.has("arrêt maladie le 15/09")
    total_gross = sum(m.gross for m in months)
    total_hours = sum(m.hours for m in months)
    assert total_hours == 1828
    assert rendered.has(f"Total 1 828 h {fr(total_gross)}")
    rupture = final_slip.amount("termination_indemnity")
    leave = final_slip.amount("leave_compensation")
    assert rupture > 0
    assert leave > 0
    assert rendered.has(f"Indemnité de rupture {fr(rupture)}")
    assert rendered.has(f"Indemnité compensatrice de congés payés {fr(leave)}")
    assert rendered.has(f"Total {fr(rupture + leave)}")


@pytest.mark.parametrize("kind", [0, 1], ids=["html", "pdf"])
def test_attestation_is_prefilled_and_to_be_signed(attestation, kind):
    rendered = attestation[2][kind]
    assert rendered.has("pré-rempli par unefois")
    assert rendered.has("vérifié, daté et signé par l'employeur")
    assert rendered.has("Fait à Lyon, le 24/10/2025")
    assert rendered.has("Signature de l'employeur")


def test_attestation_names_its_sources():
    source = (
        samples.Path(render.__file__).parent / "templates/documents/attestation_employeur.html"
    ).read_text(encoding="utf-8")
    assert "{% comment %}" in source
    assert "Sources used" in source


# ---- Certificat de travail -----------------------------------------------------------------


@pytest.fixture(scope="module")
def certificat():
    doc = d.CertificatDeTravailDocument(
        employer=samples.EMPLOYER,
        employee=samples.EMPLOYEE,
        employment=EMPLOYMENT,
        signature=SIGNED,
    )
    return both(render.certificat_de_travail(doc))


def test_certificat_is_an_accessible_page_and_a_pdf(certificat):
    check_page(certificat[0])
    check_pdf(certificat[1])


@pytest.mark.parametrize("kind", [0, 1], ids=["html", "pdf"])
def test_certificat_contents(certificat, kind):
    rendered = certificat[kind]
    for text in (
        "Certificat de travail",
        "Camille Martin",
        "12 rue des Lilas",
        "Nadia Benali du 02/09/2024 au 24/10/2025",
        "Assistant maternel agréé 02/09/2024 24/10/2025",
        "Date d'entrée 02/09/2024",
        "Date de sortie 24/10/2025",
        "portabilité",
        "IRCEM Prévoyance",
        "L911-8",
        "Fait à Lyon, le 24/10/2025",
    ):
        assert rendered.has(text), text
    # D1234-6 lists what a certificat contains, « exclusivement »: no NIR, no salary.
    assert not rendered.has("2 78 02 75 123 456 78")
    assert "€" not in rendered.text


# ---- Reçu pour solde de tout compte ----------------------------------------------------------


@pytest.fixture(scope="module")
def recu(final_slip):
    sums = d.settlement_from_payslip(final_slip)
    doc = d.RecuSoldeDeToutCompteDocument(
        employer=samples.EMPLOYER,
        employee=samples.EMPLOYEE,
        employment=EMPLOYMENT,
        sums=sums,
        signature=SIGNED,
        paid_on=dt.date(2025, 10, 24),
        payment_method="virement",
        expected_total=final_slip.amount("net_paid"),
    )
    return sums, both(render.recu_solde_de_tout_compte(doc))


def test_recu_is_an_accessible_page_and_a_pdf(recu):
    check_page(recu[1][0])
    check_pdf(recu[1][1])


def test_recu_inventory_adds_up_to_the_net_paid(final_slip):
    sums = d.settlement_from_payslip(final_slip)
    slip = final_slip
    by_label = {s.label: s for s in sums}
    assert by_label["Indemnité de rupture"].amount == slip.amount("termination_indemnity")
    leave = by_label["dont indemnité compensatrice de congés payés (montant brut)"]
    assert leave.included
    assert leave.amount == slip.amount("leave_compensation")
    assert by_label["Prélèvement à la source retenu"].amount == -slip.amount("pas")
    total = sum(s.amount for s in sums if not s.included)
    assert total == slip.amount("net_paid") == Decimal("1165.89")


@pytest.mark.parametrize("kind", [0, 1], ids=["html", "pdf"])
def test_recu_contents(recu, final_slip, kind):
    sums, pages = recu
    rendered = pages[kind]
    assert rendered.has("Reçu pour solde de tout compte")
    for s in sums:
        assert rendered.has(s.label), s.label
        amount = fr(s.amount).replace("-", "−")
        assert rendered.has(amount), (s.label, amount)
    net = fr(final_slip.amount("net_paid"))
    assert rendered.has(f"la somme de {net}, versée le 24/10/2025 par virement")
    assert rendered.has(f"Total versé {net}")
    assert rendered.has("dénoncé dans les six mois qui suivent sa signature")
    assert rendered.has("L1234-20")
    assert rendered.has("Fait à Lyon, le 24/10/2025")
    assert rendered.has("Signature de Nadia Benali")
