"""Exports for researchers: /export and the files under it.

Every file streams: the response body is a generator that reads the database through a
server-side cursor on its own connection (one consistent snapshot), so the first bytes leave at
once and memory stays flat whatever the size. The request's session is not used, so a long
download holds no ORM objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
)

from kb.formats import exports, kb1
from kb.formats.iris import DEFAULT_BASE_URL
from kb.queries import export as q
from kb.web import streams
from kb.web.api import documented
from kb.web.database import get_engine
from kb.web.params import csv_dialect

bp = Blueprint("export", __name__, url_prefix="/export")

# A text/* mimetype: werkzeug adds "; charset=utf-8" itself (naming it here doubled it).
CSV_MIMETYPE = "text/csv"


def _streamed(
    write: Callable[[exports.Reader], Iterator[Any]], mimetype: str, filename: str | None
) -> Response:
    engine = get_engine()

    def body() -> Iterator[Any]:
        with q.snapshot(engine) as conn:
            yield from write(q.Reader(conn))

    return streams.download(stream_with_context(body()), mimetype, filename)


@bp.get("/")
def index() -> str:
    with q.snapshot(get_engine()) as conn:
        counts = q.counts(conn)
    return render_template(
        "export/index.html",
        counts=counts,
        entities=kb1.ENTITIES,
        fields=kb1.FIELDS,
        list_fields=kb1.LIST_FIELDS,
        exports=exports.EXPORTS,
    )


@documented(media_type="application/schema+json")
@bp.get("/schema.json")
def schema() -> Response:
    return Response(kb1.schema_text(), mimetype="application/schema+json")


def dump_base() -> str:
    """The base URL the dumps name records under: KB_BASE_URL, else the documented default
    (never the request's Host, which anyone can forge), with any prefix kb is mounted under."""
    return (current_app.config.get("BASE_URL") or DEFAULT_BASE_URL) + request.script_root


def _whole(name: str) -> Response:
    spec = exports.EXPORTS[name]
    base = dump_base()
    return _streamed(lambda reader: spec.stream(reader, base), spec.mimetype, spec.filename)


@bp.get("/kb.json")
def kb_json() -> Response:
    return _whole("json")


@bp.get("/kb.zip")
def kb_zip() -> Response:
    return _whole("zip")


@bp.get("/kb.jsonld")
def kb_jsonld() -> Response:
    return _whole("jsonld")


@bp.get("/kb.ttl")
def kb_ttl() -> Response:
    return _whole("ttl")


@bp.get("/kb.nt")
def kb_nt() -> Response:
    return _whole("nt")


@bp.get("/kb.aif.json")
def kb_aif() -> Response:
    return _whole("aif")


@bp.get("/kb.xaif.json")
def kb_xaif() -> Response:
    return _whole("xaif")


@bp.get("/kb.arguebuf.json")
def kb_arguebuf() -> Response:
    return _whole("arguebuf")


@bp.get("/<entity>.csv")
def entity_csv(entity: str) -> Response:
    if entity not in kb1.ENTITIES:
        abort(
            404,
            description=f"There is no {entity!r} export. Try one of: {', '.join(kb1.ENTITIES)}.",
        )
    dialect = csv_dialect(request.args)
    return _streamed(
        lambda reader: exports.entity_csv(entity, reader, dialect), CSV_MIMETYPE, f"{entity}.csv"
    )
