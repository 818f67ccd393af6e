"""The captured events as the canonical event table of ``unefois.journeys.io`` (and back, to
load a synthetic log into the demo)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pyarrow as pa
from django.db import transaction

from unefois.journeys.io import KNOWN_ATTRIBUTES, TIMESTAMP_TYPE

from .models import CaseStatus, JourneyCase, JourneyEvent

BATCH = 50_000
SCHEMA = pa.schema(
    [
        ("case_id", pa.string()),
        ("activity", pa.string()),
        ("timestamp", TIMESTAMP_TYPE),
        ("seq", pa.int64()),
        *[(name, pa.string()) for name in KNOWN_ATTRIBUTES],
    ]
)
_COLUMNS = ("case_id", "activity", "timestamp", "seq", *KNOWN_ATTRIBUTES)


def batches(since: dt.datetime | None = None) -> Iterator[pa.RecordBatch]:
    """The events, ordered by case and sequence, in Arrow batches; an empty attribute is null,
    as in the files the analyses read. With ``since``: every event of the cases active since
    then (whole cases, so that a case is never cut in two by the period)."""
    events = JourneyEvent.objects.order_by("case_id", "seq")
    if since is not None:
        active = JourneyCase.objects.filter(last_at__gte=since).values("case_id")
        events = events.filter(case_id__in=active)
    rows: list[tuple] = []
    for row in events.values_list(*_COLUMNS).iterator(chunk_size=BATCH):
        rows.append(row)
        if len(rows) == BATCH:
            yield _batch(rows)
            rows = []
    if rows:
        yield _batch(rows)


def _batch(rows: list[tuple]) -> pa.RecordBatch:
    columns = list(zip(*rows, strict=True))
    arrays = [
        pa.array(columns[0], pa.string()),
        pa.array(columns[1], pa.string()),
        pa.array(columns[2], TIMESTAMP_TYPE),
        pa.array(columns[3], pa.int64()),
        *[pa.array([v or None for v in column], pa.string()) for column in columns[4:]],
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)


def event_table(since: dt.datetime | None = None) -> pa.Table:
    return pa.Table.from_batches(list(batches(since)), schema=SCHEMA)


@transaction.atomic
def load_table(table: pa.Table) -> int:
    """Insert a canonical event table (e.g. synthetic journeys for the demo) as captured
    events; cases are confirmed, abandoned or open by their last event. Returns the count."""
    data = table.select([c for c in _COLUMNS if c in table.column_names]).to_pylist()
    data.sort(key=lambda r: (r["case_id"], r["timestamp"], r["seq"]))
    events, cases = [], {}
    for row in data:
        case = cases.setdefault(
            row["case_id"],
            {
                "user_id": row.get("user_id") or "",
                "procedure": row.get("procedure") or "",
                "segment": row.get("segment") or "",
                "opened_at": row["timestamp"],
                "seq": 0,
                "status": CaseStatus.OPEN,
            },
        )
        case["seq"] += 1
        case["last_at"] = row["timestamp"]
        if row["activity"] == "confirmed":
            case["status"] = CaseStatus.CONFIRMED
        elif row["activity"] == "abandoned":
            case["status"] = CaseStatus.ABANDONED
        events.append(
            JourneyEvent(
                case_id=row["case_id"],
                seq=case["seq"],
                activity=row["activity"],
                timestamp=row["timestamp"],
                **{name: row.get(name) or "" for name in KNOWN_ATTRIBUTES},
            )
        )
    JourneyCase.objects.bulk_create(
        [
            JourneyCase(
                case_id=case_id,
                user_id=c["user_id"],
                procedure=c["procedure"],
                segment=c["segment"],
                status=c["status"],
                opened_at=c["opened_at"],
                last_at=c["last_at"],
                last_seq=c["seq"],
            )
            for case_id, c in cases.items()
        ],
        batch_size=5000,
    )
    JourneyEvent.objects.bulk_create(events, batch_size=5000)
    return len(events)
