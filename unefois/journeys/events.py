"""The journey events the platform captures, shared by the web app (capture) and the analyses.

One event is one row of the canonical event table (``io``): a case (one run of a procedure by
one person), an activity from :class:`Activity`, a server-side timestamp, a per-case sequence
number, and the attributes of :class:`Attribute`. No name, no NIR, no free text other than the
reason a person gives when contacting support or correcting a declaration: ``user_id`` is a
keyed hash of the account id (``pseudonym``).
"""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum


class Activity(StrEnum):
    """What happened. The values are what the log stores; ``LABELS`` is what people read."""

    PROCEDURE_STARTED = "procedure_started"
    STEP_VIEWED = "step_viewed"
    FIELD_FOCUSED = "field_focused"
    FIELD_CHANGED = "field_changed"
    FIELD_ERROR = "field_error"  # with error_code (client-side or inline check)
    SUBMITTED = "submitted"
    VALIDATION_ERROR = "validation_error"  # server-side refusal of a submit, with error_code
    ABANDONED = "abandoned"  # emitted when a case stays inactive past the abandon delay
    CONFIRMED = "confirmed"  # the procedure is done (declaration confirmed, change recorded)
    CORRECTED = "corrected"  # a confirmed declaration corrected (a new version), with reason
    SUPPORT_CONTACT = "support_contact"  # with reason (free text typed by the person)
    LATE_DECLARATION = "late_declaration"  # a declaration confirmed after its deadline


LABELS: dict[str, str] = {
    Activity.PROCEDURE_STARTED: "Démarche commencée",
    Activity.STEP_VIEWED: "Étape affichée",
    Activity.FIELD_FOCUSED: "Champ sélectionné",
    Activity.FIELD_CHANGED: "Champ modifié",
    Activity.FIELD_ERROR: "Erreur sur un champ",
    Activity.SUBMITTED: "Envoi",
    Activity.VALIDATION_ERROR: "Envoi refusé",
    Activity.ABANDONED: "Abandon",
    Activity.CONFIRMED: "Confirmation",
    Activity.CORRECTED: "Correction",
    Activity.SUPPORT_CONTACT: "Contact avec l'assistance",
    Activity.LATE_DECLARATION: "Déclaration en retard",
}

#: The activities that mark the course of a case (the process map of journeys uses them;
#: field events are summarised by the field analyses instead).
MILESTONES = (
    Activity.PROCEDURE_STARTED,
    Activity.STEP_VIEWED,
    Activity.SUBMITTED,
    Activity.VALIDATION_ERROR,
    Activity.CONFIRMED,
    Activity.ABANDONED,
    Activity.CORRECTED,
    Activity.SUPPORT_CONTACT,
    Activity.LATE_DECLARATION,
)


class Attribute(StrEnum):
    """Columns of the canonical event table besides case_id, activity, timestamp and seq."""

    USER_ID = "user_id"  # pseudonym (keyed hash) of the account
    PROCEDURE = "procedure"  # slug of unefois.procedures.catalogue, or "declaration-mensuelle"
    STEP = "step"  # page of the procedure
    FIELD = "field"  # form field name (the Need key)
    ERROR_CODE = "error_code"  # on field_error and validation_error
    SEGMENT = "segment"  # a coarse group of the person or device (e.g. "mobile")
    REASON = "reason"  # free text of a support contact or of a correction


class Consequence(StrEnum):
    """What a difficulty leads to, from the most to the least severe."""

    ABANDON = "abandon"
    LATE = "late"
    CONTACT = "contact"
    CORRECTION = "correction"


#: abandon > late > contact > correction (the issue's order), as weights of the score.
SEVERITY: dict[Consequence, int] = {
    Consequence.ABANDON: 4,
    Consequence.LATE: 3,
    Consequence.CONTACT: 2,
    Consequence.CORRECTION: 1,
}

CONSEQUENCE_LABELS: dict[Consequence, str] = {
    Consequence.ABANDON: "abandon",
    Consequence.LATE: "déclaration en retard",
    Consequence.CONTACT: "contact avec l'assistance",
    Consequence.CORRECTION: "correction après confirmation",
}

