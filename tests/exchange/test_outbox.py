"""The transactional outbox: the domain actions send their signal inside their transaction and
the exchange room writes its messages there — rolled back with the action, one message per
active subscription, a correction being a new event; nothing without a subscription."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from unefois.contracts.actions import do_end_contract
from unefois.declarations.actions import do_contest, do_correct, do_declare
from unefois.declarations.models import Declaration
from unefois.exchange import outbox
from unefois.exchange.models import (
    DeliveryStatus,
    Event,
    EventKind,
    OutboxMessage,
    Subscription,
)

from .conftest import hire, set_webhook, subscribe

pytestmark = pytest.mark.django_db

DECLARED = EventKind.DECLARATION_CONFIRMED
ENDED = EventKind.CONTRACT_ENDED
MARCH = 2025 * 12 + 2


class AbortError(Exception):
    """Raised by the test to roll its transaction back."""


@pytest.fixture
def subscribed(household):
    set_webhook("france-travail", "https://ft.example/evenements")
    subscribe("france-travail-actualisation", DECLARED)
    subscribe("france-travail-attestation", ENDED)
    subscribe("caf-cmg", DECLARED, push=False)
    return household


def test_a_declaration_writes_one_message_per_subscription(subscribed):
    contract = hire(subscribed.parent, subscribed.ama, 1, dt.date(2025, 3, 1))
    declaration = contract.declarations.get()
    [event] = Event.objects.all()
    assert (event.kind, event.contract, event.declaration) == (DECLARED, contract, declaration)
    assert event.version == declaration.current_version
    messages = {m.subscription.scope.code: m for m in OutboxMessage.objects.all()}
    assert set(messages) == {"france-travail-actualisation", "caf-cmg"}
    assert messages["france-travail-actualisation"].status == DeliveryStatus.PENDING
    assert messages["caf-cmg"].status == DeliveryStatus.FEED  # the feed only: never pushed
    assert len({m.key for m in messages.values()}) == 2


def test_a_rolled_back_action_leaves_no_message(subscribed):
    contract = hire(subscribed.parent, subscribed.ama, 0, dt.date(2025, 3, 1))
    inside = []

    def declare_then_fail():
        with transaction.atomic():
            do_declare(subscribed.parent.user, contract, MARCH, {})
            inside.append(OutboxMessage.objects.count())  # written in the action's transaction
            raise AbortError

    with pytest.raises(AbortError):
        declare_then_fail()
    assert inside == [2]
    assert not Declaration.objects.filter(contract=contract).exists()
    assert not Event.objects.exists()
    assert not OutboxMessage.objects.exists()

    def end_then_fail():
        with transaction.atomic():
            do_end_contract(subscribed.parent.user, contract, dt.date(2025, 4, 30), "resignation")
            inside.append(OutboxMessage.objects.count())
            raise AbortError

    with pytest.raises(AbortError):
        end_then_fail()
    assert inside == [2, 1]
    assert not OutboxMessage.objects.exists()


def test_a_correction_is_a_new_event_a_contest_is_none(subscribed):
    contract = hire(subscribed.parent, subscribed.ama, 1, dt.date(2025, 3, 1))
    declaration = contract.declarations.get()
    do_contest(subscribed.ama.user, declaration, "Il manque des heures")
    assert Event.objects.count() == 1
    new = do_correct(subscribed.parent.user, declaration, {}, "Heures complétées")
    latest = Event.objects.order_by("-id").first()
    assert (latest.kind, latest.declaration_id, latest.version) == (DECLARED, declaration.pk, new)
    assert new.number == 2
    assert OutboxMessage.objects.filter(event=latest).count() == 2


def test_an_ended_contract_reaches_the_attestation_subscription_only(subscribed):
    contract = hire(subscribed.parent, subscribed.ama, 0, dt.date(2025, 3, 1))
    do_end_contract(subscribed.parent.user, contract, dt.date(2025, 3, 31), "resignation")
    [message] = OutboxMessage.objects.select_related("event", "subscription__scope")
    assert message.event.kind == ENDED
    assert message.subscription.scope.code == "france-travail-attestation"


def test_nothing_is_written_without_an_active_subscription(household):
    hire(household.parent, household.ama, 1, dt.date(2025, 3, 1))
    assert not Event.objects.exists()
    subscribe("caf-cmg", DECLARED, push=False)
    Subscription.objects.update(active=False)
    hire(household.parent, household.ama, 1, dt.date(2025, 4, 1), child_name="Noé")
    assert not Event.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_positions_are_given_once_in_order_after_those_already_given(subscribed):
    hire(subscribed.parent, subscribed.ama, 2, dt.date(2025, 3, 1))
    assert not OutboxMessage.objects.filter(position__isnull=False).exists()
    assert outbox.sequence() == 4
    first = list(OutboxMessage.objects.order_by("id").values_list("id", "position"))
    assert [p for _, p in first] == [1, 2, 3, 4]
    assert outbox.sequence() == 0  # nothing new: nothing moves
    hire(subscribed.parent, subscribed.ama, 1, dt.date(2025, 6, 1), child_name="Noé")
    assert outbox.sequence() == 2
    after = dict(OutboxMessage.objects.values_list("id", "position"))
    assert all(after[pk] == position for pk, position in first)
    assert sorted(after.values()) == [1, 2, 3, 4, 5, 6]
