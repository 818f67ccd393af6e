"""The API serves Urssaf's paths, methods and parameters; the validator used by every other test
really refuses what the Swagger refuses (so that those tests can fail)."""

from __future__ import annotations

import pytest

from tests.api import swagger
from unefois.api.grants import OPERATIONS
from unefois.api.tierce import api

BASE = "/tiersdecl/v1/paje"


def test_the_specification_is_at_hand():
    path = swagger.source()
    if path is None:
        pytest.skip(f"Spécification absente : ni {swagger.SHARED} ni {swagger.VENDORED}")
    document = swagger.document()
    assert document["swagger"] == "2.0"
    assert document["basePath"] == BASE


def test_the_vendored_copy_is_the_shared_file():
    if not swagger.SHARED.is_file():
        pytest.skip(f"{swagger.SHARED} absent : seule la copie de tests/api est utilisée")
    assert swagger.VENDORED.read_bytes() == swagger.SHARED.read_bytes()


def _ours() -> dict[tuple[str, str], dict]:
    schema = api.get_openapi_schema(path_prefix="")
    out = {}
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            out[(method.upper(), path)] = spec
    return out


def test_every_operation_of_the_swagger_is_served_and_nothing_else():
    theirs = {(op.method, op.template): op for op in swagger.operations()}
    ours = _ours()
    assert set(ours) == set(theirs)
    for key, op in theirs.items():
        assert ours[key]["operationId"] == op.id
    assert {op.id for op in theirs.values()} == set(OPERATIONS)


@pytest.mark.parametrize("op", swagger.operations(), ids=lambda op: op.id)
def test_parameters_have_the_swaggers_names_places_and_requirements(op):
    ours = _ours()[(op.method, op.template)]
    for where in ("path", "query"):
        expected = {p["name"]: bool(p.get("required")) for p in op.parameters(where)}
        got = {
            p["name"]: bool(p.get("required"))
            for p in ours.get("parameters", [])
            if p["in"] == where
        }
        assert got == expected, where
        for parameter in op.parameters(where):
            mine = next(p for p in ours["parameters"] if p["name"] == parameter["name"])
            schema = mine["schema"]
            for option in schema.get("anyOf", []):  # an optional parameter: value or null
                if option.get("type") != "null":
                    schema = {**schema, **option}
            mine = {**mine, "schema": schema}
            for bound, key in (("minLength", "minLength"), ("maxLength", "maxLength")):
                if bound in parameter:
                    assert mine["schema"].get(key) == parameter[bound], parameter["name"]
            if parameter.get("format") == "date":
                assert mine["schema"].get("format") == "date", parameter["name"]
    body = op.parameters("body")
    if body:
        assert "requestBody" in ours
        assert ours["requestBody"].get("required", False) == bool(body[0].get("required"))
    else:
        assert "requestBody" not in ours


def _properties(definition: dict) -> dict[str, dict]:
    """Every property of a Swagger definition, through ``allOf`` and ``$ref``."""
    out: dict[str, dict] = {}
    definitions = swagger.document()["definitions"]
    for part in definition.get("allOf", [definition]):
        if "$ref" in part:
            out.update(_properties(definitions[part["$ref"].split("/")[-1]]))
        else:
            out.update(part.get("properties", {}))
    return out


@pytest.mark.parametrize(
    "name",
    [
        "InputEstimationAma",
        "InputEstimationGed",
        "InputDeclarationAma",
        "InputDeclarationGed",
        "InputDeclCommun",
        "InputSp",
        "InputEnfant",
        "InputCreationSalarie",
        "InputIdentificationSalarie",
        "InputAdresse",
        "InputVerificationEnfantPe",
        "DeclarationCommun",
        "OutputPreDeclaration",
        "OutputDeclaration",
        "OutputEstimation",
        "OutputVerificationPe",
        "OutputVerificationSp",
        "OutputAssociationEmployeurSalarie",
        "OutputVerificationEnfantPe",
        "VerificationEnfantPe",
        "Erreur",
    ],
)
def test_our_schemas_have_the_swaggers_field_names(name):
    theirs = set(_properties(swagger.document()["definitions"][name]))
    components = api.get_openapi_schema(path_prefix="")["components"]["schemas"]
    assert name in components, f"{name} absent de notre OpenAPI"
    ours = components[name]
    mine = set(ours.get("properties", {}))
    for part in ours.get("allOf", []):
        mine |= set(part.get("properties", {}))
    assert mine == theirs


# ---- The validator itself -------------------------------------------------------------------


def test_the_validator_refuses_what_the_swagger_refuses():
    ok = {"mntSalaireNetMensuel": 500.0, "nbEnfantsGardes": 1, "nbJoursActivite": 20}
    assert swagger.request_problems("POST", "/ama/estimer", {}, ok, True) == []
    for bad in (
        {**ok, "nbJoursActivite": 32},  # maximum 31
        {**ok, "mntSalaireNetMensuel": 500.005},  # multipleOf 0.01
        {**ok, "mntSalaireNetMensuel": "500"},  # a number, not a string
        {**ok, "nbEnfantsGardes": 1.5},  # an integer
        {k: v for k, v in ok.items() if k != "nbJoursActivite"},  # required
    ):
        assert swagger.request_problems("POST", "/ama/estimer", {}, bad, True), bad
    assert swagger.request_problems("POST", "/ama/estimer", {}, None, False) == [
        "body : obligatoire"
    ]
    # Path and query parameters: length, format, presence, undeclared names.
    path = "/employeurs/0000E123456789/verifier"
    assert (
        swagger.request_problems("GET", path, {"dtNaissanceEmployeur": "1985-01-01"}, None, False)
        == []
    )
    assert swagger.request_problems(
        "GET", "/employeurs/123/verifier", {"dtNaissanceEmployeur": "1985-01-01"}, None, False
    )
    assert swagger.request_problems(
        "GET", path, {"dtNaissanceEmployeur": "01/01/1985"}, None, False
    )
    assert swagger.request_problems("GET", path, {}, None, False)
    assert swagger.request_problems(
        "GET", path, {"dtNaissanceEmployeur": "1985-01-01", "x": "1"}, None, False
    )


def test_the_validator_refuses_responses_off_the_swagger():
    path = "/ama/estimer"
    assert (
        swagger.response_problems(
            "POST", path, 200, b'{"mntCotiPriseEnChargeOdpf": 1.5}', "application/json"
        )
        == []
    )
    assert swagger.response_problems(
        "POST", path, 200, b'{"mntCotiPriseEnChargeOdpf": "1.5"}', "application/json"
    )
    assert swagger.response_problems("POST", path, 404, b"", "text/html")
    assert swagger.response_problems(
        "POST", path, 400, b'{"code": "x"}', "application/json"
    )  # a list
    assert (
        swagger.response_problems("POST", path, 400, b'[{"code": "x"}]', "application/json") == []
    )
    # The mandates answer one error object, not a list.
    assert swagger.response_problems(
        "POST", "/mandats", 400, b'[{"code": "x"}]', "application/json"
    )
    assert (
        swagger.response_problems("POST", "/mandats", 400, b'{"code": "x"}', "application/json")
        == []
    )
