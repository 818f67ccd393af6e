"""What the law forbids or warns about, checked on every row before and after the computation.

An **error** blocks the payslip: no figure is given for that row (never a wrong figure). A
**warning** is kept apart and does not block, like the ``erreursNonBloquantes`` of Urssaf's
declaration API. Each rule names the field it concerns, says what is wrong in plain French and
gives its legal reference.

Checks are vectorised: each rule yields a boolean mask over the rows; messages are written only
for the rows that need them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import params
from .calendar import month_bounds
from .inputs import BY_NAME, SCHEDULE, Kind, LeavePayment, PasZone
from .law import month_law

ERROR, WARNING = "erreur", "avertissement"
CCN = "Convention collective IDCC 3239"


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    field: str
    reference: str
    message: Callable[[dict, int], str]  # (columns and outputs, row) → French sentence


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    field: str
    message: str
    reference: str

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "gravite": self.severity,
            "champ": self.field,
            "message": self.message,
            "reference": self.reference,
        }


def _v(c: dict, name: str, i: int):
    value = c[name]
    return value[i] if np.ndim(value) else value


def _eur(x: float) -> str:
    return f"{x:,.2f} €".replace(",", " ").replace(".", ",")


def _h(x: float) -> str:
    return f"{x:g} h".replace(".", ",")


def _label(name: str) -> str:
    column = BY_NAME.get(name)
    return column.label if column else name


# ---- Rules checked on the inputs ----------------------------------------------------------

NEGATIVE_FIELDS = (
    *SCHEDULE,
    "annual_hours",
    "planned_hours",
    "presence_hours",
    "absence_hours",
    "absence_days",
    "child_sick_hours",
    "child_sick_days",
    "child_hospital_hours",
    "child_hospital_days",
    "child_absent_hours",
    "child_absent_days",
    "complementary_hours",
    "majorated_hours",
    "overtime_25_hours",
    "overtime_50_hours",
    "leave_days_taken",
    "mileage_km",
    "mileage_rate",
    "meal_per_day",
    "entretien_per_day",
    "entretien_per_hour",
    "hourly_gross",
    "hourly_net",
    "contract_gross_total",
    "leave_reference_sick_pay",
    "leave_current_sick_pay",
    "leave_current_sick_months",
    "monthly_resources",
    "annual_resources",
)


def minimum_wage(law, kind, certified) -> np.ndarray:
    """Legal and conventional minimum gross hourly wage (per child for an AMA)."""
    ama_legal = law["ama.remuneration.minimum_legal_part_smic"] * law["smic.horaire_brut"]
    ama_conv = law["ama.remuneration.minimum_conventionnel_horaire"] * np.where(
        certified, 1.0 + law["ama.remuneration.majoration_certification"], 1.0
    )
    ged = max(law["smic.horaire_brut"], law["ged.minimum_conventionnel_horaire"])
    return np.where(kind == Kind.AMA, np.maximum(ama_legal, ama_conv), ged)


def entretien_minimum_day(law, day_hours) -> np.ndarray:
    """Minimum entretien allowance for a day of care of ``day_hours`` (CCN art. 114.1)."""
    per_hour = (
        law["ama.entretien.part_minimum_garanti"]
        * law["minimum_garanti"]
        / law["ama.entretien.duree_journee_reference"]
    )
    return np.maximum(law["ama.entretien.plancher_journalier"], per_hour * day_hours)


def before(c: dict, n: int, law) -> dict[str, np.ndarray]:
    """Rules broken by the inputs of rows that all fall in ``law``'s month."""
    masks: dict[str, np.ndarray | bool] = {}
    kind = np.asarray(c["kind"])
    is_ama = kind == Kind.AMA
    masks["TYPE_SALARIE_INCONNU"] = (kind != Kind.AMA) & (kind != Kind.GED)
    for name in NEGATIVE_FIELDS:
        masks[f"NEGATIF:{name}"] = np.asarray(c[name]) < 0
    days = [np.broadcast_to(np.asarray(c[s], dtype=float), (n,)) for s in SCHEDULE]
    week = sum(days[1:], days[0])
    variable = ~np.isnan(np.asarray(c["annual_hours"], dtype=float))
    masks["HORAIRE_VIDE"] = (week <= 0) & ~variable
    longest = np.maximum.reduce(days)
    masks["JOURNEE_TROP_LONGUE"] = longest > 13
    weeks = np.asarray(c["weeks_per_year"], dtype=float)
    masks["SEMAINES_INVALIDES"] = ~(((weeks > 0) & (weeks <= 46)) | (weeks == 52))
    masks["GED_52_SEMAINES"] = (kind == Kind.GED) & (weeks != 52)
    option = np.asarray(c["leave_payment"])
    masks["OPTION_CONGES_INVALIDE"] = ((weeks == 52) & (option != LeavePayment.INCLUDED)) | (
        (weeks <= 46) & (option == LeavePayment.INCLUDED) & is_ama
    )
    hourly_g = np.asarray(c["hourly_gross"], dtype=float)
    hourly_n = np.asarray(c["hourly_net"], dtype=float)
    masks["SALAIRE_MANQUANT"] = np.isnan(hourly_g) & np.isnan(hourly_n)
    start = np.asarray(c["contract_start"])
    end = np.asarray(c["contract_end"])
    masks["DATES_CONTRAT"] = end < start
    first_day, last_day = (int(x[0]) for x in month_bounds(np.array([law.period])))
    masks["CONTRAT_HORS_MOIS"] = (start > last_day) | (end < first_day)

    alsace = np.asarray(c["alsace_moselle"], dtype=np.int64)
    rate = law.employee.rates.sum(2)[np.clip(kind, 0, 1).astype(np.int64), alsace]
    gross = np.where(np.isnan(hourly_g), hourly_n / (1 - rate), hourly_g)
    minimum = minimum_wage(law, kind, np.asarray(c["certified"], dtype=bool))
    masks["SALAIRE_INFERIEUR_MINIMUM"] = gross < minimum - 1e-9
    majoration = np.asarray(c["majoration_rate"], dtype=float)
    masks["MAJORATION_INSUFFISANTE"] = is_ama & (
        majoration < law["ama.heures_majorees_taux_minimum"] - 1e-12
    )
    presence = np.where(is_ama, 0.0, c["presence_hours"])
    effective = week - presence * (1 - law["ged.presence_responsable_equivalence"])
    ama_max = law["ama.duree.hebdomadaire_maximum_moyenne"]
    ged_max = min(law["ged.duree_maximum_moyenne"], law["ged.duree_maximum_hebdomadaire"])
    masks["DUREE_MAXIMALE"] = effective > np.where(is_ama, ama_max, ged_max)
    masks["AMA_PLUS_DE_45_HEURES"] = is_ama & (week > law["ama.duree.hebdomadaire_conventionnelle"])
    shortest = np.minimum.reduce([np.where(d > 0, d, np.inf) for d in days])
    per_day = np.asarray(c["entretien_per_day"], dtype=float)
    per_hour = np.asarray(c["entretien_per_hour"], dtype=float)
    day_min = entretien_minimum_day(law, longest)
    short_min = entretien_minimum_day(law, shortest)
    low_day = per_day < day_min - 1e-9  # NaN (not agreed: the minimum applies) compares False
    low_hour = (per_hour * longest < day_min - 1e-9) | (per_hour * shortest < short_min - 1e-9)
    masks["ENTRETIEN_INFERIEUR_MINIMUM"] = is_ama & (low_day | low_hour)
    # A zone without a grid this month (or no such zone) and no personal rate: no withholding
    # can be computed (CGI art. 204 H, III), and no other zone's grid may stand in for it.
    zone = np.asarray(c["pas_zone"])
    no_grid = (zone < 0) | (zone >= len(law.pas_grids))
    for z, grid in enumerate(law.pas_grids):
        if grid is None:
            no_grid = no_grid | (zone == z)
    masks["GRILLE_PAS_INCONNUE"] = no_grid & np.isnan(np.asarray(c["pas_rate"], dtype=float))
    return masks


