"""Error pages: a reader who follows a dead link gets a page, not a stack trace.

A database that cannot serve (busy, read-only, disk full, unreachable) is a state of the machine,
not a bug in kb: it gets a 503 with a plain message and a Retry-After, and a line in the log for
the operator. Any other database error stays a 500, because it is a bug to fix.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import BadRequest, HTTPException, ServiceUnavailable
from werkzeug.wrappers import Response

from kb import db
from kb.pagination import BadParameter
from kb.web import database, present

RETRY_AFTER_SECONDS = 30


def init_app(app: Flask) -> None:
    # Also for an address no route matches: one ending in .json (say /quotes/null.csl.json)
    # is answered in JSON like the twins' own errors.
    app.register_error_handler(HTTPException, http_error)

    @app.errorhandler(BadParameter)
    def bad_parameter(exc: BadParameter):
        """A query parameter the queries refused: the same 400 as any bad request, through the
        blueprint's own handler when it has one (the JSON twins answer in JSON)."""
        return current_app.handle_http_exception(BadRequest(exc.description))

    @app.errorhandler(DBAPIError)
    def database_error(exc: DBAPIError):
        reason = database.unavailable_reason(exc)
        if reason is None:
            raise exc  # a bug: the usual 500 page, with the traceback in the log only
        current_app.logger.warning("database unavailable (%s): %s", reason, exc.orig)
        database.discard_session()
        message = db.UNAVAILABLE_MESSAGES[reason]
        if request.path.endswith(".json"):  # the error body /api/openapi.json documents
            answer = current_app.make_response(present.http_error(ServiceUnavailable(message)))
            answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return answer
        try:
            body = render_template(
                "errors/error.html", code=503, name="Service Unavailable", message=message
            )
            mimetype = "text/html"
        except Exception:  # the page itself needs the database (the logged-in user)
            body, mimetype = f"503 Service Unavailable\n\n{message}\n", "text/plain"
        response = Response(body, 503, mimetype=mimetype)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def http_error(exc: HTTPException) -> Response:
    """present.http_error's page or JSON body, with the headers the error carries: a 405
    names the methods the address answers in Allow (RFC 9110), which a client needs to
    correct itself. Errors raised while routing (405, and 404 for an unknown address) come
    here rather than to a blueprint's handler, as no blueprint matched."""
    response = current_app.make_response(present.http_error(exc))
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response
