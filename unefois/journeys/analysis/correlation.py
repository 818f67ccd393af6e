"""Attributes and events correlated with abandonment, per procedure, as PostHog's funnel
correlation analysis does: for each feature (a segment, a case attribute, an error met, a
support contact), the odds of abandoning with the feature against without it, each cell of
the 2×2 table plus a prior of 1, kept only above a minimum support."""

from __future__ import annotations

import ibis
import pyarrow as pa

from unefois.journeys.events import ERROR_CODES, FIELD_LABELS, Activity

from .common import table
from .engine import EventLog
from .stats import Z95, odds_ratio

PRIOR = 1.0
MIN_CASES = 25
MIN_SHARE = 0.01


def features(log: EventLog):
    """(case, kind, name, sub, value) for each feature of each case: ``value`` is a code (of
    the segment, of the case attribute ``name``, of the error code), ``sub`` the code of the
    field of an error (see ``_values``)."""
    ev = log.events
    parts = []
    none = ibis.null("int32")

    def part(t, kind: str, name: str, value, sub=none):
        return t.select(
            "case",
            kind=ibis.literal(kind),
            name=ibis.literal(name),
            sub=sub.cast("int32"),
            value=value.cast("int32"),
        )

    if "segment" in log.attributes:
        c = log.cases
        parts.append(part(c.filter(c.segment.notnull()), "segment", "segment", c.segment))
    for attribute in log.case_attributes:
        c = log.cases
        parts.append(part(c.filter(c[attribute].notnull()), "attribute", attribute, c[attribute]))
    codes = [log.code(Activity.FIELD_ERROR), log.code(Activity.VALIDATION_ERROR)]
    if log.has("field", "error_code") and max(codes) >= 0:
        e = ev.filter(ev.act.isin(codes) & ev.error_code.notnull())
        parts.append(part(e, "error", "", e.error_code, e.field))
    contact = log.code(Activity.SUPPORT_CONTACT)
    if contact >= 0:
        e = ev.filter(ev.act == contact)
        parts.append(part(e, "contact", "", none))
    if not parts:
        return None
    union = parts[0]
    for p in parts[1:]:
        union = union.union(p)
    return union.distinct()


def _values(log: EventLog, row: dict) -> tuple[str, str]:
    """The (name, value) of a feature row, as text."""
    kind, code = row["kind"], row["value"]
    if kind == "segment":
        return row["name"], log.labels["segment"][code].as_py()
    if kind == "attribute":
        return row["name"], log.labels[row["name"]][code].as_py()
    if kind == "error":
        field = log.labels["field"][row["sub"]].as_py() if row["sub"] is not None else ""
        return field, log.labels["error_code"][code].as_py()
    return "", ""


def abandonment(log: EventLog, min_cases: int = MIN_CASES, min_share: float = MIN_SHARE):
    """One row per (procedure, feature): cases, abandon rates with and without, odds ratio
    and its 95 % interval. Sorted by odds ratio, the strongest first."""
    if not log.is_journey:
        return table([], COLUMNS)
    f = features(log)
    if f is None:
        return table([], COLUMNS)
    c = log.cases.select("case", "procedure", "abandoned")
    totals = log.run(
        c.group_by("procedure").agg(cases=c.count(), abandoned=c.abandoned.sum())
    ).to_pylist()
    totals = {r["procedure"]: r for r in totals}
    joined = f.join(c, "case")
    grouped = joined.group_by(["procedure", "kind", "name", "sub", "value"]).agg(
        cases=joined.count(), abandoned=joined.abandoned.sum()
    )
    rows = []
    for r in log.run(grouped).to_pylist():
        total = totals.get(r["procedure"])
        if total is None:
            continue
        n, a = r["cases"], r["abandoned"] or 0
        if n < min_cases or n < min_share * total["cases"]:
            continue
        rest_n, rest_a = total["cases"] - n, (total["abandoned"] or 0) - a
        if rest_n <= 0:
            continue
        ratio, low, high = odds_ratio(a, n - a, rest_a, rest_n - rest_a, PRIOR, Z95)
        name, value = _values(log, r)
        rows.append(
            {
                "procedure": r["procedure"],
                "kind": r["kind"],
                "name": name,
                "value": value,
                "label": _label(r["kind"], name, value),
                "cases": n,
                "abandon_rate_with": a / n,
                "abandon_rate_without": rest_a / rest_n,
                "odds_ratio": ratio,
                "ci_low": low,
                "ci_high": high,
            }
        )
    rows.sort(key=lambda r: (-r["odds_ratio"], r["procedure"], r["label"]))
    return table(rows, COLUMNS)


COLUMNS = [
    "procedure",
    "kind",
    "name",
    "value",
    "label",
    "cases",
    "abandon_rate_with",
    "abandon_rate_without",
    "odds_ratio",
    "ci_low",
    "ci_high",
]


def _label(kind: str, name: str, value: str) -> str:
    if kind == "segment":
        return f"Segment : {value}"
    if kind == "attribute":
        return f"{name.removeprefix('case:')} = {value}"
    if kind == "error":
        field = FIELD_LABELS.get(name, name)
        return f"Erreur « {ERROR_CODES.get(value, value)} » sur « {field} »"
    return "Contact avec l'assistance"


__all__ = ["abandonment", "features", "pa"]
