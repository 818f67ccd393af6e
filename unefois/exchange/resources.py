"""What the partner API can read, resource by resource, from the declarations in force.

Each resource builds full rows (every field it knows) from ``Declaration.current_version.results``
(the payslip of ``unefois.rules.explain.Payslip.as_dict``: ``lignes`` with ``code`` and
``montant``, and ``declaration_pajemploi``); ``mask`` then keeps only the fields of the scope.
Amounts and hours are decimal strings, as in the payslip.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import router
from django.db.models import Exists, OuterRef

from unefois.contracts.models import Contract
from unefois.contracts.models import Status as ContractStatus
from unefois.declarations.models import Declaration
from unefois.people.models import Person
from unefois.storage.prepared import Prepared

EMPLOYEE = "employee"
EMPLOYER = "employer"


@dataclass(frozen=True)
class Window:
    """The months asked: periods (year × 12 + month − 1) from ``first`` to ``last``, or a year."""

    first: int
    last: int
    year: int | None = None
    contract: int | None = None
    text: str = ""

    @property
    def label(self) -> str:
        if self.text and self.contract is None:
            return self.text
        if self.year is not None:
            return str(self.year)
        if self.contract is not None:
            return f"contrat {self.contract}"
        return f"{month_code(self.first)} à {month_code(self.last)}"


def month_code(period: int) -> str:
    return f"{period // 12:04d}-{period % 12 + 1:02d}"


def period_of(code: str) -> int:
    year, month = code.split("-")
    return int(year) * 12 + int(month) - 1


def last_complete_month(today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    return today.year * 12 + today.month - 2


@dataclass(frozen=True)
class Resource:
    code: str
    label: str
    role: str  # whose data: the employee's or the employer's
    fields: dict[str, str]  # field → its French label, in display order
    build: Callable[[Person, Window], list[dict[str, Any]]] = field(repr=False)


# ---- Reading the payslip in force -----------------------------------------------------------


def _line(results: dict, code: str) -> Decimal | None:
    for line in results.get("lignes", []):
        if line.get("code") == code:
            return Decimal(str(line["montant"]))
    return None


def _amount(results: dict, code: str, default: str | None = "0.00") -> str | None:
    value = _line(results, code)
    if value is None:
        return default
    return str(value)


def _hours(results: dict) -> str:
    declared = results.get("declaration_pajemploi", {})
    total = sum(
        (
            Decimal(str(declared.get(k, "0") or "0"))
            for k in ("heures_normales", "heures_complementaires", "heures_majorees")
        ),
        Decimal(0),
    )
    return str(total.normalize()) if total else "0"


def _days(results: dict) -> int:
    try:
        return int(Decimal(str(results.get("declaration_pajemploi", {}).get("jours_activite", 0))))
    except ArithmeticError:
        return 0


def _person_ref(person: Person) -> str:
    return person.pajemploi_number or f"P{person.pk}"


def _declarations(person: Person, role: str, first: int, last: int):
    qs = Declaration.objects.filter(
        period__gte=first, period__lte=last, current_version__isnull=False
    )
    qs = (
        qs.filter(contract__employee=person)
        if role == EMPLOYEE
        else qs.filter(contract__employer=person)
    )
    return qs.select_related(
        "current_version", "contract__employer", "contract__employee", "contract__child"
    ).order_by("period", "contract_id")


def concerned(person: Person, role: str) -> bool:
    """Whether the person has the role that the purpose is about (employee or employer)."""
    contracts = (
        Contract.objects.filter(employee=person)
        if role == EMPLOYEE
        else (Contract.objects.filter(employer=person))
    )
    return contracts.exists()


def concerned_expression(role: str, person=None) -> Exists:
    """``concerned`` as an expression, to annotate a query on persons (``OuterRef("pk")``)."""
    person = OuterRef("pk") if person is None else person
    field = "employee" if role == EMPLOYEE else "employer"
    return Exists(Contract.objects.filter(**{field: person}))


# ---- The resources --------------------------------------------------------------------------


def employee_month_row(d: Declaration, r: dict) -> dict[str, Any]:
    """One month of an employee with one employer: declaration ``d``, its version's results
    ``r`` (the version in force for the API; the version of the event for a push)."""
    employer = d.contract.employer
    return _employee_month(
        d.period, d.contract_id, d.contract.kind, _person_ref(employer), employer.display_name, r
    )


def _employee_month(
    period: int, contract: int, kind: str, employer: str, employer_name: str, r: dict
) -> dict[str, Any]:
    amounts: dict[str, str] = {}
    for line in r.get("lignes", ()):  # one pass; the first line of each code, as ``_line``
        code = line.get("code")
        if code in _EMPLOYEE_CODES and code not in amounts:
            amounts[code] = str(Decimal(str(line["montant"])))
    return {
        "mois": month_code(period),
        "employeur": employer,
        "employeur_nom": employer_name,
        "contrat": contract,
        "type_emploi": kind,
        "heures": _hours(r),
        "jours_activite": _days(r),
        "salaire_brut": amounts.get("gross_pay", "0.00"),
        "salaire_net": amounts.get("net_pay", "0.00"),
        "net_imposable": amounts.get("taxable_net", "0.00"),
        "pas_retenu": amounts.get("pas"),
    }


_EMPLOYEE_CODES = frozenset({"gross_pay", "net_pay", "taxable_net", "pas"})


def child_month_row(d: Declaration, r: dict) -> dict[str, Any]:
    """One month of care of a child: declaration ``d`` and its version's results ``r``."""
    child = d.contract.child
    cmg_pay = _line(r, "cmg_pay") or Decimal(0)
    return {
        "mois": month_code(d.period),
        "enfant": f"E{child.pk}" if child else None,
        "enfant_prenom": child.display_name if child else None,
        "salarie": _person_ref(d.contract.employee),
        "type_emploi": d.contract.kind,
        "heures": _hours(r),
        "salaire_net": _amount(r, "net_pay"),
        "indemnites_entretien": _amount(r, "entretien"),
        "cout_employeur": _amount(r, "employer_cost"),
        "cmg_remuneration": str(cmg_pay),
        "cmg_cotisations": _amount(r, "cmg_contributions"),
        "reste_a_charge": _amount(r, "parent_cost"),
    }


