"""Declaration versions and the audit trail cannot be rewritten, even with raw SQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from tests.www.factories import contract_with_months, person
from unefois.audit.models import AuditEntry
from unefois.declarations.models import DeclarationVersion

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "column"),
    [(DeclarationVersion, "reason"), (AuditEntry, "action")],
)
def test_update_and_delete_are_refused_by_the_database(model, column):
    contract_with_months(person("p-ao", True), person("a-ao", False), 1)
    table = model._meta.db_table
    row = model.objects.order_by("pk").first()
    for sql in (
        f"UPDATE {table} SET {column} = 'changé' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
    assert model.objects.filter(pk=row.pk).exists()
    if model is DeclarationVersion:
        assert DeclarationVersion.objects.get(pk=row.pk).reason == ""
