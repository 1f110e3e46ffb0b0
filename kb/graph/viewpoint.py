"""The viewpoint graph (people and claims), its neighbourhoods, and the claim graph.

Nodes are plain keys, ("person", id) and ("claim", id), with attributes kind, slug and label
(a person's name, a claim's text); never ORM objects. The viewpoint graph is a MultiDiGraph:

- a stance edge person -> claim, key "stance", with kind="stance", position (supports / opposes
  / mixed), weight = the number of evidence quotes, as_of (ISO date or "") and basis;
- a relation edge claim -> claim, key = the relation kind, with kind="relation",
  position = supports / contradicts and weight = 1.

Only each person's latest stance on a claim is an edge (see kb.queries.graph).

At a few thousand nodes a picture is unreadable, so `build_viewpoint(max_nodes=N)` keeps the
most connected part: the people and the claims with the most stances (claims also count their
relations), a quarter of the budget for people; among those it draws at most EDGES_PER_NODE
stance edges per node (most evidence first), and it reports what it left out in `Viewpoint`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np
from sqlalchemy.orm import Session

from kb.graph.agreement import LatestStances
from kb.models import SIDE_COLUMNS
from kb.queries import graph as q

PEOPLE_SHARE = 0.25
EDGES_PER_NODE = 5


@dataclass(eq=False)
class Viewpoint:
    """A viewpoint graph and, when it was capped, what was left out."""

    graph: nx.MultiDiGraph
    people_total: int
    claims_total: int
    stances_total: int

    @property
    def people_shown(self) -> int:
        return sum(1 for _, d in self.graph.nodes(data=True) if d.get("kind") == "person")

    @property
    def claims_shown(self) -> int:
        return sum(1 for _, d in self.graph.nodes(data=True) if d.get("kind") == "claim")

    @property
    def stances_shown(self) -> int:
        return sum(1 for *_, d in self.graph.edges(data=True) if d.get("kind") == "stance")

    @property
    def capped(self) -> bool:
        return (
            self.people_shown < self.people_total
            or self.claims_shown < self.claims_total
            or self.stances_shown < self.stances_total
        )


def _label(text: str) -> str:
    return " ".join(text.split())


def _assemble(
    session: Session,
    people: Iterable[int],
    claims: Iterable[int],
    stance_rows: Iterable[tuple],
    relation_rows: Iterable[tuple],
    everything: bool = False,
    max_edges: int | None = None,
) -> nx.MultiDiGraph:
    """Add nodes (sorted, so layouts are deterministic) and the edges whose ends are both in.
    `everything`: the sets hold every person and claim, so read them without an IN list
    (SQLite refuses more than 32,766 parameters in one statement). `max_edges` keeps at most
    that many stance edges (those with the most evidence quotes first) and a third as many
    relation edges, so a dense core still draws as something a reader can follow."""
    g: nx.MultiDiGraph[tuple[str, int]] = nx.MultiDiGraph()
    people, claims = set(people), set(claims)
    stance_rows = [r for r in stance_rows if r[1] in people and r[2] in claims]
    relation_rows = [r for r in relation_rows if r[0] in claims and r[1] in claims]
    if max_edges is not None:
        stance_rows = sorted(stance_rows, key=lambda r: (-int(r[6]), r[1], r[2]))[:max_edges]
        relation_rows = relation_rows[: max(1, max_edges // 3)]
    for pid, slug, name in q.people_rows(session, None if everything else people):
        g.add_node(("person", pid), kind="person", slug=slug, label=_label(name))
    for cid, slug, text in q.claim_rows(session, None if everything else claims):
        g.add_node(("claim", cid), kind="claim", slug=slug, label=_label(text))
    for sid, pid, cid, position, as_of, basis, evidence in stance_rows:
        if pid in people and cid in claims:
            g.add_edge(
                ("person", pid),
                ("claim", cid),
                key="stance",
                kind="stance",
                position=position,
                weight=int(evidence),
                as_of=as_of.isoformat() if as_of else "",
                basis=basis,
                stance=int(sid),
            )
    for src, dst, kind, _rid in relation_rows:
        if src in claims and dst in claims:
            g.add_edge(
                ("claim", src), ("claim", dst), key=kind, kind="relation", position=kind, weight=1
            )
    return g


def build_viewpoint(
    session: Session,
    as_of: dt.date | None = None,
    topic_id: int | None = None,
    person_ids: Collection[int] | None = None,
    max_nodes: int | None = None,
    latest: LatestStances | None = None,
) -> Viewpoint:
    """The viewpoint graph, optionally narrowed and capped.

    - no filter: every person and every claim (isolated ones too);
    - `topic_id`: the topic's claims and the people holding stances on them;
    - `person_ids` (a camp): those people and the claims they hold stances on;
    - `max_nodes`: keep the most connected nodes (module docstring) and count the rest;
    - `latest`: the latest stances for the same as_of (Agreement.latest), which spares two
      GROUP BY queries over the whole stance table.
    """
    filtered = topic_id is not None or person_ids is not None
    if latest is not None:
        lp, lc = latest.persons, latest.claims
        keep = np.ones(lp.size, dtype=bool)
        if topic_id is not None:
            in_topic = [cid for cid, _s, _t in q.claim_rows(session, topic_id=topic_id)]
            keep &= np.isin(lc, np.asarray(in_topic, dtype=np.int64))
        if person_ids is not None:
            keep &= np.isin(lp, np.fromiter(person_ids, dtype=np.int64))
        pdeg = _counts(lp[keep])
        cdeg = _counts(lc[keep])
    else:
        pdeg = dict(q.person_degrees(session, as_of, topic_id, person_ids))
        cdeg = dict(q.claim_degrees(session, as_of, topic_id, person_ids))
    if filtered:
        people = set(pdeg)
        if person_ids is not None:
            people |= set(person_ids)
        claims = set(cdeg)
        if topic_id is not None and person_ids is None:
            claims |= {cid for cid, _s, _t in q.claim_rows(session, topic_id=topic_id)}
    else:
        people = {pid for pid, _s, _n in q.people_rows(session)}
        claims = {cid for cid, _s, _t in q.claim_rows(session)}
    stances_total = sum(pdeg.values())
    people_total, claims_total = len(people), len(claims)
    if max_nodes is not None and people_total + claims_total > max_nodes:
        rdeg = dict(q.relation_degrees(session))
        p_budget = min(people_total, max(1, round(max_nodes * PEOPLE_SHARE)))
        c_budget = max_nodes - p_budget
        people = set(sorted(people, key=lambda p: (-pdeg.get(p, 0), p))[:p_budget])
        claims = set(
            sorted(claims, key=lambda c: (-(cdeg.get(c, 0) + rdeg.get(c, 0)), c))[:c_budget]
        )
        stance_rows = q.stance_edge_rows(session, as_of, topic_id, people, claims)
        relation_rows = q.relation_rows(session, claims)
    else:
        stance_rows = q.stance_edge_rows(session, as_of, topic_id, person_ids)
        relation_rows = q.relation_rows(session, claims if filtered else None, None)
    everything = not filtered and max_nodes is None
    max_edges = max_nodes * EDGES_PER_NODE if max_nodes is not None else None
    g = _assemble(session, people, claims, stance_rows, relation_rows, everything, max_edges)
    return Viewpoint(g, people_total, claims_total, stances_total)


def _counts(ids: np.ndarray) -> dict[int, int]:
    values, counts = np.unique(ids, return_counts=True)
    return dict(zip(values.tolist(), counts.tolist(), strict=True))


def _degrees_from(
    index: LatestStances,
) -> Callable[[Collection[int]], tuple[dict[int, int], dict[int, int]]]:
    """Degrees counted from the agreement's latest stances (numpy, no SQL)."""

    def count(claim_ids: Collection[int]) -> tuple[dict[int, int], dict[int, int]]:
        """(stances per claim, stances per person) over the given claims."""
        at = index.on(claim_ids)
        return _counts(index.claims[at]), _counts(index.persons[at])

    return count


