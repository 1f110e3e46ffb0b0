"""Machine-readable descriptions of kb's JSON endpoints (/api/openapi.json).

The document is generated from the app's URL map: every rule whose path ends in ".json" is an
operation, so a JSON endpoint that any blueprint adds is described without anyone remembering
to. The view's docstring gives the summary; `@documented(...)` on the view declares the rest:
its query parameters as (name, type, list of allowed values or schema, description) and a
content type other than application/json. The declarations live in one registry, read here,
rather than in attributes hung on the functions (which a type checker cannot see).

What the document says beyond the declarations comes from one place each: the 200 bodies from
kb.web.openapi_pages.BODIES (records built on kb/1's JSON Schema: kb.web.openapi_records), the
bounds of the parameters every list reads alike (page, per_page...) from `_bounds`, and the
error answers from kb.web.present.http_error and kb.web.error_pages.
"""

from __future__ import annotations

import inspect
import re
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, current_app, has_request_context, jsonify, request
from werkzeug.routing import Rule

from kb.pagination import MAX_PAGE
from kb.queries.listing import FACET_MAX
from kb.web import openapi_graphs, openapi_pages, openapi_records

bp = Blueprint("api", __name__, url_prefix="/api")

_CONVERTER = re.compile(
    r"<(?:(?P<conv>[a-zA-Z_][a-zA-Z0-9_]*)(?:\([^)]*\))?:)?(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>"
)
_TYPES = {"int": "integer", "float": "number"}

# A query parameter: its name, its type ("string", "integer", "date"...), the list of values
# it allows or its whole JSON Schema (`integer(low, high)`), and what it does.
Param = tuple[str, "str | Sequence[str] | Mapping[str, Any]", str]
View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class Documentation:
    """What the OpenAPI document says about one view beyond its rule and its docstring."""

    params: tuple[Param, ...] = ()
    media_type: str = "application/json"
    # the 200 body's JSON Schema: an object for every page twin; a list for CSL-JSON
    body: str = "object"


# view function -> its documentation; weak, so a view made for a test goes with its app
_REGISTRY: weakref.WeakKeyDictionary[Callable[..., Any], Documentation] = (
    weakref.WeakKeyDictionary()
)
_UNDOCUMENTED = Documentation()


def documented(
    *params: Param, media_type: str = "application/json", body: str = "object"
) -> Callable[[View], View]:
    """Declare the query parameters (in the order the document lists them), the content type
    and the body's JSON type ("object" or "array") of a JSON view. A parameter's type may be
    a whole schema, such as `integer(10, 600)` for the bounds its view checks. Stack it above
    the route decorator; the view itself is returned unchanged."""

    def register(view: View) -> View:
        _REGISTRY[view] = Documentation(tuple(params), media_type, body)
        return view

    return register


def documentation(view: Callable[..., Any]) -> Documentation:
    """What `documented` recorded for `view` (or for the function it wraps), else nothing."""
    current: Any = view
    while current is not None:
        if current in _REGISTRY:
            return _REGISTRY[current]
        current = getattr(current, "__wrapped__", None)
    return _UNDOCUMENTED


def integer(low: int, high: int | None = None) -> dict[str, Any]:
    """The schema of a whole-number parameter kb reads with these bounds (kb.web.params)."""
    schema: dict[str, Any] = {"type": "integer", "minimum": low}
    if high is not None:
        schema["maximum"] = high
    return schema


def _bounds(app: Flask) -> dict[str, dict[str, Any]]:
    """The parameters every list reads the same way (kb.web.params), with the bounds it
    checks: a value outside them is a 400, so the document says so."""
    return {
        "page": integer(1, MAX_PAGE),
        "per_page": integer(1, app.config.get("MAX_PAGE_SIZE")),
        "facet_limit": integer(1, FACET_MAX),
        "year": integer(1000, 9999),  # params.year: four digits
        "camp": integer(1),  # at most the number of camps, which the data decides
    }


def _body_schema(endpoint: str, body: str) -> dict[str, Any]:
    """The 200 body of `endpoint` (kb.web.openapi_pages.BODIES), or its bare JSON type."""
    if endpoint in openapi_pages.BODIES:
        return openapi_pages.body_schema(endpoint)
    return {"type": "array", "items": {"type": "object"}} if body == "array" else {"type": body}


def _schema(kind: Any) -> dict[str, Any]:
    if isinstance(kind, Mapping):
        return dict(kind)
    if isinstance(kind, (list, tuple)):
        return {"type": "string", "enum": list(kind)}
    if kind == "date":
        return {"type": "string", "format": "date"}
    return {"type": kind}


def _summary(view: Any) -> tuple[str, str]:
    doc = inspect.getdoc(view) or ""
    paragraphs = doc.split("\n\n")
    first = " ".join(paragraphs[0].split()) if paragraphs[0] else view.__name__
    return first.split(". ")[0].rstrip("."), " ".join(doc.split())


