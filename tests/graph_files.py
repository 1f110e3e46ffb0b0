"""Reading kb's graph files back in tests, as the tools their users open them with would.

networkx reads GraphML as it is. Its GEXF reader refuses mixed graphs (it raises on an
undirected edge in a directed graph), and kb's GEXF is one on purpose: stances and relations
are directed, agreement edges undirected, which Gephi reads. `read_gexf` therefore notes the
undirected edges' ids, drops their type and lets networkx read the rest: the graph then holds
every edge (agreements once, lower person id first, as in the file) with all its attributes.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx

SCHEMAS = Path(__file__).parent / "schemas"
GEXF = "{http://gexf.net/1.3}"
VIZ = "{http://gexf.net/1.3/viz}"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
YFILES = "{http://www.yworks.com/xml/graphml}"


def undirected_edge_ids(data: bytes) -> set[str]:
    root = ET.fromstring(data)
    return {e.get("id", "") for e in root.iter(f"{GEXF}edge") if e.get("type") == "undirected"}


def read_gexf(data: bytes) -> nx.DiGraph:
    """kb's mixed GEXF as networkx reads it (a MultiDiGraph when some pair has two edges, as
    nx.read_gexf decides; see the module docstring)."""
    ET.register_namespace("", GEXF.strip("{}"))
    ET.register_namespace("viz", VIZ.strip("{}"))
    root = ET.fromstring(data)
    for edge in root.iter(f"{GEXF}edge"):
        if edge.get("type") == "undirected":
            del edge.attrib["type"]
    graph = nx.read_gexf(io.BytesIO(ET.tostring(root, encoding="utf-8")))
    assert isinstance(graph, nx.DiGraph)
    return graph


def validate_graphml(data: bytes) -> None:
    """Raise (with the first errors) unless `data` is valid against the GraphML 1.0 XSD in
    tests/schemas/graphml, loaded from disk: no network."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "graphml" / "graphml.xsd")))
    doc = etree.parse(io.BytesIO(data), etree.XMLParser(no_network=True, huge_tree=True))
    if not schema.validate(doc):
        errors = [f"{e.line}: {e.message}" for e in list(schema.error_log)[:5]]
        raise AssertionError("GraphML invalid against graphml.xsd:\n" + "\n".join(errors))
