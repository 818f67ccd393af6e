"""Reading the fact vault (writing goes through ``facts.actions``)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.db import router
from django.db.models import Q

from unefois.storage.prepared import Prepared

from .models import Fact


def current(subject_type: str, subject_id: int) -> dict[str, Fact]:
    """The facts in force about one subject, by key."""
    facts = Fact.objects.filter(
        subject_type=subject_type, subject_id=subject_id, superseded_at__isnull=True
    )
    return {f.key: f for f in facts}


def current_many(subject_type: str, ids) -> dict[int, dict[str, Fact]]:
    """The facts in force about many subjects of one type, in one query."""
    out: dict[int, dict[str, Fact]] = defaultdict(dict)
    for fact in Fact.objects.filter(
        subject_type=subject_type, subject_id__in=list(ids), superseded_at__isnull=True
    ):
        out[fact.subject_id][fact.key] = fact
    return out


def values(subject_type: str, subject_id: int) -> dict[str, Any]:
    """The values in force about one subject, by key (no model instances: this is read on every
    declaration)."""
    return values_of((subject_type, subject_id))[0]


def _values_of(*pairs):
    """The facts in force about the subjects ``type, id, type, id…`` (a query to compile)."""
    wanted = Q()
    for subject_type, subject_id in zip(pairs[::2], pairs[1::2], strict=True):
        wanted |= Q(subject_type=subject_type, subject_id=subject_id)
    return Fact.objects.filter(wanted, superseded_at__isnull=True).values_list(
        "subject_type", "subject_id", "key", "value"
    )


# Read on every monthly confirmation: compiled once per number of subjects.
_VALUES_OF: dict[int, Prepared] = {}


def values_of(*subjects: tuple[str, int]) -> list[dict[str, Any]]:
    """The values in force about several subjects (``(subject_type, subject_id)`` pairs), in
    one query: one dict per subject, in the order asked."""
    query = _VALUES_OF.get(len(subjects))
    if query is None:
        query = _VALUES_OF.setdefault(
            len(subjects), Prepared(_values_of, [str, int] * len(subjects))
        )
    out: dict[tuple[str, int], dict[str, Any]] = {subject: {} for subject in subjects}
    arguments = [part for subject in subjects for part in subject]
    for subject_type, subject_id, key, value in query.rows(router.db_for_read(Fact), *arguments):
        out[(subject_type, subject_id)][key] = json.loads(value)
    return [out[subject] for subject in subjects]


def history(subject_type: str, subject_id: int, key: str | None = None) -> list[Fact]:
    facts = Fact.objects.filter(subject_type=subject_type, subject_id=subject_id)
    if key:
        facts = facts.filter(key=key)
    return list(facts.order_by("key", "-version"))
