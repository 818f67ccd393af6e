"""Where the analyses run: DuckDB (default, one machine) or PySpark (local mode or a cluster).

``load`` turns the canonical event table into the engine's table, with the same columns on
both engines, so that every analysis is one Ibis expression run unchanged on either:

    case   int64   dense code of case_id (``EventLog.case_ids`` gives the id back)
    act    int64   code of the activity (``EventLog.activities`` gives the name back)
    t      int64   timestamp in microseconds since 1970-01-01 UTC
    seq    int64   position in the source: the last sort key (ties in timestamps)
    user   int64   code of user_id (the case itself when the log has no user_id)
    …      string  procedure, step, field, error_code, segment, reason, and the case
                   attributes (``case:…`` columns of an XES log)

Integer codes keep the engine's memory and sort costs low (ten million events in well under a
gigabyte). ``EventLog.ordered`` adds each event's position in its case and the next event, and
``EventLog.cases`` one row per case; both are cached (materialised) once per log.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from unefois.journeys import io
from unefois.journeys.events import Activity, Attribute

ENGINES = ("duckdb", "spark")
#: A gap longer than this between two events of a case is idle time, not active time.
IDLE_CAP_S = 30 * 60
#: A case not confirmed and idle for this long at the end of the log counts as abandoned.
ABANDON_AFTER_S = 7 * 24 * 3600
STRING_ATTRIBUTES = tuple(a.value for a in Attribute if a is not Attribute.USER_ID)


class EngineError(RuntimeError):
    pass


def spark_session(cores: int = 1, memory: str = "2g"):
    """A local Spark session for the analyses (UTC, no UI, few shuffle partitions)."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("unefois-journeys")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(max(2, 2 * cores)))
        .config("spark.default.parallelism", str(max(1, cores)))
        .config("spark.driver.memory", memory)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def connect(engine: str = "duckdb", *, threads: int | None = None, spark=None):
    if engine == "duckdb":
        con = ibis.duckdb.connect(
            threads=threads or os.cpu_count() or 1, preserve_insertion_order=False
        )
        con.raw_sql("SET enable_progress_bar = false")
        return con
    if engine == "spark":
        return ibis.pyspark.connect(spark or spark_session())
    raise EngineError(f"Moteur inconnu : {engine} (duckdb ou spark).")


@dataclass
class EventLog:
    """A log loaded into an engine: the encoded events and the lookups back to names."""

    engine: str
    con: Any
    events: Any  # ibis.Table
    case_ids: pa.Array
    activities: list[str]
    users: int
    attributes: tuple[str, ...]
    case_attributes: tuple[str, ...]
    end_t: int  # last timestamp of the log (µs)
    _name: str = "journey_events"
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # ---------------------------------------------------------------------------- lookups
    def code(self, activity: str) -> int:
        """The code of an activity, or -1 when the log has none of it."""
        try:
            return self.activities.index(str(activity))
        except ValueError:
            return -1

    def has(self, *names: str) -> bool:
        return all(n in self.attributes for n in names)

    @cached_property
    def is_journey(self) -> bool:
        """A log of the platform's procedures (the form and outcome analyses apply)."""
        return self.has("procedure") and self.code(Activity.PROCEDURE_STARTED) >= 0

    def run(self, expr) -> pa.Table:
        """Execute an Ibis expression; integers as int64 and decimals as float64 on both
        engines, so that results compare equal."""
        table = expr.to_pyarrow()
        columns = []
        for col in table.columns:
            kind = col.type
            if pa.types.is_integer(kind):
                col = col.cast(pa.int64())
            elif pa.types.is_floating(kind) or pa.types.is_decimal(kind):
                col = col.cast(pa.float64())
            elif pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
                col = col.cast(pa.string())
            columns.append(col)
        return pa.table(columns, names=table.column_names)

    def small_table(self, prefix: str, table: pa.Table):
        """A small Arrow table (labels, groups) as a table of the engine, joinable with the
        events (ibis memtables are not always visible to cached Spark queries)."""
        name = f"{self._name}_{prefix}_{len(self._cache)}_{id(table) % 100_000}"
        self._cache[name] = None
        return register(self.con, self.engine, name, table)

    def cache(self, name: str, build):
        if name not in self._cache:
            self._cache[name] = build().cache()
        return self._cache[name]

    # ---------------------------------------------------------------------- derived tables
    @property
    def ordered(self):
        """Events with their position in the case (``pos``, from 0), the next event's activity
        and time, in (timestamp, seq) order."""

        def build():
            e = self.events
            w = ibis.window(group_by=e.case, order_by=[e.t, e.seq])
            return e.mutate(
                pos=ibis.row_number().over(w),
                next_act=e.act.lead().over(w),
                next_t=e.t.lead().over(w),
            )

        return self.cache("ordered", build)

    @property
    def cases(self):
        """One row per case: user, procedure, segment, times, size and outcome."""

        def build():
            o = self.ordered
            gap = idle_capped(o.next_t - o.t)

            def flag(activity: str):
                code = self.code(activity)
                return (o.act == code).any() if code >= 0 else ibis.literal(False)

            def count(activity: str):
                code = self.code(activity)
                return (o.act == code).sum() if code >= 0 else ibis.literal(0)

            metrics = {
                "user": o.user.max(),
                "start_t": o.t.min(),
                "end_t": o.t.max(),
                "n_events": o.count(),
                "active_us": gap.sum(),
                "confirmed": flag(Activity.CONFIRMED),
                "abandon_event": flag(Activity.ABANDONED),
                "late": flag(Activity.LATE_DECLARATION),
                "contact": flag(Activity.SUPPORT_CONTACT),
                "corrected": flag(Activity.CORRECTED),
                "submits": count(Activity.SUBMITTED),
                "refusals": count(Activity.VALIDATION_ERROR),
            }
            for name in ("procedure", "segment"):
                if name in self.attributes:
                    metrics[name] = o[name].max()
            for name in self.case_attributes:
                metrics[name] = o[name].max()
            per_case = o.group_by("case").agg(**metrics)
            horizon = self.end_t - ABANDON_AFTER_S * 1_000_000
            return per_case.mutate(
                active_us=per_case.active_us.fill_null(0),
                duration_s=(per_case.end_t - per_case.start_t).cast("float64")
                / ibis.literal(1_000_000.0, "float64"),
                abandoned=per_case.abandon_event
                | (~per_case.confirmed & (per_case.end_t < horizon)),
            )

        return self.cache("cases", build)


