"""Verifying the exchange log: every entry against the chain, every checkpoint's signature, and
the entries that the checkpoints sealed. It streams (never the whole log in memory) and, on
PostgreSQL with a large log, splits the entries into ranges checked by parallel processes.

What it finds, and where (entry numbers):

- an **altered** entry (its content or its hash changed): the entry whose hash no longer matches;
- a **removed** entry (or several): the numbers missing;
- **reordered** entries: the entry found at another position than the one it was written at;
- a **rewritten** stretch (every hash recomputed to hide a change): the first checkpoint whose
  signed hash no longer matches, hence between which entries;
- a **truncated** log: entries sealed by a checkpoint but no longer there;
- a **forged, altered or removed checkpoint**: its signature or its chain of checkpoints.

Entries after the last checkpoint are chained but not yet sealed: their removal, or a rewrite of
the last one, is seen against the log's head (the number and hash of the last entry written);
someone able to rewrite the head as well is only caught by a later checkpoint (seal often:
``unefois exchange seal``).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from django.db import DatabaseError, connections, router

from . import keys
from .chain import GENESIS, checkpoint_message
from .models import Checkpoint, LogEntry, LogHead

MAX_PROBLEMS = 100
PARALLEL_FROM = 400_000  # entries: below this one process is faster than starting several


@dataclass(frozen=True)
class Problem:
    position: int  # the entry number where the problem shows
    kind: str  # altered, missing, moved, link, rewritten, truncated, checkpoint
    message: str  # French, for the operator

    def __str__(self) -> str:
        return self.message


@dataclass
class Report:
    entries: int = 0
    first: int | None = None
    last: int | None = None
    checkpoints: int = 0
    sealed_up_to: int = 0
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0
    seconds: float = 0.0
    workers: int = 1

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        return self.problems[0] if self.problems else None

    def summary(self) -> str:
        """The verdict in French, one paragraph."""
        count = _n(self.entries)
        seconds = f"{self.seconds:.1f}".replace(".", ",")
        if self.ok and not self.entries:
            return (
                f"Journal des échanges vide : rien à vérifier ({_n(self.checkpoints)} point(s) "
                "de contrôle)."
            )
        if self.ok:
            text = (
                f"Journal des échanges intègre : {count} entrée(s) vérifiée(s) "
                f"(n° {self.first or 0} à {self.last or 0}), {_n(self.checkpoints)} point(s) de "
                f"contrôle à la signature valide, en {seconds} s."
            )
            unsealed = (self.last or 0) - self.sealed_up_to
            if unsealed > 0:
                text += (
                    f" {_n(unsealed)} entrée(s) après le dernier point de contrôle "
                    f"(n° {self.sealed_up_to}) ne sont pas encore scellées."
                )
            return text
        total = len(self.problems) + self.more_problems
        lines = [
            f"Journal des échanges ALTÉRÉ : {_n(total)} anomalie(s) sur {count} entrée(s) "
            f"lue(s) (vérifié en {seconds} s). Première anomalie à l'entrée "
            f"n° {self.problems[0].position}."
        ]
        lines += [f"  • {p.message}" for p in self.problems]
        if self.more_problems:
            lines.append(f"  • … et {_n(self.more_problems)} autre(s).")
        return "\n".join(lines)


def _n(value: int) -> str:
    return f"{value:,}".replace(",", " ")


# ---- Checkpoints ------------------------------------------------------------------------------


def _checkpoints(using: str) -> tuple[list[Checkpoint], list[Problem]]:
    """The checkpoints that can be trusted, and the problems found with the others."""
    public = keys.seal_public_keys()
    trusted, problems = [], []
    previous: Checkpoint | None = None
    for cp in Checkpoint.objects.using(using).order_by("number").iterator(chunk_size=5000):
        expected = (previous.number + 1) if previous else 1
        if cp.number != expected:
            problems.append(
                Problem(
                    cp.seq,
                    "checkpoint",
                    f"Point(s) de contrôle n° {expected} à {cp.number - 1} manquant(s) "
                    f"(supprimé(s)) avant le point n° {cp.number}.",
                )
            )
        elif previous is not None and cp.previous_signature != previous.signature:
            problems.append(
                Problem(
                    cp.seq,
                    "checkpoint",
                    f"Point de contrôle n° {cp.number} : il ne suit pas le point n° "
                    f"{previous.number} (chaîne des points de contrôle rompue).",
                )
            )
        key = public.get(cp.key_id)
        try:
            if key is None:
                raise InvalidSignature
            key.verify(
                bytes.fromhex(cp.signature),
                checkpoint_message(cp.number, cp.seq, cp.entry_hash, cp.at, cp.previous_signature),
            )
        except (InvalidSignature, ValueError):
            problems.append(
                Problem(
                    cp.seq,
                    "checkpoint",
                    f"Point de contrôle n° {cp.number} (entrée n° {cp.seq}) : signature "
                    + ("d'une clé inconnue." if key is None else "invalide (point falsifié).")
                    + " Il n'est pas pris en compte.",
                )
            )
        else:
            trusted.append(cp)
        previous = cp
    return trusted, problems


# ---- Entries ---------------------------------------------------------------------------------


@dataclass
class _Range:
    count: int = 0
    first: int | None = None
    last: int | None = None
    problems: list[Problem] = field(default_factory=list)
    more: int = 0


def _start(using: str, low: int) -> tuple[int, bytes]:
    """The entry just before ``low``: its number and stored hash (the chain goes on from it)."""
    row = (
        LogEntry.objects.using(using)
        .filter(seq__lt=low)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    return (row[0], row[1].encode("utf-8")) if row else (0, GENESIS.encode("ascii"))


class _Checker:
    """The slow path: explains a row whose hash does not match."""

    def __init__(self, seals: list[tuple[int, str, int, str]]):
        self.seals = seals  # (seq, hash, number, at) of trusted checkpoints in the range
        self.result = _Range()

    def add(self, problem: Problem) -> None:
        if len(self.result.problems) < MAX_PROBLEMS:
            self.result.problems.append(problem)
        else:
            self.result.more += 1

    def mismatch(self, seq: int, previous_seq: int, body: bytes) -> None:
        if seq != previous_seq + 1:
            low, high = previous_seq + 1, seq - 1
            which = f"n° {low}" if low == high else f"n° {low} à {high}"
            self.add(Problem(low, "missing", f"Entrée(s) {which} manquante(s) : supprimée(s)."))
            return
        try:
            written_at = json.loads(body).get("n")
        except (ValueError, AttributeError):
            written_at = None
        if isinstance(written_at, int) and written_at != seq:
            self.add(
                Problem(
                    seq,
                    "moved",
                    f"Entrée n° {seq} : on y trouve l'entrée écrite en position n° {written_at} "
                    "(journal réordonné ou renuméroté).",
                )
            )
        else:
            self.add(
                Problem(
                    seq,
                    "altered",
                    f"Entrée n° {seq} modifiée : son contenu ou son empreinte ne correspond plus "
                    "au chaînage (ou l'entrée précédente a été modifiée).",
                )
            )

    def sealed(self, seq: int, stored: bytes, index: int) -> None:
        _, cp_hash, number, at = self.seals[index]
        if stored.decode("utf-8", "replace") != cp_hash:
            self.add(
                Problem(
                    seq,
                    "rewritten",
                    f"Entrée n° {seq} : son empreinte diffère de celle scellée par le point de "
                    f"contrôle n° {number} ({at}) : le journal a été réécrit avant cette entrée, "
                    f"depuis le point de contrôle précédent.",
                )
            )


def _check_postgresql(using, low, high, seals) -> _Range:
    from psycopg import pq

    checker = _Checker(seals)
    result = checker.result
    previous_seq, last = _start(using, low)
    sha = hashlib.sha256
    join = b"\n".join
    next_index = 0
    next_seal = b"%d" % seals[0][0] if seals else None
    count = 0
    s = None
    connection = connections[using]
    connection.ensure_connection()
    table = LogEntry._meta.db_table
    # CSV with a quote character that JSON never contains unescaped: no field is ever quoted,
    # each line is exactly seq TAB hash TAB body.
    sql = (
        f"COPY (SELECT seq, hash, body FROM {table} WHERE seq >= {int(low)} AND seq <= "
        f"{int(high)} ORDER BY seq) TO STDOUT (FORMAT csv, DELIMITER E'\\t', QUOTE E'\\x01')"
    )
    # libpq's COPY itself (psycopg.pq): one row per call, without the Python layers of
    # psycopg's Copy object, which would cost a third of the time on millions of entries.
    pgconn = connection.connection.pgconn
    pgconn.send_query(sql.encode())
    begun = pgconn.get_result()
    if begun is None or begun.status != pq.ExecStatus.COPY_OUT:
        error = begun.error_message.decode(errors="replace") if begun is not None else ""
        _finish(pgconn)
        raise DatabaseError(f"Lecture du journal des échanges impossible : {error}")
    get = pgconn.get_copy_data
    try:
        while True:
            size, row = get(0)
            if size < 0:
                break
            s, h, body = bytes(row[:-1]).split(b"\t", 2)
            if sha(join((s, last, body))).hexdigest().encode() != h:
                seq = int(s)
                checker.mismatch(seq, int(previous_seq), body)
                while next_seal is not None and seals[next_index][0] < seq:  # gap over a seal
                    next_index += 1
                    next_seal = b"%d" % seals[next_index][0] if next_index < len(seals) else None
            if s == next_seal:
                checker.sealed(int(s), h, next_index)
                next_index += 1
                next_seal = b"%d" % seals[next_index][0] if next_index < len(seals) else None
            if not count:
                result.first = int(s)
            last = h
            previous_seq = s
            count += 1
    except BaseException:
        connection.close()  # stopped in the middle of a COPY: the connection cannot be reused
        raise
    _finish(pgconn)
    result.count = count
    result.last = int(s) if s is not None else None
    return result


def _finish(pgconn) -> None:
    """Read the results left after a COPY; raise if the server reported an error."""
    from psycopg import pq

    errors = []
    while (res := pgconn.get_result()) is not None:
        if res.status == pq.ExecStatus.FATAL_ERROR:
            errors.append(res.error_message.decode(errors="replace"))
    if errors:
        raise DatabaseError(f"Lecture du journal des échanges interrompue : {errors[0]}")


def _check_generic(using, low, high, seals) -> _Range:
    checker = _Checker(seals)
    result = checker.result
    previous_seq, last = _start(using, low)
    sha = hashlib.sha256
    next_index = 0
    table = LogEntry._meta.db_table
    seq = None
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT seq, hash, body FROM {table} WHERE seq >= %s AND seq <= %s ORDER BY seq",
            [low, high],
        )
        while rows := cursor.fetchmany(10_000):
            for seq, stored, text in rows:
                h = stored.encode("utf-8")
                body = text.encode("utf-8")
                if sha(b"%d\n%s\n%s" % (seq, last, body)).hexdigest().encode() != h:
                    checker.mismatch(seq, previous_seq, body)
                    while next_index < len(seals) and seals[next_index][0] < seq:
                        next_index += 1
                if next_index < len(seals) and seals[next_index][0] == seq:
                    checker.sealed(seq, h, next_index)
                    next_index += 1
                if result.first is None:
                    result.first = seq
                result.count += 1
                last, previous_seq = h, seq
    result.last = seq
    return result


def _check_range(using: str, low: int, high: int, seals) -> _Range:
    if connections[using].vendor == "postgresql":
        return _check_postgresql(using, low, high, seals)
    return _check_generic(using, low, high, seals)


def _worker(using: str, low: int, high: int, seals) -> _Range:
    try:
        return _check_range(using, low, high, seals)
    finally:
        connections[using].close()


def _ranges(low: int, high: int, parts: int) -> list[tuple[int, int]]:
    size = max(1, -(-(high - low + 1) // parts))
    return [(a, min(a + size - 1, high)) for a in range(low, high + 1, size)]


def verify(
    using: str | None = None, workers: int | None = None, parts: int | None = None
) -> Report:
    """Check the whole log. ``workers``: parallel processes (default: the cores, on PostgreSQL
    for a large log; 1 otherwise); ``parts``: ranges of entries checked one after the other
    (default: 4 per process, 1 without parallelism)."""
    started = time.perf_counter()
    using = using or router.db_for_read(LogEntry)
    report = Report()
    trusted, problems = _checkpoints(using)
    report.checkpoints = len(trusted)
    high = LogEntry.objects.using(using).order_by("-seq").values_list("seq", flat=True).first()
    high = high or 0
    connection = connections[using]
    if workers is None:
        parallel = connection.vendor == "postgresql" and high >= PARALLEL_FROM
        workers = min(os.cpu_count() or 1, 4) if parallel and not connection.in_atomic_block else 1
    workers = max(1, workers)
    report.workers = workers
    seals = [(cp.seq, cp.entry_hash, cp.number, _when(cp)) for cp in trusted]
    results: list[_Range] = []
    if high:
        ranges = _ranges(1, high, parts or (workers * 4 if workers > 1 else 1))
        parts = [[s for s in seals if a <= s[0] <= b] for a, b in ranges]
        if workers > 1:
            connections.close_all()  # each process opens its own connection
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                futures = [
                    pool.submit(_worker, using, a, b, part)
                    for (a, b), part in zip(ranges, parts, strict=True)
                ]
                results = [f.result() for f in futures]
        else:
            results = [
                _check_range(using, a, b, part) for (a, b), part in zip(ranges, parts, strict=True)
            ]
    more = 0
    for r in results:
        report.entries += r.count
        if r.first is not None and report.first is None:
            report.first = r.first
        if r.last is not None:
            report.last = r.last
        problems.extend(r.problems)
        more += r.more
    sealed = max((cp.seq for cp in trusted), default=0)
    report.sealed_up_to = sealed
    last = report.last or 0
    if sealed > last:
        cp = max(trusted, key=lambda c: c.seq)
        problems.append(
            Problem(
                last + 1,
                "truncated",
                f"Journal tronqué : il s'arrête à l'entrée n° {last}, alors que le point de "
                f"contrôle n° {cp.number} ({_when(cp)}) scelle l'entrée n° {sealed} : les "
                f"entrées n° {last + 1} à {sealed} ont été supprimées.",
            )
        )
    problems.extend(_tail(using, last, high))
    problems.sort(key=lambda p: p.position)
    report.problems = problems[:MAX_PROBLEMS]
    report.more_problems = more + max(0, len(problems) - MAX_PROBLEMS)
    report.seconds = time.perf_counter() - started
    return report


def _tail(using: str, last: int, high: int) -> list[Problem]:
    """The entries after the last checkpoint, against the log's head (``LogHead``: the number and
    hash of the last entry written, moved by every append): the removal of unsealed entries at
    the end, or a rewrite of the last one, shows there before any later checkpoint. The head is
    an ordinary row: someone able to rewrite it too defeats this check, not the checkpoints'."""
    head = LogHead.objects.using(using).filter(id=1).values_list("seq", "hash").first()
    if head is None:  # not created yet (an empty or freshly flushed log)
        return []
    seq, hash_hex = head
    stored = LogEntry.objects.using(using).filter(seq=seq).values_list("hash", flat=True).first()
    if seq > last and stored is None:
        return [
            Problem(
                last + 1,
                "truncated",
                f"Journal tronqué : il s'arrête à l'entrée n° {last}, alors que la tête du "
                f"journal indique l'entrée n° {seq} comme dernière écrite : les entrées n° "
                f"{last + 1} à {seq}, pas encore scellées, ont été supprimées.",
            )
        ]
    if seq <= high and stored is not None and stored != hash_hex:
        return [
            Problem(
                seq,
                "rewritten",
                f"L'entrée n° {seq}, la dernière écrite, n'a plus l'empreinte que la tête du "
                "journal a retenue en l'écrivant : elle a été réécrite.",
            )
        ]
    return []


def _when(cp: Checkpoint) -> str:
    return f"scellé le {cp.at:%d/%m/%Y à %H:%M:%S} UTC"
