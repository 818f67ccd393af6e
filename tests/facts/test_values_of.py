"""Reading several subjects' facts in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from unefois.facts import services as vault
from unefois.facts.actions import do_record_fact, do_record_facts
from unefois.facts.models import Source, SubjectType

pytestmark = pytest.mark.django_db


def test_values_of_reads_each_subject_in_force_in_one_query():
    do_record_facts(
        None, SubjectType.CONTRACT, 7, {"hourly_gross": 4.8, "weeks_per_year": 52}, Source.PERSON
    )
    do_record_fact(
        None, SubjectType.CONTRACT, 7, "hourly_gross", 5.1, Source.PERSON
    )  # a new version
    do_record_facts(None, SubjectType.PERSON, 7, {"monthly_resources": 3200}, Source.PERSON)
    do_record_facts(None, SubjectType.PERSON, 8, {"monthly_resources": 9999}, Source.PERSON)
    with CaptureQueriesContext(connection) as queries:
        person, contract, nobody = vault.values_of(
            (SubjectType.PERSON, 7), (SubjectType.CONTRACT, 7), (SubjectType.CHILD, 7)
        )
    assert len(queries) == 1
    assert contract == {"hourly_gross": 5.1, "weeks_per_year": 52}
    assert person == {"monthly_resources": 3200}
    assert nobody == {}
    assert vault.values(SubjectType.CONTRACT, 7) == {"hourly_gross": 5.1, "weeks_per_year": 52}
