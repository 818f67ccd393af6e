"""Benchmark of the exchange log's verification: ``unefois exchange verify`` over 10 M entries.

    .venv/bin/python bench/exchange.py [--entries 10000000] [--keep] [--no-tamper]

On PostgreSQL (``DATABASE_URL``'s server, default ``postgres://postgres@127.0.0.1:5432/test``),
in a database of its own (``unefois_bench_exchange``, dropped at the end unless ``--keep``):

1. builds the log with the bulk path: entries shaped like the API's (same keys, ~400 bytes),
   chained with the production functions' serialisation, streamed with COPY, a checkpoint
   signed every 1,000 entries (as ``append`` does);
2. times ``unefois exchange verify`` — the command itself, in its own process, as an operator
   runs it — and checks it says the log is intact;
3. alters one entry deep in the log (triggers lifted, then put back), checks that ``verify``
   finds it at its position, and restores it.

Target (issue 5): ``verify`` checks 10 M log entries in under 60 s on this 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = "unefois_bench_exchange"
TARGET_SECONDS = 60.0


def _n(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _s(seconds: float) -> str:
    return f"{seconds:.1f}".replace(".", ",")


def _server_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def _recreate(url: str) -> str:
    import psycopg

    bench_url = _server_url(url, BENCH_DB)
    with psycopg.connect(_server_url(url, "postgres"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {BENCH_DB}")
    return bench_url


def _drop(url: str) -> None:
    import psycopg

    with psycopg.connect(_server_url(url, "postgres"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def _setup_django(bench_url: str) -> None:
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "exchange", verbosity=0)


CONTEXTS = ["Arrêt maladie, dossier", "Actualisation", "Demande CMG", "Prélèvement à la source"]
CLIENTS = [
    (
        "cpam",
        "cpam-salaires",
        "indemnites-journalieres",
        "salaires",
        '"mois","employeur","salaire_brut","heures"',
    ),
    (
        "france-travail",
        "france-travail-actualisation",
        "actualisation",
        "activite_mensuelle",
        '"mois","employeur","heures","salaire_brut"',
    ),
    ("caf-msa", "caf-cmg", "cmg", "garde_enfants", '"mois","enfant","heures","cmg_remuneration"'),
    (
        "dgfip",
        "dgfip-pas",
        "prelevement-a-la-source",
        "prelevement_source",
        '"mois","employeur","net_imposable","pas_retenu"',
    ),
]


def _body(n: int, at: str) -> bytes:
    """An entry as the API writes it, keys in canonical (sorted) order — checked against
    ``chain.canonical`` on a sample before the build."""
    client, scope, purpose, resource, fields = CLIENTS[n % 4]
    return (
        f'{{"at":"{at}","client":"{client}","context":"{CONTEXTS[n % 4]} {n % 99991}",'
        f'"fields":[{fields}],"n":{n},"period":"2025-01 à 2025-12","purpose":"{purpose}",'
        f'"recipient":"180050000{n % 100000:05d}","request":"{n * 2654435761 % 2**128:032x}",'
        f'"resource":"{resource}","result":"ok","scope":"{scope}","status":200,'
        f'"subject":{n * 7919 % 3_000_000},"token":"{n // 300 * 40503 % 2**128:032x}"}}'
    ).encode()


def _check_body_template() -> None:
    from unefois.exchange.chain import canonical

    for n in (1, 2, 3, 4, 999_983):
        raw = _body(n, "2026-01-01T00:00:00.000000Z")
        assert canonical(json.loads(raw)).encode() == raw, "the bench's entries must be canonical"


def build(entries: int, every: int) -> float:
    """Write ``entries`` chained entries and their checkpoints with COPY; returns seconds."""
    from django.db import connection
    from django.utils import timezone

    from unefois.exchange import chain, keys
    from unefois.exchange.models import Checkpoint, LogEntry, LogHead

    _check_body_template()
    started = time.perf_counter()
    sha = chain.hashlib.sha256
    base = timezone.now() - dt.timedelta(seconds=entries // 1000 + 10)
    private = keys.seal_signing_key()
    key_id = keys.key_id(private.public_key())
    previous = b"0" * 64
    previous_signature = ""
    seals: list[bytes] = []
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute(f"TRUNCATE {LogEntry._meta.db_table}, {Checkpoint._meta.db_table}")
        with cursor.copy(f"COPY {LogEntry._meta.db_table} (seq, hash, body) FROM STDIN") as copy:
            chunk: list[bytes] = []
            for n in range(1, entries + 1):
                at = base + dt.timedelta(milliseconds=n)
                body = _body(n, chain.utc_text(at))
                seq = b"%d" % n
                digest = sha(b"%s\n%s\n%s" % (seq, previous, body)).hexdigest().encode()
                chunk.append(b"%s\t%s\t%s\n" % (seq, digest, body))
                previous = digest
                if n % every == 0:
                    number = n // every
                    message = chain.checkpoint_message(
                        number, n, digest.decode(), at, previous_signature
                    )
                    signature = private.sign(message).hex()
                    seals.append(
                        f"{number}\t{n}\t{digest.decode()}\t{at.isoformat()}\t"
                        f"{previous_signature}\t{key_id}\t{signature}\n".encode()
                    )
                    previous_signature = signature
                if len(chunk) >= 20_000:
                    copy.write(b"".join(chunk))
                    chunk.clear()
                if n % 1_000_000 == 0:
                    print(f"  … {_n(n)} entrées écrites", flush=True)
            copy.write(b"".join(chunk))
        columns = "number, seq, entry_hash, at, previous_signature, key_id, signature"
        with cursor.copy(f"COPY {Checkpoint._meta.db_table} ({columns}) FROM STDIN") as copy:
            copy.write(b"".join(seals))
        # the log's head row follows its last entry, as ``chain.append`` keeps it
        cursor.execute(
            f"UPDATE {LogHead._meta.db_table} SET seq = %s, hash = %s WHERE id = 1",
            [entries, previous.decode()],
        )
    if not raw.autocommit:
        raw.commit()
    built = time.perf_counter() - started
    autocommit = raw.autocommit
    raw.autocommit = True  # VACUUM runs outside a transaction
    with raw.cursor() as cursor:  # what autovacuum does to a live table: hint bits, statistics
        cursor.execute(f"VACUUM ANALYZE {LogEntry._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {Checkpoint._meta.db_table}")
    raw.autocommit = autocommit
    return built


def run_verify(bench_url: str) -> tuple[float, dict]:
    """``unefois exchange verify --json`` in its own process, timed from outside."""
    # PYTHONPATH: the caller's settings module may be one of bench/ (exchange_reads.py).
    env = {**os.environ, "DATABASE_URL": bench_url, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "unefois"), "exchange", "verify", "--json"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    elapsed = time.perf_counter() - started
    try:
        report = json.loads(done.stdout)
    except ValueError:
        raise SystemExit(f"verify a échoué :\n{done.stdout}\n{done.stderr}") from None
    return elapsed, report


def tamper_check(bench_url: str, position: int) -> dict:
    """Alter one entry (triggers lifted), verify, restore: the report must name the entry."""
    from django.db import connection

    from unefois.audit.append_only import _drop, _postgresql

    table = "exchange_logentry"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {table} WHERE seq = %s", [position])
        (original,) = cursor.fetchone()
        for statement in _drop(table, "postgresql"):
            cursor.execute(statement)
        cursor.execute(
            f'UPDATE {table} SET body = replace(body, \'"result":"ok"\', '
            '\'"result":"refused"\') WHERE seq = %s',
            [position],
        )
    if not connection.get_autocommit():
        connection.commit()
    try:
        _, report = run_verify(bench_url)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET body = %s WHERE seq = %s", [original, position])
            for statement in _postgresql(table):
                cursor.execute(statement)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--every", type=int, default=1000, help="entrées par point de contrôle")
    parser.add_argument("--keep", action="store_true", help="garder la base du banc d'essai")
    parser.add_argument("--no-tamper", action="store_true", help="sans l'essai d'altération")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    if not url.startswith("postgres"):
        raise SystemExit("Ce banc d'essai mesure PostgreSQL : DATABASE_URL=postgres://…")
    bench_url = _recreate(url)
    try:
        _setup_django(bench_url)
        print(f"Construction du journal : {_n(args.entries)} entrées (COPY)…")
        built = build(args.entries, args.every)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('exchange_logentry'))")
            (size,) = cursor.fetchone()
        print(f"  construit en {_s(built)} s ; table et index : {size}")
        load = os.getloadavg()[0]
        elapsed, report = run_verify(bench_url)
        load = max(load, os.getloadavg()[0])
        rate = report["entrees"] / report["secondes"] if report["secondes"] else 0
        verdict = "OK" if report["integre"] and elapsed < TARGET_SECONDS else "ÉCHEC"
        print(
            f"unefois exchange verify : {_n(report['entrees'])} entrées, "
            f"{_n(report['points_de_controle'])} points de contrôle, "
            f"intègre : {'oui' if report['integre'] else 'NON'}, "
            f"{_s(report['secondes'])} s de vérification "
            f"({_n(round(rate))} entrées/s, {report['processus']} processus), {_s(elapsed)} s "
            f"pour la commande entière (cible < {TARGET_SECONDS:.0f} s) : {verdict}"
        )
        cores = os.cpu_count() or 1
        print(
            f"Charge de la machine pendant la mesure : {_s(load)} pour {cores} cœurs"
            + (
                " (machine partagée avec d'autres calculs : mesure pessimiste)"
                if load > cores
                else ""
            )
        )
        result = {
            "entries": report["entrees"],
            "checkpoints": report["points_de_controle"],
            "verify_seconds": round(report["secondes"], 2),
            "command_seconds": round(elapsed, 2),
            "entries_per_second": round(rate),
            "workers": report["processus"],
            "intact": report["integre"],
            "build_seconds": round(built, 1),
            "table_size": size,
            "load_average": round(load, 2),
        }
        if not args.no_tamper and args.entries >= 10:
            position = int(args.entries * 0.7654321) or 1
            tampered = tamper_check(bench_url, position)
            found = tampered["anomalies"][0] if tampered["anomalies"] else None
            located = bool(found) and found["entree"] == position
            print(
                f"Altération de l'entrée n° {position} : "
                + (f"détectée — {found['message']}" if located else "NON DÉTECTÉE")
            )
            result["tamper_detected_at"] = found["entree"] if found else None
            result["tamper_ok"] = located
        print(json.dumps(result, ensure_ascii=False))
        if verdict != "OK" or not result.get("tamper_ok", True):
            raise SystemExit(1)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _drop(url)


if __name__ == "__main__":
    main()
