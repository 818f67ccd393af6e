"""Funnels per procedure and segment: how many cases reach each stage, and where they stop.

Stages: « démarche commencée », each page of the procedure in the order people meet it, then
« confirmation ». A case that is abandoned drops off at the last stage it reached.
"""

from __future__ import annotations

import ibis
import pyarrow as pa

from unefois.journeys.events import LABELS, STEPS, Activity

from .common import table
from .engine import EventLog

START, DONE = "__start", "__confirmed"
#: Stage codes in the engine: a page is its step code, the start and the confirmation are
#: below any code.
START_CODE, DONE_CODE = -1, -2
AFTER_CONFIRMATION = {"correction"}


def _stages(log: EventLog):
    """(case, stage, pos) for every stage a case reached (``stage``: a code, see above)."""
    o = log.ordered
    started, viewed, confirmed = (
        log.code(Activity.PROCEDURE_STARTED),
        log.code(Activity.STEP_VIEWED),
        log.code(Activity.CONFIRMED),
    )
    has_step = "step" in log.attributes
    stage = ibis.cases(
        (o.act == started, ibis.literal(START_CODE, "int32")),
        (o.act == confirmed, ibis.literal(DONE_CODE, "int32")),
        else_=o.step.cast("int32") if has_step else ibis.null("int32"),
    )
    keep = o.act.isin([started, confirmed])
    if has_step:
        keep = keep | ((o.act == viewed) & log.outside(o.step, "step", AFTER_CONFIRMATION))
    return (
        o.filter(keep)
        .mutate(stage=stage)
        .select("case", "stage", "pos")
        .filter(ibis._.stage.notnull())
    )


def _stage_name(log: EventLog, code: int) -> str:
    if code == START_CODE:
        return START
    if code == DONE_CODE:
        return DONE
    return log.labels["step"][code].as_py()


def _reached(log: EventLog):
    """(case, stage, first, procedure, segment, abandoned): each stage a case reached, at
    which position first (computed once: the order and the funnels both read it)."""

    def build():
        s = _stages(log)
        first = s.group_by(["case", "stage"]).agg(first=s.pos.min())
        c = log.cases
        segment = c.segment if "segment" in log.attributes else ibis.null("int32")
        return first.join(c.select("case", "procedure", "abandoned", segment=segment), "case")

    return log.cache("funnel_stages", build)


def stage_order(log: EventLog) -> dict[str, list[str]]:
    """Per procedure, the pages in the order people meet them (mean position of first view)."""
    r = _reached(log)
    order = log.run(r.group_by(["procedure", "stage"]).agg(mean_pos=r["first"].mean())).to_pylist()
    for row in order:
        row["stage"] = _stage_name(log, row["stage"])
    result: dict[str, list[str]] = {}
    for row in sorted(order, key=lambda r: (r["procedure"] or "", r["mean_pos"], r["stage"])):
        if row["stage"] in (START, DONE) or row["procedure"] is None:
            continue
        result.setdefault(row["procedure"], []).append(row["stage"])
    return {p: [START, *steps, DONE] for p, steps in result.items()}


def funnels(log: EventLog) -> pa.Table:
    """One row per (procedure, segment, stage); segment « tous » adds all segments up."""
    if not log.is_journey:
        return table([], COLUMNS)
    order = stage_order(log)
    codes = {START: START_CODE, DONE: DONE_CODE}
    mapping = [
        {
            "m_procedure": log.value_code("procedure", p),
            "m_stage": codes.get(st, log.value_code("step", st)),
            "rank": i,
        }
        for p, stages in order.items()
        for i, st in enumerate(stages)
    ]
    ranks = log.small_table(
        "ranks",
        pa.table(
            {
                "m_procedure": pa.array([m["m_procedure"] for m in mapping], pa.int32()),
                "m_stage": pa.array([m["m_stage"] for m in mapping], pa.int32()),
                "rank": pa.array([m["rank"] for m in mapping], pa.int64()),
            }
        ),
    )
    has_segment = "segment" in log.attributes
    r = _reached(log)
    reached = r.join(ranks, (r.procedure == ranks.m_procedure) & (r.stage == ranks.m_stage)).select(
        "case", "procedure", "segment", "abandoned", "rank"
    )
    keys = ["procedure", "segment", "rank"]
    counts = log.run(reached.group_by(keys).agg(cases=reached.count())).to_pylist()
    # A case that is abandoned drops off at the last stage it reached.
    last = reached.group_by("case").agg(
        procedure=reached.procedure.max(),
        segment=reached.segment.max(),
        rank=reached["rank"].max(),
        abandoned=reached.abandoned.any(),
    )
    last = last.filter(last.abandoned)
    drops = log.run(last.group_by(keys).agg(dropped=last.count())).to_pylist()
    dropped = {tuple(d[k] for k in keys): d["dropped"] for d in drops}
    rows = [{**c, "dropped": dropped.get(tuple(c[k] for k in keys), 0)} for c in counts]
    unknown = "inconnu" if has_segment else "tous"
    totals: dict[tuple, dict] = {}
    for r in rows:
        segment_name = r["segment"] if r["segment"] is not None else unknown
        for seg in {segment_name, "tous"}:  # a log without segments: « tous » once
            key = (r["procedure"], seg, r["rank"])
            entry = totals.setdefault(key, {"cases": 0, "dropped": 0})
            entry["cases"] += r["cases"]
            entry["dropped"] += r["dropped"] or 0
    out = []
    for (procedure, seg, rank), v in totals.items():
        stage = order[procedure][rank]
        started = totals.get((procedure, seg, 0), {"cases": 0})["cases"] or 1
        out.append(
            {
                "procedure": procedure,
                "segment": seg,
                "rank": rank,
                "stage": stage,
                "stage_label": _label(stage),
                "cases": v["cases"],
                "share_of_started": v["cases"] / started,
                "dropped": v["dropped"],
                "drop_rate": v["dropped"] / v["cases"] if v["cases"] else 0.0,
            }
        )
    out.sort(key=lambda r: (r["procedure"], r["segment"] != "tous", r["segment"], r["rank"]))
    return table(out, COLUMNS)


COLUMNS = [
    "procedure",
    "segment",
    "rank",
    "stage",
    "stage_label",
    "cases",
    "share_of_started",
    "dropped",
    "drop_rate",
]


def _label(stage: str) -> str:
    if stage == START:
        return LABELS[Activity.PROCEDURE_STARTED]
    if stage == DONE:
        return LABELS[Activity.CONFIRMED]
    return STEPS.get(stage, stage)
