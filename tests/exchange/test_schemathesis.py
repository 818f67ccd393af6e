"""Schemathesis against the partner API's own OpenAPI: whatever the generated request (body,
query, form, headers), no answer is a server error. Calls carry a valid token so that they go
past the authentication; the world gives them people to find."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.wsgi import connection_kept
from unefois.exchange.api import api

from .conftest import ISSUER


@pytest.fixture
def api_schema(world, open_partner, settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    settings.EXCHANGE_ISSUER = ISSUER  # the same issuer whatever the Host header
    with connection_kept():
        return schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def token(api_schema, open_partner) -> str:
    return open_partner.token()


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gets_a_server_error(case, token, world):
    # Half the data calls state the partner's own purpose and name a person of the world, so
    # that generated bodies also reach the reading, masking and logging (not only refusals).
    if isinstance(case.query, dict) and "purpose" in case.query and len(str(case.body)) % 2:
        case.query = {**case.query, "purpose": "essai"}
        if isinstance(case.body, dict) and "nir" in case.body:
            who = (world.ama, world.parent2, world.ged)[len(str(case.body)) % 3]
            case.body = {**case.body, "nir": who.nir}
    with connection_kept():
        response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=[not_a_server_error])


def test_the_openapi_is_served_with_its_docs(client):
    assert client.get("/api/openapi.json").json()["info"]["title"] == api.title
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert b"swagger" in page.content.lower()
