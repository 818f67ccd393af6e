"""The transactional outbox of the events partners subscribe to, and what an event carries.

- **Writing** (``on_declaration_confirmed``, ``on_contract_ended``): the domain actions send their
  signal inside their own transaction (``unefois.declarations.signals``,
  ``unefois.contracts.signals``); ``ExchangeConfig.ready`` connects these receivers, which write
  the ``Event`` (references only) and one ``OutboxMessage`` per active subscription in that same
  transaction: no change without its messages, no message without its change.
- **Ordering** (``sequence``): a message gets its position in the feeds only once committed, under
  a lock, after every position already given; a partner reading the feed after a position never
  misses a message committed later with a smaller id.
- **Content** (``content``, ``item``): the rows of the scope's resource for the event's person
  (the employee or the employer, as the resource says), masked to the scope like the API, read
  when the message is delivered or served — never stored in the outbox.
- **Journal** (``log_access``): each delivery or feed read writes one chained log entry
  (metadata only) and, when data left or the objection held, one row of the person's journal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Max
from django.utils import timezone

from unefois.people.models import Person
from unefois.storage.prepared import Prepared

from . import chain, resources
from .models import (
    AccessJournal,
    DeliveryStatus,
    Event,
    EventKind,
    OutboxMessage,
    Outcome,
    Scope,
    Subscription,
)
from .services import objects

# Which resources an event can carry: a declared (or corrected) month is one row of the monthly
# resources (the employee's, or the employer's per child); an ended contract is its attestation.
SUPPORTED: dict[str, frozenset[str]] = {
    EventKind.DECLARATION_CONFIRMED: frozenset(
        {
            "salaires",
            "activite_mensuelle",
            "prelevement_source",
            "ressources_mensuelles",
            "garde_enfants",
        }
    ),
    EventKind.CONTRACT_ENDED: frozenset({"attestation_employeur"}),
}

SEQUENCE_LOCK = chain.LOCK_KEY + 1  # PostgreSQL advisory lock serialising the feed positions


# ---- Writing, in the action's transaction -----------------------------------------------------


def _enqueue(kind: str, **refs) -> Event | None:
    using = router.db_for_write(OutboxMessage)
    if not connections[using].in_atomic_block:
        raise RuntimeError(
            "La boîte d'envoi s'écrit dans la transaction de l'action (transaction.atomic)."
        )
    subscriptions = _SUBSCRIBED.rows(using, kind)  # read on every confirmation
    if not subscriptions:
        return None
    now = timezone.now()
    event = Event.objects.using(using).create(kind=kind, occurred_at=now, **refs)
    OutboxMessage.objects.using(using).bulk_create(
        [
            OutboxMessage(
                event=event,
                subscription_id=subscription_id,
                status=DeliveryStatus.PENDING if push else DeliveryStatus.FEED,
                next_attempt_at=now,
            )
            for subscription_id, push in subscriptions
        ]
    )
    return event


_SUBSCRIBED = Prepared(
    lambda kind: (
        Subscription.objects.filter(
            event=kind, active=True, partner__active=True, scope__active=True
        )
        .order_by("id")
        .values_list("id", "push")
    ),
    [str],
)


def on_declaration_confirmed(sender, declaration, version, **kwargs) -> None:
    """A month declared, or corrected (a new version): one event for that version."""
    _enqueue(
        EventKind.DECLARATION_CONFIRMED,
        contract_id=declaration.contract_id,
        declaration=declaration,
        version=version,
    )


def on_contract_ended(sender, contract, **kwargs) -> None:
    _enqueue(EventKind.CONTRACT_ENDED, contract=contract)


# ---- Positions in the feed ------------------------------------------------------------------


def sequence(using: str | None = None, batch: int = 2000) -> int:
    """Give their feed position to the committed messages that have none yet (in id order),
    after every position already given. Returns how many were placed."""
    using = using or router.db_for_write(OutboxMessage)
    waiting = OutboxMessage.objects.using(using).filter(position__isnull=True)
    if not waiting.exists():  # a read: no write lock taken when there is nothing to do
        return 0
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEQUENCE_LOCK])
        ids = list(waiting.order_by("id").values_list("id", flat=True)[:batch])
        top = OutboxMessage.objects.using(using).aggregate(top=Max("position"))["top"] or 0
        rows = [OutboxMessage(id=pk, position=top + i) for i, pk in enumerate(ids, 1)]
        OutboxMessage.objects.using(using).bulk_update(rows, ["position"], batch_size=500)
    return len(ids)


# ---- What an event carries ------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """The data of one event for one scope, before masking."""

    person: Person
    rows: list[dict[str, Any]]
    period: str
    subject: dict[str, Any]  # what the event is about: {"type", "id"[, "version"]}


def content(event: Event, scope: Scope) -> Content | None:
    """The event's data for the scope; None if the scope's resource cannot carry this event
    (its resource was changed since the subscription)."""
    resource = resources.RESOURCES.get(scope.resource)
    if resource is None or scope.resource not in SUPPORTED.get(event.kind, ()):
        return None
    contract = event.contract
    if event.kind == EventKind.CONTRACT_ENDED:
        return Content(
            person=contract.employee,
            rows=[resources.attestation_row(contract)] if contract.end_date else [],
            period=f"contrat {contract.pk}",
            subject={"type": "contrat", "id": contract.pk, "version": None},
        )
    declaration, version = event.declaration, event.version
    declaration.contract = contract  # the row builders read the parties from it
    if resource.role == resources.EMPLOYER:
        person, row = contract.employer, resources.child_month_row(declaration, version.results)
    else:
        person, row = contract.employee, resources.employee_month_row(declaration, version.results)
    return Content(
        person=person,
        rows=[row],
        period=resources.month_code(declaration.period),
        subject={"type": "declaration", "id": declaration.pk, "version": version.number},
    )


def withheld(person: Person, subscription: Subscription) -> bool:
    """The person's objection holds: a non-mandatory exchange with a partner they object to."""
    return not subscription.scope.mandatory and objects(person, subscription.partner)


