"""The exchange log: append-only, each entry chained to the previous one by its hash, sealed at
regular intervals by a checkpoint signed with Ed25519.

Canonical serialisation (version 1), what ``verify`` recomputes:

- ``body``: the entry's metadata as JSON, keys sorted, no whitespace, UTF-8, non-ASCII characters
  kept as they are (``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)``);
  it holds the entry's own number under ``"n"``;
- ``hash(n)`` = lowercase hex of SHA-256( ``n`` in decimal ‖ LF ‖ ``hash(n − 1)`` ‖ LF ‖ ``body`` ),
  with ``hash(0)`` = 64 × ``0``;
- a checkpoint signs, with Ed25519, ``unefois-exchange-checkpoint/v1`` ‖ LF ‖ its number ‖ LF ‖
  the entry number it seals ‖ LF ‖ that entry's hash ‖ LF ‖ its time (UTC,
  ``YYYY-MM-DDTHH:MM:SS.ffffffZ``) ‖ LF ‖ the previous checkpoint's signature (hex, empty for the
  first): the checkpoints form a chain of their own.

Appends are strictly ordered by the lock on the single row of ``LogHead`` (the number and hash of
the last entry). On PostgreSQL one statement moves the head, computes the new hash with the
database's ``sha256`` over the same bytes as ``entry_hash``, inserts the entry and the person's
journal row; the body is ``canonical`` with ``n`` put in its place (``_halves``). ``verify``
recomputes every hash in Python, and the tests run on both databases, so the two computations are
checked against each other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.utils import timezone

from . import keys
from .models import Checkpoint, LogEntry, LogHead

GENESIS = "0" * 64
LOCK_KEY = 0x756E65666F6973  # "unefois": a PostgreSQL advisory lock (re-creating the log head)


def canonical(meta: dict[str, Any]) -> str:
    return json.dumps(meta, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(seq: int, previous: str, body: str) -> str:
    return hashlib.sha256(
        b"%d\n%s\n%s" % (seq, previous.encode("ascii"), body.encode("utf-8"))
    ).hexdigest()


def utc_text(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def checkpoint_message(
    number: int, seq: int, entry_hash_hex: str, at: dt.datetime, previous_signature: str
) -> bytes:
    return (
        f"unefois-exchange-checkpoint/v1\n{number}\n{seq}\n{entry_hash_hex}\n"
        f"{utc_text(at)}\n{previous_signature}"
    ).encode("ascii")


def checkpoint_every() -> int:
    return int(getattr(settings, "EXCHANGE_CHECKPOINT_EVERY", 1000))


def _db(using: str | None) -> str:
    return using or router.db_for_write(LogEntry)


def _take_head(using: str) -> tuple[int, str]:
    """The number and hash of the log's last entry, its head row locked until the transaction
    ends (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's writers already take turns): the
    appends are strictly ordered. A missing head row (a flushed database) is recreated from the
    last entry."""
    connection = connections[using]
    table = LogHead._meta.db_table
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM {table} WHERE id = 1{lock}", [])
        row = cursor.fetchone()
        if row is not None:
            return int(row[0]), row[1]
        if connection.vendor == "postgresql":  # rare: serialise the re-creation
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    last = LogEntry.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
    seq, hash_hex = last if last is not None else (0, GENESIS)
    LogHead.objects.using(using).get_or_create(id=1, defaults={"seq": seq, "hash": hash_hex})
    return _take_head(using)


def _write(using: str, seq: int, hash_hex: str, body: str) -> None:
    """Insert the entry and move the head to it (the head row already locked)."""
    connection = connections[using]
    log, head = LogEntry._meta.db_table, LogHead._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {log} (seq, hash, body) VALUES (%s, %s, %s)", [seq, hash_hex, body]
        )
        cursor.execute(f"UPDATE {head} SET seq = %s, hash = %s WHERE id = 1", [seq, hash_hex])


N_MARK = '"n":-1'


def _halves(body: str) -> tuple[str, str] | None:
    """The canonical body around the value of ``n`` (written with ``n`` = -1): the entry's
    body is ``before + str(seq) + after``. None if the mark is not found exactly once."""
    if body.count(N_MARK) != 1:
        return None
    before, after = body.split(N_MARK)
    return before + '"n":', after


@dataclass(frozen=True)
class Row:
    """A row written with the entry, in the same statement: ``values`` by field name (foreign
    keys as pks), and the field that receives the entry's number."""

    model: type
    values: dict[str, Any]
    seq_field: str


@lru_cache(maxsize=32)
def _row_sql(model: type, names: tuple[str, ...], seq_field: str, using: str):
    connection = connections[using]
    fields = tuple(model._meta.get_field(name) for name in names)
    target = model._meta.get_field(seq_field)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in (*fields, target))
    table = connection.ops.quote_name(model._meta.db_table)
    return table, columns, fields


