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
AFTER_CONFIRMATION = {"correction"}


def _stages(log: EventLog):
    """(case, stage) for every stage a case reached."""
    o = log.ordered
    started, viewed, confirmed = (
        log.code(Activity.PROCEDURE_STARTED),
        log.code(Activity.STEP_VIEWED),
        log.code(Activity.CONFIRMED),
    )
    stage = (
        ibis.cases(
            (o.act == started, ibis.literal(START)),
            (o.act == confirmed, ibis.literal(DONE)),
            else_=o.step,
        )
        if "step" in log.attributes
        else ibis.cases(
            (o.act == started, ibis.literal(START)),
            (o.act == confirmed, ibis.literal(DONE)),
            else_=ibis.null("string"),
        )
    )
    keep = o.act.isin([started, confirmed]) | (
        (o.act == viewed) & ~o.step.isin(list(AFTER_CONFIRMATION))
        if "step" in log.attributes
        else ibis.literal(False)
    )
    return (
        o.filter(keep)
        .mutate(stage=stage)
        .select("case", "stage", "pos")
        .filter(ibis._.stage.notnull())
    )


def stage_order(log: EventLog) -> dict[str, list[str]]:
    """Per procedure, the pages in the order people meet them (mean position of first view)."""
    s = _stages(log)
    c = log.cases
    first = s.group_by(["case", "stage"]).agg(first=s.pos.min())
    joined = first.join(c.select("case", "procedure"), "case")
    order = log.run(
        joined.group_by(["procedure", "stage"]).agg(mean_pos=joined["first"].mean())
    ).to_pylist()
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
    mapping = [
        {"m_procedure": p, "m_stage": st, "rank": i}
        for p, stages in order.items()
        for i, st in enumerate(stages)
    ]
    ranks = log.small_table(
        "ranks",
        pa.table(
            {
                "m_procedure": [m["m_procedure"] for m in mapping],
                "m_stage": [m["m_stage"] for m in mapping],
                "rank": pa.array([m["rank"] for m in mapping], pa.int64()),
            }
        ),
    )
    c = log.cases
    segment = c.segment if "segment" in log.attributes else ibis.literal("tous")
    cases = c.select("case", "procedure", "abandoned", seg=segment.fill_null("inconnu"))
    s = _stages(log).select("case", "stage").distinct()
    reached = s.join(cases, "case")
    reached = reached.join(
        ranks,
        (reached.procedure == ranks.m_procedure) & (reached.stage == ranks.m_stage),
    )
    last = reached.group_by("case").agg(last_rank=reached["rank"].max())
    reached = reached.join(last, "case")
    grouped = reached.group_by(["procedure", "seg", "rank"]).agg(
        cases=reached.count(),
        dropped=(reached.abandoned & (reached["rank"] == reached.last_rank)).sum(),
    )
    rows = log.run(grouped).to_pylist()
    totals: dict[tuple, dict] = {}
    for r in rows:
        for seg in (r["seg"], "tous"):
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
