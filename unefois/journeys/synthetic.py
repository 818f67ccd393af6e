"""Synthetic journeys through the platform's real procedures, with planted difficulties.

The procedures, their pages and fields are those of the platform (``unefois/procedures/
catalogue.py`` for the questions, ``www/templates/www/declare.html`` and ``_events.html`` for
the monthly declaration; the field keys are the ``Need`` keys; a test checks they agree).

Planted difficulties have different shapes and sizes (``PLANTED``): an error that makes people
give up, one that makes declarations late, one that makes people call, a value confirmed wrong
and corrected later, a rare but blocking error, and a page that fails one segment. Around them:
noise (random abandons, harmless typing errors, generic contacts and corrections, late starts)
and a decoy (``DECOY``): a busy field — long to fill, often amended, often in error — that
changes nobody's outcome. The analyses must rank the planted ones first and leave the decoy out.

Deterministic: the same settings give the same log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .events import Activity, Consequence, pseudonym
from .io import ACTIVITY, CASE, KNOWN_ATTRIBUTES, TIMESTAMP, TIMESTAMP_TYPE

A = Activity
SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

IDENTITY = ("given_name", "family_name", "birthdate")
ADDRESS = ("street", "postcode", "city")
#: Fields asked on the « questions » page (the Need keys that have no rule), per procedure.
FIELDS: dict[str, tuple[str, ...]] = {
    "inscription-employeur": (
        *IDENTITY,
        *ADDRESS,
        "dependent_children",
        "single_parent",
        "monthly_resources",
        "cmg",
        "child_given_name",
        "child_birthdate",
    ),
    "inscription-salarie": (
        *IDENTITY,
        *ADDRESS,
        "employee_kind",
        "nir",
        "iban",
        "rate_hourly_gross",
        "rate_entretien_per_day",
    ),
    "embauche": (
        "start_date",
        "weeks_per_year",
        "schedule",
        "hourly_gross",
        "entretien_per_day",
        "meal_per_day",
    ),
    "changement-rib": ("iban",),
    "changement-adresse": ADDRESS,
    "fin-de-contrat": ("end_date", "end_reason"),
    # declare.html: absences (one checkbox per day and reason), extra hours per day, leave.
    "declaration-mensuelle": ("absences", "extra_hours", "conges"),
}
#: Fields the vault often already knows (pre-filled, so not asked) for returning people.
PREFILLED = {
    *IDENTITY,
    *ADDRESS,
    "hourly_gross",
    "entretien_per_day",
}
OPTIONAL = {"rate_entretien_per_day", "entretien_per_day", "meal_per_day", "conges"}
MIX = {
    "declaration-mensuelle": 0.48,
    "inscription-employeur": 0.09,
    "inscription-salarie": 0.08,
    "embauche": 0.09,
    "changement-adresse": 0.09,
    "changement-rib": 0.09,
    "fin-de-contrat": 0.08,
}
EMPLOYER_SIDE = {"declaration-mensuelle", "inscription-employeur", "embauche", "fin-de-contrat"}
SEGMENTS = (("ordinateur", 0.5), ("mobile", 0.45), ("tablette", 0.05))


@dataclass(frozen=True)
class Planted:
    """A planted difficulty, and how to recognise the opportunity that finds it."""

    key: str
    procedure: str
    description: str
    consequence: Consequence
    field: str | None = None
    error_code: str | None = None
    segment: str | None = None
    step: str | None = None
    words: tuple[str, ...] = ()  # words of its contact or correction reasons

    def matches(self, opportunity: dict) -> bool:
        if opportunity.get("procedure") not in (self.procedure, None):
            return False
        if self.field and opportunity.get("field") == self.field:
            return opportunity.get("procedure") == self.procedure
        if self.segment and opportunity.get("segment") == self.segment:
            return opportunity.get("procedure") == self.procedure
        terms = " ".join(opportunity.get("terms") or ()).lower()
        return bool(self.words) and any(w in terms for w in self.words)


PLANTED: tuple[Planted, ...] = (
    Planted(
        "nir",
        "inscription-salarie",
        "La clé du numéro de sécurité sociale est refusée : beaucoup abandonnent.",
        Consequence.ABANDON,
        field="nir",
        error_code="nir_key",
        words=("sécurité", "securite", "sécu", "secu", "nir", "clé", "cle"),
    ),
    Planted(
        "heures",
        "declaration-mensuelle",
        "Les heures en plus avec une virgule sont refusées : la déclaration part en retard.",
        Consequence.LATE,
        field="extra_hours",
        error_code="decimal_separator",
        words=("heures", "virgule"),
    ),
    Planted(
        "iban",
        "changement-rib",
        "Un IBAN étranger est refusé : on appelle l'assistance.",
        Consequence.CONTACT,
        field="iban",
        error_code="iban_foreign",
        words=("iban", "rib", "étranger", "etranger", "banque"),
    ),
    Planted(
        "semaines",
        "embauche",
        "Le nombre de semaines d'accueil est mal compris : corrigé après confirmation.",
        Consequence.CORRECTION,
        field="weeks_per_year",
        words=("semaines",),
    ),
    Planted(
        "outre-mer",
        "changement-adresse",
        "Les codes postaux d'outre-mer sont inconnus : presque tous abandonnent (rare).",
        Consequence.ABANDON,
        field="postcode",
        error_code="postcode_unknown",
        words=("outre", "réunion", "reunion", "guadeloupe", "postal"),
    ),
    Planted(
        "mobile",
        "fin-de-contrat",
        "La page de vérification de la fin de contrat est inutilisable sur mobile.",
        Consequence.ABANDON,
        segment="mobile",
        step="verification",
    ),
)
#: Busy but harmless: long to fill, amended, often in error, and no effect on any outcome.
DECOY = Planted(
    "planning",
    "embauche",
    "Le planning de la semaine type : long à remplir, mais sans conséquence.",
    Consequence.CORRECTION,
    field="schedule",
    error_code="hours_out_of_range",
)

REASONS = {
    "nir": (
        "mon numéro de sécurité sociale n'est pas accepté",
        "la clé de mon numéro de sécu est refusée",
        "impossible de valider mon numéro de sécurité sociale, la clé est fausse",
        "je ne comprends pas pourquoi mon numéro de sécurité sociale est refusé",
        "numéro de sécu refusé alors qu'il est bon",
        "le site dit que la clé du numéro de sécurité sociale est incorrecte",
    ),
    "heures": (
        "je n'arrive pas à saisir les heures en plus",
        "les heures en plus avec une virgule ne passent pas",
        "impossible de déclarer 2,5 heures en plus",
        "le champ des heures en plus refuse mon chiffre avec virgule",
        "heures supplémentaires refusées, je ne peux pas valider la déclaration",
    ),
    "iban": (
        "mon IBAN étranger n'est pas accepté",
        "mon compte dans une banque belge est refusé",
        "je ne peux pas mettre mon RIB allemand",
        "IBAN qui commence par BE refusé",
        "ma banque est à l'étranger et le RIB n'est pas accepté",
        "pourquoi un IBAN espagnol n'est pas accepté ?",
    ),
    "outre-mer": (
        "mon code postal de La Réunion n'est pas reconnu",
        "code postal 974 inconnu",
        "je n'arrive pas à changer mon adresse en Guadeloupe, code postal refusé",
        "code postal d'outre-mer refusé",
    ),
    "connexion": (
        "je n'arrive pas à me connecter",
        "mot de passe oublié",
        "impossible de me connecter à mon compte",
    ),
    "cmg": (
        "question sur le montant du CMG",
        "je ne comprends pas le calcul du complément de libre choix",
        "le CMG n'a pas été versé",
    ),
    "attestation": (
        "où trouver mon attestation fiscale ?",
        "besoin d'une attestation d'emploi",
        "je ne trouve pas l'attestation pour les impôts",
    ),
    "bulletin": (
        "je ne trouve pas le bulletin de salaire",
        "comment télécharger le bulletin de paie",
    ),
}
NOISE_CONTACTS = ("connexion", "cmg", "attestation", "bulletin")
CORRECTIONS = {
    "weeks_per_year": (
        "erreur sur le nombre de semaines",
        "j'avais mis 52 semaines au lieu de 46",
        "le nombre de semaines d'accueil était faux",
        "je me suis trompé de semaines : ce n'est pas une année complète",
    ),
    "absences": ("oubli d'une absence", "un jour d'absence n'était pas coché"),
    "extra_hours": ("heures en plus oubliées", "il manquait des heures en plus"),
    "conges": ("congés mal comptés", "jours de congés oubliés"),
}
PREFIXES = ("", "", "Bonjour, ", "bonjour ", "Bonjour ")
SUFFIXES = ("", "", ".", " merci", " svp", " !")
ACCENTS = str.maketrans("éèêàâçîôùû", "eeeaaciouu")


@dataclass(frozen=True)
class Settings:
    cases: int = 20_000
    seed: int = 2025
    start: dt.date = dt.date(2025, 1, 1)
    days: int = 120
    baseline_abandon: float = 0.05
    noise_contact: float = 0.008
    noise_correction: float = 0.012
    harmless_error: float = 0.02


class _Writer:
    def __init__(self) -> None:
        self.columns: dict[str, list] = {
            k: [] for k in (CASE, ACTIVITY, TIMESTAMP, *KNOWN_ATTRIBUTES)
        }

    def add(self, case, activity, t, user, procedure, segment, step=None, field=None,
            error=None, reason=None) -> None:  # fmt: skip
        c = self.columns
        c["case_id"].append(case)
        c["activity"].append(activity.value)
        c["timestamp"].append(t)
        c["user_id"].append(user)
        c["procedure"].append(procedure)
        c["step"].append(step)
        c["field"].append(field)
        c["error_code"].append(error)
        c["segment"].append(segment)
        c["reason"].append(reason)

    def table(self) -> pa.Table:
        columns = dict(self.columns)
        stamps = pa.array(columns.pop("timestamp"), pa.int64()).cast(TIMESTAMP_TYPE)
        table = pa.table(
            {
                "case_id": columns.pop("case_id"),
                "activity": columns.pop("activity"),
                "timestamp": stamps,
                "seq": pa.array(np.arange(len(stamps), dtype=np.int64)),
                **{k: pa.array(v, pa.string()) for k, v in columns.items()},
            }
        )
        return table


def _text(rng: np.random.Generator, choices: tuple[str, ...]) -> str:
    text = choices[rng.integers(len(choices))]
    if rng.random() < 0.3:
        text = text.translate(ACCENTS)
    text = PREFIXES[rng.integers(len(PREFIXES))] + text + SUFFIXES[rng.integers(len(SUFFIXES))]
    return text[0].upper() + text[1:] if rng.random() < 0.6 else text


def generate(settings: Settings | None = None) -> pa.Table:
    """The journey log as a canonical event table (``io``)."""
    s = settings or Settings()
    rng = np.random.default_rng(s.seed)
    out = _Writer()
    secret = f"unefois-synthetic-{s.seed}".encode()
    procedures = list(MIX)
    weights = np.array([MIX[p] for p in procedures])
    weights = weights / weights.sum()
    origin = int(dt.datetime.combine(s.start, dt.time(), dt.UTC).timestamp()) * SECOND
    employers = max(1, s.cases // 4)
    employees = max(1, s.cases // 8)
    segment_names = [x[0] for x in SEGMENTS]
    segment_p = np.array([x[1] for x in SEGMENTS])
    user_segment: dict[str, str] = {}
    user_ids: dict[str, str] = {}
    drawn = rng.choice(len(procedures), size=s.cases, p=weights)
    employer_draw = rng.integers(employers, size=s.cases)
    employee_draw = rng.integers(employees, size=s.cases)
    segment_draw = rng.choice(len(segment_names), size=s.cases, p=segment_p)
    switch = rng.random(s.cases) < 0.2
    for i in range(s.cases):
        procedure = procedures[drawn[i]]
        if procedure in EMPLOYER_SIDE:
            user_key = f"employeur-{employer_draw[i]}"
        else:
            user_key = f"salarie-{employee_draw[i]}"
        user = user_ids.get(user_key)
        if user is None:
            user = user_ids[user_key] = pseudonym(user_key, secret)
        segment = user_segment.get(user)
        if segment is None or switch[i]:
            segment = user_segment[user] = segment_names[segment_draw[i]]
        case = f"{procedure[:4]}-{i:07d}"
        _journey(rng, out, s, case, procedure, user, segment, origin)
    return out.table()


def _journey(rng, out: _Writer, s: Settings, case, procedure, user, segment, origin) -> None:
    if procedure == "declaration-mensuelle":
        # A month's declaration opens on the 25th and is due on the 5th of the next month.
        month = int(rng.integers(max(1, s.days // 30)))
        opens = origin + month * 30 * DAY + 24 * DAY
        deadline = opens + 11 * DAY
        late_start = rng.random() < 0.05
        start = (
            deadline + int(rng.integers(1, 8)) * DAY
            if late_start
            else opens + int(rng.integers(0, 10 * DAY))
        )
    else:
        deadline = None
        start = origin + int(rng.integers(0, s.days * DAY))
    start = start - start % DAY + int(rng.integers(7 * HOUR, 22 * HOUR))
    t = start

    def add(activity, at: int | None = None, **kw):
        out.add(case, activity, t if at is None else at, user, procedure, segment, **kw)

    def wait(median_s: float, sigma: float = 0.6) -> int:
        return int(median_s * SECOND * rng.lognormal(0.0, sigma)) + 1

    add(A.PROCEDURE_STARTED)
    step = "declaration" if procedure == "declaration-mensuelle" else "questions"
    t += wait(2)
    add(A.STEP_VIEWED, step=step)
    fields = list(FIELDS[procedure])
    returning = rng.random() < 0.5
    if returning:
        fields = [f for f in fields if f not in PREFILLED or rng.random() < 0.15]
    if procedure == "declaration-mensuelle":
        # Most months nothing changed: the parent confirms without typing anything.
        fields = [
            f
            for f in fields
            if rng.random() < {"absences": 0.3, "extra_hours": 0.35, "conges": 0.15}[f]
        ]
    abandon_at = None
    if rng.random() < s.baseline_abandon:
        abandon_at = int(rng.integers(0, len(fields) + 2))
    contact_reason = None
    correction_field = None
    wrong_weeks = False
    delayed = 0  # leaves and comes back later (days)

    for index, field in enumerate(fields):
        if abandon_at == index:
            _abandon(add, t)
            return
        t += wait(3)
        add(A.FIELD_FOCUSED, step=step, field=field)
        hesitation = 4.0
        changes = 1
        if field == DECOY.field:
            hesitation, changes = 25.0, int(rng.integers(4, 12))
        if field == "weeks_per_year":
            wrong_weeks = rng.random() < 0.18
            hesitation = 12.0 if wrong_weeks else 5.0
        t += wait(hesitation)
        for _ in range(changes):
            add(A.FIELD_CHANGED, step=step, field=field)
            t += wait(6 if field != DECOY.field else 12)
        # The decoy: often out of range, fixed at once, no consequence at all.
        if field == DECOY.field and rng.random() < 0.3:
            add(A.FIELD_ERROR, step=step, field=field, error=DECOY.error_code)
            t += wait(8)
            add(A.FIELD_CHANGED, step=step, field=field)
            t += wait(3)
        planted = _planted_error(rng, procedure, field)
        if planted is not None:
            key, code, p_abandon, p_contact, p_leave = planted
            add(A.FIELD_ERROR, step=step, field=field, error=code)
            t += wait(20)
            if rng.random() < p_contact:
                contact_reason = key
                t += wait(120)
                add(A.SUPPORT_CONTACT, reason=_text(rng, REASONS[key]))
                t += wait(3600, 1.0)
            if rng.random() < p_abandon:
                _abandon(add, t)
                return
            if rng.random() < p_leave:
                delayed = int(rng.integers(3, 11))
                t += delayed * DAY + wait(600)
            add(A.FIELD_CHANGED, step=step, field=field)
            t += wait(30)
        elif rng.random() < s.harmless_error:
            add(A.FIELD_ERROR, step=step, field=field, error="format")
            t += wait(5)
            add(A.FIELD_CHANGED, step=step, field=field)
            t += wait(2)
        if field == "weeks_per_year" and wrong_weeks:
            correction_field = field
    if abandon_at == len(fields):
        _abandon(add, t)
        return
    t += wait(4)
    add(A.SUBMITTED, step=step)
    if rng.random() < 0.03 and fields:
        t += wait(1)
        field = fields[int(rng.integers(len(fields)))]
        add(A.VALIDATION_ERROR, step=step, field=field, error="required")
        t += wait(15)
        add(A.FIELD_CHANGED, step=step, field=field)
        t += wait(3)
        add(A.SUBMITTED, step=step)
    if procedure != "declaration-mensuelle":
        t += wait(2)
        add(A.STEP_VIEWED, step="verification")
        mobile_trap = procedure == "fin-de-contrat" and segment == "mobile"
        if abandon_at == len(fields) + 1 or (mobile_trap and rng.random() < 0.4):
            t += wait(60)
            _abandon(add, t)
            return
        t += wait(20)
        add(A.SUBMITTED, step="verification")
    t += wait(1)
    add(A.CONFIRMED)
    if deadline is not None and t > deadline:
        add(A.LATE_DECLARATION)
    if contact_reason is None and rng.random() < s.noise_contact:
        t += wait(2 * DAY / SECOND, 1.0)
        key = NOISE_CONTACTS[int(rng.integers(len(NOISE_CONTACTS)))]
        add(A.SUPPORT_CONTACT, reason=_text(rng, REASONS[key]))
    noise = rng.random() < s.noise_correction * 2
    if correction_field is None and procedure == "declaration-mensuelle" and noise:
        correction_field = ("absences", "extra_hours", "conges")[int(rng.integers(3))]
    if correction_field is not None:
        t += int(rng.integers(2, 30)) * DAY + wait(600)
        add(A.STEP_VIEWED, step="correction")
        t += wait(5)
        add(A.FIELD_FOCUSED, step="correction", field=correction_field)
        t += wait(6)
        add(A.FIELD_CHANGED, step="correction", field=correction_field)
        t += wait(20)
        add(
            A.CORRECTED,
            step="correction",
            field=correction_field,
            reason=_text(rng, CORRECTIONS[correction_field]),
        )


def _abandon(add, t: int) -> None:
    """The platform records the abandon when the session of an unfinished case expires."""
    add(A.ABANDONED, at=t + HOUR)


def _planted_error(rng, procedure: str, field: str):
    """(key, error code, P(abandon), P(contact), P(leave and come back days later))."""
    if procedure == "inscription-salarie" and field == "nir" and rng.random() < 0.30:
        return "nir", "nir_key", 0.45, 0.2, 0.0
    if procedure == "declaration-mensuelle" and field == "extra_hours" and rng.random() < 0.35:
        return "heures", "decimal_separator", 0.0, 0.1, 0.55
    if procedure == "changement-rib" and field == "iban" and rng.random() < 0.18:
        return "iban", "iban_foreign", 0.0, 0.6, 0.0
    if procedure == "changement-adresse" and field == "postcode" and rng.random() < 0.08:
        return "outre-mer", "postcode_unknown", 0.8, 0.3, 0.0
    return None
