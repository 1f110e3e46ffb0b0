"""Graph files written as a stream: GraphML, GEXF 1.3 and node-link JSON, straight from rows.

kb.graph.writers builds a networkx graph first and lets networkx write it; at the reference scale
(2,000 people, 50,000 claims, 1,000,000 stances) that took several minutes and several GB. These
writers emit the same graph (same ids, attributes and edge kinds as writers.export_graph) while
reading the rows, so memory stays flat and the first bytes leave at once. Tests load every file
back with networkx (and igraph), and validate the GraphML against the GraphML 1.0 XSD.

In the XML files an edge's id is file_style.edge_xml_id (e-person-1-claim-2-stance: GraphML
ids are NMTOKENs, which "person:1>claim:2:stance" is not); node-link JSON keeps that older key.

Each writer is a generator of str chunks; the caller encodes them as UTF-8.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from sqlalchemy.orm import Session

from kb.graph import cached, file_style, writers
from kb.graph.agreement import Agreement
from kb.queries import graph as q

# XML 1.0 forbids most control characters even when escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

NODE_ATTRS = (("kind", "string"), ("slug", "string"), ("label", "string"), ("name", "string"))
PERSON_ATTRS = (("camp", "int"),)
GRAPHML_PERSON_ATTRS = (("camp", "string"),)
"""GraphML writes the camp as its label (writers.graphml_camp): igraph has one number type."""
EDGE_ATTRS = (
    ("kind", "string"),
    ("position", "string"),
    ("weight", "double"),
    ("as_of", "string"),
    ("basis", "string"),
    ("evidence", "int"),
    ("score", "double"),
    ("agreements", "int"),
    ("disagreements", "int"),
    ("shared", "int"),
)
"""Every attribute with its attr.type (int, double, string): networkx reads each as that type,
igraph the ints as whole-number doubles (it has one number type)."""
GEXF_TYPES = {"int": "integer", "double": "double", "string": "string"}


def _clean(value: object) -> str:
    return _NOT_XML.sub("", str(value))


@dataclass(frozen=True)
class Item:
    """One node or edge: id, source/target for edges, and its attributes."""

    id: str
    attrs: dict[str, Any]
    source: str | None = None
    target: str | None = None


def items(session: Session, as_of: dt.date | None = None) -> Iterator[tuple[str, Item]]:
    """("node", item) for every person and claim, then ("edge", item) for every stance,
    relation and agreement edge: the graph writers.export_graph makes, row by row."""
    yield from node_items(session, as_of)
    yield from edge_items(session, as_of)


def node_items(session: Session, as_of: dt.date | None = None) -> Iterator[tuple[str, Item]]:
    yield from _node_items(session, cached.camps(session, as_of).camp_of)


def edge_items(session: Session, as_of: dt.date | None = None) -> Iterator[tuple[str, Item]]:
    agreement = cached.agreement(session, as_of)
    yield from _stance_items(session, as_of)
    yield from _relation_items(session)
    yield from _agreement_items(agreement)


def _node_items(session: Session, camp_of: Mapping[int, int]) -> Iterator[tuple[str, Item]]:
    """Every person (with its camp, 0 for none), then every claim (its text on one line)."""
    for pid, slug, name in q.people_rows(session):
        yield (
            "node",
            Item(
                f"person:{pid}",
                {
                    "kind": "person",
                    "slug": slug,
                    "label": name,
                    "name": name,
                    "camp": camp_of.get(pid, 0),
                },
            ),
        )
    for cid, slug, text in q.iter_claim_rows(session):
        label = " ".join(text.split())
        yield (
            "node",
            Item(f"claim:{cid}", {"kind": "claim", "slug": slug, "label": label, "name": label}),
        )


def _stance_items(session: Session, as_of: dt.date | None) -> Iterator[tuple[str, Item]]:
    """A person -> claim edge per stance standing at `as_of`, weighted by its evidence."""
    for _sid, pid, cid, position, stance_as_of, basis, evidence in q.iter_stance_edge_rows(
        session, as_of
    ):
        u, v = f"person:{pid}", f"claim:{cid}"
        yield (
            "edge",
            Item(
                f"{u}>{v}:stance",
                {
                    "kind": "stance",
                    "position": position,
                    "weight": float(evidence),
                    "evidence": int(evidence),
                    "as_of": stance_as_of.isoformat() if stance_as_of else "",
                    "basis": basis,
                },
                u,
                v,
            ),
        )


def _relation_items(session: Session) -> Iterator[tuple[str, Item]]:
    """A claim -> claim edge per relation (supports, contradicts)."""
    for src, dst, kind, _rid in q.iter_relation_rows(session):
        u, v = f"claim:{src}", f"claim:{dst}"
        yield (
            "edge",
            Item(f"{u}>{v}:{kind}", {"kind": "relation", "position": kind, "weight": 1.0}, u, v),
        )


def _agreement_items(agreement: Agreement) -> Iterator[tuple[str, Item]]:
    """A person -- person edge per agreement pair: all of them up to writers.EXPORT_ALL_PAIRS,
    past it each person's strongest (as writers.export_graph chooses)."""
    graph_ids = agreement.person_ids
    score = agreement.score
    for k in writers.export_pairs(agreement).tolist():
        a, b = int(graph_ids[agreement.i[k]]), int(graph_ids[agreement.j[k]])
        u, v = f"person:{a}", f"person:{b}"
        yield (
            "edge",
            Item(
                f"{u}>{v}:agreement",
                {
                    "kind": "agreement",
                    "position": "agreement",
                    "weight": float(score[k]),
                    "score": float(score[k]),
                    "agreements": int(agreement.agreements[k]),
                    "disagreements": int(agreement.disagreements[k]),
                    "shared": int(agreement.shared[k]),
                },
                u,
                v,
            ),
        )


