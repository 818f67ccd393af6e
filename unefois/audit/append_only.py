"""Append-only tables: the database itself refuses UPDATE and DELETE on them (SQLite and
PostgreSQL triggers), so that no code path — not even a raw query — can rewrite history."""

from __future__ import annotations

from django.db import migrations

MESSAGE = "table en ajout seul : modification et suppression refusées"


def _sqlite(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} : {MESSAGE}'); END;",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} : {MESSAGE}'); END;",
    ]


def _postgresql(table: str) -> list[str]:
    return [
        "CREATE OR REPLACE FUNCTION unefois_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION '% : table en ajout seul, % refusé', TG_TABLE_NAME, TG_OP; "
        "END; $$ LANGUAGE plpgsql;",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION unefois_append_only();",
    ]


def _drop(table: str, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update;",
        f"DROP TRIGGER IF EXISTS {table}_no_delete;",
    ]


def append_only(table: str) -> migrations.RunPython:
    """A migration operation installing the triggers on ``table``."""

    def forward(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = _postgresql(table) if vendor == "postgresql" else _sqlite(table)
        for sql in statements:
            schema_editor.execute(sql, params=None)

    def backward(apps, schema_editor):
        for sql in _drop(table, schema_editor.connection.vendor):
            schema_editor.execute(sql, params=None)

    return migrations.RunPython(forward, backward)
