"""Process map (directly-follows graph with frequencies and waiting times), variants, case
durations and bottlenecks.

Every function works on a *view* of the log: rows (case, t, seq, code) where ``code`` is an
integer label. The default view is the log's activities; ``milestones`` gives the course of a
procedure (start, steps, submits, refusals, outcome) for journey logs. Events are ordered by
(timestamp, seq): ties keep the order of the source file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import pyarrow as pa

from unefois.journeys.events import LABELS, MILESTONES, STEPS

from .common import minutes, seconds
from .engine import EventLog, label_bits


@dataclass
class View:
    key: str
    table: Any  # ibis.Table with case, t, seq, code
    names: list[str]


def activities_view(log: EventLog) -> View:
    e = log.events
    return View("activities", e.select("case", "t", "seq", code=e.act), list(log.activities))


def milestones(log: EventLog) -> View:
    """Milestones of journeys, the step shown with « étape affichée » (labels in French)."""
    if "journey_labels" in log._cache:
        return log._cache["journey_labels"]
    codes = [c for c in (log.code(m) for m in MILESTONES) if c >= 0]
    e = log.events
    kept = e.filter(e.act.isin(codes))
    names = {c: LABELS.get(log.activities[c], log.activities[c]) for c in codes}
    step_code = log.code("step_viewed")
    has_step = "step" in log.attributes
    # The label is (activity code, step) → a small table of distinct labels, coded in Ibis.
    step = kept.step if has_step else ibis.literal(None, "string")
    keyed = kept.mutate(label_step=ibis.ifelse(kept.act == step_code, step, ibis.null("string")))
    distinct = keyed.select("act", "label_step").distinct()
    labels = log.run(distinct)
    rows = sorted(labels.to_pylist(), key=lambda r: (r["act"], r["label_step"] or ""))
    lookup = []
    for i, row in enumerate(rows):
        step_name = row["label_step"]
        text = names[row["act"]]
        if step_name:
            text = f"{text} : {STEPS.get(step_name, step_name)}"
        lookup.append((i, row["act"], step_name, text))
    mapping = log.small_table(
        "labels",
        pa.table(
            {
                "label_code": pa.array([r[0] for r in lookup], pa.int64()),
                "label_act": pa.array([r[1] for r in lookup], pa.int64()),
                "label_step2": pa.array([r[2] for r in lookup], pa.string()),
            }
        ),
    )
    joined = keyed.join(
        mapping,
        (keyed.act == mapping.label_act)
        & (
            (keyed.label_step == mapping.label_step2)
            | (keyed.label_step.isnull() & mapping.label_step2.isnull())
        ),
    )
    view = View(
        "milestones",
        joined.select("case", "t", "seq", code=joined.label_code),
        [r[3] for r in lookup],
    )
    log._cache["journey_labels"] = view
    return view


def _ordered(log: EventLog, view: View | None):
    if view is None or view.key == "activities":
        o = log.ordered
        return o.select(
            "case", "t", "seq", "pos", code=o.act, next_code=o.next_act, next_t=o.next_t
        )

    def build():
        v = view.table
        w = ibis.window(group_by=v.case, order_by=[v.t, v.seq])
        return v.mutate(
            pos=ibis.row_number().over(w),
            next_code=v.code.lead().over(w),
            next_t=v.t.lead().over(w),
        )

    return log.cache("ordered:" + view.key, build)


def _names(log: EventLog, view: View | None) -> list[str]:
    return list(log.activities) if view is None else view.names


def dfg(log: EventLog, view: View | None = None) -> pa.Table:
    """Directly-follows edges: source, target, count, and the waiting time between the two
    events (mean and median, seconds; total in hours)."""
    o = _ordered(log, view)
    edges = o.filter(o.next_code.notnull())
    edges = edges.mutate(wait=seconds(edges.next_t - edges.t))
    grouped = edges.group_by(["code", "next_code"]).agg(
        count=edges.count(),
        mean_wait_s=edges.wait.mean(),
        median_wait_s=edges.wait.median(),
        total_wait_h=edges.wait.sum() / ibis.literal(3600.0, "float64"),
    )
    table = log.run(grouped)
    names = _names(log, view)
    rows = sorted(
        (
            {
                "source": names[r["code"]],
                "target": names[r["next_code"]],
                "count": r["count"],
                "mean_wait_s": r["mean_wait_s"],
                "median_wait_s": r["median_wait_s"],
                "total_wait_h": r["total_wait_h"],
            }
            for r in table.to_pylist()
        ),
        key=lambda r: (-r["count"], r["source"], r["target"]),
    )
    return _table(
        rows, ["source", "target", "count", "mean_wait_s", "median_wait_s", "total_wait_h"]
    )


def start_end(log: EventLog, view: View | None = None) -> dict[str, dict[str, int]]:
    """How many cases start and end with each activity."""
    o = _ordered(log, view)
    starts = log.run(o.filter(o.pos == 0).group_by("code").agg(n=ibis._.count()))
    ends = log.run(o.filter(o.next_code.isnull()).group_by("code").agg(n=ibis._.count()))
    names = _names(log, view)
    return {
        "start": {names[r["code"]]: r["n"] for r in starts.to_pylist()},
        "end": {names[r["code"]]: r["n"] for r in ends.to_pylist()},
    }


def activity_counts(log: EventLog, view: View | None = None) -> pa.Table:
    o = _ordered(log, view)
    table = log.run(o.group_by("code").agg(events=o.count(), cases=o.case.nunique()))
    names = _names(log, view)
    rows = sorted(
        (
            {"activity": names[r["code"]], "events": r["events"], "cases": r["cases"]}
            for r in table.to_pylist()
        ),
        key=lambda r: (-r["events"], r["activity"]),
    )
    return _table(rows, ["activity", "events", "cases"])


def variants(log: EventLog, view: View | None = None) -> pa.Table:
    """Distinct sequences of activities, with their number of cases, share and durations.

    The sequence is built without order-sensitive aggregation (which Spark lacks): each event
    is the integer ``pos × 2^k + code``; sorting a case's integers restores its order, and the
    remainder gives back the codes.
    """
    o = _ordered(log, view)
    names = _names(log, view)
    bits = label_bits(len(names))
    per_case = o.group_by("case").agg(
        keys=(o.pos * bits + o.code).collect(),
        start=o.t.min(),
        end=o.t.max(),
    )
    per_case = per_case.mutate(
        variant=per_case["keys"].sort().map(lambda k: k % bits),
        duration=seconds(per_case.end - per_case.start),
    )
    grouped = per_case.group_by("variant").agg(
        count=per_case.count(),
        mean_duration_s=per_case.duration.mean(),
        median_duration_s=per_case.duration.median(),
    )
    table = log.run(grouped)
    total = sum(table["count"].to_pylist()) or 1
    rows = [
        {
            "variant": [names[c] for c in r["variant"]],
            "length": len(r["variant"]),
            "count": r["count"],
            "share": r["count"] / total,
            "mean_duration_s": r["mean_duration_s"],
            "median_duration_s": r["median_duration_s"],
        }
        for r in table.to_pylist()
    ]
    rows.sort(key=lambda r: (-r["count"], r["variant"]))
    return (
        pa.table(
            {
                "variant": pa.array([r["variant"] for r in rows], pa.list_(pa.string())),
                **{
                    k: [r[k] for r in rows]
                    for k in ("length", "count", "share", "mean_duration_s", "median_duration_s")
                },
            }
        )
        if rows
        else pa.table({"variant": pa.array([], pa.list_(pa.string()))})
    )


def durations(log: EventLog, by: str | None = None) -> pa.Table:
    """Case durations (first to last event), median and mean side by side, in hours; with
    ``by="procedure"``, one row per procedure."""
    c = log.cases
    keys = [by] if by else []
    grouped = (c.group_by(keys) if keys else c).agg(
        cases=c.count(),
        median_h=c.duration_s.median() / ibis.literal(3600.0, "float64"),
        mean_h=c.duration_s.mean() / ibis.literal(3600.0, "float64"),
        median_active_min=minutes(c.active_us).median(),
        mean_active_min=minutes(c.active_us).mean(),
    )
    table = log.run(grouped)
    if by:
        table = table.sort_by([(by, "ascending")])
    return table


def bottlenecks(log: EventLog, view: View | None = None, top: int = 10) -> pa.Table:
    """The transitions where cases wait the longest in total (count × mean wait), with their
    share of all waiting time."""
    edges = dfg(log, view)
    rows = edges.to_pylist()
    total = sum(r["total_wait_h"] or 0 for r in rows) or 1.0
    for r in rows:
        r["share_of_wait"] = (r["total_wait_h"] or 0) / total
    rows.sort(key=lambda r: (-(r["total_wait_h"] or 0), r["source"], r["target"]))
    return _table(rows[:top], [*edges.column_names, "share_of_wait"])


def _table(rows: list[dict], columns: list[str]) -> pa.Table:
    if not rows:
        return pa.table({c: pa.array([], pa.null()) for c in columns})
    return pa.table({c: [r[c] for r in rows] for c in columns})
