"""The journey analyses, written once as Ibis expressions and run on DuckDB (default) or
PySpark (``engine="spark"``), with the same results. No Django here (import-linter contract).

    from unefois.journeys import io
    from unefois.journeys.analysis import analyse, load
    log = load(io.read("journal.xes.gz"))          # DuckDB
    results = analyse(log)                         # every analysis, as plain data
"""

from __future__ import annotations

import time
from typing import Any

from . import contacts, correlation, fields, funnels, opportunities, process, rework
from .engine import ENGINES, EventLog, connect, load, spark_session

__all__ = [
    "ENGINES",
    "EventLog",
    "analyse",
    "connect",
    "load",
    "spark_session",
]


def analyse(log: EventLog, top_variants: int = 20) -> dict[str, Any]:
    """Every analysis of a log (the journey ones only for a journey log), with timings."""
    timings: dict[str, float] = {}
    out: dict[str, Any] = {"engine": log.engine, "timings": timings}

    def step(name, fn):
        start = time.perf_counter()
        out[name] = fn()
        timings[name] = time.perf_counter() - start

    view = process.milestones(log) if log.is_journey else None
    step("summary", lambda: summary(log))
    step("dfg", lambda: process.dfg(log, view))
    step("start_end", lambda: process.start_end(log, view))
    step("variants", lambda: process.variants(log, view))
    step("durations", lambda: process.durations(log))
    if log.is_journey:
        step("durations_by_procedure", lambda: process.durations(log, "procedure"))
    step("bottlenecks", lambda: process.bottlenecks(log, view))
    if log.is_journey:
        step("funnels", lambda: funnels.funnels(log))
        step("friction", lambda: fields.friction(log))
        step("errors", lambda: fields.errors(log))
        step("corrections", lambda: rework.corrections(log))
        step("correction_reasons", lambda: rework.correction_reasons(log))
        step("resubmissions", lambda: rework.resubmissions(log))
        step("correlations", lambda: correlation.abandonment(log))
        step("contact_groups", lambda: contacts.contact_groups(log))
        step(
            "opportunities",
            lambda: opportunities.rank(log, groups=out["contact_groups"]),
        )
    out["top_variants"] = top_variants
    return out


def summary(log: EventLog) -> dict[str, int]:
    c = log.cases
    row = log.run(
        c.aggregate(cases=c.count(), events=c.n_events.sum(), users=c.user.nunique())
    ).to_pylist()[0]
    row["activities"] = len(log.activities)
    return row
