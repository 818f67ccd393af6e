"""The columns of a month-contract: what the payslip computation reads, one row per payslip.

A batch is a mapping from column name to a numpy array (or a scalar, broadcast to every row).
Missing columns take their default. The same columns are the Parquet schema of
``unefois paie --batch`` and are what ``intake`` produces from one human-written payslip file.

Money is in euros, hours in hours, days in days. Dates are day numbers since 1970-01-01
(``datetime64[D]`` converted to int64); an open contract end is ``NO_END``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

NO_END = np.iinfo(np.int64).max // 2


class Kind(IntEnum):
    AMA = 0
    GED = 1


class LeavePayment(IntEnum):
    """How paid leave is paid (CCN art. 102)."""

    INCLUDED = 0  # 52-week contract: leave is inside the monthly pay
    JUNE = 1  # ≤ 46 weeks: all at once in June
    MAIN_LEAVE = 2  # ≤ 46 weeks: at the main leave
    AS_TAKEN = 3  # ≤ 46 weeks: as leave is taken


class EndReason(IntEnum):
    NONE = 0
    EMPLOYER = 1  # retrait de l'enfant (AMA) / licenciement (GED)
    RESIGNATION = 2
    SERIOUS_MISCONDUCT = 3  # faute grave ou lourde
    AGREMENT_WITHDRAWAL = 4  # suspension ou retrait de l'agrément (AMA)
    CHILD_DEATH = 5


class PasZone(IntEnum):
    """The neutral-rate grid of the withholding tax, by the employee's tax domicile (CGI art.
    204 H, III): 1° metropolitan France (and abroad), 2° Guadeloupe, Martinique and La Réunion,
    3° Guyane and Mayotte."""

    METROPOLE = 0
    GUADELOUPE_MARTINIQUE_REUNION = 1
    GUYANE_MAYOTTE = 2


_OVERSEAS_ZONES = {
    "971": PasZone.GUADELOUPE_MARTINIQUE_REUNION,  # Guadeloupe
    "972": PasZone.GUADELOUPE_MARTINIQUE_REUNION,  # Martinique
    "974": PasZone.GUADELOUPE_MARTINIQUE_REUNION,  # La Réunion
    "973": PasZone.GUYANE_MAYOTTE,  # Guyane
    "976": PasZone.GUYANE_MAYOTTE,  # Mayotte
}


# The overseas collectivités and territories (INSEE codes): each has its own tax rules or none of
# the grids of CGI art. 204 H, III applies there; they are refused, never given another grid.
_OVERSEAS_COLLECTIVITIES = {
    "975": "Saint-Pierre-et-Miquelon",
    "977": "Saint-Barthélemy",
    "978": "Saint-Martin",
    "984": "Terres australes et antarctiques françaises",
    "986": "Wallis-et-Futuna",
    "987": "Polynésie française",
    "988": "Nouvelle-Calédonie",
    "989": "Clipperton",
}
PAS_GRID_RULE = "Code général des impôts, art. 204 H, III"


def pas_zone_of_departement(code: str) -> PasZone:
    """The grid of an employee domiciled in the département ``code`` ("75", "2A", "971"…).

    The overseas collectivités (975 Saint-Pierre-et-Miquelon, 977 Saint-Barthélemy, 978
    Saint-Martin, 98x) have their own tax rules: no grid of CGI art. 204 H applies, and the
    code is refused rather than given another zone's grid. Any other code (« 20 », « 96 »,
    « 979 »…) is not a département and is refused too. The ``ValueError`` says why, in French.
    """
    code = str(code).strip().upper()
    if code in _OVERSEAS_ZONES:
        return _OVERSEAS_ZONES[code]
    mainland = len(code) == 2 and code.isdigit() and 1 <= int(code) <= 95 and code != "20"
    if mainland or code in ("2A", "2B"):
        return PasZone.METROPOLE
    if code in _OVERSEAS_COLLECTIVITIES:
        raise ValueError(
            f"le code {code} désigne {_OVERSEAS_COLLECTIVITIES[code]}, une collectivité ou un "
            "territoire d'outre-mer qui n'est pas un département : aucune des grilles de taux "
            "neutre (métropole ; Guadeloupe, Martinique, La Réunion ; Guyane, Mayotte — "
            f"{PAS_GRID_RULE}) ne s'y applique, et celle d'une autre zone ne peut pas la remplacer"
        )
    raise ValueError(
        f"« {code} » n'est pas un code de département (par exemple 75, 2A, 971) : le "
        f"département du domicile fiscal choisit la grille de taux neutre ({PAS_GRID_RULE})"
    )


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    default: float | int | bool
    label: str
    doc: str = ""


NAN = float("nan")
SCHEDULE = tuple(f"sched_{i}" for i in range(7))

COLUMNS: tuple[Column, ...] = (
    Column(
        "kind", "i1", 0, "Type de salarié", "0 = assistant maternel (AMA), 1 = garde à domicile"
    ),
    Column("period", "i4", 0, "Mois payé", "année × 12 + mois − 1"),
    Column("contract_start", "i8", 0, "Début du contrat", "jour (depuis le 1970-01-01)"),
    Column("contract_end", "i8", NO_END, "Fin du contrat", "dernier jour ; ouvert sinon"),
    Column("weeks_per_year", "f8", 52.0, "Semaines d'accueil par an", "52, ou au plus 46"),
    *(
        Column(name, "f8", 0.0, f"Heures prévues le {day}", "semaine type")
        for name, day in zip(
            SCHEDULE,
            ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
            strict=True,
        )
    ),
    Column("annual_hours", "f8", NAN, "Heures annuelles (horaires variables)", ""),
    Column("planned_hours", "f8", NAN, "Heures prévues dans le mois (horaires variables)", ""),
    Column("planned_days", "f8", NAN, "Jours prévus dans le mois (horaires variables)", ""),
    Column("hourly_gross", "f8", NAN, "Salaire horaire brut", ""),
    Column("hourly_net", "f8", NAN, "Salaire horaire net", ""),
    Column("majoration_rate", "f8", NAN, "Taux de majoration au-delà de 45 h", "AMA"),
    Column("complementary_hourly", "f8", NAN, "Taux horaire brut des heures complémentaires", ""),
    Column("majorated_hourly", "f8", NAN, "Taux horaire brut des heures majorées", "AMA"),
    Column(
        "complementary_hourly_net", "f8", NAN, "Taux horaire net des heures complémentaires", ""
    ),
    Column("majorated_hourly_net", "f8", NAN, "Taux horaire net des heures majorées", "AMA"),
    Column("presence_hours", "f8", 0.0, "Heures de présence responsable par semaine", "GED"),
    Column("certified", "?", False, "Titre AM-GE (majoration du minimum)", "AMA"),
    Column("entretien_per_day", "f8", NAN, "Indemnité d'entretien par jour", "AMA"),
    Column("entretien_per_hour", "f8", NAN, "Indemnité d'entretien par heure", "AMA"),
    Column("meal_per_day", "f8", 0.0, "Indemnité de repas par jour", ""),
    Column("meal_days", "f8", NAN, "Jours avec repas", "par défaut : jours d'accueil"),
    Column("mileage_km", "f8", 0.0, "Kilomètres parcourus", ""),
    Column("mileage_rate", "f8", 0.0, "Indemnité kilométrique par km", ""),
    Column("alsace_moselle", "?", False, "Alsace-Moselle", "régime local"),
    Column("holidays_off", "?", True, "Jours fériés chômés", ""),
    # --- the month's events
    Column("absence_hours", "f8", 0.0, "Heures d'absence du salarié", "déductibles"),
    Column("absence_days", "f8", 0.0, "Jours d'absence du salarié", ""),
    Column("child_sick_hours", "f8", 0.0, "Heures d'absence de l'enfant malade", ""),
    Column("child_sick_days", "f8", 0.0, "Jours d'absence de l'enfant malade", ""),
    Column("child_hospital_hours", "f8", 0.0, "Heures d'hospitalisation de l'enfant", ""),
    Column("child_hospital_days", "f8", 0.0, "Jours d'hospitalisation de l'enfant", ""),
    Column("child_absent_days", "f8", 0.0, "Jours d'absence de l'enfant (rémunérés)", ""),
    Column("child_absent_hours", "f8", 0.0, "Heures d'absence de l'enfant (rémunérées)", ""),
    Column("no_care_hours", "f8", 0.0, "Heures hors semaines d'accueil", "≤ 46 semaines"),
    Column("no_care_days", "f8", 0.0, "Jours hors semaines d'accueil", "≤ 46 semaines"),
    Column("complementary_hours", "f8", 0.0, "Heures complémentaires", ""),
    Column("majorated_hours", "f8", 0.0, "Heures majorées (AMA)", ""),
    Column("overtime_25_hours", "f8", 0.0, "Heures supplémentaires à 25 % (GED)", ""),
    Column("overtime_50_hours", "f8", 0.0, "Heures supplémentaires à 50 % (GED)", ""),
    Column("leave_days_taken", "f8", 0.0, "Jours de congés payés pris", "jours ouvrables"),
    Column("main_leave", "?", False, "Congé principal pris ce mois", ""),
    Column("leave_payment", "i1", 0, "Paiement des congés payés", "0 inclus, 1 juin, 2, 3"),
    # --- what is known from earlier months
    Column("child_sick_days_before", "f8", 0.0, "Jours de maladie de l'enfant (12 mois)", ""),
    Column("leave_acquired_days", "f8", NAN, "Congés acquis (période N-1)", ""),
    Column("leave_reference_gross", "f8", NAN, "Brut de la période de référence", ""),
    Column("leave_remaining_days", "f8", 0.0, "Congés acquis restant dus", ""),
    Column("leave_current_days", "f8", NAN, "Congés en cours d'acquisition", ""),
    Column("leave_current_gross", "f8", 0.0, "Brut depuis le 1er juin", "avant ce mois"),
    Column(
        "leave_reference_sick_pay",
        "f8",
        0.0,
        "Salaire des arrêts maladie de la période N-1",
        "non professionnels ; compté à 80 % dans le dixième",
    ),
    Column(
        "leave_current_sick_pay",
        "f8",
        0.0,
        "Salaire des arrêts maladie depuis le 1er juin",
        "non professionnels ; compté à 80 % dans le dixième",
    ),
    Column(
        "leave_current_sick_months",
        "f8",
        0.0,
        "Mois d'arrêt maladie depuis le 1er juin",
        "non professionnels, ce mois compris : 2 jours de congés par mois",
    ),
    Column("contract_gross_total", "f8", 0.0, "Salaires bruts du contrat", "avant ce mois"),
    Column("gross_last_12_months", "f8", NAN, "Brut des 12 derniers mois", "GED"),
    Column("gross_last_3_months", "f8", NAN, "Brut des 3 derniers mois", "GED"),
    Column("reference_monthly_gross", "f8", NAN, "Salaire de référence (licenciement)", "GED"),
    Column("hours_paid_total", "f8", NAN, "Heures payées depuis le début", "régularisation"),
    Column("hours_worked_total", "f8", NAN, "Heures réellement faites", "régularisation"),
    Column("overtime_exempt_ytd", "f8", 0.0, "Heures sup. exonérées depuis janvier", "net"),
    Column("seniority_months", "f8", NAN, "Ancienneté (mois)", "par défaut : du contrat"),
    # --- household, tax, end of contract
    Column("cmg", "?", True, "Le foyer perçoit le CMG", ""),
    Column("monthly_resources", "f8", NAN, "Ressources mensuelles du foyer", "CMG"),
    Column("annual_resources", "f8", NAN, "Ressources annuelles N-2 du foyer", "ancien CMG"),
    Column("children", "i2", 1, "Enfants à charge", ""),
    Column("child_age", "f8", 1.0, "Âge de l'enfant gardé (années)", ""),
    Column("single_parent", "?", False, "Parent isolé", ""),
    Column("aeeh_children", "i2", 0, "Enfants bénéficiaires de l'AEEH", ""),
    Column("pas_rate", "f8", NAN, "Taux personnalisé de prélèvement à la source", ""),
    Column("pas_zone", "i1", 0, "Zone de la grille de taux neutre", ""),
    Column("end_reason", "i1", 0, "Motif de fin de contrat", ""),
)

BY_NAME = {c.name: c for c in COLUMNS}


def fill(batch: dict, n: int) -> dict:
    """Every column of the batch, missing ones set to their default (as scalars)."""
    unknown = set(batch) - set(BY_NAME)
    if unknown:
        raise KeyError(f"Colonnes inconnues : {', '.join(sorted(unknown))}")
    out = {}
    for column in COLUMNS:
        value = batch.get(column.name, column.default)
        if np.ndim(value):
            value = np.asarray(value)
            if len(value) != n:
                raise ValueError(f"La colonne {column.name} n'a pas {n} lignes")
        out[column.name] = value
    return out
