"""``flush`` that also works with the append-only triggers on SQLite.

Emptying the whole database (tests, a fresh demo) is not rewriting history row by row: on
SQLite, Django's flush issues ``DELETE FROM`` on every table, which the append-only triggers
refuse; this command lifts them for the flush and puts them back. PostgreSQL's flush uses
TRUNCATE, which row triggers do not see, so nothing changes there.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from unefois.audit.append_only import _drop, _sqlite

APPEND_ONLY_TABLES = (
    "declarations_declarationversion",
    "audit_auditentry",
    "exchange_logentry",
    "exchange_checkpoint",
    "exchange_accessjournal",
)


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database", "default")]
        tables = set(connection.introspection.table_names())
        guarded = (
            [t for t in APPEND_ONLY_TABLES if t in tables] if connection.vendor == "sqlite" else []
        )
        with connection.cursor() as cursor:
            for table in guarded:
                for sql in _drop(table, "sqlite"):
                    cursor.execute(sql)
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for table in guarded:
                    for sql in _sqlite(table):
                        cursor.execute(sql)
