"""The main pages run a fixed number of queries, however many contracts and months (no N+1).

The counts are kept in query_counts.json: a change there is a deliberate, reviewed change.
"""

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import contract_with_months, person

pytestmark = pytest.mark.django_db
SNAPSHOT = Path(__file__).with_name("query_counts.json")


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _pages(parent, employee, contract):
    declaration = contract.declarations.order_by("period").first()
    return {
        "parent": (parent, reverse("www:parent")),
        "contract": (parent, reverse("www:contract", args=[contract.pk])),
        "declaration": (parent, reverse("www:declaration", args=[declaration.pk])),
        "employee": (employee, reverse("www:employee")),
        "my_data": (parent, reverse("www:my_data")),
    }


def test_page_query_counts_do_not_grow_with_the_data(client):
    parent = person("parent-q", True)
    employee = person("ama-q", False)
    contract = contract_with_months(parent, employee, 2)
    small = {}
    for name, (who, url) in _pages(parent, employee, contract).items():
        client.force_login(who.user)
        small[name] = _count(client, url)
    for i in range(4):  # more contracts and more months
        other = person(f"ama-q{i}", False)
        contract_with_months(parent, other, 6)
        contract_with_months(person(f"parent-q{i}", True), employee, 3)
    large = {}
    for name, (who, url) in _pages(parent, employee, contract).items():
        client.force_login(who.user)
        large[name] = _count(client, url)
    assert large == small
    expected = json.loads(SNAPSHOT.read_text())
    assert small == expected, f"query counts changed: {small} (snapshot: {expected})"
