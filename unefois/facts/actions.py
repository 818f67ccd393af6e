"""Writing the fact vault: a new value adds a version; the previous one is kept and marked
superseded. Every write leaves an audit row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from unefois.audit.services import record

from .models import Fact, Source


@transaction.atomic
def do_record_fact(
    actor,
    subject_type: str,
    subject_id: int,
    key: str,
    value: Any,
    source: str,
    source_detail: str = "",
    observed_at: dt.datetime | None = None,
    valid_from: dt.date | None = None,
    confirmed: bool = False,
) -> Fact:
    """Record ``key = value`` about a subject; unchanged values add no version."""
    now = timezone.now()
    previous = (
        Fact.objects.select_for_update()
        .filter(
            subject_type=subject_type, subject_id=subject_id, key=key, superseded_at__isnull=True
        )
        .first()
    )
    if previous is not None and previous.value == value:
        return previous
    if previous is not None:
        previous.superseded_at = now
        previous.save(update_fields=["superseded_at"])
    fact = Fact.objects.create(
        subject_type=subject_type,
        subject_id=subject_id,
        key=key,
        value=value,
        source=source,
        source_detail=source_detail,
        observed_at=observed_at or now,
        valid_from=valid_from,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        confirmed_by=actor if confirmed and getattr(actor, "pk", None) else None,
        version=(previous.version + 1) if previous else 1,
    )
    record(
        actor,
        "fait.enregistrer",
        fact,
        {"key": key, "value": previous.value, "source": previous.source} if previous else None,
        {"key": key, "value": value, "source": source, "subject": f"{subject_type}#{subject_id}"},
    )
    return fact


def do_record_facts(
    actor,
    subject_type: str,
    subject_id: int,
    values: dict[str, Any],
    source: str,
    source_detail: str = "",
    **kwargs,
) -> list[Fact]:
    return [
        do_record_fact(actor, subject_type, subject_id, key, value, source, source_detail, **kwargs)
        for key, value in values.items()
    ]


def do_correct_fact(actor, fact: Fact, value: Any) -> Fact:
    """The person corrects a fact once, for every procedure that uses it."""
    return do_record_fact(
        actor,
        fact.subject_type,
        fact.subject_id,
        fact.key,
        value,
        Source.PERSON,
        "correction dans « Mes données »",
        confirmed=True,
    )
