"""Benchmark of the partner API's reads: the CPAM reads 12 months of an employee's salaries.

    .venv/bin/python bench/exchange_reads.py [--rate 1000] [--seconds 30] [--workers 3]
                                             [--worker-class gthread] [--threads 4]
                                             [--only ours|peer] [--employees 10000] [--reset]

On PostgreSQL at 127.0.0.1:5432, in a database of its own (``unefois_bench_reads``, built once
and kept; ``--reset`` rebuilds it):

1. **Population** (first run only): ``--employees`` employees (NIR, Pajemploi number), each with
   one to four employers, 14 months of confirmed declarations up to last month for the first
   contract (the others start later), each declaration with its version in force whose results
   are real payslips of the rules core (four contract shapes × twelve months), stored by COPY as
   bench/web.py does (the simulator's loader goes through the domain actions: hours for this
   size). The exchange tables come from the migrations (the seeded partners and scopes).
2. **Partner**: the seeded ``cpam`` partner gets a new EC P-256 key (``do_register_key``, as
   ``unefois exchange add-key`` does) and a rate limit raised to 10,000 calls/s (the operator's
   setting in the back office; the bucket is still taken on every call); the benchmark signs
   client assertions with the private key and obtains access tokens from the running server's
   token endpoint (``private_key_jwt``, as a partner does).
3. **Server**: gunicorn with ``bench.exchange_settings`` (config.settings.bench: no debug,
   ``CONN_MAX_AGE``; plus the peer endpoint): by default 3 ``gthread`` workers × 4 threads with
   keep-alive (on 2 cores, better than 4 ``sync`` workers, which close the connection after
   each answer).
4. **Load**: bench/openloop.py in its own process, at a fixed offered rate (open loop, latency
   from each request's due time), on 5,000 different employees in turn:
   a. a warm-up of both endpoints (3 s each, counted in the checks of step 5);
   b. **the peer**: ``POST /bench-peer/salaires`` — the same rows read by a minimal ninja
      endpoint, with no token, rate limit, scope, objection, journal or log
      (bench/exchange_urls.py): the floor of the stack;
   c. **ours**: ``POST /api/partenaires/v1/salaires?recipient=…&context=…&purpose=
      indemnites-journalieres`` with ``{"nir": …, "mois": 12}`` and a bearer token: signature,
      expiry and audience of the token checked, rate limit, scope and purpose, person, objection,
      rows masked to the scope, the exchange-log entry and the journal row written and committed
      before the answer.
5. **Checks**: the log entries and journal rows written during the run equal the successful
   calls (HTTP 200), and ``unefois exchange verify`` still finds the log intact.

It prints, for both endpoints, the throughput achieved, p50/p95/p99 (ms), the errors, the CPU
time that gunicorn, PostgreSQL and the load generator spent per successful request (from /proc),
the ratio ours / peer, the machine's load (``uptime``) before and after, and one JSON line.
``--rate`` below the capacity gives the latency of a sustainable load; at 1,000/s, past the
capacity, requests wait in the client's queue and those not sent within 5 s count as errors.

Target (issue 5): ≥ 1,000 reads per second with p99 < 50 ms on this 2-core machine, where the
load generator, gunicorn and PostgreSQL share the two cores.
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
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import openloop  # noqa: E402
from bench.exchange import run_verify  # noqa: E402

SERVER = "postgresql://postgres@127.0.0.1:5432"
DATABASE = "unefois_bench_reads"
DSN = f"{SERVER}/{DATABASE}"
SETTINGS = "bench.exchange_settings"
HOST, PORT = "127.0.0.1", 8766
MONTHS = 14
RECIPIENT = "18005000000015"
PURPOSE = "indemnites-journalieres"
TARGET_RATE, TARGET_P99_MS = 1000.0, 50.0
SHAPES = [  # four contract shapes: weekly schedule (hours per day) and hourly gross wage
    ({"monday": 9, "tuesday": 9, "thursday": 9, "friday": 9}, 4.8),
    ({"monday": 10, "tuesday": 10, "wednesday": 10, "thursday": 10, "friday": 10}, 4.2),
    ({"monday": 8, "thursday": 8}, 5.1),
    ({"tuesday": 7, "wednesday": 7, "friday": 7}, 3.9),
]


def _load() -> tuple[float, float, float]:
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return float(one), float(five), float(fifteen)


def _ensure_database(reset: bool) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as c:
        if reset:
            c.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            c.execute(f"CREATE DATABASE {DATABASE}")


def _django() -> None:
    os.environ["DATABASE_URL"] = DSN
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def nir(prefix: str, serial: int) -> str:
    """A well-formed 15-character NIR (13 digits and their key)."""
    base = f"{prefix}{serial:06d}"
    return f"{base}{97 - int(base) % 97:02d}"


def employee_nir(i: int) -> str:
    return nir("2850375", i)


def _templates() -> list[list[tuple[str, str]]]:
    """(inputs, results) JSON of real payslips: per contract shape, one per calendar month."""
    from unefois.declarations.services import compute, record_of

    out = []
    for schedule, wage in SHAPES:
        months = []
        for month in range(1, 13):
            data = {
                "employee": "ama",
                "month": f"2025-{month:02d}",
                "contract": {
                    "start": "2024-09-02",
                    "weeks_per_year": 52,
                    "schedule": schedule,
                    "hourly_gross": wage,
                    "entretien_per_day": 4.2,
                },
                "household": {"monthly_resources": 3200, "children": 1},
            }
            _, slip = compute(data)
            months.append((json.dumps(data), json.dumps(record_of(slip), ensure_ascii=False)))
        out.append(months)
    return out


def seed(employees: int) -> None:
    """The population, by COPY (skipped when already there)."""
    import psycopg

    from unefois.exchange.resources import last_complete_month

    with psycopg.connect(DSN) as c:
        have = c.execute("SELECT count(*) FROM people_person WHERE is_employee").fetchone()[0]
        if have >= employees:
            count = c.execute("SELECT count(*) FROM declarations_declaration").fetchone()[0]
            print(f"Population déjà en base : {have:,} salariés, {count:,} déclarations")
            return
        if have:
            raise SystemExit(f"la base {DATABASE} a un autre contenu : relancez avec --reset")
    started = time.perf_counter()
    templates = _templates()
    rng = random.Random(2025)
    last = last_complete_month()
    first = last - MONTHS + 1
    now = dt.datetime.now(dt.UTC)
    contracts = []  # (employee index, first period)
    for e in range(1, employees + 1):
        count = rng.choices([1, 2, 3, 4], weights=[30, 40, 20, 10])[0]
        contracts.append((e, first))
        contracts.extend((e, first + rng.randrange(0, 9)) for _ in range(count - 1))
    declarations = 0
    with psycopg.connect(DSN) as c, c.cursor() as cur:
        with cur.copy(
            "COPY people_person (id, display_name, is_employer, is_employee, employee_kind, "
            "pajemploi_number, nir, created_at, version) FROM STDIN"
        ) as cp:
            for e in range(1, employees + 1):
                cp.write_row(
                    (e, f"Salariée {e}", False, True, "ama", f"B{e:09d}", employee_nir(e), now, 1)
                )
            for k in range(1, len(contracts) + 1):  # one parent employer per contract
                pk = employees + k
                cp.write_row(
                    (pk, f"Parent {k}", True, False, "", f"A{k:09d}", nir("1780575", k), now, 1)
                )
        with cur.copy(
            "COPY contracts_contract (id, employer_id, employee_id, child_id, kind, status, "
            "start_date, end_date, end_reason, version, created_at, confirmed_at) FROM STDIN"
        ) as cp:
            for k, (e, start) in enumerate(contracts, 1):
                day = dt.date(start // 12, start % 12 + 1, 1)
                cp.write_row(
                    (k, employees + k, e, None, "ama", "active", day, None, "", 1, now, now)
                )
        with cur.copy(
            "COPY declarations_declaration (id, contract_id, period, status, current_version_id, "
            "version, created_at) FROM STDIN"
        ) as cp:
            for k, (_, start) in enumerate(contracts, 1):
                for period in range(start, last + 1):
                    declarations += 1
                    cp.write_row((declarations, k, period, "confirmed", declarations, 1, now))
        n = 0
        with cur.copy(
            "COPY declarations_declarationversion (id, declaration_id, number, created_at, "
            "created_by_id, reason, events, inputs, results) FROM STDIN"
        ) as cp:
            for k, (_, start) in enumerate(contracts, 1):
                shape = templates[k % len(templates)]
                for period in range(start, last + 1):
                    n += 1
                    inputs, results = shape[period % 12]
                    cp.write_row((n, n, 1, now, None, "", "{}", inputs, results))
        for table in (
            "people_person",
            "contracts_contract",
            "declarations_declaration",
            "declarations_declarationversion",
        ):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        c.commit()
    with psycopg.connect(DSN, autocommit=True) as c:
        c.execute("VACUUM ANALYZE")
    print(
        f"Population : {employees:,} salariés, {len(contracts):,} contrats, "
        f"{declarations:,} déclarations en {time.perf_counter() - started:.0f} s"
    )


def partner_key():
    """The CPAM's new key pair: the public key registered, the private key returned."""
    from joserfc.jwk import ECKey

    from unefois.exchange.actions import do_register_key
    from unefois.exchange.models import Partner

    Partner.objects.filter(client_id="cpam").update(
        active=True, rate_per_second=10_000.0, burst=10_000
    )
    partner = Partner.objects.get(client_id="cpam")
    key = ECKey.generate_key("P-256", parameters={"kid": f"banc-{uuid.uuid4().hex[:12]}"})
    do_register_key(None, partner, key.as_dict(private=False))
    return key


