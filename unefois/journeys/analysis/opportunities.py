"""A ranked list of improvement opportunities.

Each candidate difficulty is a set of *affected* cases inside a set of *exposed* ones:

- an error code on a field (exposed: the cases that touched the field);
- a field that took far longer than usual (more than twice its median time);
- a page for one segment (exposed: every case that saw the page);
- a field corrected after confirmation (exposed: the confirmed cases of the procedure);
- a group of support-contact reasons (exposed: the cases of the procedure).

For each consequence — abandon, late declaration, support contact, correction — the rate among
the affected is compared with the rate among the other exposed cases (Newcombe's interval for
a difference of proportions). A consequence counts when its excess is at least
``MIN_EFFECT``, its lower bound at 99.9 % is above zero (many candidates are tested), and it
is at least ``MIN_RISK_RATIO`` times as frequent among the affected as among the others (a
size of effect that does not shrink with the size of the log, unlike the bound). A
difficulty without any such consequence is not ranked, however busy it looks.

    score = users affected × time lost (hours per person) × severity

- users affected: distinct people (pseudonyms) among the affected cases;
- time lost: extra active time of the affected cases, plus, for each consequence that counts,
  its excess × its cost in minutes (``COST_MINUTES``; an abandon costs twice the median time
  of a completed case of the procedure: the time spent, then spent again);
- severity: the weight of the most serious consequence that counts
  (abandon 4 > late 3 > contact 2 > correction 1).

The 95 % interval of the score comes from the intervals of the excesses and of the extra time.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import pyarrow as pa

from unefois.journeys.events import (
    CONSEQUENCE_LABELS,
    ERROR_CODES,
    FIELD_LABELS,
    PROCEDURES,
    SEGMENT_LABELS,
    SEVERITY,
    STEPS,
    Activity,
    Consequence,
)

from .common import minutes
from .contacts import Group, contact_groups
from .engine import EventLog
from .fields import field_cases
from .stats import Z95, Z_SELECT, difference, mean_difference

MIN_SUPPORT = 30
MIN_EFFECT = 0.02
#: A consequence counts only if it is at least this many times as frequent among the affected
#: as among the others: then at least half of it, among the affected, comes with the
#: difficulty ((RR − 1) / RR ≥ ½). Unlike the test of significance, this does not depend on
#: the size of the log: with millions of cases a small, confounded difference would pass.
MIN_RISK_RATIO = 2.0
BUSY_FACTOR = 2.0
COST_MINUTES = {
    Consequence.LATE: 20.0,  # a reminder to read, a late payment to explain (hypothesis)
    Consequence.CONTACT: 15.0,  # one call or message to the support, waiting included
    Consequence.CORRECTION: 10.0,  # reopen, change, give a reason, confirm again
}
FLAGS = {
    Consequence.ABANDON: "abandoned",
    Consequence.LATE: "late",
    Consequence.CONTACT: "contact",
    Consequence.CORRECTION: "corrected",
}
KEYS = ["kind", "procedure", "step", "field", "error_code", "segment", "grp"]


@dataclass(frozen=True)
class Settings:
    min_support: int = MIN_SUPPORT
    min_effect: float = MIN_EFFECT
    min_risk_ratio: float = MIN_RISK_RATIO
    z_select: float = Z_SELECT


#: The cases a candidate is compared within: its exposure, and the keys that name it. An
#: error and a slow field are compared within the cases that touched the field; a page for
#: a segment, within the cases (of any segment) that saw the page; a correction, within the
#: confirmed cases; a group of contacts, within all the cases of the procedure.
EXPOSURE = {
    "error": ("touched", ("procedure", "field")),
    "busy": ("touched", ("procedure", "field")),
    "segment": ("viewed", ("procedure", "step")),
    "correction": ("confirmed", ("procedure",)),
    "contact": ("all", ("procedure",)),
}
#: Candidates whose exposure is found by joining on its keys: a missing key matches nothing.
JOINED = {"error", "segment", "correction", "contact"}
EXPOSURE_KEYS = ["exposure", "procedure", "step", "field"]


def _signals(log: EventLog, groups: list[Group]):
    """(keys…, case) of the affected cases of every candidate, and (exposure, keys…, case)
    of every exposure (each exposure once, however many candidates share it)."""
    # Every key is an integer code (``grp`` a group number), so that the parts union.
    e = log.events
    c = log.cases
    procedures = c.select("case", "procedure")
    affected, exposed = [], []

    def keyed(t, kind, **values):
        cols = {
            k: values[k].cast("int64" if k == "grp" else "int32")
            if k in values
            else ibis.null("int64" if k == "grp" else "int32")
            for k in KEYS[1:]
        }
        return t.select(kind=ibis.literal(kind), **cols, case=t.case)

    def exposure(t, name, **values):
        cols = {
            k: values[k].cast("int32") if k in values else ibis.null("int32")
            for k in EXPOSURE_KEYS[1:]
        }
        return t.select(exposure=ibis.literal(name), **cols, case=t.case)

    if log.has("field", "step"):
        fc = field_cases(log)
        touched = fc.select("procedure", "field", "case").distinct()
        exposed.append(
            exposure(touched, "touched", procedure=touched.procedure, field=touched.field)
        )
        if "error_code" in log.attributes:
            codes = [log.code(Activity.FIELD_ERROR), log.code(Activity.VALIDATION_ERROR)]
            err = e.filter(e.act.isin(codes) & e.error_code.notnull() & e.field.notnull())
            err = err.select("case", "field", "error_code").distinct().join(procedures, "case")
            err = err.select("procedure", "field", "error_code", "case").distinct()
            affected.append(
                keyed(
                    err,
                    "error",
                    procedure=err.procedure,
                    field=err.field,
                    error_code=err.error_code,
                )
            )
        spent = fc.group_by(["procedure", "field", "case"]).agg(spent=fc.spent_s.sum())
        median = spent.group_by(["procedure", "field"]).agg(median=spent.spent.median())
        busy = spent.join(median, ["procedure", "field"])
        busy = busy.filter(busy.spent > BUSY_FACTOR * busy.median)
        affected.append(keyed(busy, "busy", procedure=busy.procedure, field=busy.field))
    if log.has("step", "segment"):
        viewed = e.filter(e.act == log.code(Activity.STEP_VIEWED)).select("case", "step")
        viewed = viewed.distinct().join(c.select("case", "procedure", "segment"), "case")
        viewed = viewed.filter(
            viewed.segment.notnull() & log.outside(viewed.step, "step", ["correction"])
        )
        affected.append(
            keyed(
                viewed,
                "segment",
                procedure=viewed.procedure,
                step=viewed.step,
                segment=viewed.segment,
            )
        )
        exposed.append(exposure(viewed, "viewed", procedure=viewed.procedure, step=viewed.step))
    if "field" in log.attributes and log.code(Activity.CORRECTED) >= 0:
        corr = e.filter((e.act == log.code(Activity.CORRECTED)) & e.field.notnull())
        corr = corr.select("case", "field").distinct().join(procedures, "case")
        corr = corr.select("procedure", "field", "case").distinct()
        affected.append(keyed(corr, "correction", procedure=corr.procedure, field=corr.field))
        confirmed = c.filter(c.confirmed)
        exposed.append(exposure(confirmed, "confirmed", procedure=confirmed.procedure))
    if groups:
        rows = [(g.id, case) for g in groups for case in g.cases]
        member = log.small_table(
            "members",
            pa.table(
                {
                    "grp": pa.array([r[0] for r in rows], pa.int64()),
                    "case": pa.array([r[1] for r in rows], pa.int32()),
                }
            ),
        )
        member = member.join(procedures, "case")
        affected.append(keyed(member, "contact", procedure=member.procedure, grp=member.grp))
        exposed.append(exposure(c, "all", procedure=c.procedure))
    return affected, exposed


def _stats(log: EventLog, parts, keys: list[str], with_users: bool):
    if not parts:
        return {}
    union = parts[0]
    for p in parts[1:]:
        union = union.union(p)
    c = log.cases
    metrics = c.select(
        "case",
        "user",
        "abandoned",
        "late",
        "contact",
        "corrected",
        active=minutes(c.active_us),
    )
    joined = union.join(metrics, "case")
    aggs = {
        "n": joined.count(),
        "abandoned": joined.abandoned.cast("int64").sum(),
        "late": joined.late.cast("int64").sum(),
        "contact": joined.contact.cast("int64").sum(),
        "corrected": joined.corrected.cast("int64").sum(),
        "active": joined.active.sum(),
        "active2": (joined.active * joined.active).sum(),
    }
    if with_users:
        aggs["users"] = joined.user.nunique()
    rows = log.run(joined.group_by(keys).agg(**aggs)).to_pylist()
    return {tuple(r[k] for k in keys): r for r in rows}


def _exposed(e_stats: dict, item: dict) -> dict | None:
    """The statistics of the exposure of a candidate (``item``: its keys by name)."""
    name, names = EXPOSURE[item["kind"]]
    values = tuple(item[k] for k in names)
    if item["kind"] in JOINED and None in values:
        return None
    key = (name, *(item[k] if k in names else None for k in EXPOSURE_KEYS[1:]))
    return e_stats.get(key)


def _redo_minutes(log: EventLog) -> dict[str, float]:
    c = log.cases
    done = c.filter(c.confirmed)
    rows = log.run(
        done.group_by("procedure").agg(median=minutes(done.active_us).median())
    ).to_pylist()
    return {r["procedure"]: r["median"] or 0.0 for r in rows}


def compare(x_a: int, n_a: int, x_b: int, n_b: int, settings: Settings | None = None) -> dict:
    """One consequence: ``x_a`` of the ``n_a`` affected cases have it, ``x_b`` of the ``n_b``
    other exposed ones. It counts when the excess is at least ``min_effect``, its lower
    bound at the selection level is above zero, and it is at least ``min_risk_ratio`` times
    as frequent among the affected."""
    s = settings or Settings()
    d, low, high = difference(x_a, n_a, x_b, n_b, Z95)
    _, select_low, _ = difference(x_a, n_a, x_b, n_b, s.z_select)
    rate_a, rate_b = x_a / n_a, x_b / n_b
    return {
        "rate_affected": rate_a,
        "rate_others": rate_b,
        "excess": d,
        "low": low,
        "high": high,
        "counts": d >= s.min_effect and select_low > 0 and rate_a >= s.min_risk_ratio * rate_b,
    }


def rank(log: EventLog, settings: Settings | None = None,
         groups: list[Group] | None = None) -> list[dict]:  # fmt: skip
    """The opportunities, best first (only those with a consequence that counts)."""
    s = settings or Settings()
    if not log.is_journey:
        return []
    if groups is None:
        groups = contact_groups(log)
    affected, exposed = _signals(log, groups)
    a_stats = _stats(log, affected, KEYS, True)
    e_stats = _stats(log, exposed, EXPOSURE_KEYS, False)
    redo = _redo_minutes(log)
    group_by_id = {g.id: g for g in groups}
    found = []
    for key, a in a_stats.items():
        e = _exposed(e_stats, dict(zip(KEYS, key, strict=True)))
        if e is None:
            continue
        n_a, n_b = a["n"], e["n"] - a["n"]
        if n_a < s.min_support or n_b < s.min_support:
            continue
        consequences = {
            consequence: compare(a[flag] or 0, n_a, (e[flag] or 0) - (a[flag] or 0), n_b, s)
            for consequence, flag in FLAGS.items()
        }
        counting = [c for c, v in consequences.items() if v["counts"]]
        if not counting:
            continue
        main = max(counting, key=lambda c: SEVERITY[c])
        procedure = key[1]
        costs = dict(COST_MINUTES)
        costs[Consequence.ABANDON] = 2 * redo.get(procedure, 0.0)
        extra, extra_low, extra_high = mean_difference(
            a["active"] or 0.0,
            a["active2"] or 0.0,
            n_a,
            (e["active"] or 0.0) - (a["active"] or 0.0),
            (e["active2"] or 0.0) - (a["active2"] or 0.0),
            n_b,
        )
        lost = max(0.0, extra) + sum(consequences[c]["excess"] * costs[c] for c in counting)
        lost_low = max(0.0, extra_low) + sum(
            max(0.0, consequences[c]["low"]) * costs[c] for c in counting
        )
        lost_high = max(0.0, extra_high) + sum(
            max(0.0, consequences[c]["high"]) * costs[c] for c in counting
        )
        severity = SEVERITY[main]
        users = a["users"]
        item = dict(zip(KEYS, key, strict=True))
        group = group_by_id.get(item["grp"]) if item["grp"] is not None else None
        item.update(
            {
                "terms": group.terms if group else [],
                "examples": group.examples if group else [],
                "cases": n_a,
                "exposed": e["n"],
                "users": users,
                "consequence": main.value,
                "consequences": {
                    c.value: {k: v for k, v in consequences[c].items()} for c in Consequence
                },
                "counting": [c.value for c in counting],
                "severity": severity,
                "minutes_lost": lost,
                "minutes_low": lost_low,
                "minutes_high": lost_high,
                "extra_active_minutes": extra,
                "score": users * lost / 60 * severity,
                "score_low": users * lost_low / 60 * severity,
                "score_high": users * lost_high / 60 * severity,
            }
        )
        item["title"] = title(item)
        item["text"] = explain(item)
        found.append(item)
    found.sort(key=lambda r: (-r["score"], r["title"]))
    return _merge(found, _contact_causes(log, groups))


def _contact_causes(log: EventLog, groups: list[Group]) -> dict[tuple, tuple]:
    """For each (procedure, contact group), the field error met by most of its cases, when
    more than half of them met it: the contacts are then listed with that error."""
    if not groups or not log.has("field", "error_code"):
        return {}
    rows = [(g.id, case) for g in groups for case in g.cases]
    member = log.small_table(
        "members",
        pa.table(
            {
                "grp": pa.array([r[0] for r in rows], pa.int64()),
                "case": pa.array([r[1] for r in rows], pa.int32()),
            }
        ),
    )
    e = log.events
    c = log.cases.select("case", "procedure")
    codes = [log.code(Activity.FIELD_ERROR), log.code(Activity.VALIDATION_ERROR)]
    err = e.filter(e.act.isin(codes) & e.error_code.notnull() & e.field.notnull())
    err = err.select("case", "field", "error_code").distinct()
    member = member.join(c, "case")
    sizes = {
        (r["procedure"], r["grp"]): r["n"]
        for r in log.run(member.group_by(["procedure", "grp"]).agg(n=ibis._.count())).to_pylist()
    }
    both = member.join(err, "case")
    overlap = log.run(
        both.group_by(["procedure", "grp", "field", "error_code"]).agg(n=ibis._.count())
    ).to_pylist()
    best: dict[tuple, tuple] = {}
    for r in sorted(overlap, key=lambda r: (-r["n"], r["field"], r["error_code"])):
        key = (r["procedure"], r["grp"])
        if key not in best and r["n"] > 0.5 * sizes.get(key, 0):
            best[key] = (r["procedure"], r["field"])
    return best


def _subject(item: dict, causes: dict[tuple, tuple]) -> tuple | None:
    if item["kind"] == "contact":
        return causes.get((item["procedure"], item["grp"]))
    if item["kind"] == "segment":
        return (item["procedure"], "segment", item["segment"])
    return (item["procedure"], item["field"]) if item["field"] else None


def _merge(items: list[dict], causes: dict[tuple, tuple] | None = None) -> list[dict]:
    """One opportunity per field of a procedure (its errors, slowness, corrections, and the
    support contacts of people who met its errors), and one per segment of a procedure.

    The best-scored one leads and the others are listed with it, except that a group of
    contacts never leads a field that has a candidate of its own: those contacts come from
    the field's errors (``_contact_causes``), and a group chosen by its outcome (people who
    called) overstates what they lose, so the field's own candidate, which counts its
    contacts among its consequences, speaks for them."""
    causes = causes or {}
    leads: dict[tuple, dict] = {}
    for item in items:  # best first
        subject = _subject(item, causes)
        if subject is None:
            continue
        lead = leads.get(subject)
        if lead is None or (lead["kind"] == "contact" and item["kind"] != "contact"):
            leads[subject] = item
    for item in items:
        item["related"] = []
    out: list[dict] = []
    for item in items:
        subject = _subject(item, causes)
        lead = leads[subject] if subject is not None else item
        if lead is item:
            out.append(item)
            continue
        lead["related"].append(item["title"])
        if item["kind"] == "contact":
            lead["contact_terms"] = sorted(set(lead.get("contact_terms", [])) | set(item["terms"]))
            lead.setdefault("contact_examples", []).extend(item["examples"][:1])
    for i, item in enumerate(out, 1):
        item["rank"] = i
    return out


# ------------------------------------------------------------------------------ French text
def pct(x: float) -> str:
    return (
        f"{100 * x:.0f}\u00a0%" if x >= 0.1 or x == 0 else f"{100 * x:.1f}\u00a0%".replace(".", ",")
    )


def number(x: float) -> str:
    return f"{x:,.0f}".replace(",", "\u00a0")


def minutes_text(x: float) -> str:
    if x >= 90:
        return f"{x / 60:.1f}\u00a0h".replace(".", ",")
    return f"{x:.0f}\u00a0min" if x >= 10 else f"{x:.1f}\u00a0min".replace(".", ",")


def _procedure(slug: str | None) -> str:
    return PROCEDURES.get(slug or "", slug or "toutes démarches")


def title(item: dict) -> str:
    procedure = _procedure(item["procedure"])
    field = FIELD_LABELS.get(item["field"] or "", item["field"])
    kind = item["kind"]
    if kind == "error":
        error = ERROR_CODES.get(item["error_code"], item["error_code"])
        return f"{procedure} : erreur « {error} » sur « {field} »"
    if kind == "busy":
        return f"{procedure} : « {field} » prend beaucoup plus de temps que d'habitude"
    if kind == "segment":
        step = STEPS.get(item["step"], item["step"])
        segment = SEGMENT_LABELS.get(item["segment"], f"pour le segment « {item['segment']} »")
        return f"{procedure} : la page « {step} » {segment}"
    if kind == "correction":
        return f"{procedure} : « {field} » corrigé après confirmation"
    terms = ", ".join(item["terms"][:4])
    return f"{procedure} : demandes d'aide sur « {terms} »"


_VERBS = {
    Consequence.ABANDON: "abandonnent",
    Consequence.LATE: "déclarent en retard",
    Consequence.CONTACT: "contactent l'assistance",
    Consequence.CORRECTION: "corrigent après confirmation",
}
_WHO = {
    "error": "ont eu cette erreur",
    "busy": "y ont passé plus du double du temps habituel",
    "segment": "sont arrivées à cette page",
    "correction": "ont dû corriger ce champ",
    "contact": "ont contacté l'assistance pour ce motif",
}


def explain(item: dict) -> str:
    """The opportunity in plain French: who, how many, what follows, what it costs."""
    share = item["cases"] / item["exposed"] if item["exposed"] else 0
    parts = [
        f"{number(item['users'])} personnes {_WHO[item['kind']]} "
        f"({number(item['cases'])} démarches, {pct(share)} des démarches concernées)."
    ]
    for name in item["counting"]:
        c = Consequence(name)
        v = item["consequences"][name]
        parts.append(
            f"{pct(v['rate_affected']).capitalize()} {_VERBS[c]}, contre "
            f"{pct(v['rate_others'])} des autres (écart {pct(v['excess'])}, "
            f"IC 95\u00a0% : {pct(max(0.0, v['low']))} à {pct(v['high'])})."
        )
    parts.append(
        f"Temps perdu estimé : {minutes_text(item['minutes_lost'])} par personne "
        f"(IC 95\u00a0% : {minutes_text(item['minutes_low'])} à "
        f"{minutes_text(item['minutes_high'])}). Conséquence la plus grave : "
        f"{CONSEQUENCE_LABELS[Consequence(item['consequence'])]}."
    )
    if item.get("examples"):
        parts.append("Exemple : « " + item["examples"][0] + " ».")
    return " ".join(parts)
