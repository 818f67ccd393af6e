"""Procedures as data: each declares the facts it needs; the engine resolves each one from the
vault (pre-filled, with its source), from a rule (derived), or asks the person — only the rest.

A procedure's run records how many fields were asked, typed, pre-filled and derived
(``ProcedureRun``), so that the platform can prove it asks nothing twice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from unefois.facts import services as vault
from unefois.facts.actions import do_record_fact
from unefois.facts.models import Fact, Source

from .models import ProcedureRun


@dataclass(frozen=True)
class Need:
    """A fact a procedure needs."""

    key: str
    subject: str  # a role of the context: "person", "child", "contract", "employee"
    label: str
    kind: str = "text"  # text, date, decimal, integer, choice, boolean, postcode, iban, nir…
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = True
    hint: str = ""
    # A rule computing it from what is known: receives {"plan": values resolved so far,
    # role: {key: value} for each subject of the context}.
    derive: Callable[[dict], Any] | None = None
    store: bool = True  # recorded in the vault (False: only used by the procedure)
    after: tuple[str, ...] = ()  # keys the rule needs; when one is asked, it runs on the answer


@dataclass(frozen=True)
class Procedure:
    slug: str
    title: str
    needs: tuple[Need, ...]
    changes: frozenset[str] = frozenset()  # facts the person comes to change (asked anyway)


@dataclass
class Resolved:
    need: Need
    value: Any = None
    how: str = "ask"  # "vault", "derived" or "ask"
    fact: Fact | None = None

    @property
    def source_label(self) -> str:
        if self.how == "vault" and self.fact is not None:
            text = self.fact.get_source_display()
            if self.fact.source_detail:
                text += f" ({self.fact.source_detail})"
            return f"{text}, le {timezone.localtime(self.fact.observed_at):%d/%m/%Y}"
        if self.how == "derived":
            return "Calculé à partir de vos autres données"
        return "Votre réponse"


@dataclass
class Plan:
    procedure: Procedure
    context: dict[str, Any]  # role → object with .pk (Person, Child, Contract)
    items: list[Resolved] = field(default_factory=list)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def asked(self) -> list[Resolved]:
        return [r for r in self.items if r.how == "ask"]

    @property
    def prefilled(self) -> list[Resolved]:
        return [r for r in self.items if r.how == "vault"]

    @property
    def derived(self) -> list[Resolved]:
        return [r for r in self.items if r.how == "derived"]

    def values(self) -> dict[str, Any]:
        return {r.need.key: r.value for r in self.items}


SUBJECT_TYPES = {"person": "person", "employee": "person", "child": "child", "contract": "contract"}


def plan(procedure: Procedure, context: dict[str, Any]) -> Plan:
    """Resolve every need: from the vault, then from a rule, else it is asked."""
    known: dict[str, dict[str, Fact]] = {}
    for role, obj in context.items():
        if role in SUBJECT_TYPES and obj is not None and getattr(obj, "pk", None):
            known[role] = vault.current(SUBJECT_TYPES[role], obj.pk)
    result = Plan(procedure, context)
    values: dict[str, Any] = {}
    for need in procedure.needs:
        fact = known.get(need.subject, {}).get(need.key)
        if fact is not None and need.key not in procedure.changes:
            item = Resolved(need, fact.value, "vault", fact)
        else:
            item = Resolved(need)
        result.items.append(item)
        if item.how == "vault":
            values[need.key] = item.value
    # Rules run once everything known is in: a derived fact may use another. A rule that needs
    # an answer of this procedure runs when the answers come (see ``derive_from_answers``).
    facts = {role: {k: f.value for k, f in by_key.items()} for role, by_key in known.items()}
    asked = {i.need.key for i in result.items if i.how == "ask" and i.need.derive is None}
    for item in result.items:
        changing = item.need.key in procedure.changes
        if item.how == "ask" and item.need.derive is not None and not changing:
            value = item.need.derive({"plan": values, **facts})
            if value is not None:
                item.value, item.how = value, "derived"
                values[item.need.key] = value
            elif asked & set(item.need.after):
                item.how = "derived"
    result.facts = facts
    return result


def derive_from_answers(result: Plan, cleaned: dict[str, Any]) -> None:
    """Run the rules that needed this procedure's answers (e.g. the département from the
    postcode just given)."""
    values = dict(result.values())
    values.update(cleaned)
    for item in result.items:
        if item.how == "derived" and item.need.after and item.need.derive is not None:
            item.value = item.need.derive({"plan": values, **result.facts})
            values[item.need.key] = item.value


class FieldError(ValueError):
    """A refused answer: the French message shown to the person, and a short code naming the
    cause (the error codes of ``unefois.journeys.events``, for the measurement of journeys)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class AnswerError(ValueError):
    def __init__(self, errors: dict[str, str], codes: dict[str, str] | None = None) -> None:
        self.errors = errors
        self.codes = codes or {}
        super().__init__("; ".join(f"{k} : {v}" for k, v in errors.items()))


