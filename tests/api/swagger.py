"""Validation of requests and responses against Urssaf's Swagger 2.0 file, with jsonschema.

Swagger 2.0 schemas are a subset of JSON Schema draft 4 (plus ``example``, ``title`` and
``x-…``, which validators ignore), so each body is checked by ``Draft4Validator`` against its
schema, the document's ``definitions`` alongside for the ``$ref``. Numbers are read as
``Decimal`` on both sides so that ``multipleOf: 0.01`` is exact (in binary floating point,
0.07 is not a multiple of 0.01). Path and query parameters are checked one by one against their
type, format, length and bounds; a query parameter the Swagger does not declare is an error.

The file is ``../shared/reference/`` from the project's root when present (what CI has), else
the unchanged copy kept next to this module (see ``SWAGGER_SOURCE.md``)."""

from __future__ import annotations

import decimal
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

NAME = "urssaf-api-tierce-declaration-pajemploi.swagger.json"
ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "reference" / NAME
VENDORED = Path(__file__).resolve().parent / NAME
FORMATS = jsonschema.FormatChecker()


def source() -> Path | None:
    for path in (SHARED, VENDORED):
        if path.is_file():
            return path
    return None


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


@cache
def document() -> dict:
    path = source()
    if path is None:
        raise FileNotFoundError(f"{NAME} : ni {SHARED} ni {VENDORED}")
    return read(path)


def plain(value: Any) -> Any:
    """A JSON value with its numbers as ``Decimal`` (what is checked)."""
    return json.loads(json.dumps(value), parse_float=Decimal)


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    spec: dict

    @property
    def id(self) -> str:
        return self.spec["operationId"]

    def parameters(self, where: str) -> list[dict]:
        return [p for p in self.spec.get("parameters", []) if p["in"] == where]


def operations() -> list[Operation]:
    doc = document()
    return [
        Operation(method.upper(), template, spec)
        for template, methods in doc["paths"].items()
        for method, spec in methods.items()
    ]


def _pattern(template: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


def operation(method: str, path: str) -> tuple[Operation, dict[str, str]]:
    """The Swagger operation of a request (``path`` without the base path)."""
    for op in operations():
        if op.method != method.upper():
            continue
        match = _pattern(op.template).match(path)
        if match:
            return op, match.groupdict()
    raise AssertionError(f"{method} {path} : aucune opération de la spécification")


def _validator(schema: dict) -> jsonschema.Draft4Validator:
    root = {**schema, "definitions": document()["definitions"]}
    return jsonschema.Draft4Validator(root, format_checker=FORMATS)


def _parameter_schema(parameter: dict) -> dict:
    keys = ("type", "format", "minLength", "maxLength", "pattern", "minimum", "maximum", "enum")
    return {k: parameter[k] for k in keys if k in parameter}


def request_problems(
    method: str, path: str, query: dict[str, str], body: Any, has_body: bool
) -> list[str]:
    """What makes this request invalid for the Swagger (empty when it is valid)."""
    op, path_values = operation(method, path)
    problems = []
    for where, values in (("path", path_values), ("query", query)):
        declared = {p["name"]: p for p in op.parameters(where)}
        for name in set(values) - set(declared):
            problems.append(f"{where}.{name} : paramètre non déclaré")
        for name, parameter in declared.items():
            if name not in values:
                if parameter.get("required"):
                    problems.append(f"{where}.{name} : obligatoire")
                continue
            validator = _validator(_parameter_schema(parameter))
            for error in validator.iter_errors(values[name]):
                problems.append(f"{where}.{name} : {error.message}")
    body_parameters = op.parameters("body")
    if body_parameters:
        parameter = body_parameters[0]
        if not has_body:
            if parameter.get("required"):
                problems.append("body : obligatoire")
        else:
            try:
                for error in _validator(parameter["schema"]).iter_errors(plain(body)):
                    where = ".".join(str(p) for p in error.absolute_path) or "(racine)"
                    problems.append(f"body.{where} : {error.message}")
            except decimal.InvalidOperation:  # multipleOf on a number far beyond the maximum
                problems.append("body : nombre hors de toute limite de la spécification")
    elif has_body:
        problems.append("body : cette opération n'en prend pas")
    return problems


def response_problems(
    method: str, path: str, status: int, content: bytes, content_type: str
) -> list[str]:
    """What makes this response invalid for the Swagger (empty when it is valid)."""
    op, _ = operation(method, path)
    documented = op.spec.get("responses", {})
    if str(status) not in documented:
        return [f"statut {status} non documenté (documentés : {', '.join(sorted(documented))})"]
    schema = documented[str(status)].get("schema")
    if not content:
        return [f"statut {status} : corps vide, un schéma est attendu"] if schema else []
    if "application/json" not in content_type:
        return [f"statut {status} : type {content_type!r}, application/json attendu"]
    try:
        body = json.loads(content, parse_float=Decimal)
    except ValueError:
        return [f"statut {status} : corps JSON illisible"]
    if schema is None:
        return []
    return [
        f"statut {status}, {'.'.join(str(p) for p in e.absolute_path) or '(racine)'} : {e.message}"
        for e in _validator(schema).iter_errors(body)
    ]