def agreement_note(session: Session, as_of: dt.date | None = None) -> str:
    """What the agreement edges are, as writers.export_graph says it."""
    if len(cached.agreement(session, as_of)) <= writers.EXPORT_ALL_PAIRS:
        return "all pairs sharing a claim"
    return f"each person's {writers.STRONGEST_PER_PERSON} strongest agreements and disagreements"


def _batched(chunks: Iterator[str], size: int = 1 << 16) -> Iterator[str]:
    buf: list[str] = []
    n = 0
    for chunk in chunks:
        buf.append(chunk)
        n += len(chunk)
        if n >= size:
            yield "".join(buf)
            buf, n = [], 0
    if buf:
        yield "".join(buf)


GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
YFILES_NS = "http://www.yworks.com/xml/graphml"
GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"


def _graphml_head(yed: bool) -> Iterator[str]:
    """The root and the typed keys: d0, d1, ... for the attributes, g0 for the graph's note and,
    for yEd, "ng", the yFiles node graphics (a key with yfiles.type and no attr.name, as yEd
    writes it)."""
    yns = f' xmlns:y="{YFILES_NS}"' if yed else ""
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<graphml xmlns="{GRAPHML_NS}"{yns}'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' xsi:schemaLocation="{GRAPHML_NS} http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    )
    for n, (target, name, kind) in enumerate(_graphml_keys()):
        yield f'  <key id="d{n}" for="{target}" attr.name="{name}" attr.type="{kind}" />\n'
    yield '  <key id="g0" for="graph" attr.name="agreement_edges" attr.type="string" />\n'
    if yed:
        yield '  <key id="ng" for="node" yfiles.type="nodegraphics" />\n'


def _graphml_keys() -> list[tuple[str, str, str]]:
    nodes = [("node", name, kind) for name, kind in NODE_ATTRS + GRAPHML_PERSON_ATTRS]
    return nodes + [("edge", name, kind) for name, kind in EDGE_ATTRS]


