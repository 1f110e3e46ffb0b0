"""The web layer: everything that imports Flask. One blueprint per audience: browse (readers),
graph (the agreement graph and its pictures), admin (editors), export (researchers), api
(machine-readable descriptions), plus health for load balancers."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from jinja2 import FileSystemBytecodeCache

from kb import dates, vocabulary
from kb.queries import shapes
from kb.web import head_links
from kb.web.present import urls


def init_app(app: Flask) -> None:
    """The database session per request, the blueprints, the error pages, the security
    headers and login, and HTTP caching, in the order each needs the one before."""
    from kb.web import caching, database, security

    database.init_app(app)
    _keep_compiled_templates(app)
    _register_blueprints(app)
    security.init_app(app)
    caching.init_app(app)


TEMPLATE_CACHE = "template-cache"
"""The folder, in the instance folder, of the templates compiled by Jinja."""


def _keep_compiled_templates(app: Flask) -> None:
    """Keep each template's compiled code in the instance folder (Jinja's bytecode cache),
    so that a template is compiled once per server rather than once per worker: compiling
    them all costs a worker 0.4 s of CPU (the macros alone 40 ms), paid on each kind of page's
    first visit; loading them back, 14 ms. A template that changed is compiled again (Jinja
    keys the code on the source's checksum). The folder is as trusted as the instance folder
    it sits in, which already holds the database file and the secret key. The TEMPLATE_CACHE
    setting names another folder (the tests share one)."""
    folder = Path(app.config.get("TEMPLATE_CACHE") or Path(app.instance_path) / TEMPLATE_CACHE)
    folder.mkdir(parents=True, exist_ok=True)
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(folder))


def _register_blueprints(app: Flask) -> None:
    import kb.web.estimates  # noqa: F401  (its views register on the browse blueprint)
    import kb.web.statements  # noqa: F401  (registers /statements on browse.bp)
    from kb.web import (
        admin,
        api,
        bridging,
        browse,
        cite,
        embeds,
        error_pages,
        evidence,
        export,
        feeds,
        graph,
        health,
        stand,
        suggest,
        vocab,
    )
    from kb.web.admin import evidence as evidence_admin
    from kb.web.admin import transfer

    app.register_blueprint(browse.bp)
    app.register_blueprint(cite.bp)  # /<page>.csl.json and the cite_this template global
    app.register_blueprint(graph.bp)
    app.register_blueprint(export.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(suggest.bp)  # /api/suggest/<kind>, for the pickers
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin.auth_bp)  # /login, /logout
    app.register_blueprint(transfer.bp)  # /admin/import
    app.register_blueprint(stand.bp)  # /stand and /stand.json: where a reader stands
    app.register_blueprint(health.bp)  # /healthz, for load balancers
    app.register_blueprint(vocab.bp)  # /ns: the kb: terms of the linked data
    app.register_blueprint(feeds.bp)  # /changes and the Atom feeds of what changed
    app.register_blueprint(embeds.bp)  # /embed/...: cards other sites may frame
    app.register_blueprint(evidence.bp)  # /quotes/<id>, /report/...: readers and the evidence
    app.register_blueprint(evidence_admin.bp)  # /admin/reports, /admin/evidence
    error_pages.init_app(app)
    bridging.init_app(app)  # /claims?sort=bridging and the rule's sentence
    # Navigation links only to pages that exist, so the layout never builds a dead link.
    app.jinja_env.globals["has_endpoint"] = lambda endpoint: endpoint in app.view_functions
    # A position's symbol and words, from the one place they are written (kb.vocabulary).
    app.jinja_env.globals["positions"] = vocabulary.positions
    # Every record link in a template: urls.person(slug), urls.edit(entity, id)... (present.py).
    app.jinja_env.globals["urls"] = urls
    # rel=canonical and rel=alternate in every public page's <head> (base.html).
    app.jinja_env.globals["head_links"] = head_links.head_links
    # A quote's attribution and check in readers' words (kb.queries.shapes), for templates
    # that get the record rather than its page data (the tension panels).
    app.jinja_env.globals["quote_labels"] = {
        "attribution": shapes.ATTRIBUTIONS,
        "checked": {key: label for key, (label, _) in shapes.CHECKED.items()},
    }
    # A date with its precision as readers see it ("2003", "February 2017", "17 July 2017"):
    # the same formatter that kb.queries.shapes uses for the pages' data.
    app.jinja_env.filters["partial_date"] = dates.humanize_partial
    app.jinja_env.filters["dates_in_words"] = dates.dates_in_words
