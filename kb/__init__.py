"""kb: who claims what about AI risk, and on what evidence."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from kb.paths import resource_dir


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: defaults from the environment, then the test dict if given; then
    the web layer (database session, blueprints, error pages, security, HTTP caching), the
    store's write hooks, and the `kb` commands."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("KB_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    os.makedirs(app.instance_path, exist_ok=True)

    from kb import config

    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    from kb.store import agreement_store, datastate, latest
    from kb.web import init_app as init_web

    init_web(app)
    datastate.install()
    latest.install()
    agreement_store.install()  # after the two above, whose work it follows

    from kb.cli import commands

    commands.init_app(app)

    if app.config.get("PROXIES"):
        # Behind N trusted reverse proxies (KB_PROXIES=N), take the client's address and
        # scheme from their X-Forwarded-* headers: rate limits count real clients and the
        # session cookie is marked Secure when the proxy speaks HTTPS.
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    return app
