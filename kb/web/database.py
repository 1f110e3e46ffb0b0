"""The database as the web app and the CLI hold it: the engine and sessionmaker on the app, a
session per request (or CLI command) on flask.g, and the schema check behind a 503.

kb.db knows engines and databases; this module knows Flask's app and request contexts, so that
nothing below the web layer imports Flask.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from kb import db
from kb.store import derived

# app.extensions key: this process has seen the schema at the code's head (kb.web.health).
SCHEMA_OK = "kb.schema_ok"


def init_app(app: Flask) -> None:
    engine = db.make_engine(app.config["DATABASE_URL"])
    app.extensions["kb.engine"] = engine
    app.extensions["kb.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_engine(app: Flask | None = None) -> Engine:
    return (app or current_app).extensions["kb.engine"]


def get_session() -> Session:
    """The session of the current request or CLI command, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["kb.sessionmaker"]()
    return g.db_session


def _close_session(_exc: BaseException | None = None) -> None:
    """Give the request's connection back to the pool. The session stays in `g`: a streamed
        response (stream_with_context) pushes the request's context again while it is sent and
        reads through this same session, and the teardown that ends the stream (finished, or
        closed because the client went away) must find it to close it once more. Popping it
        here left every streamed response's connection checked out until garbage collection. The
    values the request computed for every worker are kept once its connection is back."""
    session = g.get("db_session")
    if session is not None:
        session.close()
        derived.keep_pending(session)


@contextmanager
def session_scope(app: Flask | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error, for CLI and scripts."""
    session = (app or current_app).extensions["kb.sessionmaker"]()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        derived.keep_pending(session)


def unavailable_reason(exc: BaseException) -> str | None:
    """kb.db.unavailable_reason, plus "schema" when a query missed a table or column because
    the database is not migrated to the code's head (a 503 telling the operator what to run),
    rather than because of a bug (which stays a 500)."""
    if isinstance(exc, DBAPIError) and db.names_missing_schema(exc) and _schema_not_at_head():
        return "schema"
    return db.unavailable_reason(exc)


def _schema_not_at_head() -> bool:
    """Whether the database's schema is not the code's head, asked only after a query missed a
    table or column, so that a bug stays a 500 and a pending migration is a 503. Forgets that
    this process saw the schema at head, so kb.web.health's gate asks again."""
    if not has_app_context():
        return False
    from kb import migrate
    from kb.store import checks

    try:
        current = migrate.current_revision(get_engine())
    except DBAPIError:
        return False
    if checks.schema_state(current, current_app.config["DATABASE_URL"]).ok:
        return False
    current_app.extensions.pop(SCHEMA_OK, None)
    return True


def discard_session() -> None:
    """Roll back and close the request's session after the database refused, so that whatever
    runs next in the request (an error page) starts clean instead of on a failed transaction."""
    session = g.pop("db_session", None)
    if session is not None:
        with suppress(DBAPIError):
            session.close()
