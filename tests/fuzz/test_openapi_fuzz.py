"""The JSON API fuzzed against its own description, /api/openapi.json, with Schemathesis.

Schemathesis reads the document the app serves and generates requests for every operation:
valid ones (positive: every parameter as the schema describes it) and invalid ones (negative:
values the schema rules out). Each response is checked: never a 5xx; its status code is one the
document lists; its content type and body match the document's schema; and a request the
schema rules out is refused with a 4xx. The app is called in-process through WSGI, on a seeded
database, so detail pages are reached with real slugs as well as random ones. The document
declares real response schemas (kb.web.openapi_pages), so response_schema_conformance checks
every field kb sends, not only that the body is an object.

Every path answers GET (and HEAD, OPTIONS) only: any other method, on any generated address,
is a 405 whose Allow header lists exactly the methods the document declares (plus the implicit
HEAD and OPTIONS, as Schemathesis's allow_header_conformance reads it), with the JSON error
body the document describes.
"""

from __future__ import annotations

import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from schemathesis import GenerationMode
from schemathesis import checks as generic_checks
from schemathesis.specs.openapi import checks as openapi_checks
from werkzeug.exceptions import NotFound
from werkzeug.routing import RequestRedirect

from .conftest import examples, tally

CHECKS = [
    generic_checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


def _fuzz(operation, mode: GenerationMode) -> None:
    checks = CHECKS
    if mode is GenerationMode.NEGATIVE:
        checks = [*CHECKS, openapi_checks.negative_data_rejection]

    @examples(25)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        tally(f"openapi: {mode.value}")
        # kb reads an empty parameter (?limit=, what an HTML form sends for a blank field; the
        # graph pages also strip blanks) as one left out, as the document says
        # (allowEmptyValue): it is not a value to reject.
        empty = any(
            v is None or v == [] or (isinstance(v, str) and not v.strip())
            for v in (case.query or {}).values()
        )
        case.call_and_validate(checks=CHECKS if empty else checks)

    run()


def _can_be_invalid(operation) -> bool:
    """Whether any parameter has a value the schema rules out (any text is a valid slug)."""
    for param in operation.definition.raw.get("parameters", []):
        schema = param.get("schema", {})
        if schema.get("type") != "string" or "enum" in schema or "format" in schema:
            return True
    return False


def test_json_api_conforms_to_its_openapi_document(seeded_app) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", seeded_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        _fuzz(operation, GenerationMode.POSITIVE)
        if _can_be_invalid(operation):
            _fuzz(operation, GenerationMode.NEGATIVE)


OTHER_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _other_methods(client, operation, declared: set[str], error) -> None:
    routes = client.application.url_map.bind("localhost")

    @examples(4)
    @given(case=operation.as_strategy(), method=st.sampled_from(OTHER_METHODS))
    def run(case, method: str) -> None:
        tally("openapi: other methods")
        path = case.formatted_path
        try:
            routes.match(path, method="GET")
        except NotFound:  # a generated slug with a "/" in it names no route at all
            return
        except RequestRedirect:  # /.json, which GET follows to /index.json
            pass
        response = client.open(path, method=method, query_string=case.query)
        assert response.status_code == 405, (method, path)
        assert set(response.headers["Allow"].split(", ")) == declared, path
        assert error.is_valid(response.get_json()), response.data

    run()


def test_other_methods_are_405_with_an_allow_header(seeded_app) -> None:
    client = seeded_app.test_client()
    doc = client.get("/api/openapi.json").get_json()
    error = Draft202012Validator(
        {"$ref": "#/components/schemas/Error", "components": doc["components"]}
    )
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", seeded_app)
    for operation in (result.ok() for result in schema.get_all_operations()):
        declared = {m.upper() for m in doc["paths"][operation.path]} | {"HEAD", "OPTIONS"}
        _other_methods(client, operation, declared, error)