def after(c: dict, out: dict) -> dict[str, np.ndarray]:
    """Rules that need the computed calendar (absences longer than the month…), and warnings."""
    absent = (
        np.asarray(c["absence_hours"])
        + np.asarray(c["child_sick_hours"])
        + np.asarray(c["child_hospital_hours"])
        + np.asarray(c["child_absent_hours"])
    )
    return {
        # The hours planned while the contract runs (hired or leaving during the month).
        "ABSENCES_SUPERIEURES_AU_MOIS": absent
        > out["planned_hours"] - out.get("entry_exit_hours", 0.0) + 1e-9,
        "MALADIE_ENFANT_AU_DELA": out.get("child_sick_days_beyond", 0.0) > 0,
        "PAS_DE_CMG": ~np.asarray(out["cmg_eligible"], dtype=bool)
        & np.asarray(c["cmg"], dtype=bool),
        "TAUX_NEUTRE": np.isnan(np.asarray(c["pas_rate"], dtype=float)) & (out["pas_base"] > 0),
        "CONGES_DIXIEME_PLUS_FAVORABLE": out.get("paid_leave_tenth", 0.0)
        > out.get("paid_leave_maintien", 0.0),
    }


def _rule_for(code: str) -> Rule:
    if code.startswith("NEGATIF:"):
        name = code.split(":", 1)[1]
        return Rule(
            code,
            ERROR,
            name,
            "",
            lambda c, i, name=name: (
                f"{_label(name)} ne peut pas être négatif (valeur donnée : "
                f"{str(_v(c, name, i)).replace('.', ',')})."
            ),
        )
    return RULES[code]


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            "PERIODE_HORS_PARAMETRES",
            ERROR,
            "period",
            "Paramètres de la législation (unefois/rules/parameters)",
            lambda c, i: (
                "Ce mois est en dehors de la période couverte par les paramètres de la "
                f"législation ({params.coverage()[0]:%m/%Y} à {params.coverage()[1]:%m/%Y}) : "
                "aucun montant ne peut être calculé."
            ),
        ),
        Rule(
            "TYPE_SALARIE_INCONNU",
            ERROR,
            "kind",
            "",
            lambda c, i: "Le type de salarié doit être « ama » (assistant maternel) ou « ged ».",
        ),
        Rule(
            "HORAIRE_VIDE",
            ERROR,
            "schedule",
            f"{CCN}, art. 108 (mensualisation)",
            lambda c, i: (
                "Indiquez les heures d'accueil d'une semaine type, ou des heures annuelles."
            ),
        ),
        Rule(
            "JOURNEE_TROP_LONGUE",
            ERROR,
            "schedule",
            "Code du travail, art. L3131-1 ; " + CCN + " (repos quotidien de 11 heures)",
            lambda c, i: (
                "Une journée de travail dépasse 13 heures : le repos quotidien de 11 heures "
                "consécutives ne serait pas respecté."
            ),
        ),
        Rule(
            "SEMAINES_INVALIDES",
            ERROR,
            "weeks_per_year",
            f"{CCN}, socle spécifique assistant maternel, art. 108",
            lambda c, i: (
                f"Le contrat doit prévoir 52 semaines d'accueil par an, ou au plus 46 semaines "
                f"(valeur donnée : {_v(c, 'weeks_per_year', i):g})."
            ),
        ),
        Rule(
            "GED_52_SEMAINES",
            ERROR,
            "weeks_per_year",
            f"{CCN}, socle spécifique salarié du particulier employeur",
            lambda c, i: (
                "Le salaire d'une garde d'enfants à domicile est mensualisé sur 52 semaines."
            ),
        ),
        Rule(
            "OPTION_CONGES_INVALIDE",
            ERROR,
            "leave_payment",
            f"{CCN}, art. 102",
            lambda c, i: (
                "Sur 52 semaines, les congés payés sont compris dans le salaire mensualisé ; "
                "sur 46 semaines ou moins, choisissez leur mode de paiement (en juin, au congé "
                "principal, ou au fur et à mesure)."
            ),
        ),
        Rule(
            "SALAIRE_MANQUANT",
            ERROR,
            "hourly_gross",
            "",
            lambda c, i: "Indiquez le salaire horaire, brut ou net.",
        ),
        Rule(
            "DATES_CONTRAT",
            ERROR,
            "contract_end",
            "",
            lambda c, i: "La date de fin du contrat est antérieure à sa date de début.",
        ),
        Rule(
            "CONTRAT_HORS_MOIS",
            ERROR,
            "period",
            "",
            lambda c, i: "Le contrat ne couvre aucun jour de ce mois.",
        ),
        Rule(
            "SALAIRE_INFERIEUR_MINIMUM",
            ERROR,
            "hourly_gross",
            "Code de l'action sociale et des familles, art. D423-9 ; "
            + CCN
            + ", annexes 5 et 6 (salaires minima) ; Code du travail, art. L3231-2 (Smic)",
            lambda c, i: (
                "Le salaire horaire brut est inférieur au minimum légal et conventionnel "
                f"({_eur(_row_minimum_wage(c, i))} brut de l'heure"
                f"{' par enfant' if _v(c, 'kind', i) == Kind.AMA else ''})."
            ),
        ),
        Rule(
            "MAJORATION_INSUFFISANTE",
            ERROR,
            "majoration_rate",
            f"{CCN}, socle spécifique assistant maternel, art. 96",
            lambda c, i: (
                "Les heures au-delà de 45 heures par semaine sont majorées d'au moins 10 %."
            ),
        ),
        Rule(
            "DUREE_MAXIMALE",
            ERROR,
            "schedule",
            "Code de l'action sociale et des familles, art. L423-22 ; " + CCN,
            lambda c, i: (
                "La durée de travail prévue dépasse la durée maximale : 48 heures par semaine "
                "en moyenne (assistant maternel), 48 heures en moyenne et 50 heures sur une "
                "semaine (garde d'enfants à domicile)."
            ),
        ),
        Rule(
            "ENTRETIEN_INFERIEUR_MINIMUM",
            ERROR,
            "entretien_per_day",
            f"{CCN}, socle spécifique assistant maternel, art. 114.1",
            lambda c, i: (
                "L'indemnité d'entretien est inférieure au minimum : 90 % du minimum garanti "
                "pour une journée de 9 heures, au prorata de la durée d'accueil, et jamais "
                f"moins de 2,65 € par journée (ici au moins {_eur(_row_entretien_minimum(c, i))} "
                "pour la journée la plus longue)."
            ),
        ),
        Rule(
            "GRILLE_PAS_INCONNUE",
            ERROR,
            "pas_zone",
            "Code général des impôts, art. 204 H, III",
            lambda c, i: (
                f"Aucune grille de taux neutre n'est connue pour {_pas_zone_label(c, i)} en "
                f"{month_law(int(_v(c, 'period', i))).day:%m/%Y} : le prélèvement à la source ne "
                "peut pas être calculé avec la grille d'une autre zone. Indiquez le taux "
                "personnalisé transmis par l'administration fiscale."
            ),
        ),
        Rule(
            "ABSENCES_SUPERIEURES_AU_MOIS",
            ERROR,
            "absences",
            "Cass. soc., 11 février 1982, n° 80-40359",
            lambda c, i: (
                "Les heures d'absence dépassent les heures prévues dans le mois pendant le "
                "contrat (embauche ou départ en cours de mois compris)."
            ),
        ),
        Rule(
            "AMA_PLUS_DE_45_HEURES",
            WARNING,
            "schedule",
            f"{CCN}, socle spécifique assistant maternel, art. 96",
            lambda c, i: (
                "Le contrat prévoit plus de 45 heures par semaine : les heures au-delà sont "
                "majorées dans le salaire mensualisé."
            ),
        ),
        Rule(
            "MALADIE_ENFANT_AU_DELA",
            WARNING,
            "absences",
            f"{CCN}, socle spécifique assistant maternel (absences de l'enfant)",
            lambda c, i: (
                "Au-delà de 5 jours d'absence pour maladie de l'enfant sur 12 mois, le salaire "
                "reste dû : ces jours ne sont pas déduits."
            ),
        ),
        Rule(
            "PAS_DE_CMG",
            WARNING,
            "household",
            "Code de la sécurité sociale, art. L531-5",
            lambda c, i: (
                "Le CMG n'est pas dû ce mois-ci (âge de l'enfant, ou salaire au-delà du plafond)."
            ),
        ),
        Rule(
            "TAUX_NEUTRE",
            WARNING,
            "pas_rate",
            "Code général des impôts, art. 204 H",
            lambda c, i: (
                "Aucun taux personnalisé n'est connu : le taux neutre de la grille est appliqué."
            ),
        ),
        Rule(
            "CONGES_DIXIEME_PLUS_FAVORABLE",
            WARNING,
            "leave",
            "Code du travail, art. L3141-24",
            lambda c, i: (
                "La règle du dixième est plus favorable que le maintien de salaire : c'est elle "
                "qui est appliquée aux congés payés."
            ),
        ),
    )
}


