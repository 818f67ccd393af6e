"""Where a confirmation's CPU goes: the steps of one monthly declaration, timed in-process.

    .venv/bin/python bench/web_profile.py [--count 300]

Runs after bench/web.py (its database ``unefois_bench`` on 127.0.0.1:5432, 1 M declarations):
signs in ``--count`` parents (Django's test client, no network), confirms each one's next month
(the POST the benchmark sends), and prints the CPU time (``time.process_time``) per confirmation
of the whole request and of each step, measured by wrapping the functions that do them. Steps
nest: « déclarer » includes « données du contrat et historique », « bulletin » and the writes.
One thread, no HTTP server: the figures are what a confirmation costs the Python process alone.
"""

from __future__ import annotations

import argparse
import collections
import functools
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEPS = [  # (module, function, label)
    ("django.contrib.auth", "get_user", "compte et personne (session, authentification)"),
    ("unefois.www.views.parent", "_contract_for", "contrat"),
    ("unefois.declarations.services", "contract_facts", "faits du contrat et de l'employeur"),
    ("unefois.www.views.parent", "_events_from_post", "événements du formulaire"),
    ("unefois.declarations.actions", "do_declare", "déclarer (tout compris)"),
    (
        "unefois.declarations.services",
        "draft_input",
        "  entrée du bulletin (historique du contrat)",
    ),
    ("unefois.declarations.services", "compute", "  bulletin (cœur de règles)"),
    ("unefois.declarations.actions", "record", "  ligne d'audit"),
    ("unefois.www.views.parent", "_record_run", "trace de la démarche"),
    ("unefois.journeys.capture.services", "case", "parcours : dossier"),
    ("unefois.journeys.capture.services", "flush_request", "parcours : écriture"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = "postgresql://postgres@127.0.0.1:5432/unefois_bench"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/3")
    import importlib

    import django

    django.setup()
    from django.test import Client

    from unefois.contracts.models import Contract
    from unefois.declarations.models import Declaration

    spent: collections.Counter[str] = collections.Counter()

    def timed(function, label):
        @functools.wraps(function)
        def wrapper(*a, **k):
            start = time.process_time()
            try:
                return function(*a, **k)
            finally:
                spent[label] += time.process_time() - start

        return wrapper

    # every step is called through its module's attribute: replacing it there times every call
    for module_name, name, label in STEPS:
        module = importlib.import_module(module_name)
        setattr(module, name, timed(getattr(module, name), label))
    contracts = Contract.objects.select_related("employer__user").order_by("-id")
    jobs = []
    for contract in contracts[: args.count + 1]:
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(contract.employer.user)
        last = Declaration.objects.filter(contract=contract).order_by("-period").first()
        period = (last.period if last else 2025 * 12) + 1
        if period <= 2026 * 12 + 11:
            jobs.append((client, f"/parent/contrats/{contract.pk}/mois/{period}/"))
    if len(jobs) < 2:
        raise SystemExit("plus de mois à déclarer : relancez bench/web.py --reset")
    client, url = jobs.pop()
    client.post(url, {"action": "confirmer"})  # warm-up: imports, connection
    spent.clear()
    start = time.process_time()
    for client, url in jobs:
        response = client.post(url, {"action": "confirmer"})
        if response.status_code != 302:
            raise SystemExit(f"{url} : HTTP {response.status_code}")
    n = len(jobs)
    print(f"{n} confirmations, CPU par confirmation (ms) :")
    whole = (time.process_time() - start) / n * 1000
    print(f"  {'requête entière (client de test compris)':52s} {whole:6.2f}")
    for _, _, label in STEPS:
        print(f"  {label:52s} {spent[label] / n * 1000:6.2f}")


if __name__ == "__main__":
    main()
