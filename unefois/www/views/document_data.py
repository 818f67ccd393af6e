"""From the domain (models and vault) to the documents' data, then HTML and PDF."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from unefois.declarations.models import Declaration, DeclarationVersion
from unefois.declarations.services import explained
from unefois.documents import data as doc
from unefois.documents import render
from unefois.facts import services as vault
from unefois.facts.models import SubjectType
from unefois.rules.explain import Payslip

KINDS = ("attestation-employeur", "certificat-de-travail", "solde-de-tout-compte")


def _address(facts: dict) -> doc.Address:
    return doc.Address(facts.get("street", ""), facts.get("postcode", ""), facts.get("city", ""))


def _parties(contract) -> tuple[doc.Employer, doc.Employee, doc.Employment]:
    employer = vault.values(SubjectType.PERSON, contract.employer_id)
    employee = vault.values(SubjectType.PERSON, contract.employee_id)
    birth = employee.get("birthdate")
    return (
        doc.Employer(
            str(contract.employer), _address(employer), employer.get("employer_number", "")
        ),
        doc.Employee(
            str(contract.employee),
            _address(employee),
            employee.get("nir"),
            dt.date.fromisoformat(birth) if birth else None,
            employee.get("pajemploi_number"),
        ),
        doc.Employment(contract.kind, contract.start_date, contract.end_date),
    )


def payslip_pdf(version: DeclarationVersion) -> bytes:
    contract = version.declaration.contract
    employer, employee, employment = _parties(contract)
    slip = explained(version)
    document = doc.PayslipDocument(
        slip=slip,
        employer=employer,
        employee=employee,
        employment=employment,
        declared_on=timezone.localtime(version.created_at).date(),
        # Every employee contribution of a particulier employeur is mandatory (no optional
        # cover on these payslips), so the « montant net social » is the net before tax.
        net_social=slip.amount("net_pay"),
    )
    return render.payslip(document).pdf


def _final_payslip(contract) -> Payslip | None:
    period = contract.end_date.year * 12 + contract.end_date.month - 1
    final = (
        Declaration.objects.filter(contract=contract, period=period)
        .select_related("current_version")
        .first()
    )
    if final is None:
        return None
    return explained(final.current_version)


def end_document(contract, kind: str) -> tuple[str, bytes]:
    """One of the pre-filled end-of-contract documents (HTML, PDF)."""
    if kind not in KINDS:
        raise LookupError(kind)
    employer, employee, employment = _parties(contract)
    place = vault.values(SubjectType.PERSON, contract.employer_id).get("city", "")
    signature = doc.Signature(place, timezone.localdate())
    final = _final_payslip(contract)
    if kind == "certificat-de-travail":
        rendered = render.certificat_de_travail(
            doc.CertificatDeTravailDocument(employer, employee, employment, signature)
        )
        return rendered.html, rendered.pdf
    if final is None:
        raise LookupError("Déclarez d'abord le dernier mois du contrat.")
    if kind == "solde-de-tout-compte":
        rendered = render.recu_solde_de_tout_compte(
            doc.RecuSoldeDeToutCompteDocument(
                employer,
                employee,
                employment,
                doc.settlement_from_payslip(final),
                signature,
            )
        )
        return rendered.html, rendered.pdf
    months = []
    for declaration in (
        Declaration.objects.filter(contract=contract)
        .select_related("current_version")
        .order_by("-period")[:12]
    ):
        months.append(doc.month_pay_from_payslip(explained(declaration.current_version)))
    notice = doc.Notice(None, None, worked=True, duration=final.facts.get("preavis", ""))
    rendered = render.attestation_employeur(
        doc.AttestationEmployeurDocument(
            employer,
            employee,
            employment,
            contract.end_reason,
            contract.end_date,
            tuple(reversed(months)),
            doc.end_sums_from_payslip(final),
            signature,
            notice,
            alsace_moselle=bool(
                vault.values(SubjectType.PERSON, contract.employer_id).get("alsace_moselle")
            ),
        )
    )
    return rendered.html, rendered.pdf


def yearly_summary_pdf(employee_person, year: int) -> bytes:
    """The employee's yearly summary for her income-tax return, as a PDF."""
    from collections import defaultdict

    by_contract = defaultdict(list)
    for declaration in (
        Declaration.objects.filter(
            contract__employee=employee_person, period__gte=year * 12, period__lt=(year + 1) * 12
        )
        .select_related("contract__employer", "current_version")
        .order_by("period")
    ):
        by_contract[declaration.contract].append(explained(declaration.current_version))
    employers = []
    employee = None
    for contract, slips in by_contract.items():
        employer, employee, _ = _parties(contract)
        employers.append(doc.year_from_payslips(employer, slips))
    if employee is None:
        raise LookupError("Aucun bulletin cette année.")
    document = doc.YearlySummaryDocument(year, employee, tuple(employers), timezone.localdate())
    return render.yearly_summary(document).pdf