def _employee_months(person: int, first: int, last: int):
    return (
        Declaration.objects.filter(
            contract__employee=person,
            period__gte=first,
            period__lte=last,
            current_version__isnull=False,
        )
        .order_by("period", "contract_id")
        .values_list(
            "period",
            "contract_id",
            "contract__kind",
            "contract__employer_id",
            "contract__employer__pajemploi_number",
            "contract__employer__display_name",
            "current_version__results",
        )
    )


_EMPLOYEE_MONTHS = Prepared(_employee_months, [int, int, int])


def _monthly_employee_rows(person: Person, window: Window) -> list[dict[str, Any]]:
    """``employee_month_row`` for every month of the window, in one query (compiled once per
    process) that reads only the columns the rows need: the partner API's hot path."""
    rows = _EMPLOYEE_MONTHS.rows(
        router.db_for_read(Declaration), person.pk, window.first, window.last
    )
    return [
        _employee_month(
            period,
            contract,
            kind,
            number or f"P{employer}",
            name,
            json.loads(results) if isinstance(results, str | bytes) else results,
        )
        for period, contract, kind, employer, number, name, results in rows
    ]


def _children_rows(person: Person, window: Window) -> list[dict[str, Any]]:
    return [
        child_month_row(d, d.current_version.results)
        for d in _declarations(person, EMPLOYER, window.first, window.last)
    ]


