"""The feed of events for partners who poll (``GET /api/partenaires/v1/evenements``).

Every message of the partner's active subscriptions whose scope its token carries, in the order
of their positions (``outbox.sequence``: given after commit, so that a reader never skips a
message committed late), after an **opaque cursor**. The cursor is the position of the last
message of the page: the same cursor always gives the same messages (those still served), and a
message keeps its ``id`` (its idempotency key, the same as when it is pushed).

Each message served is masked to its scope and writes one log entry and one row of the person's
journal, as an API read does; a message the person's objection withholds is not served (its log
entry and journal row say so) but the cursor goes past it."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from . import outbox, resources
from .models import OutboxMessage, Outcome
from .tokens import Caller

CURSOR_PREFIX = "unefois-flux/1:"
DEFAULT_LIMIT = 100
MAX_LIMIT = 500


class CursorError(ValueError):
    """A cursor we did not give."""


def encode_cursor(position: int) -> str:
    raw = f"{CURSOR_PREFIX}{position}".encode("ascii")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(text: str) -> int:
    try:
        padded = text + "=" * (-len(text) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        raise CursorError(text) from None
    number = raw.removeprefix(CURSOR_PREFIX)
    if number == raw or not number.isdigit() or len(number) > 18:
        raise CursorError(text)
    return int(number)


def read(caller: Caller, after: str | None, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """One page of the caller's feed; raises ``CursorError``."""
    start = decode_cursor(after) if after else 0
    limit = max(1, min(limit, MAX_LIMIT))
    outbox.sequence()
    page = list(
        outbox.related(
            OutboxMessage.objects.filter(
                position__gt=start,
                subscription__partner=caller.partner,
                subscription__active=True,
                subscription__scope__active=True,
                subscription__scope__code__in=sorted(caller.scopes),
            )
        ).order_by("position")[: limit + 1]
    )
    more = len(page) > limit
    page = page[:limit]
    served = [item for item in (_serve(message) for message in page) if item is not None]
    return {
        "evenements": served,
        "curseur": encode_cursor(page[-1].position if page else start),
        "encore": more,
    }


def _serve(message: OutboxMessage) -> dict[str, Any] | None:
    scope = message.subscription.scope
    found = outbox.content(message.event, scope)
    if found is None or not found.person.nir:
        return None
    masked, granted, _ = resources.mask(found.rows, scope.fields, None)
    if outbox.withheld(found.person, message.subscription):
        outbox.log_access(
            message,
            found,
            granted,
            channel="flux",
            result="opposition",
            status=200,
            outcome=Outcome.OBJECTION,
        )
        return None
    seq, _ = outbox.log_access(
        message,
        found,
        granted,
        channel="flux",
        result="ok" if masked else "aucune_donnee",
        status=200,
        outcome=outbox.journal_outcome(masked),
    )
    return outbox.item(message, found, masked, granted, seq)