def _yed_graphics(label: str, style: file_style.Style) -> str:
    """A yFiles ShapeNode: the node's place on the opinion map (if it has one), its size,
    colour, shape and label, which yEd draws as it opens the file."""
    side = round(style.size * 4, 1)
    geometry = (
        f'<y:Geometry height="{side}" width="{side}" x="{style.xy[0]}" y="{style.xy[1]}"/>'
        if style.xy
        else ""
    )
    shape = file_style.SHAPES[style.shape]
    return (
        f'<data key="ng"><y:ShapeNode>{geometry}<y:Fill color="{style.colour.upper()}"'
        ' transparent="false"/><y:BorderStyle color="#FFFFFF" type="line" width="1.0"/>'
        f"<y:NodeLabel>{escape(_clean(label))}</y:NodeLabel>"
        f'<y:Shape type="{shape}"/></y:ShapeNode></data>'
    )


def graphml(session: Session, as_of: dt.date | None = None, yed: bool = False) -> Iterator[str]:
    """GraphML 1.0 (Cytoscape, igraph, networkx), valid against the GraphML XSD: typed keys
    (the camp a label, writers.graphml_camp), node ids "person:1" / "claim:2", edge ids from
    file_style.edge_xml_id. With `yed`, each node also carries yFiles graphics (label, camp colour and shape, the map's place), which yEd
    needs to show anything; those are yFiles' extension of <data>, outside the plain XSD."""

    def gen() -> Iterator[str]:
        yield from _graphml_head(yed)
        keys = {(t, name): f"d{n}" for n, (t, name, _k) in enumerate(_graphml_keys())}
        styles = file_style.Styles(session, as_of) if yed else None
        yield '  <graph id="kb" edgedefault="directed">\n'
        yield f'    <data key="g0">{escape(agreement_note(session, as_of))}</data>\n'
        for what, item in items(session, as_of):
            data = "".join(
                f'<data key="{keys[(what, k)]}">{escape(_clean(_graphml_value(k, v)))}</data>'
                for k, v in item.attrs.items()
            )
            if what == "node":
                if styles is not None:
                    data += _yed_graphics(item.attrs["label"], styles.of(item.id))
                yield f"    <node id={quoteattr(item.id)}>{data}</node>\n"
            else:
                yield (
                    f'    <edge id="{_edge_id(item)}" source={quoteattr(item.source or "")}'
                    f" target={quoteattr(item.target or '')}>{data}</edge>\n"
                )
        yield "  </graph>\n</graphml>\n"

    return _batched(gen())


def _graphml_value(key: str, value: Any) -> Any:
    """An attribute's value as GraphML writes it: the camp as its label, the rest as they are."""
    return writers.graphml_camp(value) if key == "camp" else value


def _edge_id(item: Item) -> str:
    kind = item.attrs["position"] if item.attrs["kind"] == "relation" else item.attrs["kind"]
    return file_style.edge_xml_id(item.source or "", item.target or "", str(kind))


def gexf_weight(attrs: Mapping[str, Any]) -> float:
    """GEXF's `weight`, one meaning for every edge: how strongly the edge pulls its two ends
    together, from 0 (not at all) to 1, which is what Gephi's layouts read it as. A stance or
    a relation pulls 1; an agreement pair (score + 1) / 2, so people who disagree on every
    claim they share pull 0 and never attract. Evidence counts and scores are attributes."""
    if attrs["kind"] == "agreement":
        return (float(attrs["score"]) + 1.0) / 2.0
    return 1.0


GEXF_NODE_ATTRS = [a for a in NODE_ATTRS + PERSON_ATTRS if a[0] != "label"]
GEXF_EDGE_ATTRS = [a for a in EDGE_ATTRS if a[0] != "weight"]


def _gexf_head(note: str) -> Iterator[str]:
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gexf xmlns="{GEXF_NS}" xmlns:viz="{VIZ_NS}"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' xsi:schemaLocation="{GEXF_NS} http://gexf.net/1.3/gexf.xsd"'
        ' version="1.3">\n'
        "  <meta><creator>kb</creator><description>kb viewpoint graph; agreement edges: "
        f"{escape(note)}; weight: how strongly an edge pulls its ends together, 0 to 1"
        "</description></meta>\n"
        '  <graph defaultedgetype="directed" mode="static">\n'
    )
    for cls, attrs in (("node", GEXF_NODE_ATTRS), ("edge", GEXF_EDGE_ATTRS)):
        yield f'    <attributes class="{cls}" mode="static">\n'
        for n, (name, kind) in enumerate(attrs):
            yield f'      <attribute id="{n}" title="{name}" type="{GEXF_TYPES[kind]}" />\n'
        yield "    </attributes>\n"