def _row_params(row: Row, using: str):
    names = tuple(sorted(row.values))
    table, columns, fields = _row_sql(row.model, names, row.seq_field, using)
    connection = connections[using]
    return table, columns, [f.get_db_prep_save(row.values[f.name], connection) for f in fields]


def _append_postgresql(using: str, before: str, after: str, also: Row | None) -> tuple[int, str]:
    """One statement: move the head (its row locked until the transaction ends), computing the
    new entry's hash in the database exactly as ``entry_hash`` does (SHA-256 of ``n`` LF the
    previous hash LF the UTF-8 body), insert the entry, and the row ``also`` with its number."""
    log, head = LogEntry._meta.db_table, LogHead._meta.db_table
    sql = (
        f"WITH head AS (UPDATE {head} SET seq = seq + 1, hash = encode(sha256(convert_to("
        "(seq + 1)::text || E'\\n' || hash || E'\\n' || %s || (seq + 1)::text || %s, 'UTF8')), "
        "'hex') WHERE id = 1 RETURNING seq, hash), "
        f"entry AS (INSERT INTO {log} (seq, hash, body) "
        "SELECT seq, hash, %s || seq::text || %s FROM head)"
    )
    params: list[Any] = [before, after, before, after]
    if also is not None:
        table, columns, values = _row_params(also, using)
        marks = ", ".join(["%s"] * len(values))
        sql += f", also AS (INSERT INTO {table} ({columns}) SELECT {marks}, seq FROM head)"
        params += values
    sql += " SELECT seq, hash FROM head"
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise DatabaseError("tête du journal des échanges absente")
    return int(row[0]), row[1]


def append(
    meta: dict[str, Any],
    using: str | None = None,
    at: dt.datetime | None = None,
    also: Row | None = None,
):
    """Write one entry (inside the caller's transaction, which it requires), and the row
    ``also`` if given (the person's access journal) with the entry's number; returns the entry.

    Appends are serialised by the lock on the log's head row, held to the end of the
    transaction, and a checkpoint is sealed every ``EXCHANGE_CHECKPOINT_EVERY`` entries. On
    PostgreSQL the head is moved, the entry and ``also`` inserted by a single statement, so that
    the lock is held for as short a time as the commit allows."""
    using = _db(using)
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("append() s'appelle dans une transaction (transaction.atomic).")
    at = at or timezone.now()
    halves = _halves(canonical({**meta, "at": utc_text(at), "n": -1}))
    if connection.vendor == "postgresql" and halves is not None:
        try:
            seq, hash_hex = _append_postgresql(using, *halves, also)
        except DatabaseError as error:
            if "tête du journal" not in str(error):
                raise
            _take_head(using)  # re-creates a missing head, then locks it
            seq, hash_hex = _append_postgresql(using, *halves, also)
        body = halves[0] + str(seq) + halves[1]
        entry = LogEntry(seq=seq, hash=hash_hex, body=body)
    else:
        previous_seq, previous = _take_head(using)
        seq = previous_seq + 1
        body = canonical({**meta, "at": utc_text(at), "n": seq})
        entry = LogEntry(seq=seq, hash=entry_hash(seq, previous, body), body=body)
        _write(using, seq, entry.hash, body)
        if also is not None:
            table, columns, values = _row_params(also, using)
            marks = ", ".join(["%s"] * (len(values) + 1))
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", [*values, seq])
    if seq % checkpoint_every() == 0:
        _seal(using, seq, entry.hash, at)
    return entry


