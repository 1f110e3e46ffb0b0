"""Machine-readable descriptions of kb's JSON endpoints (/api/openapi.json).

The document is generated from the app's URL map: every rule whose path ends in ".json" is an
operation, so a JSON endpoint that any blueprint adds is described without anyone remembering
to. The view's docstring gives the summary; `@documented(...)` on the view declares the rest:
its query parameters as (name, type or list of allowed values, description) and a content type
other than application/json. The declarations live in one registry, read here, rather than in
attributes hung on the functions (which a type checker cannot see).
"""

from __future__ import annotations

import inspect
import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, current_app, jsonify
from werkzeug.routing import Rule

bp = Blueprint("api", __name__, url_prefix="/api")

_CONVERTER = re.compile(
    r"<(?:(?P<conv>[a-zA-Z_][a-zA-Z0-9_]*)(?:\([^)]*\))?:)?(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>"
)
_TYPES = {"int": "integer", "float": "number"}

# A query parameter: its name, its type ("string", "integer", "date"...) or the list of values
# it allows, and what it does.
Param = tuple[str, "str | Sequence[str]", str]
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
    and the body's JSON type ("object" or "array") of a JSON view. Stack it above the route
    decorator; the view itself is returned unchanged."""

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


def _body_schema(body: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "object"}} if body == "array" else {"type": body}


def _schema(kind: Any) -> dict[str, Any]:
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


def openapi_document(app: Flask) -> dict[str, Any]:
    """An OpenAPI 3.1 document for every rule of `app` that ends in ".json"."""
    paths: dict[str, Any] = {}
    aliases = _aliases(app)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.endswith(".json") or "GET" not in (rule.methods or ()):
            continue
        path = _CONVERTER.sub(lambda m: "{" + m.group("name") + "}", rule.rule)
        paths.setdefault(path, {})["get"] = _operation(app, rule, aliases.get(rule.rule))
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "kb",
            "version": "1",
            "description": "Who claims what about AI risk, and on what evidence. Every page of kb "
            "has a JSON twin at its path + .json; lists take ?page= and ?per_page= (at most "
            f"{app.config.get('MAX_PAGE_SIZE')}). An empty parameter is the same as one left "
            "out; a malformed one is a 400 whose message names it.",
        },
        "paths": paths,
        "components": _components(),
    }
    if app.config.get("BASE_URL"):
        # the configured address only: the request's Host header is anyone's to forge
        document["servers"] = [{"url": app.config["BASE_URL"]}]
    return document


def _operation(app: Flask, rule: Rule, alias_of: str | None) -> dict[str, Any]:
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
                "content": {docs.media_type: {"schema": _body_schema(docs.body)}},
            },
            "400": {"$ref": "#/components/responses/Error"},
            "404": {"$ref": "#/components/responses/Error"},
        },
    }
    if alias_of is not None:  # a redirect to the same operation at its canonical path
        operation["operationId"] += "_alias"
        operation["summary"] = f"Redirects to {alias_of}"
        operation["responses"]["308"] = {
            "description": f"Redirect to {alias_of}, which answers as documented"
        }
    parameters = _parameters(rule, docs)
    if parameters:
        operation["parameters"] = parameters
    return operation


def _parameters(rule: Rule, docs: Documentation) -> list[dict[str, Any]]:
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
                "schema": _schema(kind),
            }
        )
    return parameters


def _components() -> dict[str, Any]:
    """The error body a JSON endpoint answers a 400 or 404 with (kb.web.present.http_error);
    a fresh dict each time, so no caller can change another's document."""
    return {
        "schemas": {
            "Error": {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "properties": {
                            "status": {"type": "integer"},
                            "name": {"type": "string"},
                            "message": {"type": "string"},
                        },
                        "required": ["status", "message"],
                    }
                },
            }
        },
        "responses": {
            "Error": {
                "description": "A malformed parameter (400) or an unknown record (404)",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of every JSON endpoint of kb."""
    return jsonify(openapi_document(current_app))
