"""Benchmark of the web platform: gunicorn + PostgreSQL on loopback, load from Locust.

    .venv/bin/python bench/web.py [--declarations 1000000] [--seconds 30]

1. Creates (once) the PostgreSQL database ``unefois_bench`` on 127.0.0.1:5432 and stores
   1,000,000 declarations (100,000 contracts × 10 months, with their versions) by COPY.
   Each version's record is a real payslip of the rules core (a few templates reused).
2. Starts gunicorn (4 workers) with config.settings.bench.
3. Measures with Locust (its light HTTP client), headless, in the same run, each phase under a
   fixed offered load (open loop: 64 parents each sending at a constant pace, so that the
   latency measured is the server's, not the queue of a load generator firing as fast as it
   can):
   a. the declaration page (GET /declarations/<id>/) of signed-in parents at 100 pages/s: p95;
   b. confirming new declarations (POST of the month's page, which computes the payslip and
      stores the declaration, its version, the audit row and the journey events) offered at
      220/s: throughput achieved and p99.

Targets (issue 4): the declaration page p95 < 100 ms with 1 M declarations stored; confirming
declarations ≥ 200 per second with p99 < 500 ms, on this 2-core machine (the load generator,
gunicorn and PostgreSQL share the two cores).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DSN = "postgresql://postgres@127.0.0.1:5432/unefois_bench"
PORT = 8765
MONTHS_EACH = 10
FIRST_PERIOD = 2025 * 12  # January 2025
SESSIONS = 600
LAST_PERIOD = 2026 * 12 + 11  # the parameters cover the months up to December 2026

LOCUSTFILE = """
import random, itertools, re, threading
from locust import FastHttpUser, task, constant_throughput

SESSIONS = {sessions!r}
LAST_PERIOD = {last_period}
_lock = threading.Lock()
# Confirmations: every signed-in parent's next month, then the month after, and so on.
_months = itertools.chain.from_iterable(
    [(p, s) for s in SESSIONS if p >= s["next_period"]]
    for p in range(min(s["next_period"] for s in SESSIONS), LAST_PERIOD + 1)
)


class Parent(FastHttpUser):
    # each simulated parent sends at most this many requests per second: the offered load is
    # users × this, whatever the response times (an open-loop load, not "as fast as possible")
    wait_time = constant_throughput({per_user})

    @task
    def work(self):
        if "{phase}" == "read":
            me = random.choice(SESSIONS)
            declaration = random.choice(me["declarations"])
            self.client.get(f"/declarations/{{declaration}}/", name="page de déclaration",
                            headers={{"Cookie": "sessionid=" + me["session"]}})
            return
        with _lock:
            period, me = next(_months)
        url = f"/parent/contrats/{{me['contract']}}/mois/{{period}}/"
        with self.client.post(url, data={{"action": "confirmer", "csrfmiddlewaretoken": "x" * 32}},
                              headers={{"Cookie": "sessionid=" + me["session"]
                                        + "; csrftoken=" + "x" * 32}},
                              allow_redirects=False, name="confirmer une déclaration",
                              catch_response=True) as r:
            if r.status_code != 302:
                why = re.findall(r'<li><a href="#[^"]*">([^<]*)</a>', r.text)[:1]
                r.failure(f"statut {{r.status_code}} {{why}}")