def clean(need: Need, raw: Any) -> Any:
    """Check and convert one answer; raise FieldError with a French message and its code."""
    text = "" if raw is None or isinstance(raw, dict) else str(raw).strip()
    if need.kind != "schedule" and not text:
        if need.required:
            raise FieldError("Ce champ est obligatoire.", "required")
        return None
    if need.kind == "schedule":
        return clean_schedule(raw)
    if need.kind == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise FieldError("Indiquez une date, par exemple 2025-09-01.", "date_invalid") from None
    if need.kind in ("decimal", "money"):
        try:
            value = Decimal(text.replace(",", ".").replace(" ", "").replace("€", ""))
        except InvalidOperation:
            raise FieldError("Indiquez un nombre, par exemple 4,50.", "number_invalid") from None
        if value < 0:
            raise FieldError("La valeur ne peut pas être négative.", "negative")
        return float(value)
    if need.kind == "integer":
        if not text.isdigit():
            raise FieldError("Indiquez un nombre entier.", "number_invalid")
        return int(text)
    if need.kind == "boolean":
        if text in ("oui", "true", "1", "on"):
            return True
        if text in ("non", "false", "0"):
            return False
        raise FieldError("Répondez oui ou non.", "choice_invalid")
    if need.kind == "choice":
        allowed = {value for value, _ in need.choices}
        if text not in allowed:
            raise FieldError("Choisissez une des réponses proposées.", "choice_invalid")
        return text
    if need.kind == "postcode":
        if not re.fullmatch(r"\d{5}", text):
            raise FieldError("Le code postal a 5 chiffres, par exemple 67000.", "format")
        return text
    if need.kind == "iban":
        compact = text.replace(" ", "").upper()
        if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
            raise FieldError("Cet IBAN n'est pas valide : vérifiez-le sur votre RIB.", "format")
        if not _iban_ok(compact):
            raise FieldError(
                "Cet IBAN n'est pas valide : vérifiez-le sur votre RIB.", "iban_checksum"
            )
        return compact
    if need.kind == "nir":
        compact = text.replace(" ", "")
        message = "Le numéro de sécurité sociale a 15 chiffres (clé comprise)."
        if not re.fullmatch(r"[12]\d{12}\d{2}", compact):
            raise FieldError(message, "nir_format")
        if not _nir_ok(compact):
            raise FieldError(message, "nir_key")
        return compact
    return text


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def clean_schedule(raw: Any) -> dict[str, float]:
    """A typical week: hours per weekday (a day left blank is not worked)."""
    if not isinstance(raw, dict):
        raise FieldError("Indiquez les heures de chaque jour travaillé.", "required")
    week: dict[str, float] = {}
    for day in WEEKDAYS:
        text = str(raw.get(day) or "").strip().replace(",", ".")
        if not text:
            continue
        try:
            hours = float(text)
        except ValueError:
            raise FieldError(
                "Indiquez des heures en chiffres, par exemple 9 ou 8,5.", "number_invalid"
            ) from None
        if hours < 0 or hours > 13:
            raise FieldError(
                "Une journée compte entre 0 et 13 heures (repos de 11 heures).",
                "hours_out_of_range",
            )
        if hours:
            week[day] = hours
    if not week:
        raise FieldError("Indiquez au moins un jour travaillé.", "required")
    return week


def _iban_ok(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(c, 36)) for c in rearranged)
    return int(digits) % 97 == 1


def _nir_ok(nir: str) -> bool:
    return 97 - int(nir[:13]) % 97 == int(nir[13:])


def check_answers(result: Plan, answers: dict[str, Any]) -> dict[str, Any]:
    """The cleaned answers to the asked needs; AnswerError with every refused one."""
    errors: dict[str, str] = {}
    codes: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for item in result.asked:
        try:
            cleaned[item.need.key] = clean(item.need, answers.get(item.need.key))
        except FieldError as exc:
            errors[item.need.key] = str(exc)
            codes[item.need.key] = exc.code
    if errors:
        raise AnswerError(errors, codes)
    return cleaned


@transaction.atomic
def complete(
    result: Plan,
    answers: dict[str, Any],
    user,
    typed: int | None = None,
    extra_subjects: dict[str, Any] | None = None,
) -> ProcedureRun:
    """Check the answers to the asked needs, record every new fact with its provenance, and
    record the run's counts. Raises AnswerError (nothing recorded) on a bad answer."""
    cleaned = check_answers(result, answers)
    derive_from_answers(result, cleaned)
    context = dict(result.context, **(extra_subjects or {}))
    slug = result.procedure.slug
    for item in result.items:
        if item.how == "ask":
            item.value = cleaned[item.need.key]
        subject = context.get(item.need.subject)
        if item.how == "vault" or not item.need.store or subject is None or item.value is None:
            continue
        source = Source.RULES if item.how == "derived" else Source.PROCEDURE
        do_record_fact(
            user,
            SUBJECT_TYPES[item.need.subject],
            subject.pk,
            item.need.key,
            item.value,
            source,
            slug,
            confirmed=item.how == "ask",
        )
    asked = len(result.asked)
    run = ProcedureRun.objects.create(
        procedure=slug,
        user=user,
        subject_type=next(iter(context), ""),
        subject_id=getattr(next(iter(context.values()), None), "pk", None),
        completed_at=timezone.now(),
        asked=asked,
        typed=asked if typed is None else typed,
        prefilled=len(result.prefilled),
        derived=len(result.derived),
        answers={k: v for k, v in cleaned.items()},
    )
    return run
