"""Benchmark of the web platform: gunicorn + PostgreSQL on loopback, under a fixed offered load.

    .venv/bin/python bench/web.py [--declarations 1000000] [--seconds 30]

1. Creates (once) the PostgreSQL database ``unefois_bench`` on 127.0.0.1:5432 and stores
   1,000,000 declarations (100,000 contracts × 10 months, with their versions) by COPY.
   Each version's record is a real payslip of the rules core (a few templates reused).
2. Starts gunicorn with config.settings.bench: 5 ``gthread`` workers of one thread each, with
   keep-alive (``sync`` workers close the connection after each answer). One thread per process:
   on 2 cores, the threads of one process contend for its interpreter lock — measured here with
   3 workers × 4 threads, a confirmation cost 19–20 ms of CPU in gunicorn and the page's p95 was
   100–525 ms at 100 pages/s, against 15 ms and 37 ms with 5 × 1.
3. Loads it with bench/openloop.py (standard library, in its own process), each phase at a
   fixed offered rate — open loop: request ``i`` leaves at its due time whatever happened to
   the others, and its latency counts from that time, so that a slow server cannot hide its
   queue (Locust, tried first, paces each user behind its previous answer and costs the shared
   cores several times more per request):
   a. the declaration page (GET /declarations/<id>/) of 600 signed-in parents at 100 pages/s:
      p95;
   b. confirming new declarations (POST of the month's page, which computes the payslip and
      stores the declaration, its version, the audit row and the journey events; answered by a
      redirection) offered at 220/s: throughput achieved and p99. Each request confirms a
      different month; afterwards the count of declarations created must equal the count of
      successes.
   For both phases it prints the CPU time gunicorn, PostgreSQL and the load generator spent per
   successful request (from /proc): what bounds the throughput on two cores.

Targets (issue 4): the declaration page p95 < 100 ms with 1 M declarations stored; confirming
declarations ≥ 200 per second with p99 < 500 ms, on this 2-core machine (the load generator,
gunicorn and PostgreSQL share the two cores).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import openloop  # noqa: E402

DSN = "postgresql://postgres@127.0.0.1:5432/unefois_bench"
PORT = 8765
MONTHS_EACH = 10
FIRST_PERIOD = 2025 * 12  # January 2025
SESSIONS = 600
CSRF = "x" * 32  # a CSRF secret sent as both the cookie and the form's token
LAST_PERIOD = 2026 * 12 + 11  # the parameters cover the months up to December 2026


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


def _raw(method: str, path: str, session: str, form: str | None = None) -> str:
    cookie = f"sessionid={session}"
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n"
    if form is None:
        return f"{head}Cookie: {cookie}\r\n\r\n"
    return (
        f"{head}Cookie: {cookie}; csrftoken={CSRF}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(form)}\r\n\r\n{form}"
    )


def read_requests(people: list[dict], count: int) -> list[str]:
    rng = random.Random(7)
    out = []
    for _ in range(count):
        me = rng.choice(people)
        out.append(_raw("GET", f"/declarations/{rng.choice(me['declarations'])}/", me["session"]))
    return out


def write_requests(people: list[dict], count: int) -> list[str]:
    """Every signed-in parent's next month, then the month after, and so on: all different."""
    form = f"action=confirmer&csrfmiddlewaretoken={CSRF}"
    out = []
    for period in range(min(p["next_period"] for p in people), LAST_PERIOD + 1):
        for me in people:
            if period >= me["next_period"] and len(out) < count:
                path = f"/parent/contrats/{me['contract']}/mois/{period}/"
                out.append(_raw("POST", path, me["session"], form))
    if len(out) < count:
        raise SystemExit(
            f"pas assez de mois à déclarer ({len(out)} pour {count}) : relancez avec --reset"
        )
    return out


def plan(requests: list[str], rate: float, seconds: float, status: int, expect: str) -> dict:
    return {
        "host": "127.0.0.1",
        "port": PORT,
        "rate": rate,
        "seconds": seconds,
        "requests": requests,
        "status": status,
        "expect": expect,
        "connections": 64,
        "send_timeout": 5.0,
    }


def _wait_for(server: subprocess.Popen) -> None:
    """Until every worker has started (each imports Django: several seconds on 2 cores)."""
    for _ in range(150):
        if server.poll() is not None:
            raise SystemExit("gunicorn s'est arrêté au démarrage")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=2):
                pass
        except OSError:
            time.sleep(0.2)
            continue
        time.sleep(2)  # the first worker answers; give the others the time to import too
        return
    raise SystemExit("gunicorn n'a pas démarré en 30 s")


def declarations_count() -> int:
    with psycopg.connect(DSN) as c:
        return c.execute("SELECT count(*) FROM declarations_declaration").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument(
        "--read-rate", type=float, default=100, help="pages per second offered (read phase)"
    )
    parser.add_argument(
        "--write-rate", type=float, default=220, help="confirmations per second offered"
    )
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--reset", action="store_true", help="recreate the bench database")
    args = parser.parse_args()
    _ensure_database(args.reset)
    _django()
    seed(args.declarations)
    people = sessions(SESSIONS)
    reads = read_requests(people, int(args.read_rate * args.seconds))
    writes = write_requests(people, int(args.write_rate * args.seconds))
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
            "-k",
            "gthread",
            "--threads",
            str(args.threads),
            "--backlog",
            "4096",
            "--keep-alive",
            "60",  # idle connections stay open between two requests of the run
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "error",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for(server)
        print(f"charge avant : {os.getloadavg()[0]:.2f} (sur 1 minute)")
        openloop.drive(plan(reads[:300], 50, 3, 200, ""))  # warm-up: imports, connections…
        read = openloop.measured(
            server.pid, plan(reads, args.read_rate, args.seconds, 200, "</html>")
        )
        before = declarations_count()
        write = openloop.measured(server.pid, plan(writes, args.write_rate, args.seconds, 302, ""))
        created = declarations_count() - before
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"page de déclaration : p95 {read['p95_ms']:.0f} ms (cible < 100 ms), p50 "
        f"{read['p50_ms']:.0f} ms, p99 {read['p99_ms']:.0f} ms, à {read['per_second']:.0f} "
        f"pages/s (offert : {args.read_rate:.0f}/s), {read['errors']} erreurs"
    )
    print(
        f"confirmer une déclaration : {write['per_second']:.0f} par seconde (cible ≥ 200 ; "
        f"offert : {args.write_rate:.0f}/s), p99 {write['p99_ms']:.0f} ms (cible < 500 ms), "
        f"p50 {write['p50_ms']:.0f} ms, {write['errors']} erreurs {write['error_kinds'] or ''}"
    )
    for name, r in (("page", read), ("confirmation", write)):
        print(
            f"temps de calcul par {name} réussie : gunicorn {r['gunicorn_cpu_ms_per_request']} ms, "
            f"PostgreSQL {r['postgresql_cpu_ms_per_request']} ms, générateur de charge "
            f"{r['generator_cpu_ms_per_request']} ms"
        )
    print(
        f"déclarations créées : {created} pour {write['ok']} confirmations réussies"
        + ("" if created == write["ok"] else " : ÉCART")
    )
    print(f"charge après : {os.getloadavg()[0]:.2f}")
    print(
        json.dumps(
            {"declarations": args.declarations, "read": read, "write": write, "created": created}
        )
    )


if __name__ == "__main__":
    main()
