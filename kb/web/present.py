"""What the reader's blueprints share in how they answer: JSON bodies, error answers, links to
record pages and the agreement score's colour and sign. Here, below browse, graph and panels,
so that each imports it instead of importing one another (which made an import circle)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException


def json_response(data: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(data)
    response.status_code = status
    return response


def http_error(exc: HTTPException) -> Any:
    """The JSON twins answer errors in JSON (the shape /api/openapi.json documents); pages keep
    the site's HTML error page."""
    if request.path.endswith(".json"):
        return json_response(
            {"error": {"status": exc.code, "name": exc.name, "message": exc.description}},
            exc.code or 500,
        )
    return (
        render_template("errors/error.html", code=exc.code, name=exc.name, message=exc.description),
        exc.code,
    )


# The kinds of record with a reader's page, and the folder of their documented paths.
RECORD_PAGES = {"person": "people", "claim": "claims", "source": "sources", "topic": "topics"}


def href(kind: str, slug: str) -> str:
    """The reader's page of a record (a kind in RECORD_PAGES): the browse page when that
    blueprint is registered, else its documented path."""
    endpoint = f"browse.{kind}"
    if endpoint in current_app.view_functions:
        return url_for(endpoint, slug=slug)
    return f"/{RECORD_PAGES[kind]}/{slug}"


def score_class(score: float) -> str:
    bucket = max(-4, min(4, round(score * 4)))
    return f"score-{'p' if bucket >= 0 else 'n'}{abs(bucket)}"


def signed(score: float) -> str:
    return f"{score:+.2f}".replace("-", "−")
