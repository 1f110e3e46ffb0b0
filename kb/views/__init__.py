"""One blueprint per audience: browse (readers), admin (editors), export (researchers), api."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from kb.views import browse, errors

    app.register_blueprint(browse.bp)
    errors.init_app(app)
