"""/healthz: is this app server fit to take traffic? For load balancers and monitors.

200 when the database answers and its schema is at the migration this code expects; 503
otherwise, with a status that says which (unreachable, not migrated, behind, ahead), so a
balancer takes the server out of rotation and a person reading the JSON knows what to do.

It costs one query (Alembic's version row, on a pooled connection): no session, no login, no
page cache (kb.caching leaves /healthz alone, since its validator query would itself need the
database), and Cache-Control: no-store so no proxy answers for the app.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from kb import checks, migrate
from kb.db import get_engine

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """The database's reachability and schema revision, as JSON."""
    url = current_app.config["DATABASE_URL"]
    head = checks.head_revision(url)
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
    body = {"status": state.status, "database": "reachable", "schema": current, "head": head}
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
