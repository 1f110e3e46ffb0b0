"""The graph the graph files carry, as networkx: `export_graph`.

kb.graph.stream writes GraphML, GEXF 1.3 and node-link JSON row by row; this networkx copy is
what they must hold (the tests compare them), and it says what is in them:

- nodes "person:<id>" and "claim:<id>" with kind, slug, label (and name, which Cytoscape shows),
  and for people their camp number (0 = none), which GraphML writes as a label instead
  (`graphml_camp`: "Camp 2", "No camp"; igraph would read a GraphML int as 1.0);
- edges with kind = "stance" (person -> claim; position supports/opposes/mixed; evidence = number
  of evidence quotes and signatures, and weight the same number; as_of; basis), "relation"
  (claim -> claim; position supports/contradicts; weight 1) or "agreement" (person -> person,
  lower id first; score in [-1, 1], and weight the same score; agreements, disagreements,
  shared). GraphML and node-link JSON keep that `weight` as it always was; GEXF, which Gephi's
  layouts read as a pull between the ends, gives `weight` one meaning there (see kb.graph.stream
  and docs/FORMAT.md) and carries evidence and score as attributes of their own. Up to EXPORT_ALL_PAIRS pairs every pair sharing a claim
  is an edge; above that (2,000 people make ~2 million pairs) only each person's strongest
  positive ties (the graph camps are found on) and strongest disagreements are kept, so the file
  stays openable; the graph's "agreement_edges" attribute says which.

Every attribute is a str, int or float (never None), because GraphML and GEXF have no null.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from kb.graph.agreement import Agreement
from kb.graph.analysis import Camps

EXPORT_ALL_PAIRS = 100_000
STRONGEST_PER_PERSON = 15
NO_CAMP = "No camp"


def graphml_camp(camp: int) -> str:
    """A person's camp as GraphML carries it: "Camp 2", or NO_CAMP for 0 (no camp). A label
    rather than a number because igraph reads every GraphML number as a float (camp 1.0), and
    a label is what a tool's partition or colour-by-attribute shows; GEXF and node-link JSON,
    whose readers keep integers, carry the number."""
    return f"Camp {camp}" if camp else NO_CAMP


def export_pairs(agreement: Agreement) -> np.ndarray:
    """The indexes of the agreement pairs the files carry: all of them up to EXPORT_ALL_PAIRS,
    past it each person's STRONGEST_PER_PERSON strongest (both signs)."""
    if len(agreement) <= EXPORT_ALL_PAIRS:
        return np.arange(len(agreement))
    return np.asarray(agreement.strongest(STRONGEST_PER_PERSON).nonzero()[0])


def export_graph(
    viewpoint: nx.MultiDiGraph, agreement: Agreement | None = None, camps: Camps | None = None
) -> nx.MultiDiGraph:
    """A file-ready copy of the viewpoint graph with string node ids and agreement edges."""
    camp_of = camps.camp_of if camps else {}
    out: nx.MultiDiGraph[str] = nx.MultiDiGraph(name="kb viewpoint graph")

    def nid(n: tuple[str, int]) -> str:
        return f"{n[0]}:{n[1]}"

    for n, data in sorted(viewpoint.nodes(data=True)):
        attrs: dict[str, str | float] = {
            "kind": str(data["kind"]),
            "slug": str(data["slug"]),
            "label": str(data["label"]),
            "name": str(data["label"]),
        }
        if n[0] == "person":
            attrs["camp"] = int(camp_of.get(n[1], 0))
        out.add_node(nid(n), **attrs)
    for u, v, k, data in viewpoint.edges(keys=True, data=True):
        attrs = {
            "kind": str(data["kind"]),
            "position": str(data["position"]),
            "weight": float(data["weight"]),
        }
        if data["kind"] == "stance":
            attrs.update(as_of=str(data["as_of"] or ""), basis=str(data["basis"]))
            attrs["evidence"] = int(data["weight"])
        out.add_edge(nid(u), nid(v), key=f"{nid(u)}>{nid(v)}:{k}", **attrs)
    if agreement is not None:
        if len(agreement) <= EXPORT_ALL_PAIRS:
            agree = agreement.to_networkx()
            out.graph["agreement_edges"] = "all pairs sharing a claim"
        else:
            agree = agreement.to_networkx(pairs=agreement.strongest(STRONGEST_PER_PERSON))
            out.graph["agreement_edges"] = (
                f"each person's {STRONGEST_PER_PERSON} strongest agreements and disagreements"
            )
        for u, v, data in agree.edges(data=True):
            if u not in viewpoint or v not in viewpoint:
                continue
            a, b = sorted((u, v))
            out.add_edge(
                nid(a),
                nid(b),
                key=f"{nid(a)}>{nid(b)}:agreement",
                kind="agreement",
                position="agreement",
                weight=float(data["score"]),
                score=float(data["score"]),
                agreements=int(data["agreements"]),
                disagreements=int(data["disagreements"]),
                shared=int(data["shared"]),
            )
    return out
