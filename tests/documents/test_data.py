"""What the documents' data refuse, and how figures are written."""

import datetime as dt
from decimal import Decimal

import pytest

from unefois.documents import data as d
from unefois.documents import formatting
from unefois.rules.api import payslip_from_data

from . import samples

JOB = d.Employment("ama", dt.date(2024, 9, 2), dt.date(2025, 10, 24))
SIGNED = d.Signature("Lyon", dt.date(2025, 10, 24))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1234.56"), "1\u00a0234,56\u00a0€"),
        (Decimal("0"), "0,00\u00a0€"),
        (Decimal("-39"), "\u221239,00\u00a0€"),
        (Decimal("1234567.005"), "1\u00a0234\u00a0567,01\u00a0€"),
        (12, "12,00\u00a0€"),
    ],
)
def test_euros_the_french_way(value, text):
    assert formatting.euros(value) == text


def test_quantities_dates_months_and_nir():
    assert formatting.quantity(Decimal("147")) == "147"
    assert formatting.quantity(Decimal("2.50")) == "2,5"
    assert formatting.hours(Decimal("1828")) == "1\u00a0828\u00a0h"
    assert formatting.date_fr(dt.date(2025, 3, 4)) == "04/03/2025"
    assert formatting.month_fr("2025-08") == "août 2025"
    assert formatting.month_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert formatting.nir("278027512345678") == "2 78 02 75 123 456 78".replace(" ", "\u00a0")


def test_money_must_not_be_a_float():
    with pytest.raises(TypeError):
        formatting.euros(1.5)
    with pytest.raises(d.DocumentError, match="virgule flottante"):
        d.PaidSum("Salaire", 12.5)


def test_a_payslip_in_error_makes_no_document():
    data = samples.example_input()
    data["contract"]["hourly_gross"] = 0.5  # below the legal minimum
    slip = payslip_from_data(data)
    assert slip.errors
    with pytest.raises(d.DocumentError, match="en erreur"):
        d.PayslipDocument(
            slip,
            samples.EMPLOYER,
            samples.EMPLOYEE,
            d.Employment("ama", dt.date(2025, 1, 6)),
            dt.date(2025, 11, 3),
        )


def test_the_payslip_and_the_contract_must_be_of_the_same_job(example_slip):
    with pytest.raises(d.DocumentError, match="contrat"):
        d.PayslipDocument(
            example_slip,
            samples.EMPLOYER,
            samples.EMPLOYEE,
            d.Employment("ged", dt.date(2025, 1, 6)),
            dt.date(2025, 11, 3),
        )


def test_parties_and_contract_are_checked():
    with pytest.raises(d.DocumentError, match="sécurité sociale"):
        d.Employee("X", samples.EMPLOYEE.address, nir="12345")
    with pytest.raises(d.DocumentError, match="type d'emploi"):
        d.Employment("nounou", dt.date(2025, 1, 1))
    with pytest.raises(d.DocumentError, match="précède"):
        d.Employment("ama", dt.date(2025, 1, 1), dt.date(2024, 1, 1))
    with pytest.raises(d.DocumentError, match="mois invalide"):
        d.MonthPay("2025-13", Decimal(1), Decimal(1))


def test_end_documents_need_an_ended_contract_and_a_known_reason():
    ongoing = d.Employment("ama", dt.date(2024, 9, 2))
    common = {
        "employer": samples.EMPLOYER,
        "employee": samples.EMPLOYEE,
        "last_worked_day": dt.date(2025, 10, 24),
        "months": (),
        "sums": d.EndSums(),
        "signature": SIGNED,
    }
    with pytest.raises(d.DocumentError, match="motif"):
        d.AttestationEmployeurDocument(employment=JOB, end_reason="bored", **common)
    with pytest.raises(d.DocumentError, match="précisez"):
        d.AttestationEmployeurDocument(employment=JOB, end_reason="other", **common)
    with pytest.raises(d.DocumentError, match="terminé"):
        d.AttestationEmployeurDocument(employment=ongoing, end_reason="resignation", **common)
    with pytest.raises(d.DocumentError, match="terminé"):
        d.CertificatDeTravailDocument(samples.EMPLOYER, samples.EMPLOYEE, ongoing, SIGNED)


def test_every_end_reason_of_the_rules_core_has_a_label():
    from unefois.rules.intake import End

    reasons = End.model_fields["reason"].annotation.__args__
    assert set(reasons) <= set(d.END_REASONS)


def test_a_receipt_whose_sums_do_not_make_the_amount_paid_is_refused():
    sums = (d.PaidSum("Salaire net", Decimal("100.00")), d.PaidSum("Indemnité", Decimal("20")))
    with pytest.raises(d.DocumentError, match="total"):
        d.RecuSoldeDeToutCompteDocument(
            samples.EMPLOYER, samples.EMPLOYEE, JOB, sums, SIGNED, expected_total=Decimal("130")
        )
    receipt = d.RecuSoldeDeToutCompteDocument(
        samples.EMPLOYER, samples.EMPLOYEE, JOB, sums, SIGNED, expected_total=Decimal("120")
    )
    assert receipt.total == Decimal("120.00")


def test_what_people_typed_is_escaped_in_the_html():
    from unefois.documents import render

    employer = d.Employer("<script>alert(1)</script>", samples.EMPLOYER.address, "PAJE1")
    html = render.certificat_de_travail_html(
        d.CertificatDeTravailDocument(employer, samples.EMPLOYEE, JOB, SIGNED)
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