def _yearly_employer_rows(person: Person, window: Window) -> list[dict[str, Any]]:
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for d in _declarations(person, EMPLOYER, window.first, window.last):
        r = d.current_version.results
        key = (_person_ref(d.contract.employee), d.contract.kind)
        row = totals.setdefault(
            key,
            {
                "annee": window.year,
                "salarie": key[0],
                "type_emploi": key[1],
                "mois_declares": 0,
                "salaires_nets": Decimal(0),
                "cout_employeur": Decimal(0),
                "cmg": Decimal(0),
                "reste_a_charge": Decimal(0),
            },
        )
        row["mois_declares"] += 1
        row["salaires_nets"] += _line(r, "net_pay") or 0
        row["cout_employeur"] += _line(r, "employer_cost") or 0
        row["cmg"] += (_line(r, "cmg_pay") or 0) + (_line(r, "cmg_contributions") or 0)
        row["reste_a_charge"] += _line(r, "parent_cost") or 0
    out = []
    for row in totals.values():
        for k in ("salaires_nets", "cout_employeur", "cmg", "reste_a_charge"):
            row[k] = str(Decimal(row[k]).quantize(Decimal("0.01")))
        out.append(row)
    return out


END_REASONS = {
    "employer_withdrawal": "retrait de l'enfant",
    "dismissal": "licenciement",
    "resignation": "démission",
    "serious_misconduct": "faute grave ou lourde",
    "agrement_withdrawal": "suspension ou retrait de l'agrément",
    "child_death": "décès de l'enfant",
}


def _attestation_rows(person: Person, window: Window) -> list[dict[str, Any]]:
    contracts = Contract.objects.filter(
        employee=person, status=ContractStatus.ENDED, end_date__isnull=False
    ).select_related("employer")
    if window.contract is not None:
        contracts = contracts.filter(pk=window.contract)
    return [attestation_row(contract) for contract in contracts.order_by("end_date", "pk")]


def attestation_row(contract: Contract) -> dict[str, Any]:
    """The attestation employeur of an ended contract: its last 12 months as declared (the
    versions in force)."""
    end = contract.end_date.year * 12 + contract.end_date.month - 1
    declarations = (
        Declaration.objects.filter(
            contract=contract,
            period__gt=end - 12,
            period__lte=end,
            current_version__isnull=False,
        )
        .select_related("current_version")
        .order_by("period")
    )
    months, termination, compensation = [], Decimal(0), Decimal(0)
    for d in declarations:
        r = d.current_version.results
        months.append(
            {
                "mois": month_code(d.period),
                "salaire_brut": _amount(r, "gross_pay"),
                "heures": _hours(r),
                "jours_activite": _days(r),
            }
        )
        termination += _line(r, "termination_indemnity") or 0
        compensation += _line(r, "leave_compensation") or 0
    return {
        "contrat": contract.pk,
        "employeur": _person_ref(contract.employer),
        "employeur_nom": contract.employer.display_name,
        "type_emploi": contract.kind,
        "debut": contract.start_date.isoformat(),
        "fin": contract.end_date.isoformat(),
        "motif_fin": END_REASONS.get(contract.end_reason, contract.end_reason),
        "salaires_12_mois": months,
        "indemnite_rupture": str(termination),
        "indemnite_compensatrice_conges": str(compensation),
    }


_MONTHLY_EMPLOYEE_FIELDS = {
    "mois": "Mois",
    "employeur": "Identifiant de l'employeur",
    "employeur_nom": "Nom de l'employeur",
    "contrat": "Numéro du contrat",
    "type_emploi": "Type d'emploi (assistant maternel, garde à domicile)",
    "heures": "Heures rémunérées",
    "jours_activite": "Jours d'activité",
    "salaire_brut": "Salaire brut",
    "salaire_net": "Salaire net",
    "net_imposable": "Net imposable",
    "pas_retenu": "Prélèvement à la source retenu",
}

