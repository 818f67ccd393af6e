"""Benchmark of the rules core: full payslips per second on one core, and memory per payslip.

    make bench            # or: .venv/bin/python bench/rules.py [--n 1000000] [--repeat 3]

In the same run, the closest peer on the same number of people: openfisca-france computing the
private-sector ``salaire_net`` from ``salaire_de_base`` (the French rules-as-code engine doing
comparable work: every employee and employer contribution line of a month's pay), and the
ratio. Both run pinned to one core with one BLAS thread.

Targets (issue 2): ≥ 1,000,000 payslips per second per core, under 1 KB of memory per payslip,
and faster than the peer.
"""

from __future__ import annotations

import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.population import month_contracts  # noqa: E402
from unefois.rules.engine import calculate  # noqa: E402


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def time_ours(batch: dict, n: int, repeat: int) -> tuple[float, float, int]:
    """Median of ``repeat`` timed runs, after one untimed full-size run (returned as ``cold``).

    The untimed run pays for the first touch of the output memory, which on a virtual machine
    can cost as much as the computation itself; the timed runs measure the steady state.
    """
    gc.collect()
    start = time.perf_counter()
    del_me = calculate(batch, n)
    cold = time.perf_counter() - start
    del del_me
    timings = []
    errors = 0
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = calculate(batch, n)
        timings.append(time.perf_counter() - start)
        errors = int(result.errors.sum())
        del result
    return statistics.median(timings), cold, errors


def memory_ours(batch: dict, n: int) -> int:
    gc.collect()
    tracemalloc.start()
    result = calculate(batch, n)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak


def time_peer(gross: np.ndarray, period: str, repeat: int) -> float | None:
    try:
        from openfisca_core.simulation_builder import SimulationBuilder
        from openfisca_france import FranceTaxBenefitSystem
    except ImportError:
        return None
    system = FranceTaxBenefitSystem()
    timings = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        simulation = SimulationBuilder().build_default_simulation(system, count=len(gross))
        simulation.set_input("salaire_de_base", period, gross)
        simulation.calculate("salaire_net", period)
        timings.append(time.perf_counter() - start)
        del simulation
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="month-contracts")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--peer-n", type=int, default=None, help="people for the peer (= n)")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    pin_to_one_core()

    batch = month_contracts(args.n, seed=args.seed)
    input_bytes = sum(v.nbytes for v in batch.values() if isinstance(v, np.ndarray))
    seconds, cold, errors = time_ours(batch, args.n, args.repeat)
    peak = memory_ours(batch, args.n)
    ours_rate = args.n / seconds
    print(
        f"unefois: {args.n:,} payslips in {seconds:.3f} s (median of {args.repeat}; "
        f"first run, memory cold: {cold:.3f} s)"
    )
    print(f"  {ours_rate:,.0f} payslips per second on one core; rows in error: {errors}")
    print(
        f"  memory: {peak / args.n:,.0f} B per payslip (outputs and working memory, "
        f"tracemalloc peak); inputs {input_bytes / args.n:,.0f} B per payslip"
    )
    report = {
        "n": args.n,
        "seconds": round(seconds, 4),
        "cold_seconds": round(cold, 4),
        "payslips_per_second": round(ours_rate),
        "bytes_per_payslip": round(peak / args.n),
        "input_bytes_per_payslip": round(input_bytes / args.n),
        "rows_in_error": errors,
    }
    if not args.no_peer:
        peer_n = args.peer_n or args.n
        gross = np.random.default_rng(args.seed).uniform(1200.0, 4000.0, peer_n)
        peer_seconds = time_peer(gross, "2025-10", args.repeat)
        if peer_seconds is None:
            print("peer: openfisca-france is not installed (uv sync --group bench)")
        else:
            peer_rate = peer_n / peer_seconds
            print(
                f"openfisca-france salaire_net: {peer_n:,} people in {peer_seconds:.3f} s "
                f"→ {peer_rate:,.0f} per second"
            )
            print(f"ratio unefois / openfisca-france: {ours_rate / peer_rate:.1f}×")
            report.update(
                peer_people=peer_n,
                peer_seconds=round(peer_seconds, 4),
                peer_per_second=round(peer_rate),
                ratio=round(ours_rate / peer_rate, 2),
            )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
