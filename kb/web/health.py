"""/healthz: is this app server fit to take traffic? For load balancers and monitors.

200 when the database answers and its schema is at the migration this code expects; 503
otherwise, with a status that says which (unreachable, not migrated, behind, ahead), so a
balancer takes the server out of rotation and a person reading the JSON knows what to do.

It costs one query (Alembic's version row, on a pooled connection): no session, no login, no
page cache (kb.web.caching leaves /healthz alone, since its validator query would itself need the
database), and Cache-Control: no-store so no proxy answers for the app.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from sqlalchemy.exc import SQLAlchemyError

from kb import migrate
from kb.db import UNAVAILABLE_MESSAGES
from kb.store import checks
from kb.web.database import SCHEMA_OK, get_engine
from kb.web.error_pages import RETRY_AFTER_SECONDS

bp = Blueprint("health", __name__)

# What answers whatever the schema: the probe itself, and the stylesheet of the 503 page.
_UNGATED = frozenset({"health.healthz", "static"})


@bp.before_app_request
def schema_gate() -> tuple[str, int, dict[str, str]] | None:
    """Every page answers 503 while the database's schema is not the one this code needs
    (behind, ahead, not migrated): a page would otherwise fail on a missing column with a 500,
    or half work. Once a worker has seen the schema at head it stops asking (no query per
    request); kb.web.database.unavailable_reason forgets that when a query then misses a table or column
    (someone downgraded the live database), so the gate asks again from the next request on."""
    if request.endpoint in _UNGATED or current_app.extensions.get(SCHEMA_OK):
        return None
    url = current_app.config["DATABASE_URL"]
    state = checks.schema_state(migrate.current_revision(get_engine()), url)
    if state.ok:
        current_app.extensions[SCHEMA_OK] = True
        return None
    current_app.logger.warning("schema %s: %s", state.status, state.detail)
    page = render_template(
        "errors/error.html",
        code=503,
        name="Service Unavailable",
        message=UNAVAILABLE_MESSAGES["schema"],
    )
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """The database's reachability and schema revision, as JSON."""
    url = current_app.config["DATABASE_URL"]
    head = migrate.head_revision(url)
    try:
        current = migrate.current_revision(get_engine())
    except SQLAlchemyError as exc:
        # The detail (a path, a host) goes to the log, not to whoever asks.
        current_app.logger.warning("healthz: the database did not answer: %s", exc)
        return _unhealthy(
            "unavailable",
            "unreachable",
            head,
            f"the database did not answer ({type(exc).__name__})",
        )
    except Exception as exc:  # noqa: BLE001 - a probe answers; the traceback goes to the log
        current_app.logger.exception("healthz: the check itself failed")
        return _unhealthy(
            "error", "unknown", head, f"the health check failed ({type(exc).__name__})"
        )
    state = checks.schema_state(current, url)
    body: dict[str, object] = {
        "status": state.status,
        "database": "reachable",
        "schema": current,
        "head": head,
    }
    if not state.ok:
        body["detail"] = state.detail
    return _reply(body, 200 if state.ok else 503)


def _unhealthy(status: str, database: str, head: str | None, detail: str) -> tuple[Response, int]:
    body = {"status": status, "database": database, "schema": None, "head": head}
    return _reply({**body, "detail": detail}, 503)


def _reply(body: dict[str, object], status: int) -> tuple[Response, int]:
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, status
