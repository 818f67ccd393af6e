"""What the documents are made of: plain, frozen dataclasses, never models.

The caller (a page, a procedure, a batch) gathers the facts and builds one ``*Document`` per
document; ``render`` turns it into HTML and PDF. Each dataclass checks, when it is built, what
would make the document wrong (an unknown end reason, a float amount, a payslip in error…) and
raises ``DocumentError`` with a French message.

Money is ``Decimal`` (an ``int`` is accepted; a ``float`` is refused). Months are ``"YYYY-MM"``.
The helpers at the end build the figures from payslips computed by the rules core
(``unefois.rules.explain.Payslip``), so that a document never re-computes the law.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from unefois.rules.explain import Payslip

from .formatting import as_decimal

Kind = Literal["ama", "ged"]

JOB_TITLES: dict[str, str] = {
    "ama": "Assistant maternel agréé",
    "ged": "Garde d'enfants à domicile",
}
CONVENTION = (
    "Convention collective nationale des particuliers employeurs et de l'emploi à domicile "
    "du 15 mars 2021 (IDCC 3239)"
)
RECOVERY_BODY = "Urssaf — service Pajemploi"
RETIREMENT_FUND = "IRCEM (retraite complémentaire Agirc-Arrco)"
PROVIDENT_FUND = "IRCEM Prévoyance"

# End of a contract: the reasons the platform knows, with the label printed on the documents.
# The first six are those of the rules core's input (``end.reason``) and of ``contracts``.
END_REASONS: dict[str, str] = {
    "employer_withdrawal": "Retrait de l'enfant par le particulier employeur",
    "dismissal": "Licenciement",
    "resignation": "Démission du salarié",
    "serious_misconduct": "Licenciement pour faute grave ou lourde",
    "agrement_withdrawal": "Suspension ou retrait de l'agrément de l'assistant maternel",
    "child_death": "Décès de l'enfant",
    "trial_period_employer": "Rupture de la période d'essai à l'initiative de l'employeur",
    "trial_period_employee": "Rupture de la période d'essai à l'initiative du salarié",
    "fixed_term_end": "Fin de contrat à durée déterminée",
    "employer_death": "Décès du particulier employeur",
    "other": "Autre motif",
}

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_NIR = re.compile(r"^[12378]\d{2}(0[1-9]|1[0-2]|[2-9]\d)(\d{2}|2A|2B)\d{6}\d{2}$")


class DocumentError(ValueError):
    """The data cannot make a correct document (the message says why, in French)."""


def _money(owner: object, *names: str) -> None:
    """Check, and store as ``Decimal``, the money fields of a frozen dataclass."""
    for name in names:
        value = getattr(owner, name)
        if value is None:
            continue
        try:
            object.__setattr__(owner, name, as_decimal(value))
        except (TypeError, ArithmeticError) as error:
            raise DocumentError(f"{name} : {error}") from error


def _check_kind(kind: str) -> None:
    if kind not in JOB_TITLES:
        raise DocumentError(f"type d'emploi inconnu : {kind!r} (attendu : ama ou ged)")


def _check_month(month: str) -> None:
    if not _MONTH.match(month):
        raise DocumentError(f"mois invalide : {month!r} (attendu : AAAA-MM)")


# ---- The parties ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str
    city: str
    complement: str = ""

    def lines(self) -> list[str]:
        return [
            line for line in (self.street, self.complement, f"{self.postcode} {self.city}") if line
        ]


@dataclass(frozen=True)
class Employer:
    """The parent employer. ``pajemploi_number`` is the employer's registration number at
    Pajemploi, under which contributions are paid (R3243-1 2° of the Code du travail)."""

    name: str
    address: Address
    pajemploi_number: str


@dataclass(frozen=True)
class Employee:
    """The employee. ``nir`` (numéro de sécurité sociale, 15 characters with its key) is printed
    on the payslip and on the France Travail attestation only; ``birth_date`` on the attestation.
    ``pajemploi_number`` is the employee's own Pajemploi number, when known."""

    name: str
    address: Address
    nir: str | None = None
    birth_date: dt.date | None = None
    pajemploi_number: str | None = None

    def __post_init__(self) -> None:
        if self.nir is not None:
            compact = self.nir.replace(" ", "").upper()
            if not _NIR.match(compact):
                raise DocumentError("numéro de sécurité sociale invalide (15 caractères attendus)")
            object.__setattr__(self, "nir", compact)


