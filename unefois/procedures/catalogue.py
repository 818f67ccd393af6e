"""The procedures of the platform, as data: the facts each needs."""

from __future__ import annotations

import secrets

from .engine import Need, Procedure


def departement(ctx: dict) -> str | None:
    """Département from the postcode (Corsica: 2A below 20200, 2B above; overseas: 3 digits)."""
    postcode = ctx["plan"].get("postcode")
    if not postcode:
        return None
    if postcode.startswith("97"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if int(postcode) < 20200 else "2B"
    return postcode[:2]


def alsace_moselle(ctx: dict) -> bool | None:
    value = ctx["plan"].get("departement") or departement(ctx)
    return None if value is None else value in ("57", "67", "68")


def employer_number(ctx: dict) -> str:
    """A Pajemploi-like employer number, assigned once at sign-up."""
    return "E" + "".join(secrets.choice("0123456789") for _ in range(9))


def employee_number(ctx: dict) -> str:
    return "S" + "".join(secrets.choice("0123456789") for _ in range(9))


def from_employee(key: str):
    """The employee's usual terms (told once in her profile) pre-fill each new contract."""

    def derive(ctx: dict):
        return ctx.get("employee", {}).get(key)

    return derive


ADDRESS = (
    Need("street", "person", "Adresse (numéro et rue)"),
    Need("postcode", "person", "Code postal", "postcode"),
    Need("city", "person", "Commune"),
    Need("departement", "person", "Département", derive=departement, after=("postcode",)),
    Need(
        "alsace_moselle",
        "person",
        "Régime local d'Alsace-Moselle",
        "boolean",
        derive=alsace_moselle,
        after=("postcode", "departement"),
    ),
)
IDENTITY = (
    Need("given_name", "person", "Prénom(s)"),
    Need("family_name", "person", "Nom de naissance"),
    Need("birthdate", "person", "Date de naissance", "date"),
)
YES_NO = (("oui", "Oui"), ("non", "Non"))

EMPLOYER_SIGNUP = Procedure(
    "inscription-employeur",
    "M'inscrire comme parent employeur",
    (
        *IDENTITY,
        *ADDRESS,
        Need("employer_number", "person", "Numéro d'employeur", derive=employer_number),
        Need("dependent_children", "person", "Nombre d'enfants à charge", "integer"),
        Need(
            "single_parent",
            "person",
            "Vivez-vous seul(e) avec vos enfants ?",
            "boolean",
            choices=YES_NO,
        ),
        Need(
            "monthly_resources",
            "person",
            "Ressources mensuelles du foyer (€)",
            "money",
            hint="Celles que la CAF connaît ; elles servent au calcul du CMG.",
        ),
        Need(
            "cmg",
            "person",
            "Percevez-vous le complément de libre choix du mode de garde (CMG) ?",
            "boolean",
            choices=YES_NO,
        ),
        Need("child_given_name", "person", "Prénom de l'enfant gardé", store=False),
        Need("child_birthdate", "person", "Date de naissance de l'enfant", "date", store=False),
    ),
)

EMPLOYEE_KINDS = (
    ("ama", "Assistant(e) maternel(le) agréé(e)"),
    ("ged", "Garde d'enfants à domicile"),
)

EMPLOYEE_SIGNUP = Procedure(
    "inscription-salarie",
    "M'inscrire comme assistant(e) maternel(le) ou garde d'enfants",
    (
        *IDENTITY,
        *ADDRESS,
        Need("employee_kind", "person", "Votre métier", "choice", choices=EMPLOYEE_KINDS),
        Need("nir", "person", "Numéro de sécurité sociale", "nir"),
        Need("iban", "person", "IBAN du compte où recevoir votre salaire", "iban"),
        Need("pajemploi_number", "person", "Numéro de salarié", derive=employee_number),
        Need(
            "rate_hourly_gross",
            "person",
            "Votre tarif horaire brut habituel (€)",
            "money",
            hint="Il pré-remplira les contrats que vous proposeront les parents.",
        ),
        Need(
            "rate_entretien_per_day",
            "person",
            "Votre indemnité d'entretien habituelle (€ par jour)",
            "money",
            required=False,
        ),
    ),
)

LEAVE_PAYMENTS = (
    ("included", "Compris dans le salaire (52 semaines)"),
    ("june", "En une fois, en juin"),
    ("main_leave", "Au moment du congé principal"),
    ("as_taken", "Au fur et à mesure des congés pris"),
)

HIRE = Procedure(
    "embauche",
    "Embaucher une assistante maternelle ou une garde d'enfants",
    (
        Need("start_date", "contract", "Date de début du contrat", "date", store=False),
        Need(
            "weeks_per_year",
            "contract",
            "Semaines d'accueil par an",
            "integer",
            hint="52 pour une année complète ; 46 au plus sinon.",
        ),
        Need("schedule", "contract", "Heures prévues chaque jour d'une semaine type", "schedule"),
        Need(
            "hourly_gross",
            "contract",
            "Salaire horaire brut (€)",
            "money",
            derive=from_employee("rate_hourly_gross"),
        ),
        Need(
            "entretien_per_day",
            "contract",
            "Indemnité d'entretien par jour (€)",
            "money",
            required=False,
            derive=from_employee("rate_entretien_per_day"),
        ),
        Need(
            "meal_per_day", "contract", "Indemnité de repas par jour (€)", "money", required=False
        ),
    ),
)

CHANGE_BANK = Procedure(
    "changement-rib",
    "Changer de coordonnées bancaires",
    (Need("iban", "person", "Nouvel IBAN", "iban"),),
    changes=frozenset({"iban"}),
)

CHANGE_ADDRESS = Procedure(
    "changement-adresse",
    "Changer d'adresse",
    ADDRESS,
    changes=frozenset({"street", "postcode", "city"}),
)

END_REASONS = (
    ("employer_withdrawal", "Retrait de l'enfant (je mets fin au contrat)"),
    ("resignation", "Démission du salarié"),
    ("serious_misconduct", "Faute grave ou lourde"),
    ("agrement_withdrawal", "Suspension ou retrait de l'agrément"),
    ("child_death", "Décès de l'enfant"),
)

END_OF_CONTRACT = Procedure(
    "fin-de-contrat",
    "Mettre fin au contrat",
    (
        Need("end_date", "contract", "Dernier jour du contrat", "date", store=False),
        Need(
            "end_reason",
            "contract",
            "Motif de la fin du contrat",
            "choice",
            choices=END_REASONS,
            store=False,
        ),
    ),
)

ALL = {
    p.slug: p
    for p in (EMPLOYER_SIGNUP, EMPLOYEE_SIGNUP, HIRE, CHANGE_BANK, CHANGE_ADDRESS, END_OF_CONTRACT)
}
