"""The engine's encoding and the analyses against plain Python on small logs built here."""

import datetime as dt
import itertools
import math
import statistics
from collections import Counter, defaultdict

import numpy as np
import pyarrow as pa

from unefois.journeys import io, synthetic
from unefois.journeys.analysis import analyse, engine, funnels, load, opportunities, process


def random_log(cases=400, labels=300, longest=70, seed=5) -> pa.Table:
    """Cases of 1 to ``longest`` events over many labels, in shuffled file order, with ties
    in timestamps (seconds only) that the file order must break."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(cases):
        t = 1_700_000_000 + int(rng.integers(0, 10_000_000))
        for _ in range(int(rng.integers(1, longest + 1))):
            t += int(rng.choice([0, 0, 1, 5, 60, 3600]))
            rows.append((f"case-{c}", f"activité {int(rng.integers(labels))}", t))
    order = rng.permutation(len(rows))
    rows = [rows[i] for i in order]
    return pa.table(
        {
            "case_id": [r[0] for r in rows],
            "activity": [r[1] for r in rows],
            "timestamp": pa.array(
                [dt.datetime.fromtimestamp(r[2], dt.UTC) for r in rows], io.TIMESTAMP_TYPE
            ),
            "seq": pa.array(range(len(rows)), pa.int64()),
        }
    )


def sequences(table: pa.Table) -> dict[str, list[tuple]]:
    per_case = defaultdict(list)
    for row in table.to_pylist():
        per_case[row["case_id"]].append((row["timestamp"], row["seq"], row["activity"]))
    return {case: sorted(events) for case, events in per_case.items()}


def test_process_map_and_variants_equal_plain_python_with_many_labels_and_long_cases():
    table = random_log()
    log = load(table)
    cases = sequences(table)
    expected_variants = Counter(tuple(e[2] for e in events) for events in cases.values())
    waits = defaultdict(list)
    for events in cases.values():
        for (t1, _, a), (t2, _, b) in itertools.pairwise(events):
            waits[(a, b)].append((t2 - t1).total_seconds())
    # Long cases and many labels: the packed words do not hold them all.
    assert max(len(e) for e in cases.values()) > 2 * (62 // 9)
    variants = process.variants(log).to_pylist()
    assert {tuple(r["variant"]): r["count"] for r in variants} == expected_variants
    assert all(r["length"] == len(r["variant"]) for r in variants)
    edges = process.dfg(log).to_pylist()
    assert {(r["source"], r["target"]): r["count"] for r in edges} == {
        k: len(v) for k, v in waits.items()
    }
    for r in edges:
        w = waits[(r["source"], r["target"])]
        assert math.isclose(r["mean_wait_s"], statistics.mean(w), rel_tol=1e-9, abs_tol=1e-9)
        assert math.isclose(r["median_wait_s"], statistics.median(w), abs_tol=1e-9)
        assert math.isclose(r["total_wait_h"], sum(w) / 3600, rel_tol=1e-9, abs_tol=1e-9)
    ends = process.start_end(log)
    assert ends["start"] == dict(Counter(e[0][2] for e in cases.values()))
    assert ends["end"] == dict(Counter(e[-1][2] for e in cases.values()))


def test_text_columns_become_codes_in_the_order_of_their_values():
    # Two chunks whose dictionaries differ, as Parquet row groups give them.
    chunks = [
        pa.array(["ordinateur", "mobile", None, "ordinateur"]).dictionary_encode(),
        pa.array(["tablette", "mobile", "Écran"]).dictionary_encode(),
    ]
    codes, values = engine._encode(pa.chunked_array(chunks), by_value=True)
    assert values.to_pylist() == ["mobile", "ordinateur", "tablette", "Écran"]
    decoded = values.take(codes.cast(pa.int64())).to_pylist()
    assert decoded == ["ordinateur", "mobile", None, "ordinateur", "tablette", "mobile", "Écran"]
    assert codes.type == pa.int32()


def test_a_case_keeps_the_largest_value_of_a_case_level_attribute():
    table = synthetic.generate(synthetic.Settings(cases=300, seed=4))
    segment = table["segment"].to_pylist()
    first = table["case_id"][0].as_py()
    # Give the first case two segments, the largest one first in the file (its code by
    # order of appearance would be the smallest): the case keeps the largest, as with text.
    changed = [
        "zzz-dernier" if case == first and i % 2 == 0 else s
        for i, (case, s) in enumerate(zip(table["case_id"].to_pylist(), segment, strict=True))
    ]
    table = table.set_column(table.column_names.index("segment"), "segment", pa.array(changed))
    log = load(table)
    assert "segment" in log.labels
    assert pa.types.is_integer(log.events.segment.type().to_pyarrow())
    c = log.cases
    code = log.case_ids.to_pylist().index(first)
    row = log.run(c.filter(c.case == code).select("segment")).to_pylist()[0]
    assert row["segment"] == "zzz-dernier"


def test_funnels_of_a_log_without_segments_count_each_case_once():
    table = synthetic.generate(synthetic.Settings(cases=600, seed=8)).drop_columns(["segment"])
    log = load(table)
    rows = funnels.funnels(log).to_pylist()
    started = Counter(
        r["procedure"]
        for r in table.filter(pa.compute.equal(table["activity"], "procedure_started"))
        .select(["procedure"])
        .to_pylist()
    )
    firsts = {r["procedure"]: r["cases"] for r in rows if r["rank"] == 0}
    assert firsts == dict(started)
    assert {r["segment"] for r in rows} == {"tous"}


def test_a_consequence_counts_only_if_at_least_twice_as_frequent():
    # 3 points more late declarations, far beyond chance with 400,000 cases, but 1.4 times
    # the rate of the others: not a consequence of the difficulty.
    weak = opportunities.compare(220, 2_000, 31_800, 400_000)
    assert weak["excess"] > 0.02
    assert weak["low"] > 0
    assert not weak["counts"]
    strong = opportunities.compare(700, 2_000, 16_000, 400_000)
    assert strong["counts"]
    # Nobody else has it: any significant excess is enough.
    assert opportunities.compare(40, 100, 0, 1_000)["counts"]
    # Twice as frequent but too few cases to tell.
    assert not opportunities.compare(2, 30, 1, 30)["counts"]
    # The threshold is a setting.
    lenient = opportunities.Settings(min_risk_ratio=1.2)
    assert opportunities.compare(220, 2_000, 31_800, 400_000, lenient)["counts"]


def item(kind, score, **keys):
    base = {k: None for k in opportunities.KEYS}
    base.update(kind=kind, procedure="changement-adresse", score=score, terms=["t"])
    base.update(examples=["un exemple"], title=f"{kind} {score}", **keys)
    return base


def test_a_field_leads_the_contacts_that_its_errors_cause():
    contact = item("contact", 13.0, grp=0)
    other = item("contact", 11.0, grp=1)
    error = item("error", 10.0, field="postcode", error_code="postcode_unknown")
    slow = item("busy", 2.0, field="postcode")
    causes = {("changement-adresse", 0): ("changement-adresse", "postcode")}
    merged = opportunities._merge([contact, other, error, slow], causes)
    assert [m["title"] for m in merged] == ["contact 11.0", "error 10.0"]
    assert [m["rank"] for m in merged] == [1, 2]
    assert merged[1]["related"] == ["contact 13.0", "busy 2.0"]
    assert merged[1]["contact_examples"] == ["un exemple"]
    # Without a candidate of the field, the group of contacts leads.
    alone = opportunities._merge([item("contact", 13.0, grp=0)], causes)
    assert [m["title"] for m in alone] == ["contact 13.0"]


def test_planted_difficulties_lead_in_the_journeys_the_benchmark_copies():
    """The 40,000 cases that bench/journeys.py copies to 10 M events (the copies change
    the significance, not the proportions: the benchmark prints the ranking at 10 M). Their
    contact reasons fall in other groups than with 20,000 cases: the people with an
    overseas postcode who call are in a mixed group, which must not hide their field."""
    table = synthetic.generate(synthetic.Settings(cases=40_000, seed=2025))
    ranking = analyse(load(table))["opportunities"]
    top = ranking[: len(synthetic.PLANTED)]
    found = [[p.key for p in synthetic.PLANTED if p.matches(o)] for o in top]
    assert all(found), [o["title"] for o in top]
    assert {k for keys in found for k in keys} == {p.key for p in synthetic.PLANTED}
    assert not [o for o in ranking if synthetic.DECOY.matches(o)]