def ego_person(
    session: Session,
    person_id: int,
    as_of: dt.date | None = None,
    max_nodes: int = 36,
    latest: LatestStances | None = None,
) -> Viewpoint:
    """A person's neighbourhood: their claims (the most connected ones first), the other people
    who hold stances on those claims (most claims in common first), and the relations among
    those claims. At most `max_nodes` nodes; the person is always in. With `latest` (the
    agreement's latest stances for the same date) the degrees come from them."""
    if latest is not None:
        count = _degrees_from(latest)
        claims_all = set(latest.claims_of(person_id).tolist())
    else:
        claims_all = set(dict(q.claim_degrees(session, as_of, person_ids=[person_id])))
    if not claims_all:
        g = _assemble(session, [person_id], [], [], [])
        return Viewpoint(g, 1, 0, 0)
    if latest is not None:
        global_deg = count(claims_all)[0]
    else:
        global_deg = dict(q.claim_degrees(session, as_of, claim_ids=claims_all))
    c_budget = max(1, round((max_nodes - 1) * 0.7))
    claims = set(sorted(claims_all, key=lambda c: (-global_deg.get(c, 0), c))[:c_budget])
    if latest is not None:
        holders = count(claims)[1]
    else:
        holders = dict(q.person_degrees(session, as_of, person_ids=None, claim_ids=claims))
    holders.pop(person_id, None)
    p_budget = max_nodes - 1 - len(claims)
    people = {person_id} | set(sorted(holders, key=lambda p: (-holders[p], p))[:p_budget])
    rows = q.stance_edge_rows(session, as_of, None, people, claims)
    g = _assemble(
        session, people, claims, rows, q.relation_rows(session, claims), max_edges=max_nodes * 5
    )
    return Viewpoint(g, 1 + len(holders), len(claims_all), sum(global_deg.values()))