def record(
    meta: dict[str, Any],
    using: str | None = None,
    at: dt.datetime | None = None,
    also: Row | None = None,
) -> LogEntry:
    """Write one entry (and ``also``) in a transaction of its own, committed when it returns.

    On PostgreSQL, outside any transaction, that transaction is the single statement of
    ``append`` in autocommit: atomic (one statement), committed durably before the result
    comes back, and the head row is locked only while PostgreSQL runs it and commits — never
    while a Python process that may be descheduled holds it. The checkpoint that falls on the
    entry is then sealed in a transaction that locks the head (unless a later one already
    sealed further). Elsewhere (SQLite, inside a transaction): ``write(append)``."""
    using = _db(using)
    connection = connections[using]
    at = at or timezone.now()
    halves = _halves(canonical({**meta, "at": utc_text(at), "n": -1}))
    if connection.vendor != "postgresql" or connection.in_atomic_block or halves is None:
        return write(lambda: append(meta, using, at, also), using)
    try:
        seq, hash_hex = _append_postgresql(using, *halves, also)
    except DatabaseError as error:
        if "tête du journal" not in str(error):
            raise
        return write(lambda: append(meta, using, at, also), using)  # re-creates the head
    if seq % checkpoint_every() == 0:
        with transaction.atomic(using=using):
            _take_head(using)  # the appends wait while the checkpoints are written
            last = Checkpoint.objects.using(using).order_by("-number").first()
            if last is None or last.seq < seq:
                _seal(using, seq, hash_hex, at)
    return LogEntry(seq=seq, hash=hash_hex, body=halves[0] + str(seq) + halves[1])


def _seal(using: str, seq: int, hash_hex: str, at: dt.datetime) -> Checkpoint:
    last = Checkpoint.objects.using(using).order_by("-number").first()
    number = (last.number + 1) if last else 1
    previous_signature = last.signature if last else ""
    private = keys.seal_signing_key()
    at = at.replace(tzinfo=at.tzinfo or dt.UTC)
    signature = private.sign(checkpoint_message(number, seq, hash_hex, at, previous_signature))
    checkpoint = Checkpoint(
        number=number,
        seq=seq,
        entry_hash=hash_hex,
        at=at,
        previous_signature=previous_signature,
        key_id=keys.key_id(private.public_key()),
        signature=signature.hex(),
    )
    checkpoint.save(using=using, force_insert=True)
    return checkpoint


def seal(using: str | None = None) -> Checkpoint | None:
    """Seal the log's head now (``unefois exchange seal``, e.g. every minute from cron).

    Returns the new checkpoint, or None when the head is already sealed or the log is empty."""
    using = _db(using)
    with transaction.atomic(using=using):
        seq, hash_hex = _take_head(using)
        last = Checkpoint.objects.using(using).order_by("-number").first()
        if seq == 0 or (last is not None and last.seq >= seq):
            return None
        return _seal(using, seq, hash_hex, timezone.now())


def write(work, using: str | None = None, attempts: int = 8):
    """Run ``work()`` (which appends) in a transaction, again if a concurrent writer took the
    same entry number first (SQLite has no row lock; PostgreSQL never needs a retry)."""
    using = _db(using)
    for attempt in range(attempts):
        try:
            with transaction.atomic(using=using):
                return work()
        except (IntegrityError, DatabaseError):
            if connections[using].vendor == "postgresql" or attempt == attempts - 1:
                raise
            time.sleep(0.005 * (attempt + 1))
    raise AssertionError("unreachable")