def _encode(column: pa.ChunkedArray) -> tuple[pa.Array, pa.Array]:
    """Integer codes and the distinct values (a dictionary column is already encoded)."""
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    if isinstance(column, pa.ChunkedArray):
        column = column.unify_dictionaries()
        dictionary = column.chunk(0).dictionary if column.num_chunks else pa.array([], pa.string())
        indices = pa.chunked_array([c.indices for c in column.chunks], column.type.index_type)
        indices = indices.combine_chunks()
    else:
        dictionary, indices = column.dictionary, column.indices
    if dictionary.type != pa.string():
        dictionary = dictionary.cast(pa.string())
    return indices.cast(pa.int64()), dictionary


def load(
    table: pa.Table,
    engine: str = "duckdb",
    *,
    con=None,
    name: str = "journey_events",
    threads: int | None = None,
) -> EventLog:
    """Load a canonical event table into an engine."""
    for required in (io.CASE, io.ACTIVITY, io.TIMESTAMP, io.SEQ):
        if required not in table.column_names:
            raise EngineError(f"Colonne obligatoire absente : {required}.")
    con = con or connect(engine, threads=threads)
    case, case_ids = _encode(table[io.CASE])
    act, activities = _encode(table[io.ACTIVITY])
    t = table[io.TIMESTAMP].cast(io.TIMESTAMP_TYPE).cast(pa.int64()).combine_chunks()
    columns: dict[str, pa.Array] = {
        "case": case,
        "act": act,
        "t": t,
        "seq": table[io.SEQ].cast(pa.int64()).combine_chunks(),
    }
    if Attribute.USER_ID in table.column_names:
        user, user_ids = _encode(table[Attribute.USER_ID])
        # A case without user_id counts as its own user (codes after the real users).
        user = pc.if_else(pc.is_null(user), pc.add(case, len(user_ids)), user)
        users = len(user_ids)
    else:
        user, users = case, len(case_ids)
    columns["user"] = user
    attributes = [a for a in STRING_ATTRIBUTES if a in table.column_names]
    case_attributes = [
        c
        for c in table.column_names
        if c.startswith(io.XES_CASE_PREFIX) and c != io.XES_CASE_PREFIX + "concept:name"
    ]
    for attribute in attributes + case_attributes:
        column = table[attribute]
        if pa.types.is_dictionary(column.type):
            if engine != "duckdb":  # DuckDB scans dictionaries as they are; Spark cannot
                column = column.cast(column.type.value_type)
        elif not pa.types.is_string(column.type):
            column = pc.cast(column, pa.string())
        columns[attribute] = column
    encoded = pa.table(columns)
    end_t = pc.max(t).as_py() if len(t) else 0
    events = register(con, engine, name, encoded)
    return EventLog(
        engine=engine,
        con=con,
        events=events,
        case_ids=case_ids,
        activities=[str(a) for a in activities.to_pylist()],
        users=users,
        attributes=tuple(attributes),
        case_attributes=tuple(case_attributes),
        end_t=end_t or 0,
        _name=name,
    )


def register(con, engine: str, name: str, table: pa.Table):
    """An Arrow table as a named table of the engine (DuckDB scans it without a copy)."""
    if engine == "duckdb":
        con.con.register(name, table)
    else:
        con._session.createDataFrame(table).createOrReplaceTempView(name)
    return con.table(name)


def idle_capped(gap):
    """A gap between two events as active time: nothing after the last event, nothing for a
    gap longer than ``IDLE_CAP_S`` (the person had left)."""
    gap = gap.fill_null(0)
    return ibis.ifelse(gap > IDLE_CAP_S * 1_000_000, 0, gap)


def label_bits(n: int) -> int:
    """The power of two above ``n`` labels: position and label share one int64."""
    return 1 << max(1, math.ceil(math.log2(n + 1)))
