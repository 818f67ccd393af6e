"""The documents, rendered: HTML for a page, PDF (WeasyPrint) to download, print or send.

Each document has two functions:

* ``<document>_html(doc) -> str``: the whole HTML page (``lang="fr"``, headings, tables with
  ``<th scope>``), cheap to make, for showing on a page;
* ``<document>(doc) -> Rendered``: a ``(html, pdf)`` pair, the PDF being made from that same
  HTML (A4, tagged PDF/UA-1 so that it stays accessible).

``to_pdf(html)`` turns any of these pages into a PDF. The documents, and what they take:

* ``payslip(PayslipDocument)``: the bulletin de salaire of a month;
* ``attestation_employeur(AttestationEmployeurDocument)``: the attestation employeur destinée
  à France Travail, pre-filled, to be signed by the employer;
* ``certificat_de_travail(CertificatDeTravailDocument)``: the certificat de travail;
* ``recu_solde_de_tout_compte(RecuSoldeDeToutCompteDocument)``: the reçu pour solde de tout
  compte;
* ``yearly_summary(YearlySummaryDocument)``: the employee's yearly summary for her income-tax
  return.

A PDF takes about a second (the first one of a process a few more: fonts are loaded); the HTML
a few milliseconds.

Rendering never computes the law: amounts come from the data (from the rules core's payslips);
the only arithmetic here is adding or re-arranging amounts that are given.
"""

from __future__ import annotations

import warnings
from decimal import Decimal
from typing import Any, NamedTuple

from django.template.loader import render_to_string
from django.utils import translation

from unefois.rules.explain import Line, Payslip

from . import formatting
from .data import (
    CONVENTION,
    PROVIDENT_FUND,
    RECOVERY_BODY,
    RETIREMENT_FUND,
    AttestationEmployeurDocument,
    CertificatDeTravailDocument,
    PayslipDocument,
    RecuSoldeDeToutCompteDocument,
    YearlySummaryDocument,
)


class Rendered(NamedTuple):
    html: str
    pdf: bytes


def _weasyprint():
    """WeasyPrint, imported on first use: pages that only need the HTML do not pay for it.

    Without the system library HarfBuzz-Subset, WeasyPrint subsets fonts with fontTools and
    warns, on import, that a future version will require the library: that warning is not ours
    to fix in code, so it is silenced (only that one)."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="HarfBuzz-Subset will be required", category=DeprecationWarning
        )
        import weasyprint

    return weasyprint


def to_pdf(html: str) -> bytes:
    """A4 PDF of one of the documents' pages (tagged, PDF/UA-1)."""
    return _weasyprint().HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def _page(template: str, context: dict[str, Any]) -> str:
    with translation.override("fr"):
        return render_to_string(
            f"documents/{template}",
            {
                "convention": CONVENTION,
                "recovery_body": RECOVERY_BODY,
                "retirement_fund": RETIREMENT_FUND,
                "provident_fund": PROVIDENT_FUND,
                **context,
            },
        )


# ---- 1. Bulletin de salaire -----------------------------------------------------------------

TOTALS_SECTION = "Totaux"
# Lines that sum up their section: shown in bold.
TOTAL_CODES = frozenset(
    {"gross_pay", "employee_contributions", "net_pay", "employer_contributions", "parent_cost"}
)
FACTS: dict[str, tuple[str, str]] = {
    "salaire_horaire_brut": ("Salaire horaire brut", " €"),
    "salaire_horaire_net": ("Salaire horaire net", " €"),
    "heures_mensualisees": ("Heures mensualisées (base du salaire mensuel)", " h"),
    "heures_prevues_dans_le_mois": ("Heures prévues dans le mois (calendrier réel)", " h"),
    "jours_d_accueil": ("Jours d'accueil dans le mois", ""),
    "anciennete_mois": ("Ancienneté (mois)", ""),
    "preavis": ("Préavis", ""),
}
DECLARATION: dict[str, str] = {
    "heures_normales": "Heures normales",
    "jours_activite": "Jours d'activité",
    "jours_conges_payes": "Jours de congés payés",
    "heures_complementaires": "Heures complémentaires",
    "heures_majorees": "Heures majorées",
    "heures_supplementaires": "Heures supplémentaires",
    "salaire_net": "Salaire net",
    "indemnites_entretien": "Indemnités d'entretien",
    "indemnites_repas": "Indemnités de repas",
    "indemnites_kilometriques": "Indemnités kilométriques",
    "indemnite_compensatrice_conges_payes": "Indemnité compensatrice de congés payés",
    "indemnite_rupture": "Indemnité de rupture",
}


def _line(line: Line) -> dict[str, Any]:
    return {
        "code": line.code,
        "label": line.label,
        "amount": line.amount,
        "negative": line.sign < 0,
        "formula": line.formula,
        "reference": line.reference,
        "total": line.code in TOTAL_CODES,
    }


def _declared(key: str, value: Decimal | int) -> str:
    if key.startswith("heures"):
        return formatting.hours(value)
    if key.startswith("jours"):
        return formatting.quantity(value)
    return formatting.euros(value)


def _worktime(slip: Payslip) -> list[tuple[str, str]]:
    rows = []
    for key, text in slip.facts.items():
        label, unit = FACTS.get(key, (key.replace("_", " ").capitalize(), ""))
        rows.append((label, f"{text}{formatting.NBSP}{unit.strip()}" if unit else text))
    for key in ("heures_normales", "heures_complementaires", "heures_majorees"):
        if key in slip.declaration:
            rows.append((f"{DECLARATION[key]} (déclarées)", _declared(key, slip.declaration[key])))
    if "heures_supplementaires" in slip.declaration:
        rows.append(
            (
                "Heures supplémentaires (déclarées)",
                _declared("heures_supplementaires", slip.declaration["heures_supplementaires"]),
            )
        )
    return rows


