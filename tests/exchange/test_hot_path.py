"""The partner API's hot path (bench/exchange_reads.py): the partners' configuration kept in
memory and seen changed at the very next call, queries compiled once, the rows read in one query
equal to those of the push, and the log's head row (one statement per append on PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from unefois.exchange import chain, resources, tokens
from unefois.exchange.actions import do_revoke_key
from unefois.exchange.models import (
    AccessJournal,
    Checkpoint,
    ConfigStamp,
    LogEntry,
    LogHead,
    Partner,
    Scope,
)
from unefois.exchange.verify import verify
from unefois.people.models import Person
from unefois.storage.prepared import Prepared

pytestmark = pytest.mark.django_db

SALARIES = {"mois": 3, "jusqu_au": "2025-05"}


def _read(client, world, token):
    return client.call(
        "salaires",
        {"nir": world.ama.nir, **SALARIES},
        purpose="indemnites-journalieres",
        token=token,
    )


def test_every_write_to_the_configuration_changes_the_stamp(partners):
    stamps = [ConfigStamp.objects.get().stamp]
    Partner.objects.filter(client_id="cpam").update(burst=7)  # no signal: the trigger sees it
    stamps.append(ConfigStamp.objects.get().stamp)
    Scope.objects.filter(code="cpam-salaires").update(label="Salaires")
    stamps.append(ConfigStamp.objects.get().stamp)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE exchange_purpose SET label = label || '.'")
    stamps.append(ConfigStamp.objects.get().stamp)
    do_revoke_key(None, partners["cpam"].partner.keys.get())
    stamps.append(ConfigStamp.objects.get().stamp)
    assert len(set(stamps)) == len(stamps)


def test_a_revoked_key_is_refused_at_once_though_the_partner_is_in_memory(partners):
    cpam = partners["cpam"]
    assert cpam.token_response().status_code == 200  # the configuration is now in memory
    assert tokens.partner_config("cpam").keys
    do_revoke_key(None, cpam.partner.keys.get())
    assert tokens.partner_config("cpam").keys == ()
    response = cpam.token_response()
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_partner_deactivated_by_any_means_loses_its_tokens_at_once(world, partners):
    cpam = partners["cpam"]
    token = cpam.token()
    assert _read(cpam, world, token).status_code == 200  # cached in this process
    Partner.objects.filter(pk=cpam.partner.pk).update(active=False)
    assert _read(cpam, world, token).status_code == 401


def test_a_scope_deactivated_is_refused_at_the_next_call(world, partners):
    cpam = partners["cpam"]
    token = cpam.token()
    assert _read(cpam, world, token).status_code == 200
    Scope.objects.filter(code="cpam-salaires").update(active=False)
    response = _read(cpam, world, token)
    assert response.status_code == 403
    assert response.json()["code"] == "perimetre_insuffisant"


def test_a_changed_rate_limit_applies_at_the_next_call(world, partners):
    cpam = partners["cpam"]
    token = cpam.token()
    assert _read(cpam, world, token).status_code == 200
    Partner.objects.filter(pk=cpam.partner.pk).update(burst=0, rate_per_second=0.001)
    assert _read(cpam, world, token).status_code == 429


def test_the_rows_read_in_one_query_are_those_of_the_push(world):
    person = Person.objects.get(pk=world.ama.pk)
    window = resources.Window(2025 * 12, 2025 * 12 + 11)
    rows = resources.RESOURCES["salaires"].build(person, window)
    declarations = resources._declarations(person, resources.EMPLOYEE, window.first, window.last)
    expected = [resources.employee_month_row(d, d.current_version.results) for d in declarations]
    assert rows == expected
    assert len(rows) == 5


def test_a_prepared_query_refuses_an_argument_it_cannot_place():
    query = Prepared(lambda s: Person.objects.filter(nir__endswith=s).values_list("pk"), [str])
    with pytest.raises(ValueError, match="préparée"):
        query.rows("default", "123")


def test_the_head_follows_the_log_and_is_rebuilt_if_missing(world, partners):
    cpam = partners["cpam"]
    token = cpam.token()
    for _ in range(3):
        assert _read(cpam, world, token).status_code == 200
    last = LogEntry.objects.order_by("-seq").first()
    head = LogHead.objects.get()
    assert (head.seq, head.hash) == (last.seq, last.hash)
    assert AccessJournal.objects.filter(log_seq=last.seq).count() == 1
    LogHead.objects.all().delete()  # as a flush of the database would leave it
    response = _read(cpam, world, token)
    assert response.json()["reference_journal"] == last.seq + 1
    assert verify().ok


def _in_threads(writer, count: int) -> list[Exception]:
    """Run ``writer(n)`` in ``count`` threads at once, each with its own connection: the errors."""
    errors: list[Exception] = []

    def run(n: int) -> None:
        try:
            writer(n)
        except Exception as error:  # pragma: no cover - reported by the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_stay_in_order_and_verifiable():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL (SQLite has one writer)")

    def writer(n: int) -> None:
        for i in range(25):
            with transaction.atomic():
                chain.append({"client": "essai", "writer": n, "i": i, "context": "é « »"})

    assert _in_threads(writer, 4) == []
    assert list(LogEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 101)
    )
    assert LogHead.objects.get().seq == 100
    assert verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_records_commit_one_statement_each_and_seal_in_order(settings):
    """``chain.record`` outside a transaction (the API's path): on PostgreSQL one statement in
    autocommit per entry, the checkpoints sealed after it, in order, whatever the interleaving."""
    settings.EXCHANGE_CHECKPOINT_EVERY = 10

    def writer(n: int) -> None:
        for i in range(30):
            chain.record({"client": "essai", "writer": n, "i": i, "context": "« é »"})

    assert _in_threads(writer, 4) == []
    seqs = list(LogEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 121))
    checkpoints = list(Checkpoint.objects.order_by("number").values_list("seq", flat=True))
    assert checkpoints == sorted(checkpoints)
    assert checkpoints[-1] == 120
    report = verify()
    assert report.ok
    assert report.sealed_up_to == 120


@pytest.mark.django_db(transaction=True)
def test_api_reads_outside_a_test_transaction_write_entry_and_journal_together(world, partners):
    cpam = partners["cpam"]
    token = cpam.token()
    references = [_read(cpam, world, token).json()["reference_journal"] for _ in range(3)]
    assert references == sorted(references)
    for seq in references:
        assert AccessJournal.objects.filter(log_seq=seq, person=world.ama).count() == 1
        assert LogEntry.objects.filter(seq=seq).exists()
    assert LogHead.objects.get().seq == LogEntry.objects.order_by("-seq").first().seq
    assert verify().ok


def test_find_person_and_its_compiled_twin_agree(world):
    from unefois.exchange import access

    for nir in (world.ama.nir, world.ama.nir[:13], world.parent1.nir, "199127512399999"):
        person = access.find_person(nir)
        assert access.find_person_id(nir) == (person.pk if person else None)
    assert access.find_person(world.ama.nir).nir == world.ama.nir  # a whole person
