"""Where the analyses run: DuckDB (default, one machine) or PySpark (local mode or a cluster).

``load`` turns the canonical event table into the engine's table, with the same columns on
both engines, so that every analysis is one Ibis expression run unchanged on either:

    case   int32   dense code of case_id (``EventLog.case_ids`` gives the id back)
    act    int32   code of the activity (``EventLog.activities`` gives the name back)
    t      int64   timestamp in microseconds since 1970-01-01 UTC
    seq    int64   position in the source: the last sort key (ties in timestamps)
    user   int32   code of user_id (absent when the log has none: each case is a person)
    …      int32   procedure, step, field, error_code, segment, reason, and the case
                   attributes (``case:…`` columns of an XES log), each coded in the order
                   of its values (``EventLog.labels`` gives the values back)

Only integers reach the engine: an event costs 4 bytes per coded column and 8 for each of
``t`` and ``seq`` (52 bytes for the platform's journeys), sorting and grouping compare
integers, and ``max`` of a code is the code of the largest value. Results come back named
(``EventLog.run`` decodes the columns that carry an attribute's name).
``EventLog.ordered`` adds each event's position in its case and the next event, and
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
import numpy as np
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
#: Event attributes that the analyses read along the order of a case (``EventLog.ordered``).
ORDERED_ATTRIBUTES = ("step", "field", "error_code")
#: Rows per batch of the table handed to the engine (DuckDB scans batches in parallel).
BATCH_ROWS = 1 << 20
CODE = pa.int32()


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
    labels: dict[str, pa.Array] = field(default_factory=dict)  # attribute → values by code
    _name: str = "journey_events"
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # ---------------------------------------------------------------------------- lookups
    def code(self, activity: str) -> int:
        """The code of an activity, or -1 when the log has none of it."""
        try:
            return self.activities.index(str(activity))
        except ValueError:
            return -1

    def codes(self, attribute: str, values) -> list[int]:
        """The codes of the given values of an attribute (values absent from the log have
        none)."""
        index = self._index(attribute)
        return [index[v] for v in values if v in index]

    def value_code(self, attribute: str, value: str) -> int:
        """The code of one value of an attribute, or -1 when the log has none of it."""
        return self._index(attribute).get(value, -1)

    def outside(self, column, attribute: str, values):
        """``column`` (codes of ``attribute``) is set and is none of ``values``."""
        codes = self.codes(attribute, values)
        return column.notnull() & ~column.isin(codes) if codes else column.notnull()

    def _index(self, attribute: str) -> dict[str, int]:
        key = "index:" + attribute
        if key not in self._cache:
            values = self.labels[attribute].to_pylist() if attribute in self.labels else []
            self._cache[key] = {v: i for i, v in enumerate(values)}
        return self._cache[key]

    def has(self, *names: str) -> bool:
        return all(n in self.attributes for n in names)

    @cached_property
    def is_journey(self) -> bool:
        """A log of the platform's procedures (the form and outcome analyses apply)."""
        return self.has("procedure") and self.code(Activity.PROCEDURE_STARTED) >= 0

    def decode(self, codes: pa.Array | pa.ChunkedArray, attribute: str):
        """Values of an attribute from its codes (null stays null)."""
        return self.labels[attribute].take(codes)

    def run(self, expr, decode: dict[str, str] | None = None) -> pa.Table:
        """Execute an Ibis expression; integers as int64 and decimals as float64 on both
        engines, so that results compare equal. A column named after a coded attribute
        (``procedure``, ``field``…), or mapped to one by ``decode``, comes back as values."""
        decode = decode or {}
        table = expr.to_pyarrow()
        columns = []
        for name, col in zip(table.column_names, table.columns, strict=True):
            kind = col.type
            attribute = decode.get(name, name)
            if attribute in self.labels and (pa.types.is_integer(kind) or pa.types.is_null(kind)):
                col = self.decode(col.cast(pa.int64()), attribute)
            elif pa.types.is_integer(kind):
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
        """The events in (timestamp, seq) order with their position in the case (``pos``,
        from 0) and the next event's activity and time: ``case``, ``act``, ``t``, ``pos``,
        ``next_act``, ``next_t``, and the attributes read along the order (``step``,
        ``field``, ``error_code``). The rest stays in ``events`` (``cases`` has the case-level
        ones): the fewer columns the sort carries, the quicker it is."""

        def build():
            e = self.events
            w = ibis.window(group_by=e.case, order_by=[e.t, e.seq])
            kept = [a for a in ORDERED_ATTRIBUTES if a in self.attributes]
            return e.select(
                "case",
                "act",
                "t",
                *kept,
                pos=ibis.row_number().over(w),
                next_act=e.act.lead().over(w),
                next_t=e.t.lead().over(w),
            )

        return self.cache("ordered", build)

    @property
    def cases(self):
        """One row per case: user, procedure, segment, case attributes, times, size and
        outcome."""

        def build():
            o = self.ordered
            gap = idle_capped(o.next_t - o.t)

            def flag(activity: str):
                code = self.code(activity)
                return (o.act == code).any() if code >= 0 else ibis.literal(False)

            def count(activity: str):
                code = self.code(activity)
                return (o.act == code).sum() if code >= 0 else ibis.literal(0)

            per_case = o.group_by("case").agg(
                start_t=o.t.min(),
                end_t=o.t.max(),
                n_events=o.count(),
                active_us=gap.sum(),
                confirmed=flag(Activity.CONFIRMED),
                abandon_event=flag(Activity.ABANDONED),
                late=flag(Activity.LATE_DECLARATION),
                contact=flag(Activity.SUPPORT_CONTACT),
                corrected=flag(Activity.CORRECTED),
                submits=count(Activity.SUBMITTED),
                refusals=count(Activity.VALIDATION_ERROR),
            )
            # Case-level columns, from the events. Codes follow the order of the values:
            # the largest code is the code of the largest value.
            e = self.events
            level = {"user": e.user.max()} if "user" in e.columns else {}
            for name in ("procedure", "segment", *self.case_attributes):
                if name in self.attributes or name in self.case_attributes:
                    level[name] = e[name].max()
            if level:
                per_case = per_case.join(e.group_by("case").agg(**level), "case")
            if "user" not in level:  # no user_id: each case is its own person
                per_case = per_case.mutate(user=per_case.case)
            horizon = self.end_t - ABANDON_AFTER_S * 1_000_000
            return per_case.mutate(
                active_us=per_case.active_us.fill_null(0),
                duration_s=(per_case.end_t - per_case.start_t).cast("float64")
                / ibis.literal(1_000_000.0, "float64"),
                abandoned=per_case.abandon_event
                | (~per_case.confirmed & (per_case.end_t < horizon)),
            )

        return self.cache("cases", build)