@dataclass(frozen=True)
class Employment:
    """The contract as the documents show it: the job, its first and (if ended) last day.

    ``classification`` is the position in the convention's classification when there is one
    (GED: e.g. « Niveau III »), printed on the payslip (R3243-1 4°).
    ``end`` is the last day of the contract: the end of the notice, worked or not.
    """

    kind: Kind
    start: dt.date
    end: dt.date | None = None
    classification: str = ""
    fixed_term: bool = False  # contrat à durée déterminée

    def __post_init__(self) -> None:
        _check_kind(self.kind)
        if self.end is not None and self.end < self.start:
            raise DocumentError("la fin du contrat précède son début")

    @property
    def job_title(self) -> str:
        return JOB_TITLES[self.kind]


@dataclass(frozen=True)
class Signature:
    """Where and when a document is signed, and by whom (by default: the employer)."""

    place: str
    on: dt.date
    signatory: str = ""


# ---- 1. The payslip -------------------------------------------------------------------------


@dataclass(frozen=True)
class LeavePeriod:
    """Paid leave taken in the month (R3243-1 : dates of leave on the payslip)."""

    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise DocumentError("période de congés : la fin précède le début")


@dataclass(frozen=True)
class PayslipDocument:
    """The bulletin de salaire of one month.

    ``slip`` is the rules core's explained payslip; ``declared_on`` the date of the Pajemploi
    declaration it comes from (printed in the footer); ``paid_on`` the payment date;
    ``net_social`` the « montant net social » when the caller knows it (the rules core does not
    compute it yet).
    """

    slip: Payslip
    employer: Employer
    employee: Employee
    employment: Employment
    declared_on: dt.date
    paid_on: dt.date | None = None
    leave: tuple[LeavePeriod, ...] = ()
    net_social: Decimal | None = None

    def __post_init__(self) -> None:
        if self.slip.errors:
            first = self.slip.errors[0]
            raise DocumentError(
                f"le bulletin de {self.slip.month} est en erreur ({first.message}) : "
                "aucun document n'est établi"
            )
        if self.slip.employee != self.employment.kind:
            raise DocumentError(
                f"le bulletin est celui d'un emploi {self.slip.employee!r}, "
                f"le contrat est {self.employment.kind!r}"
            )
        _check_month(self.slip.month)
        _money(self, "net_social")


# ---- End of the contract -----------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """The notice (préavis): its dates, whether it was worked, whether it was paid."""

    first: dt.date | None
    last: dt.date | None
    worked: bool
    paid: bool = True
    duration: str = ""  # as the rules core says it (``Payslip.facts["preavis"]``), e.g. « 1 mois »

    def __post_init__(self) -> None:
        if self.first and self.last and self.last < self.first:
            raise DocumentError("préavis : la fin précède le début")


@dataclass(frozen=True)
class MonthPay:
    """One month of the France Travail attestation: hours paid and gross salary (without the
    entretien, meal and mileage allowances), unpaid days, and a remark (sick leave…)."""

    month: str
    hours: Decimal
    gross: Decimal
    unpaid_days: Decimal = Decimal(0)
    remark: str = ""

    def __post_init__(self) -> None:
        _check_month(self.month)
        _money(self, "hours", "gross", "unpaid_days")


@dataclass(frozen=True)
class EndSums:
    """The sums paid because the contract ends (gross amounts, as the attestation asks)."""

    termination_indemnity: Decimal = Decimal(0)  # indemnité de rupture (AMA) / de licenciement
    leave_compensation: Decimal = Decimal(0)  # indemnité compensatrice de congés payés
    regularisation: Decimal = Decimal(0)  # AMA, année incomplète
    notice_compensation: Decimal = Decimal(0)  # indemnité compensatrice de préavis
    other: tuple[PaidSum, ...] = ()

    def __post_init__(self) -> None:
        _money(
            self,
            "termination_indemnity",
            "leave_compensation",
            "regularisation",
            "notice_compensation",
        )


@dataclass(frozen=True)
class AttestationEmployeurDocument:
    """The attestation employeur destinée à France Travail, pre-filled for the employer to check
    and sign. ``months``: the last twelve months (or fewer), in any order."""

    employer: Employer
    employee: Employee
    employment: Employment
    end_reason: str
    last_worked_day: dt.date
    months: tuple[MonthPay, ...]
    sums: EndSums
    signature: Signature
    notice: Notice | None = None
    end_reason_detail: str = ""
    weekly_hours: Decimal | None = None
    family_tie: bool = False  # lien de parenté entre l'employeur et le salarié
    alsace_moselle: bool = False

    def __post_init__(self) -> None:
        if self.end_reason not in END_REASONS:
            raise DocumentError(f"motif de fin de contrat inconnu : {self.end_reason!r}")
        if self.end_reason == "other" and not self.end_reason_detail:
            raise DocumentError("motif « autre » : précisez-le (end_reason_detail)")
        if self.employment.end is None:
            raise DocumentError("l'attestation suppose un contrat terminé (date de fin)")
        if self.last_worked_day > self.employment.end:
            raise DocumentError("le dernier jour travaillé est après la fin du contrat")
        if len({m.month for m in self.months}) != len(self.months):
            raise DocumentError("un mois figure deux fois dans les salaires")
        object.__setattr__(self, "months", tuple(sorted(self.months, key=lambda m: m.month)))
        _money(self, "weekly_hours")

    @property
    def end_reason_label(self) -> str:
        return END_REASONS[self.end_reason]


