"""Pushing the outbox to the partners' webhooks (``unefois exchange deliver``).

A worker **claims** the messages due (PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED``, so that
several workers share the work; SQLite: one writer at a time, one worker is enough) by writing a
lease on them (``locked_until``, ``locked_by``); then, for each one, outside any transaction:

1. partner, scope or subscription inactive, or a person without NIR: cancelled, nothing sent;
2. the person objects to this non-mandatory exchange: nothing sent; one log entry and one row of
   the person's journal (« Refusé : opposition de la personne »);
3. otherwise the attempt is counted and its log entry written (metadata only) **before** the
   data leave; the payload is a Security Event Token (RFC 8417) signed RS256 with the platform's
   token key (partners verify it with ``/api/partenaires/jwks.json``), POSTed to the webhook
   (RFC 8935: ``Content-Type: application/secevent+jwt``) with an ``Idempotency-Key`` header
   (the message's key, also the token's ``jti``: the same at every attempt);
4. a 2xx answer: delivered, and one row of the person's journal; anything else (error status,
   timeout, refused connection): a new attempt after an exponential backoff with jitter
   (``Policy.delay``), or ``failed`` after ``max_attempts`` (seen, and retried, in the back
   office).

At least once: a worker that dies after sending but before recording leaves its lease to expire,
and the message is sent again with the same key; the partner applies each key once.

Each state change after the claim is a compare-and-set on (status pending, our lease): a worker
whose lease was taken over records nothing more.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.db import DatabaseError, connections, router, transaction
from django.db.models import Q
from django.utils import timezone
from joserfc import jwt

from . import keys, outbox, resources, tokens
from .models import AccessJournal, DeliveryStatus, OutboxMessage, Outcome

SET_TYPE = "secevent+jwt"
CONTENT_TYPE = "application/secevent+jwt"
EVENT_URI = "urn:unefois:evenement:"  # + the event kind, e.g. urn:unefois:evenement:contrat.termine


@dataclass(frozen=True)
class Policy:
    """Timeouts, retries and backoff (settings ``EXCHANGE_DELIVERY_*``, see docs/exchange.md)."""

    max_attempts: int = 10
    backoff_base: float = 30.0  # seconds before the 2nd attempt (at most; half at least)
    backoff_max: float = 3600.0
    connect_timeout: float = 5.0
    timeout: float = 10.0  # waiting for the answer's headers
    lease: float = 120.0  # a claim lasts this long (then another worker may take the message)
    batch: int = 20

    @classmethod
    def from_settings(cls) -> Policy:
        def get(name: str, default):
            return type(default)(getattr(settings, f"EXCHANGE_DELIVERY_{name}", default))

        base = cls()
        return cls(
            max_attempts=get("MAX_ATTEMPTS", base.max_attempts),
            backoff_base=get("BACKOFF_BASE", base.backoff_base),
            backoff_max=get("BACKOFF_MAX", base.backoff_max),
            connect_timeout=get("CONNECT_TIMEOUT", base.connect_timeout),
            timeout=get("TIMEOUT", base.timeout),
            lease=get("LEASE", base.lease),
            batch=get("BATCH", base.batch),
        )

    def ceiling(self, attempt: int) -> float:
        """The longest wait after failed attempt n (≥ 1): base × 2^(n − 1), capped."""
        return min(self.backoff_max, self.backoff_base * 2.0 ** min(max(attempt - 1, 0), 62))

    def delay(self, attempt: int, rng: random.Random) -> float:
        """The wait after failed attempt n: drawn between half the ceiling and the ceiling
        (« equal jitter »: growing, and workers retrying together spread out)."""
        ceiling = self.ceiling(attempt)
        return ceiling / 2 + rng.random() * ceiling / 2

    @property
    def lease_seconds(self) -> float:
        return max(self.lease, 2 * (self.connect_timeout + self.timeout) + 10)


@dataclass(frozen=True)
class Result:
    """What happened to one message in one pass (for the worker's progress lines)."""

    message: int
    key: str
    partner: str
    event: str
    outcome: str  # livre, nouvel_essai, echec, opposition, annule
    attempt: int = 0
    status_code: int | None = None
    error: str = ""
    next_attempt_at: dt.datetime | None = None

    def text(self) -> str:
        head = f"Livraison {self.key[:8]} ({self.event}) à {self.partner}"
        if self.outcome == "livre":
            return f"{head} : livrée (HTTP {self.status_code}, tentative {self.attempt})."
        if self.outcome == "nouvel_essai":
            when = timezone.localtime(self.next_attempt_at).strftime("%H:%M:%S")
            return (
                f"{head} : tentative {self.attempt} échouée — {self.error} Nouvel essai à {when}."
            )
        if self.outcome == "echec":
            return f"{head} : abandonnée après {self.attempt} tentatives — {self.error}"
        if self.outcome == "opposition":
            return f"{head} : non transmise, la personne s'y oppose."
        return f"{head} : annulée — {self.error}"


class LostClaimError(Exception):
    """Our lease on the message expired and another worker took it: record nothing more."""


def sign(message: OutboxMessage, payload: dict[str, Any]) -> str:
    """The Security Event Token (RFC 8417) carrying one event, signed with the platform's key."""
    key = keys.token_signing_key()
    claims = {
        "iss": tokens.configured_issuer(),
        "aud": message.subscription.partner.client_id,
        "iat": int(time.time()),
        "jti": str(message.key),
        "toe": int(message.event.occurred_at.timestamp()),
        "events": {EVENT_URI + message.event.kind: payload},
    }
    header = {"alg": tokens.TOKEN_ALGORITHM, "typ": SET_TYPE, "kid": key.kid}
    return jwt.encode(header, claims, key, algorithms=[tokens.TOKEN_ALGORITHM])


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class Worker:
    """Claims and delivers due messages. ``clock`` (aware datetimes) and ``rng`` are injectable:
    tests move time forward instead of sleeping."""

    def __init__(
        self,
        policy: Policy | None = None,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        rng: random.Random | None = None,
        session: requests.Session | None = None,
        name: str | None = None,
        using: str | None = None,
    ):
        self.policy = policy or Policy.from_settings()
        self.clock = clock or timezone.now
        self.rng = rng or random.Random()
        self.session = session or requests.Session()
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.using = using or router.db_for_write(OutboxMessage)

    # ---- Claiming ----------------------------------------------------------------------------

    def _due(self, now: dt.datetime):
        return OutboxMessage.objects.using(self.using).filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now),
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
        )

    def claim(self) -> list[int]:
        """Reserve up to ``batch`` due messages for this worker; their ids, oldest due first."""
        now = self.clock()
        due = self._due(now)
        if not due.exists():  # a plain read: no write lock while there is nothing to do
            return []
        with transaction.atomic(using=self.using):
            rows = due.order_by("next_attempt_at", "id")
            if connections[self.using].vendor == "postgresql":
                rows = rows.select_for_update(skip_locked=True)
            ids = list(rows.values_list("id", flat=True)[: self.policy.batch])
            if ids:
                OutboxMessage.objects.using(self.using).filter(id__in=ids).update(
                    locked_until=now + dt.timedelta(seconds=self.policy.lease_seconds),
                    locked_by=self.name,
                )
        return ids

    def _cas(self, message: OutboxMessage, **changes) -> None:
        done = (
            OutboxMessage.objects.using(self.using)
            .filter(pk=message.pk, status=DeliveryStatus.PENDING, locked_by=self.name)
            .update(**changes)
        )
        if done != 1:
            raise LostClaimError(message.pk)

    def _release(self, **changes) -> dict[str, Any]:
        return {"locked_until": None, "locked_by": "", **changes}

    # ---- Delivering --------------------------------------------------------------------------

    def deliver(self, pk: int) -> Result | None:
        """Deliver one claimed message; None if it is no longer ours."""
        message = outbox.related(OutboxMessage.objects.using(self.using)).get(pk=pk)
        if message.status != DeliveryStatus.PENDING or message.locked_by != self.name:
            return None
        try:
            return self._deliver(message)
        except LostClaimError:
            return None

    def _result(self, message: OutboxMessage, outcome: str, **more) -> Result:
        return Result(
            message=message.pk,
            key=str(message.key),
            partner=message.subscription.partner.client_id,
            event=message.event.kind,
            outcome=outcome,
            **more,
        )

    def _cancel(self, message: OutboxMessage, reason: str) -> Result:
        self._cas(message, **self._release(status=DeliveryStatus.CANCELLED, last_error=reason))
        return self._result(message, "annule", attempt=message.attempts, error=reason)

    def _deliver(self, message: OutboxMessage) -> Result:
        subscription = message.subscription
        partner, scope = subscription.partner, subscription.scope
        if not (subscription.active and subscription.push and partner.active and scope.active):
            return self._cancel(
                message, "Abonnement, périmètre ou partenaire inactif : rien n'a été livré."
            )
        found = outbox.content(message.event, scope)
        if found is None:
            return self._cancel(
                message, f"La ressource du périmètre {scope.code} ne couvre pas cet événement."
            )
        if not found.person.nir:
            return self._cancel(
                message, "La personne n'a pas de NIR : le partenaire ne peut pas la reconnaître."
            )
        masked, granted, _ = resources.mask(found.rows, scope.fields, None)
        if outbox.withheld(found.person, subscription):
            outbox.log_access(
                message,
                found,
                granted,
                channel="webhook",
                result="opposition",
                status=None,
                outcome=Outcome.OBJECTION,
                before=lambda: self._cas(
                    message, **self._release(status=DeliveryStatus.WITHHELD, last_error="")
                ),
            )
            return self._result(message, "opposition", attempt=message.attempts)
        attempt = message.attempts + 1
        if not partner.webhook_url:
            return self._failed(
                message, attempt, None, "Le partenaire n'a pas d'adresse de webhook.", None
            )
        lease = dt.timedelta(seconds=self.policy.lease_seconds)
        started = self.clock()
        # The attempt is counted and logged before the data leave.
        seq, at = outbox.log_access(
            message,
            found,
            granted,
            channel="webhook",
            result="envoi",
            status=None,
            outcome=None,
            attempt=attempt,
            before=lambda: self._cas(
                message,
                attempts=attempt,
                last_attempt_at=started,
                locked_until=started + lease,
            ),
        )
        payload = outbox.item(message, found, masked, granted, seq)
        token = sign(message, payload)
        code, error, wait = self._post(partner.webhook_url, token, message, attempt)
        if code is None or not 200 <= code < 300:
            return self._failed(message, attempt, code, error, wait, seq)
        with transaction.atomic(using=self.using):
            self._cas(
                message,
                **self._release(
                    status=DeliveryStatus.DELIVERED,
                    delivered_at=self.clock(),
                    last_status_code=code,
                    last_error="",
                    last_log_seq=seq,
                ),
            )
            AccessJournal.objects.using(self.using).create(
                person=found.person,
                at=at,
                partner=partner,
                scope=scope,
                fields=granted,
                period=found.period,
                recipient=subscription.recipient,
                outcome=outbox.journal_outcome(masked),
                log_seq=seq,
            )
        return self._result(message, "livre", attempt=attempt, status_code=code)

    def _post(
        self, url: str, token: str, message: OutboxMessage, attempt: int
    ) -> tuple[int | None, str, float | None]:
        """POST the token; (HTTP status or None, error in French, Retry-After seconds)."""
        headers = {
            "Content-Type": CONTENT_TYPE,
            "Accept": "application/json",
            "Idempotency-Key": str(message.key),
            "Unefois-Tentative": str(attempt),
            "User-Agent": "unefois-livraison/1",
        }
        try:
            response = self.session.post(
                url,
                data=token.encode("ascii"),
                headers=headers,
                timeout=(self.policy.connect_timeout, self.policy.timeout),
                allow_redirects=False,
                stream=True,  # the status and headers are enough; the body is not read
            )
        except requests.Timeout:
            return None, f"Pas de réponse du webhook en {self.policy.timeout:g} s.", None
        except requests.ConnectionError:
            return None, "Connexion au webhook impossible (refusée ou interrompue).", None
        except requests.RequestException as error:
            return None, f"Envoi impossible ({type(error).__name__}).", None
        with response:
            code = response.status_code
            wait = _retry_after(response.headers.get("Retry-After"))
        if 200 <= code < 300:
            return code, "", None
        return code, f"Le webhook a répondu HTTP {code}.", wait

    def _failed(
        self,
        message: OutboxMessage,
        attempt: int,
        code: int | None,
        error: str,
        wait: float | None,
        seq: int | None = None,
    ) -> Result:
        now = self.clock()
        common = {"attempts": attempt, "last_status_code": code, "last_error": error}
        if seq is not None:
            common["last_log_seq"] = seq
        if attempt >= self.policy.max_attempts:
            self._cas(message, **self._release(status=DeliveryStatus.FAILED, **common))
            return self._result(message, "echec", attempt=attempt, status_code=code, error=error)
        delay = self.policy.delay(attempt, self.rng)
        if wait is not None:  # the partner asked to wait (429, 503): as long, within the cap
            delay = max(delay, min(wait, self.policy.backoff_max))
        next_at = now + dt.timedelta(seconds=delay)
        self._cas(message, **self._release(next_attempt_at=next_at, **common))
        return self._result(
            message,
            "nouvel_essai",
            attempt=attempt,
            status_code=code,
            error=error,
            next_attempt_at=next_at,
        )

    def _internal_error(self, pk: int, error: Exception) -> Result | None:
        message = outbox.related(OutboxMessage.objects.using(self.using)).get(pk=pk)
        text = f"Erreur interne ({type(error).__name__} : {error})."
        try:
            return self._failed(message, message.attempts + 1, None, text, None)
        except LostClaimError:
            return None

    # ---- Passes ------------------------------------------------------------------------------

    def drain(
        self,
        report: Callable[[Result], None] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> list[Result]:
        """Deliver every message due now (those retried later stay for a later pass)."""
        results: list[Result] = []
        while not (stop and stop()):
            outbox.sequence(self.using)
            ids = self.claim()
            if not ids:
                break
            for pk in ids:
                if stop and stop():
                    break
                try:
                    result = self.deliver(pk)
                except (DatabaseError, KeyboardInterrupt):
                    raise
                except Exception as error:  # a bug must not stop the other deliveries
                    result = self._internal_error(pk, error)
                if result is not None:
                    results.append(result)
                    if report is not None:
                        report(result)
        return results


def backlog(using: str | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Messages waiting (due now, or later), and failed: the worker's summary."""
    rows = OutboxMessage.objects.using(using or router.db_for_write(OutboxMessage))
    now = now or timezone.now()
    pending = rows.filter(status=DeliveryStatus.PENDING)
    return {
        "a_livrer": pending.filter(next_attempt_at__lte=now).count(),
        "plus_tard": pending.filter(next_attempt_at__gt=now).count(),
        "en_echec": rows.filter(status=DeliveryStatus.FAILED).count(),
    }
