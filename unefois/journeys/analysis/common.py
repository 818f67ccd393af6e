"""Small helpers shared by the analyses (no engine-specific code)."""

from __future__ import annotations

import ibis
import pyarrow as pa


def seconds(microseconds):
    """An Ibis integer of microseconds as float seconds (a double on every engine: Spark would
    otherwise compute a decimal)."""
    return microseconds.cast("float64") / ibis.literal(1_000_000.0, "float64")


def minutes(microseconds):
    return microseconds.cast("float64") / ibis.literal(60_000_000.0, "float64")


def as_float(value):
    return value.cast("float64")


def table(rows: list[dict], columns: list[str], types: dict[str, pa.DataType] | None = None):
    types = types or {}
    return pa.table({c: pa.array([r.get(c) for r in rows], types.get(c)) for c in columns})
