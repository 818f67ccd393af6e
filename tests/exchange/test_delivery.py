"""Pushing events to a real webhook on 127.0.0.1 (``webhook.Receiver``) that drops connections,
answers too late or answers 500/503 before it accepts: each event ends applied exactly once,
its signature verifies with the platform's published JWKS, the backoff grows as promised (an
injected clock: no real waiting), the person's objection and the scope's mask hold at delivery
time, and every attempt is in the exchange log."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import threading

import pytest
from django.apps import apps
from django.utils import timezone
from typer.testing import CliRunner

from unefois.cli import app
from unefois.contracts.actions import do_end_contract
from unefois.declarations.actions import do_correct
from unefois.exchange import seed, tokens
from unefois.exchange.actions import do_object
from unefois.exchange.delivery import Policy, Worker
from unefois.exchange.models import (
    AccessJournal,
    DeliveryStatus,
    EventKind,
    LogEntry,
    OutboxMessage,
    Outcome,
    Scope,
    Subscription,
)
from unefois.exchange.services import accesses_for
from unefois.exchange.verify import verify

from .conftest import NIRS, hire, set_webhook, subscribe
from .webhook import DROP, SLOW, Clock, Receiver

pytestmark = pytest.mark.django_db

DECLARED = EventKind.DECLARATION_CONFIRMED
ENDED = EventKind.CONTRACT_ENDED
POLICY = Policy(
    max_attempts=6,
    backoff_base=10.0,
    backoff_max=600.0,
    connect_timeout=1.0,
    timeout=1.0,
    lease=60.0,
    batch=50,
)


@pytest.fixture
def jwks(client) -> dict:
    """What a partner fetches to verify our signatures."""
    return client.get("/api/partenaires/jwks.json").json()


@pytest.fixture
def receivers(jwks):
    started: list[Receiver] = []

    def start(client_id: str, plan=(), **options) -> Receiver:
        receiver = Receiver(jwks, client_id, list(plan), **options).start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


def run_until_settled(worker: Worker, clock: Clock, rounds: int = 12) -> int:
    """Drain; then move the clock to when every waiting message is due, and again, until
    nothing waits."""
    for done in range(1, rounds + 1):
        worker.drain()
        waiting = OutboxMessage.objects.filter(status=DeliveryStatus.PENDING)
        if not waiting.exists():
            return done
        clock.now = max(clock.now, *(m.next_attempt_at for m in waiting))
    raise AssertionError("still pending after all rounds")


def test_each_event_is_applied_exactly_once_whatever_the_webhook_does_first(household, receivers):
    # France Travail's webhook: the connection dropped, then an answer too late (after applying
    # the event), then 500, then accepted. The CAF's: 503, dropped, then accepted.
    ft = receivers("france-travail", plan=[DROP, SLOW, 500])
    caf = receivers("caf-msa", plan=[503, DROP])
    set_webhook("france-travail", ft.url)
    set_webhook("caf-msa", caf.url)
    subscribe("france-travail-actualisation", DECLARED)
    subscribe("france-travail-attestation", ENDED)
    subscribe("caf-cmg", DECLARED)
    contract = hire(household.parent, household.ama, 2, dt.date(2025, 3, 1))
    contract = do_end_contract(
        household.parent.user, contract, dt.date(2025, 4, 30), "employer_withdrawal"
    )
    april = contract.declarations.get(period=2025 * 12 + 3)
    do_correct(household.parent.user, april, {}, "Erreur de saisie")
    messages = list(OutboxMessage.objects.select_related("subscription__scope"))
    assert len(messages) == 7  # (2 months + 1 correction) × 2 subscriptions + 1 attestation

    clock = Clock(timezone.now())
    run_until_settled(Worker(POLICY, clock=clock, rng=random.Random(5)), clock)

    assert ft.refused == []
    assert caf.refused == []
    for message in OutboxMessage.objects.select_related("subscription__partner"):
        assert message.status == DeliveryStatus.DELIVERED, message.last_error
        receiver = ft if message.subscription.partner.client_id == "france-travail" else caf
        key = str(message.key)
        assert receiver.applications[key] == 1  # applied exactly once…
        assert receiver.attempts(key) == message.attempts == len(receiver.plan) + 1  # …sent more
    assert (len(ft.applied), len(caf.applied)) == (4, 3)
    assert (sum(ft.applications.values()), sum(caf.applications.values())) == (4, 3)

    # The payloads: masked to each scope, about the right person, a correction as version 2.
    scopes = {s.code: s for s in Scope.objects.all()}
    for event in ft.applied.values():
        assert event["iss"] == tokens.configured_issuer()
        assert event["personne"] == {"nir": NIRS["ama"]}
        [row] = event["donnees"]
        assert list(row) == event["champs"] == scopes[event["perimetre"]].fields
    for event in caf.applied.values():
        assert event["personne"] == {"nir": NIRS["parent1"]}
        assert set(event["donnees"][0]) == set(scopes["caf-cmg"].fields)
    [attestation] = [e for e in ft.applied.values() if e["type"] == ENDED]
    assert attestation["uri"] == "urn:unefois:evenement:contrat.termine"
    assert attestation["donnees"][0]["fin"] == "2025-04-30"
    versions = sorted((e["objet"]["id"], e["objet"]["version"]) for e in caf.applied.values())
    assert {(april.pk, 1), (april.pk, 2)} <= set(versions)


def test_every_attempt_is_logged_and_the_person_sees_each_delivery_once(household, receivers):
    ft = receivers("france-travail", plan=[500, 500])
    set_webhook("france-travail", ft.url)
    scope = subscribe("france-travail-actualisation", DECLARED).scope
    hire(household.parent, household.ama, 1, dt.date(2025, 3, 1))
    clock = Clock(timezone.now())
    run_until_settled(Worker(POLICY, clock=clock, rng=random.Random(1)), clock)

    [message] = OutboxMessage.objects.all()
    entries = [json.loads(e.body) for e in LogEntry.objects.order_by("seq")]
    assert [(e["channel"], e["result"], e["attempt"]) for e in entries] == [
        ("webhook", "envoi", 1),
        ("webhook", "envoi", 2),
        ("webhook", "envoi", 3),
    ]
    for entry in entries:
        assert entry["message"] == str(message.key)
        assert entry["subject"] == household.ama.pk
        assert entry["fields"] == scope.fields
        assert entry["client"] == "france-travail"
    body = "".join(e.body for e in LogEntry.objects.all())
    assert NIRS["ama"] not in body  # metadata only: no NIR, no figure
    salary = ft.applied[str(message.key)]["donnees"][0]["salaire_brut"]
    assert salary not in body
    [row] = AccessJournal.objects.all()
    assert (row.person, row.outcome, row.log_seq) == (household.ama, Outcome.DELIVERED, 3)
    assert ft.applied[str(message.key)]["reference_journal"] == 3 == message.last_log_seq
    [access] = accesses_for(household.ama)
    assert access.partner == "France Travail"
    assert access.delivered
    assert verify().ok


def test_the_backoff_grows_with_jitter_and_nothing_is_sent_early(household, receivers):
    policy = Policy(
        max_attempts=4,
        backoff_base=10.0,
        backoff_max=25.0,
        connect_timeout=1.0,
        timeout=1.0,
        lease=60.0,
    )
    ft = receivers("france-travail", plan=[500] * 10)
    set_webhook("france-travail", ft.url)
    subscribe("france-travail-actualisation", DECLARED)
    hire(household.parent, household.ama, 1, dt.date(2025, 3, 1))
    clock = Clock(timezone.now())
    worker = Worker(policy, clock=clock, rng=random.Random(42))
    expected = random.Random(42)  # the same draws, to know each wait exactly

    worker.drain()
    for attempt, ceiling in ((1, 10.0), (2, 20.0), (3, 25.0)):  # 10 × 2^(n−1), capped at 25
        message = OutboxMessage.objects.get()
        wait = (message.next_attempt_at - clock.now).total_seconds()
        assert ceiling / 2 <= wait <= ceiling
        assert wait == pytest.approx(policy.delay(attempt, expected), abs=1e-3)
        assert (message.attempts, message.last_status_code) == (attempt, 500)
        clock.now = message.next_attempt_at - dt.timedelta(milliseconds=1)
        worker.drain()  # not due yet: nothing sent
        assert len(ft.requests) == attempt
        clock.now = message.next_attempt_at
        worker.drain()
        assert len(ft.requests) == attempt + 1

    failed = OutboxMessage.objects.get()
    assert failed.status == DeliveryStatus.FAILED  # the 4th attempt was the last
    assert failed.attempts == 4
    assert "HTTP 500" in failed.last_error
    clock.advance(3600)
    worker.drain()
    assert len(ft.requests) == 4


def test_retry_after_is_honoured_within_the_cap(household, receivers):
    ft = receivers("france-travail", plan=[503], retry_after="120")
    set_webhook("france-travail", ft.url)
    subscribe("france-travail-actualisation", DECLARED)
    hire(household.parent, household.ama, 1, dt.date(2025, 3, 1))
    clock = Clock(timezone.now())
    Worker(POLICY, clock=clock, rng=random.Random(3)).drain()
    message = OutboxMessage.objects.get()
    assert (message.next_attempt_at - clock.now).total_seconds() == pytest.approx(120, abs=1e-3)


def test_the_objection_is_honoured_at_delivery_time(household, receivers):
    ft = receivers("france-travail")
    caf = receivers("caf-msa")
    set_webhook("france-travail", ft.url)
    set_webhook("caf-msa", caf.url)
    subscribe("france-travail-actualisation", DECLARED)  # not mandatory
    subscribe("france-travail-attestation", ENDED)  # mandatory
    subscribe("caf-cmg", DECLARED)  # mandatory
    contract = hire(household.parent, household.ama, 1, dt.date(2025, 3, 1))
    do_end_contract(household.parent.user, contract, dt.date(2025, 3, 31), "resignation")
    # The AMA objects after the events were written, before they are delivered.
    do_object(household.ama.user, household.ama)
    clock = Clock(timezone.now())
    Worker(POLICY, clock=clock).drain()

    by_scope = {
        m.subscription.scope.code: m for m in OutboxMessage.objects.select_related("subscription")
    }
    withheld = by_scope["france-travail-actualisation"]
    assert withheld.status == DeliveryStatus.WITHHELD
    assert ft.attempts(str(withheld.key)) == 0  # nothing was sent
    assert by_scope["france-travail-attestation"].status == DeliveryStatus.DELIVERED
    assert by_scope["caf-cmg"].status == DeliveryStatus.DELIVERED
    assert [e["type"] for e in ft.applied.values()] == [ENDED]
    outcomes = sorted(a.outcome for a in accesses_for(household.ama))
    assert outcomes == ["Données transmises", "Refusé : opposition de la personne"]
    refusal = AccessJournal.objects.get(outcome=Outcome.OBJECTION)
    assert json.loads(LogEntry.objects.get(seq=refusal.log_seq).body)["result"] == "opposition"


def test_an_inactive_subscription_or_partner_is_not_delivered(household, receivers):
    ft = receivers("france-travail")
    set_webhook("france-travail", ft.url)
    subscription = subscribe("france-travail-actualisation", DECLARED)
    hire(household.parent, household.ama, 1, dt.date(2025, 3, 1))
    Subscription.objects.filter(pk=subscription.pk).update(active=False)
    Worker(POLICY).drain()
    message = OutboxMessage.objects.get()
    assert message.status == DeliveryStatus.CANCELLED
    assert "inactif" in message.last_error
    assert ft.requests == []
    assert not LogEntry.objects.exists()


def test_a_worker_that_died_leaves_its_claim_to_another_after_the_lease(household, receivers):
    ft = receivers("france-travail")
    set_webhook("france-travail", ft.url)
    subscribe("france-travail-actualisation", DECLARED)
    hire(household.parent, household.ama, 2, dt.date(2025, 3, 1))
    clock = Clock(timezone.now())
    dead = Worker(POLICY, clock=clock, name="mort")
    assert len(dead.claim()) == 2  # …and never delivers
    alive = Worker(POLICY, clock=clock, name="vivant")
    assert alive.drain() == []  # claimed by the other one
    clock.advance(POLICY.lease_seconds + 1)
    assert [r.outcome for r in alive.drain()] == ["livre", "livre"]
    assert dead.deliver(OutboxMessage.objects.first().pk) is None  # too late: not its own
    assert sum(ft.applications.values()) == 2


def test_an_unreachable_webhook_fails_after_the_last_attempt(household, receivers):
    closed = receivers("france-travail")
    url = closed.url
    closed.stop()  # nothing listens there any more: connection refused
    set_webhook("france-travail", url)
    subscribe("france-travail-actualisation", DECLARED)
    hire(household.parent, household.ama, 1, dt.date(2025, 3, 1))
    clock = Clock(timezone.now())
    policy = Policy(max_attempts=2, backoff_base=1.0, connect_timeout=1.0, timeout=1.0)
    worker = Worker(policy, clock=clock)
    worker.drain()
    clock.advance(2)
    [result] = worker.drain()
    assert result.outcome == "echec"
    message = OutboxMessage.objects.get()
    assert message.status == DeliveryStatus.FAILED
    assert message.last_error.startswith("Connexion au webhook impossible")
    assert "abandonnée après 2 tentatives" in result.text()


def test_the_command_delivers_what_is_due_and_says_so(household, receivers, settings):
    settings.EXCHANGE_DELIVERY_TIMEOUT = 1.0
    settings.EXCHANGE_DELIVERY_BACKOFF_BASE = 60.0
    ft = receivers("france-travail", plan=[500])
    set_webhook("france-travail", ft.url)
    subscribe("france-travail-actualisation", DECLARED)
    hire(household.parent, household.ama, 2, dt.date(2025, 3, 1))
    result = CliRunner().invoke(app, ["exchange", "deliver", "--once"])
    assert result.exit_code == 0, result.output
    assert "tentative 1 échouée" in result.output
    assert "Le webhook a répondu HTTP 500." in result.output
    assert "0 livré(s), 2 à réessayer" in result.output
    assert "2 plus tard" in result.output
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    result = CliRunner().invoke(app, ["exchange", "deliver", "--once"])
    assert "2 livré(s)" in result.output
    assert result.output.count("livrée (HTTP 202, tentative 2)") == 2


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SKIP LOCKED: PostgreSQL (SQLite has one writer; one worker is enough)",
)
# No serialized_rollback: its reload of the migrated rows collides with the content types
# that the flush of an earlier transactional test on the same worker has re-created. The
# partners this test needs are installed by seed.install, as everywhere else.
@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_outbox_without_sending_twice(receivers):
    from django.db import connection

    from tests.www.factories import person

    seed.install(apps)
    parent = person("w-parent", True)
    ama = person("w-ama", False, "ama")
    type(ama).objects.filter(pk=ama.pk).update(nir=NIRS["ama"])
    ft = receivers("france-travail", pause=0.05)
    set_webhook("france-travail", ft.url)
    subscribe("france-travail-actualisation", DECLARED)
    hire(parent, ama, 12, dt.date(2024, 1, 1))
    policy = Policy(batch=3, connect_timeout=2.0, timeout=5.0)
    results: dict[str, list] = {}

    def work(name: str) -> None:
        try:
            results[name] = Worker(policy, name=name).drain()
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"livreur-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["livreur-0", "livreur-1"]
    assert all(results.values())  # both took a share
    delivered = [r.key for rs in results.values() for r in rs if r.outcome == "livre"]
    assert len(delivered) == len(set(delivered)) == 12
    assert sorted(set(delivered)) == sorted(ft.applied)
    assert all(ft.attempts(key) == 1 for key in ft.applied)  # nobody sent one twice
    assert not OutboxMessage.objects.exclude(status=DeliveryStatus.DELIVERED).exists()
