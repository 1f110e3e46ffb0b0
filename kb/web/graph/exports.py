"""/export/graph.graphml, .gexf and .json: the viewpoint graph with its agreement edges as files
for Cytoscape, yEd, Gephi and networkx, streamed from the database by kb.graph.stream."""

from __future__ import annotations

from typing import Any

from flask import Response, stream_with_context

from kb.graph import stream
from kb.web import streams
from kb.web.api import documented
from kb.web.database import get_session
from kb.web.graph.blueprint import AS_OF_PARAM, as_of, bp


def _stream(chunks: Any, mimetype: str, ext: str) -> Response:
    body = stream_with_context(c.encode("utf-8") for c in chunks)
    return streams.download(body, mimetype, f"kb-graph.{ext}")


@bp.get("/export/graph.graphml")
def export_graphml() -> Response:
    """The viewpoint graph with agreement edges as GraphML (Cytoscape, yEd, networkx),
    streamed from the database (kb.graph.stream)."""
    return _stream(stream.graphml(get_session(), as_of()), "application/graphml+xml", "graphml")


@bp.get("/export/graph.yed.graphml")
def export_yed_graphml() -> Response:
    """The same GraphML with yFiles graphics on every node (label, camp colour and shape, the
    opinion map's place), so yEd shows the graph as it opens it."""
    chunks = stream.graphml(get_session(), as_of(), yed=True)
    return _stream(chunks, "application/graphml+xml", "yed.graphml")


@bp.get("/export/graph.gexf")
def export_gexf() -> Response:
    """The same graph as GEXF 1.3 (Gephi) with kb's colours, the map's layout and sizes, streamed."""
    return _stream(stream.gexf(get_session(), as_of()), "application/gexf+xml", "gexf")


@documented(AS_OF_PARAM)
@bp.get("/export/graph.json")
def export_json() -> Response:
    """The same graph as networkx node-link JSON, streamed."""
    return _stream(stream.node_link(get_session(), as_of()), "application/json", "json")