def _encode(column, *, by_value: bool = False) -> tuple[pa.ChunkedArray, pa.Array]:
    """Integer codes (int32, null for null) and the distinct values as strings.

    Codes follow the first appearance of each value, or, with ``by_value``, the order of the
    values (so that comparing codes compares values). A dictionary column is already encoded:
    its dictionaries are only unified.
    """
    if isinstance(column, pa.Array):
        column = pa.chunked_array([column])
    if not pa.types.is_dictionary(column.type):
        if not pa.types.is_string(column.type):
            column = pc.cast(column, pa.string())
        column = pc.dictionary_encode(column)
    column = column.unify_dictionaries()
    if column.num_chunks == 0:
        return pa.chunked_array([], CODE), pa.array([], pa.string())
    values = column.chunk(0).dictionary
    if values.type != pa.string():
        values = pc.cast(values, pa.string())
    chunks = [c.indices for c in column.chunks]
    if by_value and len(values) > 1:
        order = pc.sort_indices(values).to_numpy()
        rank = np.empty(len(order), dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        values = values.take(pa.array(order))
        rank = pa.array(rank)
        chunks = [rank.take(c) for c in chunks]
    return pa.chunked_array([c.cast(CODE) for c in chunks], CODE), values


def _microseconds(column) -> pa.ChunkedArray:
    if isinstance(column, pa.Array):
        column = pa.chunked_array([column])
    return column.cast(io.TIMESTAMP_TYPE).cast(pa.int64())


def load(
    table: pa.Table,
    engine: str = "duckdb",
    *,
    con=None,
    name: str = "journey_events",
    threads: int | None = None,
) -> EventLog:
    """Load a canonical event table into an engine (every text column as integer codes)."""
    for required in (io.CASE, io.ACTIVITY, io.TIMESTAMP, io.SEQ):
        if required not in table.column_names:
            raise EngineError(f"Colonne obligatoire absente : {required}.")
    con = con or connect(engine, threads=threads)
    case, case_ids = _encode(table[io.CASE])
    act, activities = _encode(table[io.ACTIVITY])
    t = _microseconds(table[io.TIMESTAMP])
    columns: dict[str, pa.ChunkedArray] = {
        "case": case,
        "act": act,
        "t": t,
        "seq": table[io.SEQ].cast(pa.int64()),
    }
    if Attribute.USER_ID in table.column_names:
        user, user_ids = _encode(table[Attribute.USER_ID])
        # A case without user_id counts as its own user (codes after the real users).
        if user.null_count:
            spare = pc.add(case.cast(pa.int64()), len(user_ids)).cast(CODE)
            user = pc.if_else(pc.is_null(user), spare, user)
        users = len(user_ids)
        columns["user"] = user
    else:  # each case is its own person (``cases`` says so)
        users = len(case_ids)
    attributes = [a for a in STRING_ATTRIBUTES if a in table.column_names]
    case_attributes = [
        c
        for c in table.column_names
        if c.startswith(io.XES_CASE_PREFIX) and c != io.XES_CASE_PREFIX + "concept:name"
    ]
    labels: dict[str, pa.Array] = {}
    for attribute in attributes + case_attributes:
        columns[attribute], labels[attribute] = _encode(table[attribute], by_value=True)
    encoded = pa.table(columns)
    end_t = pc.max(t).as_py() if len(t) else 0
    events = register(con, engine, name, _batches(encoded))
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
        labels=labels,
        _name=name,
    )


def _batches(table: pa.Table) -> pa.Table:
    """The table in batches of at most ``BATCH_ROWS`` rows (no copy): DuckDB gives each batch
    to a thread, so one huge batch would be scanned by one thread."""
    return pa.Table.from_batches(table.to_batches(max_chunksize=BATCH_ROWS), table.schema)


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
