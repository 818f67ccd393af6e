"""Journey analyses at scale: ``.venv/bin/python bench/journeys.py``.

BPIC 2012 (262,200 events) replicated 38 times (9,963,600 events, 497,306 cases; each copy
has its own case ids and keeps the file order), then:

1. process map (directly-follows counts and waiting times) and variants with DuckDB, and the
   same with PM4Py on the same 10 M events (``pm4py.discover_dfg`` and ``pm4py.get_variants``
   on its pandas DataFrame, as its own reader returns it); both results must be identical;
2. the full report (every analysis and the HTML page) on those 10 M events, then on 10 M
   synthetic journey events (where the journey analyses all apply).

Each side runs in its own process, so that its peak memory (ru_maxrss) is its own.
Options: ``--replicas N`` (default 38), ``--pm4py-replicas N`` (default: same data; a
smaller N measures PM4Py on a subset and scales its time linearly, which the output says).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LOG = ROOT.parent / "shared" / "data" / "eventlogs" / "bpic2012.xes.gz"


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
    from unefois.journeys.analysis import load, process

    start = time.perf_counter()
    table = io.read_parquet(path)
    read = time.perf_counter() - start
    start = time.perf_counter()
    log = load(table)
    del table
    edges = process.dfg(log)
    variants = process.variants(log)
    elapsed = time.perf_counter() - start
    queue.put(
        {
            "read_s": read,
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
        import pm4py

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
            "seconds": elapsed,
            "peak_gb": peak_gb(),
            "dfg": dfg,
            "variants": {tuple(k): v for k, v in variants.items()},
        }
    )


def full_report(path: str, out: str, queue) -> None:
    from unefois.journeys import io
    from unefois.journeys.analysis import analyse, load
    from unefois.journeys.report import write_report

    start = time.perf_counter()
    table = io.read(path)
    log = load(table)
    del table
    results = analyse(log)
    write_report(results, out, Path(path).name, time.perf_counter() - start)
    queue.put(
        {
            "seconds": time.perf_counter() - start,
            "peak_gb": peak_gb(),
            "opportunities": len(results.get("opportunities", [])),
            "timings": {k: round(v, 2) for k, v in results["timings"].items()},
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=38)
    parser.add_argument("--pm4py-replicas", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None, help="folder for the reports")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-journeys-"))
    out = args.out or work
    out.mkdir(parents=True, exist_ok=True)
    big = work / "bpic2012-x.parquet"
    events = replicate(args.replicas, big)
    print(f"BPIC 2012 × {args.replicas} : {events:,} événements ({big})")

    mine = run(ours, str(big))
    pm_replicas = args.pm4py_replicas or args.replicas
    if pm_replicas == args.replicas:
        pm_path = big
    else:
        pm_path = work / "bpic2012-pm4py.parquet"
        replicate(pm_replicas, pm_path)
    theirs = run(reference, str(pm_path))
    scale = args.replicas / pm_replicas
    if pm_replicas == args.replicas:
        identical = mine["dfg"] == theirs["dfg"] and mine["variants"] == theirs["variants"]
        pm_seconds = theirs["seconds"]
        note = "même données"
    else:
        expected_dfg = {k: v * scale for k, v in theirs["dfg"].items()}
        expected_var = {k: v * scale for k, v in theirs["variants"].items()}
        identical = mine["dfg"] == expected_dfg and mine["variants"] == expected_var
        pm_seconds = theirs["seconds"] * scale
        note = f"sous-ensemble × {pm_replicas}, temps multiplié par {scale:g}"
    ratio = pm_seconds / mine["seconds"]
    print(
        f"Carte du processus + variantes : unefois (DuckDB) {mine['seconds']:.2f} s "
        f"(lecture Parquet {mine['read_s']:.2f} s en plus), pic mémoire {mine['peak_gb']:.2f} Go"
    )
    print(
        f"                                 PM4Py {pm_seconds:.2f} s ({note}), "
        f"pic mémoire {theirs['peak_gb']:.2f} Go"
    )
    print(
        f"  rapport PM4Py / unefois : {ratio:.1f}×  ; résultats identiques : "
        f"{'oui' if identical else 'NON'} ({len(mine['dfg'])} arcs, "
        f"{len(mine['variants'])} variantes)"
    )
    report = run(full_report, str(big), str(out / "rapport-bpic2012.html"))
    print(
        f"Rapport complet sur BPIC 2012 × {args.replicas} : {report['seconds']:.1f} s, "
        f"pic mémoire {report['peak_gb']:.2f} Go"
    )
    journeys = work / "parcours.parquet"
    n_journeys = synthetic_log(events, journeys)
    report2 = run(full_report, str(journeys), str(out / "rapport-parcours.html"))
    print(
        f"Rapport complet sur {n_journeys:,} événements de parcours synthétiques : "
        f"{report2['seconds']:.1f} s, pic mémoire {report2['peak_gb']:.2f} Go, "
        f"{report2['opportunities']} pistes"
    )
    print("  détail (s) : " + json.dumps(report2["timings"], ensure_ascii=False))
    print(f"Rapports : {out}")
    ok = (
        identical
        and ratio >= 5
        and max(mine["peak_gb"], report["peak_gb"], report2["peak_gb"]) < 4
        and report["seconds"] < 60
        and report2["seconds"] < 60
    )
    print("OBJECTIFS ATTEINTS" if ok else "OBJECTIFS NON ATTEINTS")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