def _aliases(app: Flask) -> dict[str, str]:
    """Rules Werkzeug redirects (308) to an earlier rule with the same endpoint, defaults and
    arguments (such as /.json -> /index.json), each with the path it redirects to."""
    first: dict[tuple[Any, ...], str] = {}
    out: dict[str, str] = {}
    for rule in app.url_map.iter_rules():
        if rule.defaults is None:
            continue
        key = (rule.endpoint, frozenset(rule.defaults.items()), frozenset(rule.arguments))
        if key in first:
            out[rule.rule] = first[key]
        else:
            first[key] = rule.rule
    return out


def openapi_document(app: Flask, root_url: str | None = None) -> dict[str, Any]:
    """An OpenAPI 3.1 document for every rule of `app` that ends in ".json"; `root_url` is
    where kb is served (the server, unless KB_BASE_URL is set)."""
    paths: dict[str, Any] = {}
    aliases = _aliases(app)
    bounds = _bounds(app)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.endswith(".json") or "GET" not in (rule.methods or ()):
            continue
        path = _CONVERTER.sub(lambda m: "{" + m.group("name") + "}", rule.rule)
        paths.setdefault(path, {})["get"] = _operation(app, rule, aliases.get(rule.rule), bounds)
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "kb",
            "version": "1",
            "description": "Who claims what about AI risk, and on what evidence. Every page of kb "
            "has a JSON twin at its path + .json; lists take ?page= and ?per_page= (at most "
            f"{app.config.get('MAX_PAGE_SIZE')}). An empty parameter is the same as one left "
            "out; a malformed one is a 400 whose message names it. Every endpoint answers GET "
            "(and HEAD); any other method is a 405 with an Allow header, in JSON on the .json "
            "paths. An error on a .json path is a JSON body (components/schemas/Error).",
        },
        "paths": paths,
        "components": _components(),
    }
    server = app.config.get("BASE_URL") or root_url
    if server:
        document["servers"] = [{"url": server}]
    return document


def _operation(
    app: Flask, rule: Rule, alias_of: str | None, bounds: Mapping[str, dict[str, Any]]
) -> dict[str, Any]:
    """The GET operation of one JSON rule; `alias_of` is the path it redirects to, if any."""
    view = app.view_functions[rule.endpoint]
    docs = documentation(view)
    summary, description = _summary(view)
    operation: dict[str, Any] = {
        "operationId": rule.endpoint.replace(".", "_") + "_json",
        "summary": summary or rule.endpoint,
        "description": description,
        "tags": [rule.endpoint.split(".")[0]],
        "responses": {
            "200": {
                "description": "The same data as the HTML page at this path without .json",
                "content": {docs.media_type: {"schema": _body_schema(rule.endpoint, docs.body)}},
            },
            "400": {"$ref": "#/components/responses/BadRequest"},
            "404": {"$ref": "#/components/responses/NotFound"},
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }
    if alias_of is not None:  # a redirect to the same operation at its canonical path
        operation["operationId"] += "_alias"
        operation["summary"] = f"Redirects to {alias_of}"
        operation["responses"]["308"] = {
            "description": f"Redirect to {alias_of}, which answers as documented"
        }
    parameters = _parameters(rule, docs, bounds)
    if parameters:
        operation["parameters"] = parameters
    return operation


def _parameters(
    rule: Rule, docs: Documentation, bounds: Mapping[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The rule's path arguments (each required), then the query parameters `documented` gave."""
    parameters: list[dict[str, Any]] = []
    for m in _CONVERTER.finditer(rule.rule):
        parameters.append(
            {
                "name": m.group("name"),
                "in": "path",
                "required": True,
                "schema": {"type": _TYPES.get(m.group("conv") or "", "string")},
            }
        )
    for name, kind, text in docs.params:
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "allowEmptyValue": True,  # ?page= is the same as no page at all
                "description": text,
                "schema": bounds.get(name, {}) | _schema(kind)
                if kind == "integer"
                else _schema(kind),
            }
        )
    return parameters


def _error(description: str, **headers: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if headers:
        response["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return response


def _components() -> dict[str, Any]:
    """Every record's and page's schema (kb.web.openapi_records, _pages, _graphs, kb/1's own
    definitions) and the error answers of the .json paths (kb.web.present.http_error,
    kb.web.error_pages); a fresh dict each time, so no caller can change another's document."""
    return {
        "schemas": {
            **openapi_records.kb1_components(),
            **openapi_records.records(),
            **openapi_pages.envelopes(),
            **openapi_pages.pages(),
            **openapi_graphs.graphs(),
        },
        "responses": {
            "BadRequest": _error("A malformed parameter: the message names it"),
            "NotFound": _error("No record has that slug, or no page that address"),
            "MethodNotAllowed": _error(
                "A method other than GET or HEAD", Allow="the methods the path answers"
            ),
            "Unavailable": _error(
                "The database cannot serve now (busy, read-only, full or unreachable)",
                **{"Retry-After": "seconds to wait before trying again"},
            ),
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of every JSON endpoint of kb.

    Its server is KB_BASE_URL when set, else the path kb is served under ("/"), which OpenAPI
    reads relative to the document's own address: a client gets the host it asked, and the
    document never repeats the Host header, which anyone may forge and kb's caches do not
    key on (kb.web.caching)."""
    root = (request.script_root or "/") if has_request_context() else None
    return jsonify(openapi_document(current_app, root))
