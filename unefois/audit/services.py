"""Writing the audit trail. Only actions (``*/actions.py``) call this."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from .models import AuditEntry


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder)) if value is not None else None


def record(actor, action: str, subject, old: dict | None, new: dict | None) -> AuditEntry:
    """One audit row: who did what to which object, with the values before and after."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        subject_type=subject._meta.model_name,
        subject_id=subject.pk,
        old=_plain(old),
        new=_plain(new),
    )


class StaleVersionError(Exception):
    """Someone else changed the object since the page was shown: nothing was overwritten."""


def check_version(obj, expected: int | None) -> None:
    """Optimistic locking: refuse a change made on a stale copy of ``obj``."""
    if expected is not None and obj.version != expected:
        raise StaleVersionError(obj)