def _row_law(c: dict, i: int):
    return month_law(int(_v(c, "period", i)))


_PAS_ZONE_LABELS = {
    PasZone.METROPOLE: "la métropole",
    PasZone.GUADELOUPE_MARTINIQUE_REUNION: "la Guadeloupe, la Martinique et La Réunion",
    PasZone.GUYANE_MAYOTTE: "la Guyane et Mayotte",
}


def _pas_zone_label(c: dict, i: int) -> str:
    zone = int(_v(c, "pas_zone", i))
    return _PAS_ZONE_LABELS.get(zone, f"la zone n° {zone} (inconnue)")


def _row_minimum_wage(c: dict, i: int) -> float:
    law = _row_law(c, i)
    return float(minimum_wage(law, np.asarray(_v(c, "kind", i)), bool(_v(c, "certified", i))))


def _row_entretien_minimum(c: dict, i: int) -> float:
    hours = max(float(_v(c, s, i)) for s in SCHEDULE)
    return float(entretien_minimum_day(_row_law(c, i), hours))


# Each rule is one bit of a row's flags (uint64).
CODES: tuple[str, ...] = (*RULES, *(f"NEGATIF:{name}" for name in NEGATIVE_FIELDS))
BIT = {code: np.uint64(1) << np.uint64(i) for i, code in enumerate(CODES)}
ERROR_BITS = np.uint64(0)
for _code in CODES:
    if _rule_for(_code).severity == ERROR:
        ERROR_BITS |= BIT[_code]
assert len(CODES) <= 64, "row flags hold at most 64 rules"


def flags(masks: dict[str, np.ndarray | bool], n: int) -> np.ndarray:
    out = np.zeros(n, dtype=np.uint64)
    for code, mask in masks.items():
        if np.any(mask):
            out |= np.where(mask, BIT[code], np.uint64(0))
    return out


def codes(row_flags: int) -> list[str]:
    return [code for code in CODES if int(row_flags) & int(BIT[code])]


def findings(row_flags: int, c: dict, i: int) -> list[Finding]:
    """The messages of row ``i``: errors first, then warnings."""
    found = []
    for code in codes(row_flags):
        rule = _rule_for(code)
        found.append(
            Finding(rule.code, rule.severity, rule.field, rule.message(c, i), rule.reference)
        )
    return sorted(found, key=lambda f: f.severity != ERROR)


def severity(code: str) -> str:
    return _rule_for(code).severity