def ego_claim(
    session: Session,
    claim_id: int,
    as_of: dt.date | None = None,
    max_nodes: int = 36,
    latest: LatestStances | None = None,
) -> Viewpoint:
    """A claim's neighbourhood: the claims it relates to (either direction), the people who
    hold stances on it, and those people's stances on the related claims. `latest` as for
    `ego_person`."""
    related = {(b if a == claim_id else a) for a, b, _k, _r in q.relations_of(session, claim_id)}
    if latest is not None:
        count = _degrees_from(latest)
        deg = count(related | {claim_id})[0]
        holders = count([claim_id])[1]
    else:
        deg = dict(q.claim_degrees(session, as_of, claim_ids=related | {claim_id}))
        holders = dict(q.person_degrees(session, as_of, claim_ids=[claim_id]))
    c_budget = max(1, round((max_nodes - 1) * 0.4))
    claims = {claim_id} | set(sorted(related, key=lambda c: (-deg.get(c, 0), c))[:c_budget])
    p_budget = max_nodes - len(claims)
    people = set(sorted(holders, key=lambda p: (-holders[p], p))[:p_budget])
    rows = q.stance_edge_rows(session, as_of, None, people, claims) if people else []
    g = _assemble(
        session, people, claims, rows, q.relation_rows(session, claims), max_edges=max_nodes * 5
    )
    return Viewpoint(g, len(holders), 1 + len(related), deg.get(claim_id, 0))


def claim_graph(viewpoint: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The claim graph: claims and their relations only, each claim carrying the count of
    supporters, opponents and mixed stances (from the viewpoint graph it is cut from)."""
    g: nx.MultiDiGraph[tuple[str, int]] = nx.MultiDiGraph()
    for node, data in viewpoint.nodes(data=True):
        if data["kind"] == "claim":
            g.add_node(node, **data, supporters=0, opponents=0, mixed=0)
    for u, v, k, data in viewpoint.edges(keys=True, data=True):
        if data["kind"] == "relation":
            g.add_edge(u, v, key=k, **data)
        else:
            g.nodes[v][SIDE_COLUMNS[data["position"]]] += 1
    return g


def build_claim_graph(session: Session, as_of: dt.date | None = None) -> nx.MultiDiGraph:
    """The claim graph of the whole database: claims, relations, side counts per claim."""
    g: nx.MultiDiGraph[tuple[str, int]] = nx.MultiDiGraph()
    sides = {c: (s, o, m) for c, s, o, m in q.side_counts(session, as_of)}
    for cid, slug, text in q.claim_rows(session):
        s, o, m = sides.get(cid, (0, 0, 0))
        g.add_node(
            ("claim", cid),
            kind="claim",
            slug=slug,
            label=_label(text),
            supporters=int(s),
            opponents=int(o),
            mixed=int(m),
        )
    for src, dst, kind, _rid in q.relation_rows(session):
        g.add_edge(
            ("claim", src), ("claim", dst), key=kind, kind="relation", position=kind, weight=1
        )
    return g
