"""Per-field friction, as form-analytics tools measure it (Matomo Form Analytics, Zuko):

- reach: cases that touched the field, out of the cases that saw its page;
- errors per error code (cases with the error / cases that touched the field);
- amendments: cases that changed the field more than once;
- time spent (focus to the next event, per visit, summed) and hesitation (first focus to
  first change), median and mean;
- drop-off field: the last field touched by abandoned cases;
- left blank: cases that touched the field but never changed it.
"""

from __future__ import annotations

import ibis
import pyarrow as pa

from unefois.journeys.events import Activity

from .common import seconds, table
from .engine import EventLog, idle_capped

REWORK_STEPS = ["correction"]


def field_cases(log: EventLog):
    """One row per (procedure, step, field, case): changes, errors, time spent, hesitation."""

    def build():
        o = log.ordered
        codes = [
            log.code(Activity.FIELD_FOCUSED),
            log.code(Activity.FIELD_CHANGED),
            log.code(Activity.FIELD_ERROR),
            log.code(Activity.VALIDATION_ERROR),
        ]
        focused, changed, error, refused = codes
        f = o.filter(
            o.field.notnull() & o.act.isin(codes) & log.outside(o.step, "step", REWORK_STEPS)
        )
        spent = idle_capped(f.next_t - f.t)
        typed = f.act.isin([focused, changed])
        grouped = f.group_by(["case", "step", "field"]).agg(
            focuses=(f.act == focused).sum(),
            changes=(f.act == changed).sum(),
            errors=f.act.isin([error, refused]).sum(),
            spent_us=ibis.ifelse(typed, spent, 0).sum(),
            first_focus=ibis.ifelse(f.act == focused, f.t, ibis.null("int64")).min(),
            first_change=ibis.ifelse(f.act == changed, f.t, ibis.null("int64")).min(),
            last_pos=f.pos.max(),
        )
        # The procedure of the case, joined once the events are grouped (fewer rows).
        grouped = grouped.join(log.cases.select("case", "procedure"), "case")
        return grouped.mutate(
            spent_s=seconds(grouped.spent_us),
            hesitation_s=seconds(grouped.first_change - grouped.first_focus),
        )

    return log.cache("field_cases", build)


def friction(log: EventLog) -> pa.Table:
    if not (log.is_journey and log.has("field", "step")):
        return table([], FRICTION_COLUMNS)
    fc = field_cases(log)
    per_field = fc.group_by(["procedure", "step", "field"]).agg(
        reached=fc.count(),
        amended=(fc.changes > 1).sum(),
        with_error=(fc.errors > 0).sum(),
        never_changed=(fc.changes == 0).sum(),
        median_time_s=fc.spent_s.median(),
        mean_time_s=fc.spent_s.mean(),
        median_hesitation_s=fc.hesitation_s.median(),
        mean_hesitation_s=fc.hesitation_s.mean(),
    )
    # Cases that saw the page of the field.
    e = log.events
    viewed = e.filter(e.act == log.code(Activity.STEP_VIEWED)).select("case", "step").distinct()
    viewed = viewed.join(log.cases.select("case", "procedure"), "case")
    page = viewed.group_by(["procedure", "step"]).agg(page_cases=viewed.count())
    # The last field touched by abandoned cases.
    last = fc.group_by("case").agg(last_pos=fc.last_pos.max())
    dropped = fc.join(last, ["case", "last_pos"]).join(
        log.cases.filter(log.cases.abandoned).select("case"), "case"
    )
    drop = dropped.group_by(["procedure", "step", "field"]).agg(dropped_here=dropped.count())
    result = per_field.left_join(page, ["procedure", "step"]).left_join(
        drop, ["procedure", "step", "field"]
    )
    result = result.select(
        "procedure",
        "step",
        "field",
        "reached",
        "page_cases",
        "amended",
        "with_error",
        "median_time_s",
        "mean_time_s",
        "median_hesitation_s",
        "mean_hesitation_s",
        left_blank=result.never_changed,
        dropped_here=result.dropped_here.fill_null(0),
    )
    rows = log.run(result).to_pylist()
    for r in rows:
        r["reach"] = r["reached"] / r["page_cases"] if r["page_cases"] else None
        r["error_rate"] = r["with_error"] / r["reached"]
        r["amend_rate"] = r["amended"] / r["reached"]
        r["blank_rate"] = r["left_blank"] / r["reached"]
    rows.sort(key=lambda r: (r["procedure"], r["step"], r["field"]))
    return table(rows, FRICTION_COLUMNS)


FRICTION_COLUMNS = [
    "procedure",
    "step",
    "field",
    "reached",
    "page_cases",
    "reach",
    "with_error",
    "error_rate",
    "amended",
    "amend_rate",
    "median_time_s",
    "mean_time_s",
    "median_hesitation_s",
    "mean_hesitation_s",
    "left_blank",
    "blank_rate",
    "dropped_here",
]


def errors(log: EventLog) -> pa.Table:
    """Per (procedure, field, error code): cases, events, and the share of cases that touched
    the field."""
    if not (log.is_journey and log.has("field", "error_code")):
        return table([], ERROR_COLUMNS)
    e = log.events
    codes = [log.code(Activity.FIELD_ERROR), log.code(Activity.VALIDATION_ERROR)]
    hits = e.filter(e.act.isin(codes) & e.error_code.notnull() & e.field.notnull())
    # Per case first (a case has one procedure): then each row is one case.
    hits = hits.group_by(["case", "field", "error_code"]).agg(events=hits.count())
    hits = hits.join(log.cases.select("case", "procedure"), "case")
    grouped = hits.group_by(["procedure", "field", "error_code"]).agg(
        events=hits.events.sum(), cases=hits.count()
    )
    fc = field_cases(log)
    reached = fc.group_by(["procedure", "field"]).agg(reached=fc.case.nunique())
    rows = log.run(
        grouped.left_join(reached, ["procedure", "field"]).select(
            "procedure", "field", "error_code", "events", "cases", "reached"
        )
    ).to_pylist()
    for r in rows:
        r["rate"] = r["cases"] / r["reached"] if r["reached"] else None
    rows.sort(key=lambda r: (-r["cases"], r["procedure"], r["field"], r["error_code"]))
    return table(rows, ERROR_COLUMNS)


ERROR_COLUMNS = ["procedure", "field", "error_code", "events", "cases", "reached", "rate"]
