"""The exchange log: append-only in the database, chained by hash, sealed by signed checkpoints;
``verify`` finds every edit, removal, reordering, rewrite and truncation made directly in the
database (triggers lifted, as an intruder with the database's keys would), and says where."""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from unefois.audit.append_only import _drop, _postgresql, _sqlite
from unefois.cli import app
from unefois.exchange import chain
from unefois.exchange.models import AccessJournal, Checkpoint, LogEntry
from unefois.exchange.verify import verify

pytestmark = pytest.mark.django_db

ENTRIES = 45
EVERY = 10  # a checkpoint every 10 entries: entries 1–40 sealed, 41–45 not yet
LAST_SEALED = ENTRIES // EVERY * EVERY
LOG = "exchange_logentry"
CHECKPOINTS = "exchange_checkpoint"


@pytest.fixture
def log(settings):
    settings.EXCHANGE_CHECKPOINT_EVERY = EVERY
    for i in range(1, ENTRIES + 1):
        with transaction.atomic():
            chain.append(
                {
                    "client": "cpam",
                    "subject": i % 7,
                    "purpose": "indemnites-journalieres",
                    "context": f"Dossier n° {i} — « arrêt » d'été",
                    "fields": ["mois", "salaire_brut"],
                    "result": "ok",
                }
            )
    assert verify().ok
    return ENTRIES


