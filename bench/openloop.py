"""An open-loop HTTP/1.1 load generator in the standard library (asyncio), for the benchmarks.

    .venv/bin/python bench/openloop.py plan.json      # prints the results as one JSON line

Request ``i`` is due at ``start + i / rate`` whatever happened to the others (open loop: a slow
server does not slow the load down). Its latency counts from that due time, not from the moment
it was sent, so the time a request waits for a free connection is part of its latency (no
« coordinated omission »). A request that could not even be sent within ``send_timeout`` seconds
of its due time is dropped — and counted as an error — before it reaches the server, so that
every request the server saw is also counted here (the benchmark compares its count of
successes with the rows written).

The plan (JSON): ``host``, ``port``, ``rate`` (requests per second), ``seconds``, ``requests`` (raw
HTTP/1.1 requests, used in turn), ``expect`` (bytes every successful body contains), ``status``
(the status of a success: 200 by default, 302 for a form that redirects), ``connections`` (at
most this many open at once), ``send_timeout``.

Why not Locust: on a 2-core machine the load
generator shares the cores with the server and PostgreSQL; Locust's per-request cost (gevent,
its stats machinery) is several times that of these few lines, and its ``constant_throughput``
users wait for their previous answer (a closed loop with a pace).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


class Pool:
    """Keep-alive connections to one server, at most ``size`` open at once."""

    def __init__(self, host: str, port: int, size: int):
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(size)
        self.opened = 0

    async def get(self):
        if self.idle:
            return self.idle.pop()
        self.opened += 1
        return await asyncio.open_connection(self.host, self.port)


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes):
    """Send one request, read its answer: (status, body, the server keeps the connection)."""
    writer.write(raw)
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connexion fermée par le serveur")
    status = int(status_line.split(b" ", 2)[1])
    length, keep = None, not status_line.startswith(b"HTTP/1.0")
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            keep = value.strip().lower() == b"keep-alive"
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            raise ConnectionError("réponse découpée (chunked) non prise en charge")
    if length is None:
        body = await reader.read()
        keep = False
    else:
        body = await reader.readexactly(length)
    return status, body, keep


async def run(plan: dict) -> dict:
    loop = asyncio.get_running_loop()
    rate, seconds = float(plan["rate"]), float(plan["seconds"])
    requests = [r.encode("utf-8") for r in plan["requests"]]
    expect = plan.get("expect", "").encode("utf-8")
    success = int(plan.get("status", 200))
    send_timeout = float(plan.get("send_timeout", 5.0))
    pool = Pool(plan["host"], int(plan["port"]), int(plan.get("connections", 256)))
    total = int(rate * seconds)
    latencies: list[float] = []  # from the due time, successful requests
    service: list[float] = []  # from the moment sent, successful requests
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    ok = 0
    last_done = 0.0

    async def one(raw: bytes, due: float) -> None:
        nonlocal ok, last_done
        if pool.slots.locked():
            try:
                wait = max(0.001, due + send_timeout - loop.time())
                await asyncio.wait_for(pool.slots.acquire(), timeout=wait)
            except TimeoutError:
                errors["non envoyée (file d'attente du client pleine)"] += 1
                return
        else:
            await pool.slots.acquire()
        try:
            try:
                reader, writer = await pool.get()
            except OSError as error:
                errors[f"connexion : {error.__class__.__name__}"] += 1
                return
            sent = loop.time()
            try:
                status, body, keep = await _exchange(reader, writer, raw)
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
                errors[f"échange : {error.__class__.__name__}"] += 1
                writer.close()
                return
            done = loop.time()
            last_done = max(last_done, done)
            statuses[status] += 1
            if status == success and expect in body:
                ok += 1
                latencies.append(done - due)
                service.append(done - sent)
            else:
                errors[f"HTTP {status}"] += 1
            if keep:
                pool.idle.append((reader, writer))
            else:
                writer.close()
        finally:
            pool.slots.release()

    tasks = []
    start = loop.time() + 0.05
    for i in range(total):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0.0005:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(requests[i % len(requests)], due)))
    scheduled_end = loop.time()
    await asyncio.gather(*tasks)
    for _, writer in pool.idle:
        writer.close()
    latencies.sort()
    service.sort()
    elapsed = max(last_done, scheduled_end) - start
    return {
        "offered_per_second": rate,
        "seconds": seconds,
        "sent": total - sum(v for k, v in errors.items() if k.startswith("non envoyée")),
        "requests": total,
        "ok": ok,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "elapsed_seconds": round(elapsed, 3),
        "per_second": round(ok / elapsed, 1) if elapsed > 0 else 0.0,
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 2),
        "p95_ms": round(_percentile(latencies, 0.95) * 1000, 2),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
        "max_ms": round((latencies[-1] if latencies else float("nan")) * 1000, 2),
        "service_p50_ms": round(_percentile(service, 0.50) * 1000, 2),
        "service_p99_ms": round(_percentile(service, 0.99) * 1000, 2),
        "connections_opened": pool.opened,
    }


def drive(plan: dict) -> dict:
    """Run ``plan`` in a process of its own (its CPU apart from the caller's): the results."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(plan, f)
    try:
        done = subprocess.run(
            [sys.executable, __file__, f.name], capture_output=True, text=True, check=False
        )
    finally:
        os.unlink(f.name)
    if done.returncode != 0:
        raise SystemExit(f"le générateur de charge a échoué :\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU time (user + system) used so far by the server (the process ``server_pid`` and its
    children: gunicorn and its workers) and by PostgreSQL (all its processes on this machine),
    from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    out = {"gunicorn": 0.0, "postgresql": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "comm").read_text().strip()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        ppid, cpu = int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks
        if int(entry.name) == server_pid or ppid == server_pid:
            out["gunicorn"] += cpu
        elif command.startswith("postgres"):
            out["postgresql"] += cpu
    return out


def measured(server_pid: int, plan: dict) -> dict:
    """``drive(plan)``, with the CPU time that the server, PostgreSQL and the load generator
    spent meanwhile, per successful request (ms)."""
    before = cpu_seconds(server_pid)
    result = drive(plan)
    after = cpu_seconds(server_pid)
    ok = max(result["ok"], 1)
    for name in before:
        result[f"{name}_cpu_ms_per_request"] = round((after[name] - before[name]) * 1000 / ok, 2)
    result["generator_cpu_ms_per_request"] = round(result["generator_cpu_seconds"] * 1000 / ok, 2)
    return result


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        plan = json.load(f)
    started = time.process_time()
    result = asyncio.run(run(plan))
    result["generator_cpu_seconds"] = round(time.process_time() - started, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