def _gexf_viz(style: file_style.Style) -> str:
    """viz:color, viz:position (y turned up for Gephi), viz:size and viz:shape."""
    r, g, b = style.rgb
    out = f'<viz:color r="{r}" g="{g}" b="{b}" hex="{style.colour}" />'
    if style.xy:
        out += f'<viz:position x="{style.xy[0]}" y="{-style.xy[1]}" z="0.0" />'
    shape = "disc" if style.shape == "circle" else style.shape
    return out + f'<viz:size value="{style.size}" /><viz:shape value="{shape}" />'


def gexf(session: Session, as_of: dt.date | None = None) -> Iterator[str]:
    """GEXF 1.3 (Gephi): node labels as GEXF labels, kb's colours, the opinion map's layout and
    sizes by degree as viz:*, agreement edges undirected in a graph whose stances and relations
    are directed (a mixed graph, which Gephi reads), `weight` as gexf_weight says."""
    ids = {("node", name): str(n) for n, (name, _k) in enumerate(GEXF_NODE_ATTRS)}
    ids |= {("edge", name): str(n) for n, (name, _k) in enumerate(GEXF_EDGE_ATTRS)}

    def gen() -> Iterator[str]:
        yield from _gexf_head(agreement_note(session, as_of))
        styles = file_style.Styles(session, as_of)
        yield "    <nodes>\n"
        in_edges = False
        for what, item in items(session, as_of):
            values = "".join(
                f'<attvalue for="{ids[(what, k)]}" value={quoteattr(_clean(v))} />'
                for k, v in item.attrs.items()
                if (what, k) in ids
            )
            if what == "node":
                label = quoteattr(_clean(item.attrs["label"]))
                yield (
                    f"      <node id={quoteattr(item.id)} label={label}>"
                    f"<attvalues>{values}</attvalues>{_gexf_viz(styles.of(item.id))}</node>\n"
                )
                continue
            if not in_edges:
                yield "    </nodes>\n    <edges>\n"
                in_edges = True
            kind = ' type="undirected"' if item.attrs["kind"] == "agreement" else ""
            yield (
                f'      <edge id="{_edge_id(item)}" source={quoteattr(item.source or "")}'
                f" target={quoteattr(item.target or '')}{kind}"
                f' weight="{gexf_weight(item.attrs)!r}">'
                f"<attvalues>{values}</attvalues></edge>\n"
            )
        yield ("    </edges>\n" if in_edges else "    </nodes>\n    <edges>\n    </edges>\n")
        yield "  </graph>\n</gexf>\n"

    return _batched(gen())


def node_link(session: Session, as_of: dt.date | None = None) -> Iterator[str]:
    """networkx node-link JSON that `nx.node_link_graph(data)` reads as it is on every networkx
    kb supports: the edges are written twice, under "edges" (the default key from networkx 3.6
    on) and under "links" (the default up to 3.5, the only key before 3.4). Two passes over the
    rows rather than one list in memory: the file is bigger, memory stays flat."""

    def records(kind: str) -> Iterator[str]:
        first = True
        for what, item in (node_items if kind == "node" else edge_items)(session, as_of):
            if what == "node":
                record = {"id": item.id, **item.attrs}
            else:
                record = {"source": item.source, "target": item.target, "key": item.id}
                record |= item.attrs
            yield ("" if first else ",\n") + json.dumps(record, ensure_ascii=False)
            first = False

    def gen() -> Iterator[str]:
        graph = {"name": "kb viewpoint graph", "agreement_edges": agreement_note(session, as_of)}
        yield f'{{"directed": true, "multigraph": true, "graph": {json.dumps(graph)},\n'
        yield '"nodes": [\n'
        yield from records("node")
        for key in ("edges", "links"):
            yield f'\n],\n"{key}": [\n'
            yield from records("edge")
        yield "\n]}\n"

    return _batched(gen())