@dataclass(frozen=True)
class CertificatDeTravailDocument:
    """The certificat de travail (Code du travail D1234-6). ``jobs`` lists the jobs held one
    after the other, with their periods, when there were several; by default the one job of
    ``employment`` over the whole contract."""

    employer: Employer
    employee: Employee
    employment: Employment
    signature: Signature
    jobs: tuple[tuple[str, dt.date, dt.date], ...] = ()

    def __post_init__(self) -> None:
        if self.employment.end is None:
            raise DocumentError("le certificat de travail suppose un contrat terminé")
        if not self.jobs:
            jobs = ((self.employment.job_title, self.employment.start, self.employment.end),)
            object.__setattr__(self, "jobs", jobs)


@dataclass(frozen=True)
class PaidSum:
    """One sum of an inventory. ``included`` marks a detail of the sum above it (« dont … »),
    shown but not added to the total."""

    label: str
    amount: Decimal
    detail: str = ""
    included: bool = False

    def __post_init__(self) -> None:
        _money(self, "amount")


@dataclass(frozen=True)
class RecuSoldeDeToutCompteDocument:
    """The reçu pour solde de tout compte (Code du travail L1234-20, D1234-7): the inventory of
    the sums paid at the end of the contract, signed by the employee.

    ``expected_total``, when given (e.g. the net paid of the last payslip), must equal the sum
    of the inventory: the document is refused otherwise.
    """

    employer: Employer
    employee: Employee
    employment: Employment
    sums: tuple[PaidSum, ...]
    signature: Signature
    paid_on: dt.date | None = None
    payment_method: str = ""
    expected_total: Decimal | None = None

    def __post_init__(self) -> None:
        if self.employment.end is None:
            raise DocumentError("le reçu pour solde de tout compte suppose un contrat terminé")
        if not self.sums:
            raise DocumentError("le reçu ne mentionne aucune somme")
        if self.sums[0].included:
            raise DocumentError("le premier montant ne peut pas être le détail d'un autre")
        _money(self, "expected_total")
        if self.expected_total is not None and self.expected_total != self.total:
            raise DocumentError(
                f"le total des sommes ({self.total}) n'est pas le montant versé "
                f"({self.expected_total})"
            )

    @property
    def total(self) -> Decimal:
        return sum((s.amount for s in self.sums if not s.included), Decimal("0.00"))


# ---- 5. The yearly summary ------------------------------------------------------------------


@dataclass(frozen=True)
class YearWithEmployer:
    """A year of pay from one employer, for the employee's income-tax return.

    ``exempt_overtime``: net pay of the extra hours exempt from income tax (CGI art. 81 quater),
    not included in ``taxable_net``. ``entretien``, ``meals`` and ``care_days`` concern an AMA.
    """

    employer: Employer
    kind: Kind
    taxable_net: Decimal
    exempt_overtime: Decimal = Decimal(0)
    pas_withheld: Decimal = Decimal(0)
    entretien: Decimal = Decimal(0)
    meals: Decimal = Decimal(0)
    care_days: Decimal = Decimal(0)
    months: int = 0

    def __post_init__(self) -> None:
        _check_kind(self.kind)
        _money(
            self,
            "taxable_net",
            "exempt_overtime",
            "pas_withheld",
            "entretien",
            "meals",
            "care_days",
        )


@dataclass(frozen=True)
class YearlySummaryDocument:
    year: int
    employee: Employee
    employers: tuple[YearWithEmployer, ...]
    issued_on: dt.date

    def __post_init__(self) -> None:
        if not self.employers:
            raise DocumentError("aucun employeur pour cette année")

    @property
    def has_ama(self) -> bool:
        return any(e.kind == "ama" for e in self.employers)

    def total(self, name: str) -> Decimal:
        return sum((getattr(e, name) for e in self.employers), Decimal(0))


# ---- From the rules core's payslips ---------------------------------------------------------


def end_sums_from_payslip(slip: Payslip, notice_compensation: Decimal = Decimal(0)) -> EndSums:
    """The end-of-contract sums of the last payslip (gross amounts)."""
    return EndSums(
        termination_indemnity=slip.amount("termination_indemnity"),
        leave_compensation=slip.amount("leave_compensation"),
        regularisation=slip.amount("regularisation_pay"),
        notice_compensation=notice_compensation,
    )


