"""Graph files written as a stream: GraphML, GEXF 1.3 and node-link JSON, straight from rows.

kb.graph.writers builds a networkx graph first and lets networkx write it; at the reference scale
(2,000 people, 50,000 claims, 1,000,000 stances) that took several minutes and several GB. These
writers emit the same graph (same ids, attributes and edge kinds as writers.export_graph) while
reading the rows, so memory stays flat and the first bytes leave at once. Tests load every file
back with networkx.

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

from kb.graph import cached, writers
from kb.graph.agreement import Agreement
from kb.queries import graph as q

# XML 1.0 forbids most control characters even when escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

NODE_ATTRS = (("kind", "string"), ("slug", "string"), ("label", "string"), ("name", "string"))
PERSON_ATTRS = (("camp", "long"),)
EDGE_ATTRS = (
    ("kind", "string"),
    ("position", "string"),
    ("weight", "double"),
    ("as_of", "string"),
    ("basis", "string"),
    ("agreements", "long"),
    ("disagreements", "long"),
    ("shared", "long"),
)


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
    mask = (
        None
        if len(agreement) <= writers.EXPORT_ALL_PAIRS
        else agreement.strongest(writers.STRONGEST_PER_PERSON)
    )
    graph_ids = agreement.person_ids
    score = agreement.score
    for k in range(len(agreement)) if mask is None else mask.nonzero()[0]:
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


def graphml(session: Session, as_of: dt.date | None = None) -> Iterator[str]:
    """GraphML 1.0 (Cytoscape, yEd, networkx), key ids d0, d1, ... unique in the file."""

    def gen() -> Iterator[str]:
        yield (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
            ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
            ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
        )
        keys: dict[tuple[str, str], str] = {}
        for target, attrs in (("node", NODE_ATTRS + PERSON_ATTRS), ("edge", EDGE_ATTRS)):
            for name, kind in attrs:
                key = f"d{len(keys)}"
                keys[(target, name)] = key
                yield (
                    f'  <key id="{key}" for="{target}" attr.name="{name}" attr.type="{kind}" />\n'
                )
        yield '  <key id="g0" for="graph" attr.name="agreement_edges" attr.type="string" />\n'
        yield '  <graph edgedefault="directed">\n'
        yield f'    <data key="g0">{escape(agreement_note(session, as_of))}</data>\n'
        for what, item in items(session, as_of):
            data = "".join(
                f'<data key="{keys[(what, k)]}">{escape(_clean(v))}</data>'
                for k, v in item.attrs.items()
            )
            if what == "node":
                yield f"    <node id={quoteattr(item.id)}>{data}</node>\n"
            else:
                yield (
                    f"    <edge id={quoteattr(item.id)} source={quoteattr(item.source or '')}"
                    f" target={quoteattr(item.target or '')}>{data}</edge>\n"
                )
        yield "  </graph>\n</graphml>\n"

    return _batched(gen())


def gexf(session: Session, as_of: dt.date | None = None) -> Iterator[str]:
    """GEXF 1.3 (Gephi): node labels as GEXF labels, edge weights as GEXF weights."""

    def gen() -> Iterator[str]:
        yield (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<gexf xmlns="http://gexf.net/1.3"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
            ' xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd"'
            ' version="1.3">\n'
            "  <meta><creator>kb</creator><description>kb viewpoint graph; agreement edges: "
            f"{escape(agreement_note(session, as_of))}</description></meta>\n"
            '  <graph defaultedgetype="directed" mode="static">\n'
        )
        ids: dict[tuple[str, str], int] = {}
        node_attrs = [a for a in NODE_ATTRS + PERSON_ATTRS if a[0] != "label"]
        edge_attrs = [a for a in EDGE_ATTRS if a[0] != "weight"]
        for cls, attrs in (("node", node_attrs), ("edge", edge_attrs)):
            yield f'    <attributes class="{cls}" mode="static">\n'
            for name, kind in attrs:
                ids[(cls, name)] = len(ids)
                yield f'      <attribute id="{ids[(cls, name)]}" title="{name}" type="{kind}" />\n'
            yield "    </attributes>\n"
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
                    f"<attvalues>{values}</attvalues></node>\n"
                )
            else:
                if not in_edges:
                    yield "    </nodes>\n    <edges>\n"
                    in_edges = True
                yield (
                    f"      <edge id={quoteattr(item.id)} source={quoteattr(item.source or '')}"
                    f" target={quoteattr(item.target or '')}"
                    f' weight="{float(item.attrs["weight"])!r}">'
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
