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
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.utils import timezone

from . import keys
from .models import Checkpoint, LogEntry

GENESIS = "0" * 64
LOCK_KEY = 0x756E65666F6973  # "unefois": the PostgreSQL advisory lock serialising appends


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


def _lock(using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _head(using: str) -> tuple[int, str]:
    last = LogEntry.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
    return last if last is not None else (0, GENESIS)


def append(meta: dict[str, Any], using: str | None = None, at: dt.datetime | None = None):
    """Write one entry (inside the caller's transaction, which it requires); returns it.

    Appends are serialised (an advisory lock on PostgreSQL; SQLite writes one at a time) and a
    checkpoint is sealed every ``EXCHANGE_CHECKPOINT_EVERY`` entries."""
    using = _db(using)
    if not connections[using].in_atomic_block:
        raise RuntimeError("append() s'appelle dans une transaction (transaction.atomic).")
    _lock(using)
    seq, previous = _head(using)
    seq += 1
    at = at or timezone.now()
    body = canonical({**meta, "at": utc_text(at), "n": seq})
    entry = LogEntry(seq=seq, hash=entry_hash(seq, previous, body), body=body)
    entry.save(using=using, force_insert=True)
    if seq % checkpoint_every() == 0:
        _seal(using, seq, entry.hash, at)
    return entry


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
        _lock(using)
        seq, hash_hex = _head(using)
        last = Checkpoint.objects.using(using).order_by("-number").first()
        if seq == 0 or (last is not None and last.seq >= seq):
            return None
        return _seal(using, seq, hash_hex, timezone.now())


def write(work, using: str | None = None, attempts: int = 8):
    """Run ``work()`` (which appends) in a transaction, again if a concurrent writer took the
    same entry number first (SQLite has no advisory lock; PostgreSQL never needs a retry)."""
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