def _parameters(slip: Payslip) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for line in slip.lines:
        for p in line.parameters:
            if p.path not in seen:
                since = p.since
                seen[p.path] = {
                    "description": p.description,
                    "value": p.value,
                    "since_fr": "/".join(reversed(since.split("-"))) if since else "",
                    "reference": p.reference,
                    "unverified": p.unverified,
                }
    return list(seen.values())


def payslip_html(doc: PayslipDocument) -> str:
    slip = doc.slip
    sections: list[dict[str, Any]] = []
    totals = []
    for line in slip.lines:
        if line.section == TOTALS_SECTION:
            totals.append(_line(line))
        elif sections and sections[-1]["title"] == line.section:
            sections[-1]["lines"].append(_line(line))
        else:
            sections.append({"title": line.section, "lines": [_line(line)]})
    first, last = formatting.month_bounds(slip.month)
    pas = slip.amount("pas")
    return _page(
        "payslip.html",
        {
            "doc": doc,
            "slip": slip,
            "employer": doc.employer,
            "employee": doc.employee,
            "employment": doc.employment,
            "month_label": formatting.month_fr(slip.month),
            "first": first,
            "last": last,
            "warnings": slip.warnings,
            "worktime": _worktime(slip),
            "sections": sections,
            "totals": totals,
            "gross": slip.amount("gross_pay"),
            "net": slip.amount("net_pay"),
            "net_paid": slip.amount("net_paid"),
            "pas": pas,
            "net_before_tax": slip.amount("net_paid") + pas,
            "declaration": [
                (DECLARATION.get(key, key.replace("_", " ")), _declared(key, value))
                for key, value in slip.declaration.items()
            ],
            "parameters": _parameters(slip),
        },
    )


def payslip(doc: PayslipDocument) -> Rendered:
    html = payslip_html(doc)
    return Rendered(html, to_pdf(html))


# ---- 2. Attestation employeur destinée à France Travail ----------------------------------------


def attestation_employeur_html(doc: AttestationEmployeurDocument) -> str:
    sums = doc.sums
    rows = [
        (
            "Indemnité de rupture" if doc.employment.kind == "ama" else "Indemnité de licenciement",
            sums.termination_indemnity,
        ),
        ("Indemnité compensatrice de congés payés", sums.leave_compensation),
        ("Indemnité compensatrice de préavis", sums.notice_compensation),
    ]
    if doc.employment.kind == "ama":
        rows.append(("Régularisation de salaire (année incomplète)", sums.regularisation))
    rows += [(s.label, s.amount) for s in sums.other]
    return _page(
        "attestation_employeur.html",
        {
            "doc": doc,
            "employer": doc.employer,
            "employee": doc.employee,
            "employment": doc.employment,
            "signatory": doc.signature.signatory or doc.employer.name,
            "end_sums": rows,
            "end_total": sum((amount for _, amount in rows), Decimal(0)),
            "total_hours": sum((m.hours for m in doc.months), Decimal(0)),
            "total_gross": sum((m.gross for m in doc.months), Decimal(0)),
        },
    )


def attestation_employeur(doc: AttestationEmployeurDocument) -> Rendered:
    html = attestation_employeur_html(doc)
    return Rendered(html, to_pdf(html))


# ---- 3. Certificat de travail -------------------------------------------------------------------


def certificat_de_travail_html(doc: CertificatDeTravailDocument) -> str:
    return _page(
        "certificat_de_travail.html",
        {
            "doc": doc,
            "employer": doc.employer,
            "employee": doc.employee,
            "employment": doc.employment,
            "signatory": doc.signature.signatory or doc.employer.name,
        },
    )


def certificat_de_travail(doc: CertificatDeTravailDocument) -> Rendered:
    html = certificat_de_travail_html(doc)
    return Rendered(html, to_pdf(html))


# ---- 4. Reçu pour solde de tout compte ---------------------------------------------------------


def recu_solde_de_tout_compte_html(doc: RecuSoldeDeToutCompteDocument) -> str:
    return _page(
        "recu_solde_de_tout_compte.html",
        {
            "doc": doc,
            "employer": doc.employer,
            "employee": doc.employee,
            "employment": doc.employment,
            "total": doc.total,
            "signatory": doc.signature.signatory or doc.employee.name,
        },
    )


def recu_solde_de_tout_compte(doc: RecuSoldeDeToutCompteDocument) -> Rendered:
    html = recu_solde_de_tout_compte_html(doc)
    return Rendered(html, to_pdf(html))


# ---- 5. Récapitulatif annuel pour la déclaration de revenus --------------------------------------


def yearly_summary_html(doc: YearlySummaryDocument) -> str:
    names = ("taxable_net", "exempt_overtime", "pas_withheld", "entretien", "meals", "care_days")
    return _page(
        "yearly_summary.html",
        {
            "doc": doc,
            "employee": doc.employee,
            "totals": {name: doc.total(name) for name in names},
        },
    )


def yearly_summary(doc: YearlySummaryDocument) -> Rendered:
    html = yearly_summary_html(doc)
    return Rendered(html, to_pdf(html))


__all__ = [
    "Rendered",
    "attestation_employeur",
    "attestation_employeur_html",
    "certificat_de_travail",
    "certificat_de_travail_html",
    "payslip",
    "payslip_html",
    "recu_solde_de_tout_compte",
    "recu_solde_de_tout_compte_html",
    "to_pdf",
    "yearly_summary",
    "yearly_summary_html",
]