@contextmanager
def lifted(*tables):
    """Drop the append-only triggers for a moment (an intruder's move), then put them back."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for table in tables:
            for sql in _drop(table, vendor):
                cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for table in tables:
                for sql in _postgresql(table) if vendor == "postgresql" else _sqlite(table):
                    cursor.execute(sql)


def sql(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def edit_body(k, _j):
    sql(f"UPDATE {LOG} SET body = replace(body, 'Dossier', 'Dosier') WHERE seq = %s", [k])


def garble_hash(k, _j):
    sql(f"UPDATE {LOG} SET hash = %s WHERE seq = %s", ["é\tà\n" * 3, k])


def edit_hash(k, _j):
    sql(f"UPDATE {LOG} SET hash = %s WHERE seq = %s", [hashlib.sha256(b"x").hexdigest(), k])


def delete(k, _j):
    sql(f"DELETE FROM {LOG} WHERE seq = %s", [k])


def delete_range(k, j):
    sql(f"DELETE FROM {LOG} WHERE seq >= %s AND seq <= %s", [k, j])


def swap_rows(k, j):
    """Entries k and j exchange places (contents and hashes move, numbers stay)."""
    rows = dict(LogEntry.objects.filter(seq__in=[k, j]).values_list("seq", "body"))
    hashes = dict(LogEntry.objects.filter(seq__in=[k, j]).values_list("seq", "hash"))
    for a, b in ((k, j), (j, k)):
        sql(f"UPDATE {LOG} SET body = %s, hash = %s WHERE seq = %s", [rows[b], hashes[b], a])


def renumber(k, j):
    """Entries k and j swap their numbers."""
    sql(f"UPDATE {LOG} SET seq = -1 WHERE seq = %s", [k])
    sql(f"UPDATE {LOG} SET seq = %s WHERE seq = %s", [k, j])
    sql(f"UPDATE {LOG} SET seq = %s WHERE seq = -1", [j])


def rewrite(k, _j):
    """Edit entry k and recompute every hash after it: the chain alone looks intact."""
    previous = LogEntry.objects.get(seq=k - 1).hash if k > 1 else chain.GENESIS
    for entry in LogEntry.objects.filter(seq__gte=k).order_by("seq"):
        body = entry.body.replace("Dossier", "Dosier") if entry.seq == k else entry.body
        new = chain.entry_hash(entry.seq, previous, body)
        sql(f"UPDATE {LOG} SET body = %s, hash = %s WHERE seq = %s", [body, new, entry.seq])
        previous = new


def truncate(k, _j):
    sql(f"DELETE FROM {LOG} WHERE seq > %s", [k])


def first_sealed_at_or_after(k: int) -> int:
    return -(-k // EVERY) * EVERY


# tamper → (expected kind of the first problem, its position from k and j)
TAMPERING = {
    "edit_body": (edit_body, "altered", lambda k, j: k),
    "edit_hash": (edit_hash, "altered", lambda k, j: k),
    "garble_hash": (garble_hash, "altered", lambda k, j: k),
    # Removing the last entries (not sealed yet) is a truncation, seen against the log's head.
    "delete": (delete, lambda k, j: "truncated" if k == ENTRIES else "missing", lambda k, j: k),
    "delete_range": (
        delete_range,
        lambda k, j: "truncated" if j == ENTRIES else "missing",
        lambda k, j: k,
    ),
    "swap_rows": (swap_rows, "moved", lambda k, j: k),
    "renumber": (renumber, "moved", lambda k, j: k),
    # A rewrite shows at the first checkpoint after it; after the last one, at the head.
    "rewrite": (
        rewrite,
        "rewritten",
        lambda k, j: first_sealed_at_or_after(k) if k <= LAST_SEALED else ENTRIES,
    ),
    "truncate": (truncate, "truncated", lambda k, j: k + 1),
}


def tamper_and_verify(name: str, k: int, j: int, **options):
    tamper, kind, where = TAMPERING[name]
    kind = kind(k, j) if callable(kind) else kind
    with transaction.atomic():
        with lifted(LOG):
            tamper(k, j)
        report = verify(**options)
        transaction.set_rollback(True)  # the next case starts from the intact log
    assert not report.ok, (name, k, j)
    first = report.first_problem
    assert first.kind == kind, (name, k, j, report.summary())
    assert first.position == where(k, j), (name, k, j, report.summary())
    assert f"n° {first.position}" in first.message
    return report


@pytest.mark.parametrize("name", sorted(TAMPERING))
def test_each_kind_of_tampering_is_detected_and_located(log, name):
    report = tamper_and_verify(name, 12, 27)
    assert "ALTÉRÉ" in report.summary()
    assert verify().ok  # rolled back


@pytest.mark.parametrize(
    ("name", "k", "j"), [("truncate", 42, 0), ("delete", ENTRIES, 0), ("rewrite", 43, 0)]
)
def test_the_unsealed_tail_is_checked_against_the_head(log, name, k, j):
    report = tamper_and_verify(name, k, j)
    assert "tête du journal" in report.first_problem.message


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(sorted(TAMPERING)),
    k=st.integers(1, ENTRIES),
    gap=st.integers(1, ENTRIES - 1),
    parts=st.integers(1, 5),
)
def test_tampering_anywhere_is_always_detected_with_its_position(log, name, k, gap, parts):
    j = k + gap
    if name == "truncate":
        k = min(k, ENTRIES - 1)  # something must go
    if name in ("swap_rows", "renumber", "delete_range") and j > ENTRIES:
        k, j = ENTRIES - gap, ENTRIES
    if k < 1 or j <= k:
        return
    tamper_and_verify(name, k, j, parts=parts)


def test_the_log_refuses_update_and_delete(log):
    for table, column in ((LOG, "body"), (CHECKPOINTS, "signature")):
        for statement in (f"UPDATE {table} SET {column} = 'x'", f"DELETE FROM {table}"):
            with pytest.raises(DatabaseError), transaction.atomic():
                sql(statement)
    assert LogEntry.objects.count() == ENTRIES
    assert Checkpoint.objects.count() == ENTRIES // EVERY


def test_the_access_journal_refuses_update_and_delete(world, partners):
    partners["cpam"].call(
        "salaires", {"nir": world.ama.nir, "mois": 3}, purpose="indemnites-journalieres"
    )
    assert AccessJournal.objects.count() == 1
    for statement in (
        "UPDATE exchange_accessjournal SET recipient = 'x'",
        "DELETE FROM exchange_accessjournal",
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            sql(statement)
    assert AccessJournal.objects.get().recipient == "18005000000015"


def test_checkpoints_are_signed_and_chained(log):
    checkpoints = list(Checkpoint.objects.order_by("number"))
    assert [c.seq for c in checkpoints] == [10, 20, 30, 40]
    assert checkpoints[0].previous_signature == ""
    assert checkpoints[1].previous_signature == checkpoints[0].signature
    report = verify()
    assert report.sealed_up_to == 40
    assert "5 entrée(s) après le dernier point de contrôle" in report.summary()
    sealed = chain.seal()
    assert (sealed.seq, sealed.number) == (ENTRIES, 5)
    assert chain.seal() is None  # nothing new to seal
    assert verify().sealed_up_to == ENTRIES


@pytest.mark.parametrize("change", ["signature", "entry_hash", "delete", "forge"])
def test_a_tampered_checkpoint_is_detected(log, change):
    with transaction.atomic():
        with lifted(CHECKPOINTS):
            if change == "delete":
                sql(f"DELETE FROM {CHECKPOINTS} WHERE number = 2")
            elif change == "signature":
                sql(f"UPDATE {CHECKPOINTS} SET signature = %s WHERE number = 2", ["00" * 64])
            elif change == "entry_hash":
                sql(f"UPDATE {CHECKPOINTS} SET entry_hash = %s WHERE number = 2", ["0" * 64])
            else:  # a checkpoint signed with the intruder's own key
                cp = Checkpoint.objects.get(number=4)
                intruder = Ed25519PrivateKey.generate()
                message = chain.checkpoint_message(5, 45, "f" * 64, cp.at, cp.signature)
                sql(
                    f"INSERT INTO {CHECKPOINTS} (number, seq, entry_hash, at, previous_signature,"
                    " key_id, signature) VALUES (5, 45, %s, %s, %s, 'intrus', %s)",
                    ["f" * 64, cp.at, cp.signature, intruder.sign(message).hex()],
                )
        report = verify()
        transaction.set_rollback(True)
    assert not report.ok
    problems = [p for p in report.problems if p.kind == "checkpoint"]
    assert problems, report.summary()
    assert all(
        "oint(s) de contrôle" in p.message or "oint de contrôle" in p.message for p in problems
    )


def test_the_chain_is_sha256_over_the_canonical_serialisation(log):
    first, second = LogEntry.objects.order_by("seq")[:2]
    assert (
        first.hash == hashlib.sha256(b"1\n" + b"0" * 64 + b"\n" + first.body.encode()).hexdigest()
    )
    assert (
        second.hash
        == hashlib.sha256(b"2\n" + first.hash.encode() + b"\n" + second.body.encode()).hexdigest()
    )
    meta = json.loads(second.body)
    assert meta["n"] == 2
    assert second.body == json.dumps(
        meta, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def test_verify_on_the_command_line(log):
    runner = CliRunner()
    ok = runner.invoke(app, ["exchange", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "Journal des échanges intègre" in ok.output
    assert f"{ENTRIES} entrée(s) vérifiée(s)" in ok.output
    with transaction.atomic():
        with lifted(LOG):
            delete(17, None)
        bad = runner.invoke(app, ["exchange", "verify", "--json"])
        transaction.set_rollback(True)
    assert bad.exit_code == 1
    answer = json.loads(bad.output)
    assert answer["integre"] is False
    assert answer["anomalies"][0]["entree"] == 17
    assert "manquante" in answer["anomalies"][0]["message"]


def test_an_empty_log_is_intact():
    report = verify()
    assert report.ok
    assert report.entries == 0
