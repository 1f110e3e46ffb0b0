"""Error pages: a reader who follows a dead link gets a page, not a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return (
            render_template(
                "errors/error.html", code=exc.code, name=exc.name, message=exc.description
            ),
            exc.code,
        )