def item(
    message: OutboxMessage, found: Content, masked: list[dict], granted: list[str], seq: int
) -> dict[str, Any]:
    """The event as the partner receives it (in the signed payload, or in the feed)."""
    scope = message.subscription.scope
    return {
        "id": str(message.key),
        "type": message.event.kind,
        "survenu_le": message.event.occurred_at.astimezone(dt.UTC).isoformat(),
        "objet": found.subject,
        "personne": {"nir": found.person.nir},
        "perimetre": scope.code,
        "finalite": scope.purpose.code,
        "base_legale": scope.legal_basis,
        "periode": found.period,
        "champs": granted,
        "donnees": masked,
        "reference_journal": seq,
    }


def related(queryset):
    """What delivering or serving a message reads, in one query."""
    return queryset.select_related(
        "event__contract__employee",
        "event__contract__employer",
        "event__contract__child",
        "event__declaration",
        "event__version",
        "subscription__partner",
        "subscription__scope__purpose",
    )


# ---- The exchange log and the person's journal ----------------------------------------------


def log_access(
    message: OutboxMessage,
    found: Content,
    granted: list[str],
    *,
    channel: str,
    result: str,
    status: int | None,
    outcome: str | None,
    attempt: int | None = None,
    before: Callable[[], None] | None = None,
) -> tuple[int, dt.datetime]:
    """One chained log entry (metadata only) and, if ``outcome``, one row of the person's
    journal, in one transaction (``before()`` runs first in it). Returns the entry's number and
    time."""
    subscription = message.subscription
    scope = subscription.scope
    meta: dict[str, Any] = {
        "client": subscription.partner.client_id,
        "token": None,
        "channel": channel,
        "event": message.event.kind,
        "message": str(message.key),
        "resource": scope.resource,
        "scope": scope.code,
        "purpose": scope.purpose.code,
        "recipient": subscription.recipient,
        "context": f"abonnement {subscription.pk}",
        "subject": found.person.pk,
        "fields": granted,
        "period": found.period,
        "result": result,
        "status": status,
    }
    if attempt is not None:
        meta["attempt"] = attempt

    def work():
        if before is not None:
            before()
        at = timezone.now()
        entry = chain.append(meta, at=at)
        if outcome is not None:
            AccessJournal.objects.create(
                person=found.person,
                at=at,
                partner=subscription.partner,
                scope=scope,
                fields=granted,
                period=found.period,
                recipient=subscription.recipient,
                outcome=outcome,
                log_seq=entry.seq,
            )
        return entry.seq, at

    return chain.write(work)


def journal_outcome(masked: list[dict]) -> str:
    return Outcome.DELIVERED if masked else Outcome.NO_DATA
