"""Benchmark of the population simulator: time and peak memory for a national-size population.

    .venv/bin/python bench/simulation.py [--households 1000000] [--months 12]

Target (issue 3): 1,000,000 households × 12 months under 4 GB of memory, in minutes. No peer
program generates this population; the figures are printed beside the targets.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from unefois.simulation.population import Settings
from unefois.simulation.writer import write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        summary = write(Settings(args.households, args.months, args.seed), Path(directory))
        seconds = time.perf_counter() - start
        size = sum(f.stat().st_size for f in Path(directory).glob("*.parquet"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.households:,} households × {args.months} months in {seconds:.1f} s "
        f"(target: minutes); peak memory {peak_mb:,.0f} MB (target < 4,096 MB); "
        f"{summary['rows']['months']:,} month rows, {size / 1e6:,.0f} MB of Parquet"
    )
    print(json.dumps({"seconds": round(seconds, 1), "peak_mb": round(peak_mb), **summary["rows"]}))


if __name__ == "__main__":
    main()
