"""Calling the real WSGI application from a test (schemathesis does): helpers shared by the APIs'
tests."""

from __future__ import annotations

from contextlib import contextmanager

from django.core import signals
from django.db import close_old_connections


@contextmanager
def connection_kept():
    """The WSGI handler closes "old" connections around each request; in a test transaction
    that would close the test's own connection (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
