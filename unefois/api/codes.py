"""Errors in the shape of Urssaf's API: objects ``{code, message, description}``, in French,
with stable codes ``ER_API_<nnn>_<B|NB>_<nnnn>``: ``nnn`` the number of the API (020 for
« vérifier un employeur », 050 for « déclarer AMA »…), ``B`` blocking or ``NB`` non-blocking
(``erreursNonBloquantes``), then the reason below. The same reason keeps its number on every
route. Reasons 1000 and above are the checks of the rules core (``unefois.rules.checks``).

The codes are unefois' own, written in the format of the Swagger's example
(``ER_API_020_NB_0000``): Urssaf does not publish its list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from unefois.rules.checks import ERROR, Finding

from .grants import OPERATIONS

# ---- Reasons ----------------------------------------------------------------------------------

INVALID_REQUEST = 1
EMPLOYER_UNKNOWN = 2
NO_MANDATE = 3
EMPLOYEE_UNKNOWN = 4
EMPLOYEE_IDENTIFICATION = 5
NO_CONTRACT = 6
SEVERAL_CONTRACTS = 7
INVALID_PERIOD = 8
INVALID_AMOUNT = 9
CALCULATION_MODE = 10
UNKNOWN_VALUE = 11
END_OF_CONTRACT = 12
ALREADY_DECLARED = 13
NOT_REPRODUCIBLE = 14
FUTURE_PERIOD = 15
NO_MANDATE_TO_CANCEL = 16
SCOPE = 17
TOO_MANY_REQUESTS = 18
INVALID_TOKEN = 19
TECHNICAL = 20
EMPLOYEE_CREATION = 21
ACTIVITY_KIND = 22
EMPLOYER_INACTIVE = 23
MISSING_PART = 24

# Non-blocking notices.
HOURS_ASSUMED = 101
ACTIVITY_SUPPLEMENT = 102
OVERSEAS = 103
HOURLY_WAGE_DIFFERS = 104
ACTIVITY_DAYS_DIFFER = 105
SPECIFIC_HOURS = 106
DECLARED_ALREADY = 107
NET_ROUNDED = 108
EMPLOYEE_NOT_CREATED = 109

# The rules core's checks, by their code (unefois.rules.checks.RULES), each with its number.
RULES_CORE = {
    "PERIODE_HORS_PARAMETRES": 1001,
    "TYPE_SALARIE_INCONNU": 1002,
    "HORAIRE_VIDE": 1003,
    "JOURNEE_TROP_LONGUE": 1004,
    "SEMAINES_INVALIDES": 1005,
    "GED_52_SEMAINES": 1006,
    "OPTION_CONGES_INVALIDE": 1007,
    "SALAIRE_MANQUANT": 1008,
    "DATES_CONTRAT": 1009,
    "CONTRAT_HORS_MOIS": 1010,
    "SALAIRE_INFERIEUR_MINIMUM": 1011,
    "MAJORATION_INSUFFISANTE": 1012,
    "DUREE_MAXIMALE": 1013,
    "ENTRETIEN_INFERIEUR_MINIMUM": 1014,
    "ABSENCES_SUPERIEURES_AU_MOIS": 1015,
    "AMA_PLUS_DE_45_HEURES": 1016,
    "MALADIE_ENFANT_AU_DELA": 1017,
    "PAS_DE_CMG": 1018,
    "TAUX_NEUTRE": 1019,
    "CONGES_DIXIEME_PLUS_FAVORABLE": 1020,
}
NEGATIVE_VALUE = 1100  # the rules core's NEGATIF:<field>
OTHER_RULE = 1999


def code(operation: str, number: int, blocking: bool = True) -> str:
    api = OPERATIONS.get(operation, "000")
    return f"ER_API_{api}_{'B' if blocking else 'NB'}_{number:04d}"


@dataclass(frozen=True)
class Problem:
    """One error or notice, before it is given the code of the route that met it."""

    number: int
    message: str
    description: str = ""
    blocking: bool = True

    def as_erreur(self, operation: str) -> dict[str, str]:
        return {
            "code": code(operation, self.number, self.blocking),
            "message": self.message,
            "description": self.description or self.message,
        }


def from_finding(finding: Finding) -> Problem:
    """A check of the rules core as a Swagger error (blocking when the check is an error)."""
    if finding.code.startswith("NEGATIF:"):
        number = NEGATIVE_VALUE
    else:
        number = RULES_CORE.get(finding.code, OTHER_RULE)
    description = f"Contrôle {finding.code} du cœur de règles"
    if finding.reference:
        description += f" ; référence : {finding.reference}"
    return Problem(number, finding.message, description, finding.severity == ERROR)


@dataclass
class ApiError(Exception):
    """A refusal, with its HTTP status and its problems (at least one). ``subject`` is the
    person concerned, when known (for the exchange log)."""

    status: int
    problems: list[Problem]
    subject: int | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__("; ".join(p.message for p in self.problems))

    @property
    def result(self) -> str:
        return f"refus_{self.problems[0].number:04d}" if self.problems else "refus"

    def body(self, operation: str, single: bool = False) -> Any:
        """The error body: a list of ``Erreur`` (most routes), or one ``Erreur`` (mandates)."""
        errors = [p.as_erreur(operation) for p in self.problems]
        if single:
            first = dict(errors[0])
            if len(errors) > 1:
                first["description"] = " ; ".join(e["description"] for e in errors)
            return first
        return errors


def refuse(number: int, message: str, description: str = "", status: int = 400, **kw):
    return ApiError(status, [Problem(number, message, description)], **kw)