#: The procedures (slugs) the platform records journeys for.
PROCEDURES: dict[str, str] = {
    "inscription-employeur": "M'inscrire comme parent employeur",
    "inscription-salarie": "M'inscrire comme assistant(e) maternel(le) ou garde d'enfants",
    "embauche": "Embaucher une assistante maternelle ou une garde d'enfants",
    "declaration-mensuelle": "Déclarer le mois",
    "changement-adresse": "Changer d'adresse",
    "changement-rib": "Changer de coordonnées bancaires",
    "fin-de-contrat": "Mettre fin au contrat",
}

#: Steps (pages) of the procedures as the platform shows them.
STEPS: dict[str, str] = {
    "recherche": "Recherche du salarié",
    "questions": "Questions",
    "verification": "Vérification des réponses",
    "declaration": "Déclaration du mois",
    "correction": "Correction",
}

#: Error codes the platform raises, with their message (what the person read).
ERROR_CODES: dict[str, str] = {
    "required": "Champ obligatoire",
    "format": "Format non reconnu",
    "date_invalid": "Date invalide",
    "number_invalid": "Nombre invalide",
    "nir_key": "Clé du numéro de sécurité sociale incorrecte",
    "nir_format": "Numéro de sécurité sociale incomplet",
    "iban_checksum": "IBAN incorrect (clé de contrôle)",
    "iban_foreign": "IBAN d'un pays non accepté",
    "postcode_unknown": "Code postal inconnu",
    "decimal_separator": "Nombre d'heures illisible (virgule ou point ?)",
    "hours_out_of_range": "Nombre d'heures hors de la plage admise",
    "weeks_out_of_range": "Nombre de semaines hors de la plage admise",
    "negative": "Valeur négative",
    "choice_invalid": "Réponse hors des choix proposés",
    "not_found": "Personne introuvable (numéro ou nom)",
    "stale_version": "Déclaration modifiée entre-temps",
    "refused": "Déclaration refusée par les contrôles",
    "other": "Autre erreur",
}


def pseudonym(user_key: str | int, secret: bytes) -> str:
    """The ``user_id`` of the journey log: a keyed hash of the account id (HMAC-SHA-256, first
    16 bytes in hex). Without the secret nobody can go back to the account."""
    digest = hmac.new(secret, str(user_key).encode(), hashlib.sha256).hexdigest()
    return digest[:32]


#: What the person read for each field (the ``Need`` labels of the catalogue; the monthly
#: declaration's from ``declare.html``).
FIELD_LABELS: dict[str, str] = {
    "given_name": "Prénom(s)",
    "family_name": "Nom de naissance",
    "birthdate": "Date de naissance",
    "street": "Adresse (numéro et rue)",
    "postcode": "Code postal",
    "city": "Commune",
    "dependent_children": "Nombre d'enfants à charge",
    "single_parent": "Vivez-vous seul(e) avec vos enfants ?",
    "monthly_resources": "Ressources mensuelles du foyer",
    "cmg": "Percevez-vous le CMG ?",
    "child_given_name": "Prénom de l'enfant gardé",
    "child_birthdate": "Date de naissance de l'enfant",
    "employee_kind": "Votre métier",
    "nir": "Numéro de sécurité sociale",
    "iban": "IBAN",
    "rate_hourly_gross": "Tarif horaire brut habituel",
    "rate_entretien_per_day": "Indemnité d'entretien habituelle",
    "start_date": "Date de début du contrat",
    "weeks_per_year": "Semaines d'accueil par an",
    "schedule": "Heures prévues chaque jour d'une semaine type",
    "hourly_gross": "Salaire horaire brut",
    "entretien_per_day": "Indemnité d'entretien par jour",
    "meal_per_day": "Indemnité de repas par jour",
    "end_date": "Dernier jour du contrat",
    "end_reason": "Motif de la fin du contrat",
    "absences": "Jours d'absence",
    "extra_hours": "Heures en plus",
    "conges": "Jours de congés payés pris",
    "motif": "Motif de la correction",
    "numero": "Numéro de salarié (recherche)",
    "nom": "Nom de naissance du salarié (recherche)",
}

SEGMENT_LABELS: dict[str, str] = {
    "mobile": "sur mobile",
    "ordinateur": "sur ordinateur",
    "tablette": "sur tablette",
}
