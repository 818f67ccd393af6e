"""A partner's webhook for the tests: a real HTTP server on 127.0.0.1 (random port, one thread
per request) that verifies each pushed token with the platform's published JWKS and applies each
event once, by its idempotency key — whatever it was told to do first: drop the connection,
answer too late, answer 500 or 503."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

DROP = "drop"  # read the request, then close the connection without answering
SLOW = "slow"  # apply the event, then answer after the worker has stopped waiting
OK = "ok"


@dataclass
class Request:
    key: str
    attempt: int
    behaviour: str | int
    at: float


@dataclass
class Receiver:
    jwks: dict
    client_id: str
    plan: list = field(default_factory=list)  # behaviour of attempt 1, 2… of each key
    slow_seconds: float = 1.5
    retry_after: str | None = None  # sent with 429 and 503 answers
    pause: float = 0.0  # before each accepting answer
    requests: list[Request] = field(default_factory=list)
    applied: dict[str, dict] = field(default_factory=dict)  # key → the event, applied once
    applications: Counter = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)  # why a token was refused

    def __post_init__(self):
        self.lock = threading.Lock()
        self.keys = KeySet.import_key_set(self.jwks)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                receiver._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/evenements"

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def attempts(self, key: str) -> int:
        return sum(1 for r in self.requests if r.key == key)

    # ---- One request ---------------------------------------------------------------------------

    def _apply(self, key: str, token: str) -> bool:
        """Verify the token, then apply its event unless this key was applied already."""
        try:
            decoded = jwt.decode(token, self.keys, algorithms=["RS256"])
        except (JoseError, ValueError) as error:
            self.refused.append(f"signature: {error}")
            return False
        claims = decoded.claims
        problems = []
        if decoded.header.get("typ") != "secevent+jwt":
            problems.append("typ")
        if claims.get("aud") != self.client_id:
            problems.append("aud")
        if claims.get("jti") != key:
            problems.append("jti")
        if len(claims.get("events", {})) != 1:
            problems.append("events")
        if problems:
            self.refused.append(", ".join(problems))
            return False
        [(uri, event)] = claims["events"].items()
        with self.lock:
            if key not in self.applied:  # the partner's own deduplication
                self.applied[key] = {"uri": uri, "iss": claims["iss"], **event}
                self.applications[key] += 1
        return True

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length", "0"))
        body = handler.rfile.read(length).decode("ascii")
        key = handler.headers.get("Idempotency-Key", "")
        with self.lock:
            attempt = self.attempts(key) + 1
            behaviour = self.plan[attempt - 1] if attempt <= len(self.plan) else OK
            self.requests.append(Request(key, attempt, behaviour, time.monotonic()))
        if handler.headers.get("Content-Type") != "application/secevent+jwt":
            self.refused.append("content-type")
        if behaviour == DROP:
            handler.close_connection = True
            handler.connection.close()
            return
        if isinstance(behaviour, int):
            handler.send_response(behaviour)
            if behaviour in (429, 503) and self.retry_after:
                handler.send_header("Retry-After", self.retry_after)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        ok = self._apply(key, body)
        time.sleep(self.slow_seconds if behaviour == SLOW else self.pause)
        answer = json.dumps({} if ok else {"err": "invalid_request"}).encode()
        handler.send_response(202 if ok else 400)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(answer)))
        handler.end_headers()
        with contextlib.suppress(OSError):  # the worker may have stopped waiting
            handler.wfile.write(answer)


class Clock:
    """The worker's clock, moved by the test (no real waiting for backoffs)."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        import datetime as dt

        self.now += dt.timedelta(seconds=seconds)