def settlement_from_payslip(slip: Payslip) -> tuple[PaidSum, ...]:
    """The inventory of the reçu pour solde de tout compte from the last payslip: the net
    salary of the month (with its end-of-contract parts as details), the allowances, the
    indemnity, less the tax withheld. Its total is the payslip's « net à payer »."""
    sums = [
        PaidSum(
            "Salaire net du dernier mois (avant impôt sur le revenu)",
            slip.amount("net_pay"),
            "salaire brut moins les cotisations salariales",
        )
    ]
    details = (
        ("leave_compensation", "dont indemnité compensatrice de congés payés (montant brut)"),
        ("regularisation_pay", "dont régularisation de salaire (montant brut)"),
    )
    for code, label in details:
        if slip.amount(code):
            sums.append(PaidSum(label, slip.amount(code), "comprise dans le salaire", True))
    others = (
        ("entretien", "Indemnités d'entretien", "non soumises à cotisations"),
        ("meals", "Indemnités de repas", "non soumises à cotisations"),
        ("mileage", "Indemnités kilométriques", "non soumises à cotisations"),
        (
            "termination_indemnity",
            "Indemnité de rupture" if slip.employee == "ama" else "Indemnité de licenciement",
            "non soumise à cotisations",
        ),
    )
    for code, label, detail in others:
        if slip.amount(code):
            sums.append(PaidSum(label, slip.amount(code), detail))
    if slip.amount("pas"):
        sums.append(
            PaidSum(
                "Prélèvement à la source retenu",
                -slip.amount("pas"),
                "impôt sur le revenu reversé à l'administration fiscale",
            )
        )
    return tuple(sums)


def month_pay_from_payslip(slip: Payslip, remark: str = "") -> MonthPay:
    """A month of the France Travail attestation from its payslip: hours paid as declared to
    Pajemploi (normal + extra hours) and the gross salary."""
    declared = slip.declaration
    extra = sum(
        (
            Decimal(declared.get(key, 0))
            for key in ("heures_complementaires", "heures_majorees", "heures_supplementaires")
        ),
        Decimal(0),
    )
    return MonthPay(
        month=slip.month,
        hours=Decimal(declared.get("heures_normales", 0)) + extra,
        gross=slip.amount("gross_pay"),
        remark=remark,
    )


def year_from_payslips(employer: Employer, slips: Iterable[Payslip]) -> YearWithEmployer:
    """A year with one employer from the payslips of that year.

    The exempt overtime is what the rules core took out of the taxable net: net + CSG non
    déductible + CRDS − net imposable (the formula of the ``taxable_net`` line).
    """
    slips = [s for s in slips if not s.errors]
    if not slips:
        raise DocumentError("aucun bulletin calculé pour cet employeur")
    kinds = {s.employee for s in slips}
    if len(kinds) != 1:
        raise DocumentError("bulletins de plusieurs types d'emploi pour un même employeur")

    def total(code: str) -> Decimal:
        return sum((s.amount(code) for s in slips), Decimal("0.00"))

    exempt = (
        total("net_pay")
        + total("employee.csg_non_deductible")
        + total("employee.crds")
        - total("taxable_net")
    )
    is_ama = kinds == {"ama"}
    return YearWithEmployer(
        employer=employer,
        kind=kinds.pop(),
        taxable_net=total("taxable_net"),
        exempt_overtime=max(exempt, Decimal("0.00")),
        pas_withheld=total("pas"),
        entretien=total("entretien"),
        meals=total("meals"),
        care_days=sum((_care_days(s) for s in slips), Decimal(0)) if is_ama else Decimal(0),
        months=len(slips),
    )


def _care_days(slip: Payslip) -> Decimal:
    """Days of care of the month (the days that give rise to the entretien allowance)."""
    text = slip.facts.get("jours_d_accueil")
    if text is None:
        return Decimal(slip.declaration.get("jours_activite", 0))
    return Decimal(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))


__all__ = [
    "CONVENTION",
    "END_REASONS",
    "JOB_TITLES",
    "Address",
    "AttestationEmployeurDocument",
    "CertificatDeTravailDocument",
    "DocumentError",
    "Employee",
    "Employer",
    "Employment",
    "EndSums",
    "LeavePeriod",
    "MonthPay",
    "Notice",
    "PaidSum",
    "PayslipDocument",
    "RecuSoldeDeToutCompteDocument",
    "Signature",
    "YearWithEmployer",
    "YearlySummaryDocument",
    "end_sums_from_payslip",
    "month_pay_from_payslip",
    "settlement_from_payslip",
    "year_from_payslips",
]
