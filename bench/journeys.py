"""Journey analyses at scale: ``.venv/bin/python bench/journeys.py``.

BPIC 2012 (262,200 events) replicated 38 times (9,963,600 events, 497,306 cases; each copy
has its own case ids and keeps the file order), then, in each of ``--runs`` runs (3 by
default; the machine may be shared, so the medians are what the targets are checked on):

1. process map (directly-follows counts and waiting times) and variants with DuckDB, and the
   same with PM4Py on the same 10 M events (``pm4py.discover_dfg`` and ``pm4py.get_variants``
   on its pandas DataFrame, as its own reader returns it), in the same run; both results must
   be identical. Timed on each side: from the events in memory (Arrow table, pandas
   DataFrame) to the result; the start of each library (DuckDB connection, PM4Py import) is
   not counted and is printed apart;
2. the full report (reading the file, every analysis and the HTML page) on those 10 M events,
   then on 10 M synthetic journey events (where the journey analyses all apply), with the
   rank of each planted difficulty: the six must be the six first.

Each side runs in its own process, so that its peak memory (ru_maxrss) is its own.
Options: ``--replicas N`` (default 38), ``--pm4py-replicas N`` (default: same data; a
smaller N measures PM4Py on a subset and scales its time linearly, which the output says),
``--runs N`` (default 3), ``--out DIR`` (the reports).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LOG = ROOT.parent / "shared" / "data" / "eventlogs" / "bpic2012.xes.gz"
TARGET_RATIO = 5.0
TARGET_GB = 4.0
TARGET_REPORT_S = 60.0


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def replicate(replicas: int, target: Path) -> int:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from unefois.journeys import io

    base = io.read(LOG).select(["case_id", "activity", "timestamp", "seq"])
    n = base.num_rows
    with pq.ParquetWriter(target, base.schema) as writer:
        for r in range(replicas):
            part = base.set_column(
                0, "case_id", pc.binary_join_element_wise(base["case_id"], pa.scalar(f"r{r}"), "-")
            ).set_column(3, "seq", pc.add(base["seq"], r * n))
            writer.write_table(part)
    return n * replicas


def ours(path: str, queue) -> None:
    from unefois.journeys import io
    from unefois.journeys.analysis import connect, load, process

    start = time.perf_counter()
    table = io.read_parquet(path)
    read = time.perf_counter() - start
    start = time.perf_counter()
    con = connect("duckdb")
    engine_start = time.perf_counter() - start
    start = time.perf_counter()
    log = load(table, con=con)
    del table
    edges = process.dfg(log)
    variants = process.variants(log)
    elapsed = time.perf_counter() - start
    queue.put(
        {
            "read_s": read,
            "start_s": engine_start,
            "seconds": elapsed,
            "peak_gb": peak_gb(),
            "dfg": {(r["source"], r["target"]): r["count"] for r in edges.to_pylist()},
            "variants": {tuple(r["variant"]): r["count"] for r in variants.to_pylist()},
        }
    )


def reference(path: str, queue) -> None:
    import pyarrow.parquet as pq

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        import pm4py

        library_start = time.perf_counter() - start
        frame = pq.read_table(path, columns=["case_id", "activity", "timestamp"]).to_pandas()
        frame = frame.rename(
            columns={
                "case_id": "case:concept:name",
                "activity": "concept:name",
                "timestamp": "time:timestamp",
            }
        )
        start = time.perf_counter()
        dfg, _, _ = pm4py.discover_dfg(frame)
        variants = pm4py.get_variants(frame)
        elapsed = time.perf_counter() - start
    queue.put(
        {
            "start_s": library_start,
            "seconds": elapsed,
            "peak_gb": peak_gb(),
            "dfg": dfg,
            "variants": {tuple(k): v for k, v in variants.items()},
        }
    )


def full_report(path: str, out: str, queue) -> None:
    from unefois.journeys import io, synthetic
    from unefois.journeys.analysis import analyse, load
    from unefois.journeys.report import write_report

    start = time.perf_counter()
    table = io.read(path)
    log = load(table)
    del table
    results = analyse(log)
    write_report(results, out, Path(path).name, time.perf_counter() - start)
    seconds = time.perf_counter() - start
    ranking = results.get("opportunities", [])
    planted = {}
    for item in ranking:
        for p in synthetic.PLANTED:
            if p.matches(item):
                planted.setdefault(p.key, item["rank"])
    # As tests/journeys/test_synthetic.py checks it: each of the first n is a planted one,
    # and together they are all n.
    n = len(synthetic.PLANTED)
    first = [[p.key for p in synthetic.PLANTED if p.matches(item)] for item in ranking[:n]]
    on_top = (
        len(first) == n
        and all(first)
        and {k for keys in first for k in keys} == {p.key for p in synthetic.PLANTED}
    )
    queue.put(
        {
            "seconds": seconds,
            "peak_gb": peak_gb(),
            "opportunities": len(ranking),
            "timings": {k: round(v, 2) for k, v in results["timings"].items()},
            "top": [
                (item["rank"], item["title"], [p.key for p in synthetic.PLANTED if p.matches(item)])
                for item in ranking[:8]
            ],
            "planted": planted,
            "planted_on_top": on_top,
            "n_planted": n,
            "decoy": [item["rank"] for item in ranking if synthetic.DECOY.matches(item)],
        }
    )


def synthetic_log(events_target: int, target: Path) -> int:
    """Synthetic journeys (40,000 cases generated, then copied with new ids) to ~10 M."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from unefois.journeys import synthetic

    base = synthetic.generate(synthetic.Settings(cases=40_000, seed=2025))
    copies = max(1, round(events_target / base.num_rows))
    n = base.num_rows
    with pq.ParquetWriter(target, base.schema) as writer:
        for r in range(copies):
            suffix = pa.scalar(f"c{r}")
            part = base.set_column(
                0, "case_id", pc.binary_join_element_wise(base["case_id"], suffix, "-")
            )
            part = part.set_column(3, "seq", pc.add(base["seq"], r * n))
            users = part.column_names.index("user_id")
            part = part.set_column(
                users, "user_id", pc.binary_join_element_wise(part["user_id"], suffix, "-")
            )
            writer.write_table(part)
    return n * copies