"""


def _ensure_database(reset: bool) -> None:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if reset:
            c.execute("DROP DATABASE IF EXISTS unefois_bench WITH (FORCE)")
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = 'unefois_bench'").fetchone():
            c.execute("CREATE DATABASE unefois_bench")


def _django() -> None:
    os.environ["DATABASE_URL"] = DSN
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _templates() -> list[tuple[str, str]]:
    """(inputs, record) JSON of real payslips, one per month of the seeded period."""
    from unefois.declarations.services import compute, record_of

    out = []
    for period in range(FIRST_PERIOD, FIRST_PERIOD + MONTHS_EACH):
        data = {
            "employee": "ama",
            "month": f"{period // 12}-{period % 12 + 1:02d}",
            "contract": {
                "start": "2024-09-02",
                "weeks_per_year": 52,
                "schedule": {"monday": 9, "tuesday": 9, "thursday": 9, "friday": 9},
                "hourly_gross": 4.8,
                "entretien_per_day": 4.2,
            },
            "household": {"monthly_resources": 3200, "children": 1},
        }
        _, slip = compute(data)
        out.append((json.dumps(data), json.dumps(record_of(slip), ensure_ascii=False)))
    return out


def seed(declarations: int) -> None:
    contracts = declarations // MONTHS_EACH
    with psycopg.connect(DSN) as c:
        have = c.execute("SELECT count(*) FROM declarations_declaration").fetchone()[0]
        if have >= declarations:
            print(f"{have:,} déclarations déjà en base")
            return
        if have:
            raise SystemExit("la base unefois_bench a un autre contenu : relancez avec --reset")
    templates = _templates()
    employees = max(contracts // 3, 1)
    terms = json.dumps({"monday": 9.0, "tuesday": 9.0, "thursday": 9.0, "friday": 9.0})
    now = dt.datetime.now(dt.UTC)
    start = time.perf_counter()
    with psycopg.connect(DSN) as c:
        with c.cursor() as cur:
            with cur.copy(
                "COPY people_user (id, password, is_superuser, username, first_name, "
                "last_name, email, is_staff, is_active, date_joined, oidc_sub) FROM STDIN"
            ) as cp:
                for i in range(1, contracts + employees + 1):
                    cp.write_row(
                        (i, "!", False, f"bench-{i}", "", "", "", False, True, now, f"bench-{i}")
                    )
            with cur.copy(
                "COPY people_person (id, user_id, display_name, is_employer, is_employee, "
                "employee_kind, pajemploi_number, nir, created_at, version) FROM STDIN"
            ) as cp:
                for i in range(1, contracts + 1):
                    cp.write_row((i, i, f"Parent {i}", True, False, "", None, None, now, 1))
                for j in range(1, employees + 1):
                    i = contracts + j
                    cp.write_row(
                        (i, i, f"Assistante {j}", False, True, "ama", f"B{j:09d}", None, now, 1)
                    )
            with cur.copy(
                "COPY contracts_contract (id, employer_id, employee_id, child_id, kind, "
                "status, start_date, end_date, end_reason, version, created_at, confirmed_at) "
                "FROM STDIN"
            ) as cp:
                for i in range(1, contracts + 1):
                    cp.write_row(
                        (
                            i,
                            i,
                            contracts + 1 + i % employees,
                            None,
                            "ama",
                            "active",
                            dt.date(2024, 9, 2),
                            None,
                            "",
                            1,
                            now,
                            now,
                        )
                    )
            with cur.copy(
                "COPY facts_fact (subject_type, subject_id, key, value, source, source_detail, "
                "observed_at, version) FROM STDIN"
            ) as cp:
                for i in range(1, contracts + 1):
                    for key, value in (
                        ("weeks_per_year", "52"),
                        ("schedule", terms),
                        ("hourly_gross", "4.8"),
                        ("entretien_per_day", "4.2"),
                        ("leave_payment", '"included"'),
                    ):
                        cp.write_row(("contract", i, key, value, "demo", "", now, 1))
                    cp.write_row(("person", i, "monthly_resources", "3200", "demo", "", now, 1))
            with cur.copy(
                "COPY declarations_declaration (id, contract_id, period, status, "
                "current_version_id, version, created_at) FROM STDIN"
            ) as cp:
                for n in range(contracts * MONTHS_EACH):
                    contract, month = divmod(n, MONTHS_EACH)
                    cp.write_row(
                        (n + 1, contract + 1, FIRST_PERIOD + month, "confirmed", n + 1, 1, now)
                    )
            with cur.copy(
                "COPY declarations_declarationversion (id, declaration_id, number, "
                "created_at, created_by_id, reason, events, inputs, results) FROM STDIN"
            ) as cp:
                for n in range(contracts * MONTHS_EACH):
                    contract, month = divmod(n, MONTHS_EACH)
                    inputs, results = templates[month]
                    cp.write_row((n + 1, n + 1, 1, now, contract + 1, "", "{}", inputs, results))
        for table in (
            "people_user",
            "people_person",
            "contracts_contract",
            "facts_fact",
            "declarations_declaration",
            "declarations_declarationversion",
        ):
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        c.commit()
        c.execute("ANALYZE")
    print(
        f"{contracts * MONTHS_EACH:,} déclarations stockées en {time.perf_counter() - start:.0f} s"
    )


def sessions(count: int) -> list[dict]:
    """Signed-in parents for the load: a session each, their declarations, a month to declare."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from unefois.contracts.models import Contract
    from unefois.declarations.models import Declaration

    out = []
    for contract in Contract.objects.select_related("employer__user").order_by("?")[:count]:
        user = contract.employer.user
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        last = Declaration.objects.filter(contract=contract).order_by("-period").first()
        out.append(
            {
                "session": store.session_key,
                "contract": contract.pk,
                "declarations": list(
                    Declaration.objects.filter(contract=contract).values_list("pk", flat=True)
                ),
                "next_period": (last.period if last else FIRST_PERIOD) + 1,
            }
        )
    return out