RESOURCES: dict[str, Resource] = {
    r.code: r
    for r in (
        Resource(
            "salaires",
            "Salaires mensuels par employeur (indemnités journalières)",
            EMPLOYEE,
            _MONTHLY_EMPLOYEE_FIELDS,
            _monthly_employee_rows,
        ),
        Resource(
            "activite_mensuelle",
            "Heures et salaires du mois par employeur (actualisation)",
            EMPLOYEE,
            _MONTHLY_EMPLOYEE_FIELDS,
            _monthly_employee_rows,
        ),
        Resource(
            "prelevement_source",
            "Prélèvement à la source retenu chaque mois",
            EMPLOYEE,
            _MONTHLY_EMPLOYEE_FIELDS,
            _monthly_employee_rows,
        ),
        Resource(
            "ressources_mensuelles",
            "Ressources mensuelles du salarié",
            EMPLOYEE,
            _MONTHLY_EMPLOYEE_FIELDS,
            _monthly_employee_rows,
        ),
        Resource(
            "attestation_employeur",
            "Attestation employeur (fin de contrat)",
            EMPLOYEE,
            {
                "contrat": "Numéro du contrat",
                "employeur": "Identifiant de l'employeur",
                "employeur_nom": "Nom de l'employeur",
                "type_emploi": "Type d'emploi",
                "debut": "Date de début du contrat",
                "fin": "Date de fin du contrat",
                "motif_fin": "Motif de la fin du contrat",
                "salaires_12_mois": "Salaires, heures et jours des 12 derniers mois",
                "indemnite_rupture": "Indemnité de rupture ou de licenciement",
                "indemnite_compensatrice_conges": "Indemnité compensatrice de congés payés",
            },
            _attestation_rows,
        ),
        Resource(
            "garde_enfants",
            "Heures, coût et CMG par enfant et par mois",
            EMPLOYER,
            {
                "mois": "Mois",
                "enfant": "Identifiant de l'enfant",
                "enfant_prenom": "Prénom de l'enfant",
                "salarie": "Identifiant du salarié",
                "type_emploi": "Type d'emploi",
                "heures": "Heures de garde rémunérées",
                "salaire_net": "Salaire net",
                "indemnites_entretien": "Indemnités d'entretien",
                "cout_employeur": "Coût pour l'employeur",
                "cmg_remuneration": "CMG « rémunération »",
                "cmg_cotisations": "Cotisations prises en charge (CMG)",
                "reste_a_charge": "Reste à charge de la famille",
            },
            _children_rows,
        ),
        Resource(
            "montants_annuels",
            "Montants annuels pour les crédits d'impôt",
            EMPLOYER,
            {
                "annee": "Année",
                "salarie": "Identifiant du salarié",
                "type_emploi": "Type d'emploi",
                "mois_declares": "Nombre de mois déclarés",
                "salaires_nets": "Salaires nets de l'année",
                "cout_employeur": "Coût pour l'employeur sur l'année",
                "cmg": "CMG de l'année (rémunération et cotisations)",
                "reste_a_charge": "Reste à charge de l'année",
            },
            _yearly_employer_rows,
        ),
    )
}

FIELD_LABELS: dict[str, str] = {}
for _resource in RESOURCES.values():
    for _code, _label in _resource.fields.items():
        FIELD_LABELS.setdefault(_code, _label)


def mask(
    rows: list[dict[str, Any]], allowed: list[str], asked: list[str] | None
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Rows reduced to the fields of the scope (and, among them, those asked if any).

    Returns the rows, the fields granted and the fields asked but refused. A field outside the
    scope is never in a row, whatever was asked."""
    allowed_set = set(allowed)
    if asked:
        granted = [f for f in allowed if f in set(asked)]
        refused = sorted({f for f in asked if f not in allowed_set})
    else:
        granted, refused = list(allowed), []
    keep = set(granted)
    return [{k: v for k, v in row.items() if k in keep} for row in rows], granted, refused