def run(target, *args):
    queue = mp.get_context("spawn").Queue()
    process = mp.get_context("spawn").Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def median(values) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=38)
    parser.add_argument("--pm4py-replicas", type=int, default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="folder for the reports")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-journeys-"))
    out = args.out or work
    out.mkdir(parents=True, exist_ok=True)
    big = work / "bpic2012-x.parquet"
    events = replicate(args.replicas, big)
    print(f"BPIC 2012 × {args.replicas} : {events:,} événements ({big})")
    pm_replicas = args.pm4py_replicas or args.replicas
    if pm_replicas == args.replicas:
        pm_path = big
    else:
        pm_path = work / "bpic2012-pm4py.parquet"
        replicate(pm_replicas, pm_path)
    scale = args.replicas / pm_replicas
    journeys = work / "parcours.parquet"
    n_journeys = synthetic_log(events, journeys)
    print(f"Parcours synthétiques : {n_journeys:,} événements ({journeys})")

    maps, reports, journey_reports = [], [], []
    all_identical = True
    for i in range(1, args.runs + 1):
        print(f"\n— Essai {i}/{args.runs}")
        mine = run(ours, str(big))
        theirs = run(reference, str(pm_path))
        if pm_replicas == args.replicas:
            identical = mine["dfg"] == theirs["dfg"] and mine["variants"] == theirs["variants"]
            pm_seconds = theirs["seconds"]
            note = "mêmes données"
        else:
            expected_dfg = {k: v * scale for k, v in theirs["dfg"].items()}
            expected_var = {k: v * scale for k, v in theirs["variants"].items()}
            identical = mine["dfg"] == expected_dfg and mine["variants"] == expected_var
            pm_seconds = theirs["seconds"] * scale
            note = f"sous-ensemble × {pm_replicas}, temps multiplié par {scale:g}"
        all_identical = all_identical and identical
        ratio = pm_seconds / mine["seconds"]
        maps.append((mine, pm_seconds, theirs, ratio))
        print(
            f"Carte du processus + variantes : unefois (DuckDB) {mine['seconds']:.2f} s "
            f"(en plus : lecture Parquet {mine['read_s']:.2f} s, connexion DuckDB "
            f"{mine['start_s']:.2f} s), pic mémoire {mine['peak_gb']:.2f} Go"
        )
        print(
            f"                                 PM4Py {pm_seconds:.2f} s ({note} ; en plus : "
            f"import {theirs['start_s']:.2f} s), pic mémoire {theirs['peak_gb']:.2f} Go"
        )
        print(
            f"  rapport PM4Py / unefois : {ratio:.1f}×  ; résultats identiques : "
            f"{'oui' if identical else 'NON'} ({len(mine['dfg'])} arcs, "
            f"{len(mine['variants'])} variantes)"
        )
        report = run(full_report, str(big), str(out / "rapport-bpic2012.html"))
        reports.append(report)
        print(
            f"Rapport complet sur BPIC 2012 × {args.replicas} : {report['seconds']:.1f} s, "
            f"pic mémoire {report['peak_gb']:.2f} Go"
        )
        report2 = run(full_report, str(journeys), str(out / "rapport-parcours.html"))
        journey_reports.append(report2)
        print(
            f"Rapport complet sur {n_journeys:,} événements de parcours synthétiques : "
            f"{report2['seconds']:.1f} s, pic mémoire {report2['peak_gb']:.2f} Go, "
            f"{report2['opportunities']} pistes"
        )
        print("  détail (s) : " + json.dumps(report2["timings"], ensure_ascii=False))

    last = journey_reports[-1]
    n_planted = last["n_planted"]
    planted_on_top = last["planted_on_top"]
    ranks = sorted(last["planted"].items(), key=lambda kv: kv[1])
    print(
        f"\nPistes plantées, sur {n_journeys:,} événements (rang de chacune) : "
        + ", ".join(f"{k} {r}" for k, r in ranks)
    )
    print("  les premières pistes :")
    for rank, title, keys in last["top"]:
        print(f"    {rank}. {title} [{', '.join(keys) or 'non plantée'}]")
    print(
        f"  les {n_planted} plantées sont les {n_planted} premières : "
        f"{'oui' if planted_on_top else 'NON'} ; le leurre est "
        f"{'classé (rang ' + str(last['decoy']) + ')' if last['decoy'] else 'absent'}"
    )

    ours_s = median(m[0]["seconds"] for m in maps)
    pm_s = median(m[1] for m in maps)
    ratio = median(m[3] for m in maps)
    peak = max(
        max(m[0]["peak_gb"] for m in maps),
        max(r["peak_gb"] for r in reports),
        max(r["peak_gb"] for r in journey_reports),
    )
    bpic_s = median(r["seconds"] for r in reports)
    journeys_s = median(r["seconds"] for r in journey_reports)
    print(f"\nMédianes sur {args.runs} essai(s) (machine partagée : chaque essai ci-dessus) :")
    print(
        f"  carte + variantes : unefois {ours_s:.2f} s, PM4Py {pm_s:.2f} s, rapport médian "
        f"{ratio:.1f}× (objectif ≥ {TARGET_RATIO:g}×), résultats identiques à chaque essai : "
        f"{'oui' if all_identical else 'NON'}"
    )
    print(
        f"  rapport complet : BPIC × {args.replicas} {bpic_s:.1f} s, parcours synthétiques "
        f"{journeys_s:.1f} s (objectif < {TARGET_REPORT_S:g} s) ; pic mémoire le plus haut "
        f"{peak:.2f} Go (objectif < {TARGET_GB:g} Go)"
    )
    print(f"Rapports : {out}")
    ok = (
        all_identical
        and ratio >= TARGET_RATIO
        and peak < TARGET_GB
        and bpic_s < TARGET_REPORT_S
        and journeys_s < TARGET_REPORT_S
        and planted_on_top
        and not last["decoy"]
    )
    print("OBJECTIFS ATTEINTS" if ok else "OBJECTIFS NON ATTEINTS")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
