"""Rework: corrections of confirmed declarations, and re-submissions with their causes."""

from __future__ import annotations

import ibis
import pyarrow as pa

from unefois.journeys.events import Activity

from .common import table
from .engine import EventLog


def corrections(log: EventLog) -> pa.Table:
    """Per (procedure, field): confirmed cases, corrected cases and the rate."""
    if not log.is_journey:
        return table([], CORRECTION_COLUMNS)
    e = log.events
    c = log.cases
    confirmed = c.filter(c.confirmed).group_by("procedure").agg(confirmed=ibis._.count())
    corr = e.filter(e.act == log.code(Activity.CORRECTED))
    field = corr.field if "field" in log.attributes else None
    corr = corr.select("case", field=field).join(c.select("case", "procedure"), "case")
    grouped = corr.group_by(["procedure", "field"]).agg(
        corrections=corr.count(), cases=corr.case.nunique()
    )
    rows = log.run(
        grouped.left_join(confirmed, "procedure").select(
            "procedure", "field", "corrections", "cases", "confirmed"
        )
    ).to_pylist()
    for r in rows:
        r["rate"] = r["cases"] / r["confirmed"] if r["confirmed"] else None
    rows.sort(key=lambda r: (-r["cases"], r["procedure"], r["field"] or ""))
    return table(rows, CORRECTION_COLUMNS)


CORRECTION_COLUMNS = ["procedure", "field", "corrections", "cases", "confirmed", "rate"]


def correction_reasons(log: EventLog) -> pa.Table:
    """The reasons typed for corrections, with their number (for grouping)."""
    if not (log.is_journey and log.has("reason")):
        return table([], ["procedure", "field", "reason", "count"])
    e = log.events
    corr = e.filter((e.act == log.code(Activity.CORRECTED)) & e.reason.notnull())
    corr = corr.drop("procedure").join(log.cases.select("case", "procedure"), "case")
    field = corr.field if "field" in log.attributes else corr.reason.isnull().cast("string")
    grouped = (
        corr.mutate(field=field)
        .group_by(["procedure", "field", "reason"])
        .agg(count=ibis._.count())
    )
    rows = log.run(grouped).to_pylist()
    rows.sort(key=lambda r: (-r["count"], r["procedure"], r["reason"]))
    return table(rows, ["procedure", "field", "reason", "count"])


def resubmissions(log: EventLog) -> pa.Table:
    """Per procedure and page: cases that sent the page more than once, and the causes (the
    error codes met in those cases before the last sending)."""
    if not (log.is_journey and log.has("step")):
        return table([], RESUBMISSION_COLUMNS)
    o = log.ordered
    sub = o.filter(o.act == log.code(Activity.SUBMITTED))
    per = sub.group_by(["case", "step"]).agg(sends=sub.count(), last_send=sub.pos.max())
    again = per.filter(per.sends > 1)
    codes = [log.code(Activity.FIELD_ERROR), log.code(Activity.VALIDATION_ERROR)]
    err = o.filter(o.act.isin(codes))
    err = err.select(
        "case",
        "pos",
        err_step=err.step,
        field=err.field if "field" in log.attributes else err.step,
        error_code=err.error_code if "error_code" in log.attributes else err.step,
    )
    causes = err.join(again, (err.case == again.case) & (err.err_step == again.step))
    causes = causes.filter(causes.pos < causes.last_send)
    causes = causes.join(log.cases.select("case", "procedure"), "case")
    grouped = causes.group_by(["procedure", "step", "field", "error_code"]).agg(
        cases=causes.case.nunique()
    )
    totals = again.join(log.cases.select("case", "procedure"), "case")
    totals = totals.group_by(["procedure", "step"]).agg(resubmitted=totals.count())
    rows = log.run(
        grouped.right_join(totals, ["procedure", "step"]).select(
            procedure=ibis_coalesce("procedure"),
            step=ibis_coalesce("step"),
            field="field",
            error_code="error_code",
            cases="cases",
            resubmitted="resubmitted",
        ),
        decode={
            "field": "field" if "field" in log.attributes else "step",
            "error_code": "error_code" if "error_code" in log.attributes else "step",
        },
    ).to_pylist()
    rows.sort(
        key=lambda r: (
            -(r["resubmitted"] or 0),
            -(r["cases"] or 0),
            r["procedure"],
            r["step"],
            r["field"] or "",
            r["error_code"] or "",
        )
    )
    return table(rows, RESUBMISSION_COLUMNS)


RESUBMISSION_COLUMNS = ["procedure", "step", "field", "error_code", "cases", "resubmitted"]


def ibis_coalesce(name: str):
    return ibis.coalesce(ibis._[name], ibis._[name + "_right"])
