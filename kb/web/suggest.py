"""/api/suggest/<kind>?q=...&limit=10: suggestions for the pickers' datalists (static/pickers.js).

Bounded (at most kb.queries.suggest.MAX_LIMIT items, a query of at most MAX_QUERY characters),
answered in JSON, which the script puts into the page as text, never as markup. People, claims,
topics and sources have public pages, so anyone may ask about them; quotes are suggested only
to editors (the stance form's evidence), so anonymous requests for them get a 401.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user
from jinja2.utils import htmlsafe_json_dumps

from kb import models as m
from kb.queries import suggest as q
from kb.web import auth
from kb.web.database import get_session

bp = Blueprint("suggest", __name__, url_prefix="/api/suggest")


def _error(status: int, message: str) -> Any:
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    return response


def _limit() -> int | None:
    raw = request.args.get("limit", "").strip()
    if not raw:
        return q.DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= q.MAX_LIMIT:
        return None
    return int(raw)


@bp.get("/<kind>")
def suggest(kind: str) -> Any:
    """Records of `kind` whose slug or name matches `q`, best first, at most `limit`."""
    if kind not in q.KINDS:
        return _error(404, f"kind must be one of {', '.join(q.KINDS)}, not {kind[:40]!r}")
    if kind not in q.PUBLIC_KINDS:
        if not current_user.is_authenticated:
            return _error(401, f"log in as an editor to get {kind} suggestions")
        if current_user.role not in m.ROLES:
            return _error(403, "Your account may not use this page.")
        auth.stamp_session(get_session())
    limit = _limit()
    if limit is None:
        return _error(400, f"limit must be a whole number from 1 to {q.MAX_LIMIT}")
    text = q.clean(request.args.get("q"))
    session = get_session()
    if kind == "quote":
        items = q.suggest_quotes(session, text, limit, request.args.get("person"))
    else:
        items = q.suggest(session, kind, text, limit)
    payload = {"kind": kind, "q": text, "items": [s.as_json() for s in items]}
    # <, >, & and ' as \u escapes: the body stays inert even if something renders it as HTML.
    response = Response(htmlsafe_json_dumps(payload), mimetype="application/json")
    if kind not in q.PUBLIC_KINDS:  # an editor's: never in a shared cache
        response.headers["Cache-Control"] = "private, no-store"
    # Public kinds are cached by kb.web.caching per data version, like every public page.
    return response
