"""How many fields people type, per procedure, over a simulated year (« dites-le-nous une fois »).

    .venv/bin/python bench/tell_us_once.py [--households 1000]

Runs a simulated year for the households through the procedures' engine and actions (on a
fresh SQLite database in a temporary directory), then prints, per procedure, the median and
95th percentile of typed fields beside what Pajemploi's current forms ask (with its source).
Targets (issue 4): monthly declaration median 0; at most 1 field per reported event; end of
contract ≤ 2; no fact asked twice of the same person in the year.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    directory = tempfile.mkdtemp()
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from unefois.simulation.tell_us_once import check_targets, simulate_year

    start = time.perf_counter()
    report = simulate_year(args.households, args.seed)
    seconds = time.perf_counter() - start
    summary = report.summary()
    print(f"{args.households} foyers, une année simulée en {seconds:.0f} s")
    print(f"{'démarche':26} {'exécutions':>10} {'médiane':>8} {'p95':>6} {'Pajemploi':>10}")
    for slug, row in summary.items():
        print(
            f"{slug:26} {row['runs']:>10} {row['median']:>8} {row['p95']:>6.1f} "
            f"{row['pajemploi'] or '—':>10}"
        )
    per_event = max(report.typed_per_event) if report.typed_per_event else 0
    print(
        f"champs par événement signalé : au plus {per_event:g} "
        f"({len(report.typed_per_event)} mois avec événement)"
    )
    print(f"données demandées deux fois à la même personne : {len(report.asked_twice)}")
    failures = check_targets(report)
    print("cibles : " + ("toutes atteintes" if not failures else "; ".join(failures)))
    print(
        json.dumps(
            {
                "summary": summary,
                "max_typed_per_event": per_event,
                "asked_twice": len(report.asked_twice),
                "failures": failures,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
