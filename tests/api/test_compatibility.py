"""Software written against Urssaf's Swagger, whatever it sends within it: schemathesis generates
requests from **Urssaf's** file (not from ours) and sends them to unefois with a valid token and
a mandate. No answer is a server error, and every answer with a documented status conforms to
Urssaf's response schemas."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.api import swagger
from tests.api.conftest import EMPLOYER_BIRTH, EMPLOYER_PAJE
from tests.wsgi import connection_kept

if swagger.source() is None:  # pragma: no cover - the copy in tests/api is always there
    pytest.skip("Spécification de l'Urssaf absente", allow_module_level=True)


@pytest.fixture
def urssaf_schema(world, mandated, today, settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "api.urssaf.fr"]
    loaded = schemathesis.openapi.from_dict(
        json.loads(swagger.source().read_text(encoding="utf-8"))
    )
    loaded.app = get_wsgi_application()
    return loaded


schema = schemathesis.pytest.from_fixture("urssaf_schema")


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_urssafs_requests_get_urssafs_answers(case, mandated):
    # Half the calls name the world's employer, so that they go past the identification.
    named = isinstance(case.path_parameters, dict) and "numeroPajeEmployeur" in case.path_parameters
    if named and len(str(case.body)) % 2 == 0:
        case.path_parameters = {**case.path_parameters, "numeroPajeEmployeur": EMPLOYER_PAJE}
        case.query = {**(case.query or {}), "dtNaissanceEmployeur": EMPLOYER_BIRTH}
    with connection_kept():
        response = case.call(headers={"Authorization": f"Bearer {mandated.token()}"})
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
