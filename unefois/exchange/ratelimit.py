"""Rate limits per partner: a token bucket kept in the database (nothing more to run than the
database itself; SQLite is enough). Each call takes one token in a single UPDATE … RETURNING,
so that concurrent calls never take the same token twice; the bucket refills at
``Partner.rate_per_second`` up to ``Partner.burst``."""

from __future__ import annotations

import math
import time

from django.db import IntegrityError, connections, router, transaction

from .models import Partner, RateBucket

clock = time.time  # replaced in tests


def _sql(vendor: str, table: str, alone: bool = False) -> str:
    least, greatest = ("LEAST", "GREATEST") if vendor == "postgresql" else ("MIN", "MAX")
    refill = f"{least}(%s, tokens + {greatest}(0, %s - updated) * %s)"
    returning = "tokens"
    if alone and vendor == "postgresql":
        # The statement is its own transaction: commit it without waiting for the disk (the
        # bucket of the last milliseconds may be lost in a crash, nothing else), so that the
        # partner's row is not held locked for the time of a flush at every call.
        returning += ", set_config('synchronous_commit', 'off', true)"
    return (
        f"UPDATE {table} SET tokens = {refill} - 1, updated = %s "
        f"WHERE partner_id = %s AND {refill} >= 1 RETURNING {returning}"
    )


def take(partner: Partner) -> float:
    """Take one call from the partner's bucket: 0 if allowed, else the seconds to wait."""
    using = router.db_for_write(RateBucket)
    connection = connections[using]
    table = RateBucket._meta.db_table
    now = clock()
    burst, rate = float(partner.burst), float(partner.rate_per_second)
    with connection.cursor() as cursor:
        cursor.execute(
            _sql(connection.vendor, table, alone=not connection.in_atomic_block),
            [burst, now, rate, now, partner.pk, burst, now, rate],
        )
        if cursor.fetchone() is not None:
            return 0.0
    bucket = RateBucket.objects.using(using).filter(partner=partner).first()
    if bucket is None:
        try:
            with transaction.atomic(using=using):
                RateBucket.objects.using(using).create(
                    partner=partner, tokens=max(burst - 1, 0.0), updated=now
                )
            return 0.0 if burst >= 1 else 1.0
        except IntegrityError:  # created meanwhile by a concurrent call
            return take(partner)
    available = min(burst, bucket.tokens + max(0.0, now - bucket.updated) * rate)
    if rate <= 0:
        return 3600.0
    return max((1 - available) / rate, 0.001)


def retry_after(wait: float) -> int:
    return max(1, math.ceil(wait))
