"""/ns: kb's vocabulary, the kb: terms of its linked data (kb.formats.vocab), published where
their IRIs point (`<base>/ns#term`), so each term can be looked up: a page for people, Turtle
(/ns.ttl) and JSON-LD (/ns.jsonld) for programs. The vocabulary is named under the same base
as the dumps (kb.web.export.dump_base), so its terms are the ones the dumps and pages use."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from kb.formats import rdf
from kb.formats.iris import IRIs
from kb.formats.vocab import TERMS
from kb.web.export import dump_base

bp = Blueprint("vocab", __name__)

MEDIA_TYPES = {"ttl": ("turtle", "text/turtle"), "jsonld": ("json-ld", "application/ld+json")}


def _page(fmt: str) -> Response | str:
    base = dump_base()
    if fmt == "html":
        terms = sorted(TERMS, key=lambda t: (not t.is_class, t.name.lower()))
        return render_template("vocab.html", terms=terms, vocab=IRIs(base).vocab)
    syntax, mimetype = MEDIA_TYPES[fmt]
    return Response(rdf.vocabulary(base).serialize(format=syntax), mimetype=mimetype)


@bp.get("/ns", defaults={"fmt": "html"})
@bp.get("/ns.ttl", defaults={"fmt": "ttl"})
@bp.get("/ns.jsonld", defaults={"fmt": "jsonld"})
def page(fmt: str) -> Response | str:
    """kb's vocabulary: every kb: term with its label, meaning, domain and range."""
    return _page(fmt)
