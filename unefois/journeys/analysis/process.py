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

#: Words of packed labels per case before the rest of its sequence goes to a list (two
#: words of 12 labels of 5 bits hold two cases in three of BPIC 2012 whole).
PACKED_WORDS = 2


@dataclass
class View:
    key: str
    table: Any  # ibis.Table with case, t, seq, code
    names: list[str]


def activities_view(log: EventLog) -> View:
    e = log.events
    return View("activities", e.select("case", "t", "seq", code=e.act), list(log.activities))


def milestones(log: EventLog) -> View:
    """Milestones of journeys, the step shown with « étape affichée » (labels in French).

    The label of an event is its activity code, or, for a step shown, the number of
    activities plus the code of the step: one integer, no lookup table."""
    if "journey_labels" in log._cache:
        return log._cache["journey_labels"]
    codes = [c for c in (log.code(m) for m in MILESTONES) if c >= 0]
    e = log.events
    kept = e.filter(e.act.isin(codes))
    names = [LABELS.get(a, a) for a in log.activities]
    step_code = log.code("step_viewed")
    code = kept.act
    if step_code >= 0 and "step" in log.attributes:
        first = len(names)
        shown = names[step_code]
        names += [f"{shown} : {STEPS.get(s, s)}" for s in log.labels["step"].to_pylist()]
        code = ibis.ifelse(
            (kept.act == step_code) & kept.step.notnull(), kept.step + first, kept.act
        )
    view = View("milestones", kept.select("case", "t", "seq", code=code), names)
    log._cache["journey_labels"] = view
    return view


def _ordered(log: EventLog, view: View | None):
    if view is None or view.key == "activities":
        o = log.ordered
        return o.select("case", "t", "pos", code=o.act, next_code=o.next_act, next_t=o.next_t)

    def build():
        v = view.table
        w = ibis.window(group_by=v.case, order_by=[v.t, v.seq])
        return v.select(
            "case",
            "t",
            "code",
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
    gap = edges.next_t - edges.t  # µs: the median of integers, then seconds
    grouped = edges.group_by(["code", "next_code"]).agg(
        count=edges.count(),
        mean_us=gap.mean(),
        median_us=gap.median(),
        total_s=seconds(gap).sum(),
    )
    table = log.run(grouped)
    names = _names(log, view)
    rows = sorted(
        (
            {
                "source": names[r["code"]],
                "target": names[r["next_code"]],
                "count": r["count"],
                "mean_wait_s": r["mean_us"] / 1e6,
                "median_wait_s": r["median_us"] / 1e6,
                "total_wait_h": r["total_s"] / 3600.0,
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

    The sequence is built without order-sensitive aggregation (which Spark lacks) and mostly
    without lists. With ``k`` bits per label and ``n = 62 div k`` labels per word, the event
    at position ``pos`` adds ``code << k × (pos mod n)`` to word ``pos div n`` of its case: a
    sum whose terms never overlap, exact on every engine. The first ``PACKED_WORDS`` words
    hold most cases whole; the events after them (long cases) become ``pos × 2^k + code``,
    whose sorted list restores their order (the remainder gives back the codes). A variant
    is (length, words, rest), unpacked afterwards.
    """
    o = _ordered(log, view)
    names = _names(log, view)
    bits = label_bits(len(names))
    k = bits.bit_length() - 1
    per_word = max(1, 62 // k)
    packed = PACKED_WORDS * per_word
    code = o.code.cast("int64")
    shift = ((o.pos % per_word) * k).cast("int32")
    words = {
        f"w{j}": ibis.ifelse(
            (o.pos >= j * per_word) & (o.pos < (j + 1) * per_word), code << shift, 0
        ).sum()
        for j in range(PACKED_WORDS)
    }
    per_case = o.group_by("case").agg(
        n=o.count(),
        **words,
        rest=(o.pos * bits + code).collect(where=o.pos >= packed),
        start=o.t.min(),
        end=o.t.max(),
    )
    per_case = per_case.mutate(
        rest=per_case.rest.sort().map(lambda key: key % bits),
        duration=seconds(per_case.end - per_case.start),
    )
    grouped = per_case.group_by(["n", *words, "rest"]).agg(
        count=per_case.count(),
        mean_duration_s=per_case.duration.mean(),
        median_duration_s=per_case.duration.median(),
    )
    table = log.run(grouped)

    def sequence(row: dict) -> list[str]:
        codes = [
            (row[f"w{j}"] >> (k * i)) & (bits - 1)
            for j in range(PACKED_WORDS)
            for i in range(per_word)
        ]
        return [names[c] for c in codes[: min(row["n"], packed)] + list(row["rest"] or [])]

    total = sum(table["count"].to_pylist()) or 1
    rows = [
        {
            "variant": sequence(r),
            "length": r["n"],
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