def run_locust(phase: str, people: list[dict], users: int, seconds: int, rate: float) -> dict:
    with tempfile.TemporaryDirectory() as directory:
        locustfile = Path(directory) / "locustfile.py"
        locustfile.write_text(
            LOCUSTFILE.format(
                sessions=people, phase=phase, last_period=LAST_PERIOD, per_user=rate / users
            )
        )
        prefix = Path(directory) / "stats"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(locustfile),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(users),
                "-t",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "ERROR",
            ],
            check=False,
            capture_output=True,
        )
        if not Path(f"{prefix}_stats.csv").exists():
            raise SystemExit(f"Locust n'a pas pu tourner :\n{done.stderr.decode()[-2000:]}")
        with open(f"{prefix}_stats.csv", newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["Name"] != "Aggregated"]
        with open(f"{prefix}_failures.csv", newline="") as f:
            failures = list(csv.DictReader(f))
        for failure in failures[:3]:
            print(f"  échec ({phase}) : {failure['Error']} × {failure['Occurrences']}")
    row = rows[0]
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "per_second": float(row["Requests/s"]),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument(
        "--read-rate", type=float, default=100, help="pages per second offered (read phase)"
    )
    parser.add_argument(
        "--write-rate", type=float, default=220, help="confirmations per second offered"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--reset", action="store_true", help="recreate the bench database")
    args = parser.parse_args()
    _ensure_database(args.reset)
    _django()
    seed(args.declarations)
    people = sessions(SESSIONS)
    env = dict(
        os.environ,
        DATABASE_URL=DSN,
        DJANGO_SETTINGS_MODULE="config.settings.bench",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "error",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        time.sleep(4)
        read = run_locust("read", people, args.users, args.seconds, args.read_rate)
        write = run_locust("write", people, args.users, args.seconds, args.write_rate)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"page de déclaration : p95 {read['p95_ms']:.0f} ms (cible < 100 ms) à "
        f"{read['per_second']:.0f} pages/s (offert : {args.read_rate:.0f}/s), "
        f"{read['failures']} échecs"
    )
    print(
        f"confirmer une déclaration : {write['per_second']:.0f} par seconde (cible ≥ 200 ; "
        f"offert : {args.write_rate:.0f}/s), "
        f"p99 {write['p99_ms']:.0f} ms (cible < 500 ms), {write['failures']} échecs"
    )
    print(json.dumps({"declarations": args.declarations, "read": read, "write": write}))


if __name__ == "__main__":
    main()