def access_token(key) -> str:
    """A token from the server's token endpoint, as a partner obtains it (private_key_jwt)."""
    from joserfc import jwt

    endpoint = f"http://{HOST}:{PORT}/api/partenaires/jeton"
    now = int(time.time())
    claims = {
        "iss": "cpam",
        "sub": "cpam",
        "aud": endpoint,
        "iat": now,
        "exp": now + 120,
        "jti": uuid.uuid4().hex,
    }
    assertion = jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)
    form = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": "cpam-salaires",
        }
    ).encode()
    with urllib.request.urlopen(endpoint, form, timeout=10) as answer:
        return json.loads(answer.read())["access_token"]


def _raw(path: str, body: dict, token: str | None = None) -> str:
    payload = json.dumps(body)
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\n{auth}"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n{payload}"
    )


def plans(employees: int, tokens: list[str], sample: int = 5000) -> tuple[list[str], list[str]]:
    """The raw requests of the peer and of ours, on the same employees in the same order."""
    rng = random.Random(7)
    chosen = [rng.randrange(1, employees + 1) for _ in range(sample)]
    peer, ours = [], []
    for n, e in enumerate(chosen):
        body = {"nir": employee_nir(e), "mois": 12}
        peer.append(_raw("/bench-peer/salaires", body))
        query = urllib.parse.urlencode(
            {"recipient": RECIPIENT, "context": f"IJ maladie, dossier {n:06d}", "purpose": PURPOSE}
        )
        ours.append(_raw(f"/api/partenaires/v1/salaires?{query}", body, tokens[n % len(tokens)]))
    return peer, ours


