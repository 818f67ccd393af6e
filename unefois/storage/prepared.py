"""Queries of the hot paths (the partner API's reads, the monthly confirmation, journey capture),
written with the ORM and compiled once per process.

Django builds and compiles a query at every call; for a hot path's few small queries that costs
more than PostgreSQL running them (≈ 0.4 to 0.9 ms of Python per query on a 2-core machine, against
≈ 0.05 ms to send a ready statement). A ``Prepared`` query is built by a function of its
arguments, compiled once per database with placeholder values, and then sent as it is with each
call's parameters put in their places. The SQL stays the ORM's (tables, joins, JSON operators and
vendor differences), and with ``server_side_binding`` PostgreSQL also keeps the statement's plan.

Only what the arguments become in the parameters is replaced: a value itself, or the pattern of a
``startswith`` lookup; a query whose parameters cannot be mapped back to its arguments (a
placeholder transformed some other way) is refused at the first call, never run with a wrong
parameter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# Placeholder values: unlikely to be equal to a constant of a query, distinct from each other.
_TEXT = "\x1fplaceholder-{}\x1f"
_NUMBER = 1_987_654_321  # within a 32-bit integer field: Django drops out-of-range lookups


def _placeholder(kind: type, index: int):
    return _NUMBER - index if kind is int else _TEXT.format(index)


def _looks_like_placeholder(param) -> bool:
    if isinstance(param, str):
        return "placeholder-" in param
    return isinstance(param, int) and _NUMBER - 1000 < param <= _NUMBER


class Prepared:
    """A values_list query of the ORM, compiled once per database, run with new arguments.

    ``build(*args)`` returns the queryset; ``kinds`` gives each argument's type (``int`` or
    ``str``). ``rows(using, *args)`` returns the rows as tuples, raw from the database driver
    (JSON as text, booleans as 0/1 on SQLite: the caller converts)."""

    def __init__(self, build: Callable[..., QuerySet], kinds: Sequence[type]):
        self.build, self.kinds = build, tuple(kinds)
        self._compiled: dict[str, tuple[str, list[Callable[[tuple], Any]]]] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str):
        connection = connections[using]
        placeholders = [_placeholder(kind, i) for i, kind in enumerate(self.kinds)]
        queryset = self.build(*placeholders).using(using)
        sql, params = queryset.query.get_compiler(using).as_sql()
        likes = {
            connection.ops.prep_for_like_query(p) + "%": i
            for i, p in enumerate(placeholders)
            if isinstance(p, str)
        }
        getters: list[Callable[[tuple], Any]] = []
        for param in params:
            if param in placeholders:
                i = placeholders.index(param)
                getters.append(lambda args, i=i: args[i])
            elif isinstance(param, str) and param in likes:
                i = likes[param]
                getters.append(lambda args, i=i: connection.ops.prep_for_like_query(args[i]) + "%")
            elif _looks_like_placeholder(param):
                raise ValueError(f"paramètre non reconnu dans la requête préparée : {param!r}")
            else:
                getters.append(lambda args, value=param: value)
        used = sum(1 for p in params if p in placeholders or p in likes)
        if used < len(placeholders):
            raise ValueError("un argument de la requête préparée n'en est pas un paramètre")
        return sql, getters

    def rows(self, using: str, *args) -> list[tuple]:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = compiled
        sql, getters = compiled
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [get(args) for get in getters])
            return cursor.fetchall()