def plan(requests: list[str], rate: float, seconds: float, connections: int) -> dict:
    return {
        "host": HOST,
        "port": PORT,
        "rate": rate,
        "seconds": seconds,
        "requests": requests,
        "expect": '"salaire_brut"',
        "connections": connections,
        "send_timeout": 5.0,
    }


def counts() -> tuple[int, int]:
    from unefois.exchange.models import AccessJournal, LogEntry

    return LogEntry.objects.count(), AccessJournal.objects.count()


def verify() -> dict:
    return run_verify(DSN)[1]


def start_server(workers: int, worker_class: str, threads: int) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=DSN, DJANGO_SETTINGS_MODULE=SETTINGS, PYTHONPATH=str(ROOT))
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "-w",
        str(workers),
        "-k",
        worker_class,
        "-b",
        f"{HOST}:{PORT}",
        "--backlog",
        "4096",
        "--log-level",
        "error",
    ]
    if worker_class == "gthread":
        command += ["--threads", str(threads), "--keep-alive", "30"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://{HOST}:{PORT}/api/openapi.json", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn n'a pas démarré")


def _line(name: str, r: dict) -> str:
    return (
        f"{name:<34} {r['per_second']:>7.0f}/s  p50 {r['p50_ms']:>7.1f}  p95 {r['p95_ms']:>7.1f}  "
        f"p99 {r['p99_ms']:>8.1f} ms  erreurs {r['errors']}"
        + (f" {r['error_kinds']}" if r["errors"] else "")
        + f"\n{'':<34} CPU par requête réussie : gunicorn {r['gunicorn_cpu_ms_per_request']} ms,"
        f" PostgreSQL {r['postgresql_cpu_ms_per_request']} ms,"
        f" générateur {r['generator_cpu_ms_per_request']} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="requests/s offered")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--connections", type=int, default=64, help="client connections at most")
    parser.add_argument("--tokens", type=int, default=4, help="access tokens used in turn")
    parser.add_argument("--only", choices=["ours", "peer"], help="measure one endpoint only")
    parser.add_argument("--reset", action="store_true", help="rebuild the bench database")
    args = parser.parse_args()

    _ensure_database(args.reset)
    _django()
    seed(args.employees)
    key = partner_key()
    load_before = _load()
    print(f"Charge avant : {load_before} (2 cœurs)")
    server = start_server(args.workers, args.worker_class, args.threads)
    results: dict = {}
    try:
        tokens = [access_token(key) for _ in range(args.tokens)]
        peer_requests, our_requests = plans(args.employees, tokens)
        log_before, journal_before = counts()
        ok_200 = 0
        if args.only != "ours":
            openloop.drive(plan(peer_requests, args.rate, args.warmup, args.connections))
        if args.only != "peer":
            warm = openloop.drive(plan(our_requests, args.rate, args.warmup, args.connections))
            ok_200 += warm["statuses"].get("200", 0)
        if args.only != "ours":
            results["peer"] = openloop.measured(
                server.pid, plan(peer_requests, args.rate, args.seconds, args.connections)
            )
        if args.only != "peer":
            results["ours"] = openloop.measured(
                server.pid, plan(our_requests, args.rate, args.seconds, args.connections)
            )
            ok_200 += results["ours"]["statuses"].get("200", 0)
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_after = _load()
    log_after, journal_after = counts()
    print(
        f"\nLecture de 12 mois de salaires (CPAM), offert {args.rate:.0f}/s pendant "
        f"{args.seconds:.0f} s, gunicorn {args.workers} × {args.worker_class}, PostgreSQL :"
    )
    if "peer" in results:
        print(_line("plancher (ninja + ORM, sans contrôle)", results["peer"]))
    if "ours" in results:
        print(_line("API des partenaires (tout compris)", results["ours"]))
    summary: dict = {
        "rate_offered": args.rate,
        "seconds": args.seconds,
        "workers": args.workers,
        "worker_class": args.worker_class,
        "load_before": load_before,
        "load_after": load_after,
        **{name: r for name, r in results.items()},
    }
    if "ours" in results:
        ours = results["ours"]
        written, journaled = log_after - log_before, journal_after - journal_before
        report = verify()
        consistent = written == ok_200 and journaled == ok_200
        print(
            f"Appels réussis (HTTP 200, échauffement compris) : {ok_200:,} ; entrées du journal "
            f"des échanges écrites : {written:,} ; lignes du journal des accès : {journaled:,} "
            f"→ {'cohérent' if consistent else 'INCOHÉRENT'}"
        )
        print(
            f"unefois exchange verify : {'journal intègre' if report['integre'] else 'ALTÉRÉ'} "
            f"({report['entrees']:,} entrées, {report['points_de_controle']:,} points de contrôle)"
        )
        met = ours["per_second"] >= TARGET_RATE * 0.99 and ours["p99_ms"] < TARGET_P99_MS
        met = met and ours["errors"] == 0
        print(
            f"Cible (≥ {TARGET_RATE:.0f}/s, p99 < {TARGET_P99_MS:.0f} ms, sans erreur) : "
            + ("TENUE" if met else "NON TENUE")
        )
        summary.update(
            log_entries_written=written,
            journal_rows_written=journaled,
            successful_calls=ok_200,
            consistent=consistent,
            verify_intact=report["integre"],
            target_met=met,
        )
        if "peer" in results:
            peer = results["peer"]
            summary["ratio_throughput"] = round(ours["per_second"] / peer["per_second"], 3)
            summary["ratio_p99"] = round(ours["p99_ms"] / peer["p99_ms"], 2)
            print(
                f"Rapport nous / plancher : débit {summary['ratio_throughput']:.2f}, "
                f"p99 × {summary['ratio_p99']:.1f}"
            )
    print(f"Charge (1, 5, 15 min) avant : {load_before}, après : {load_after} pour 2 cœurs")
    print(json.dumps(summary, ensure_ascii=False))
    if "ours" in results and not (summary["consistent"] and summary["verify_intact"]):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
