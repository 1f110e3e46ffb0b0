"""Analyses of the graphs: camps, contested claims, tensions, bridges, cruxes.

Each analysis has a pure function over small inputs (a networkx graph or counts) that the tests
check on hand-made cases, and, where it needs the database, a thin wrapper that feeds it rows.

- Camps: Louvain communities (networkx.community.louvain_communities, seed fixed) of the
  *positive agreement graph*: people are joined when their score is > 0, weighted by the score.
  At scale that graph is nearly complete, so each person keeps only their `CAMP_NEIGHBOURS`
  strongest positive ties (best score, then most shared claims); an edge stays when either end
  keeps it. Camps are numbered by a rule tied to their members, not their size, so that a
  camp keeps its number (and colour) as data grows and across ?as_of= dates: camps of
  `CAMP_MIN` or more people first, each ordered by its lowest person id (the camp holding the
  person entered first is camp 1), then the smaller ones the same way. A camp's name is its
  `CAMP_NAMED` most-evidenced members ("Geoffrey Hinton, Yoshua Bengio and 9 others").
- Contested claims: with s supporters and o opponents (mixed stances are not a side),
  contested = (min(s, o) / max(s, o)) * log2(1 + s + o), defined once in kb.queries.contested
  (with CONTESTED_RULE, the sentence pages show) and re-exported here: the list pages sort by
  the same score. A claim nobody opposes (or supports) scores 0 and is not listed.
- Tensions: a person who supports two claims where one contradicts the other, or who supports
  claim A, A supports B, and opposes B (found in SQL: kb.queries.tensions.tension_rows).
- Bridges: betweenness centrality (networkx.betweenness_centrality, unweighted, normalised) on
  the positive agreement graph: the share of shortest paths between other people that pass
  through a person. A bridge is a person with betweenness > 0 who has positive ties into two or
  more camps; articulation points (whose removal disconnects the graph) are flagged. Above
  `BRIDGE_EXACT_LIMIT` people the betweenness is estimated from a fixed-seed sample of sources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from sqlalchemy.orm import Session

from kb.graph.agreement import Agreement, PairCounts, top_per_person
from kb.models import Claim, Person, Stance
from kb.queries import graph as q
from kb.queries import tensions as tension_queries

# the one definition of "most contested", re-exported for the graph pages
from kb.queries.contested import CONTESTED_RULE as CONTESTED_RULE
from kb.queries.contested import contested_score as contested_score
from kb.queries.contested import rank_contested as rank_contested

CAMP_SEED = 20170717
CAMP_NEIGHBOURS = 15
CAMP_MIN = 3
CAMP_NAMED = 2
BRIDGE_EXACT_LIMIT = 400
BRIDGE_SAMPLE = 24


# --- camps -------------------------------------------------------------------------------


@dataclass(eq=False)
class Camps:
    """Communities of people. members[k] is camp k+1, its person ids strongest first."""

    members: list[list[int]]
    camp_of: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.camp_of = {pid: k + 1 for k, ids in enumerate(self.members) for pid in ids}

    def __len__(self) -> int:
        return len(self.members)

    def order(self) -> list[int]:
        """Every person id, camp by camp."""
        return [pid for ids in self.members for pid in ids]


def positive_graph(agreement: Agreement, neighbours: int = CAMP_NEIGHBOURS) -> nx.Graph:
    """People joined by their positive agreement (weight = score), sparsified to each
    person's `neighbours` strongest ties; every person with a stance is a node."""
    g: nx.Graph[int] = nx.Graph()
    g.add_nodes_from(int(p) for p in agreement.person_ids)
    score = agreement.score
    pos = np.flatnonzero(score > 0)
    if pos.size == 0:
        return g
    i, j, s, sh = agreement.i[pos], agreement.j[pos], score[pos], agreement.shared[pos]
    kept = top_per_person(i, j, -s, -sh.astype(np.int64), neighbours, len(agreement.person_ids))
    ids = agreement.person_ids
    g.add_weighted_edges_from(
        (int(ids[a]), int(ids[b]), float(w))
        for a, b, w in zip(i[kept], j[kept], s[kept], strict=True)
    )
    return g


def communities(g: nx.Graph, seed: int = CAMP_SEED, weight: str = "weight") -> list[list]:
    """Louvain communities of `g`, largest first (ties: smallest member first); members sorted
    by weighted degree inside the graph, then by node. Deterministic for a seed."""
    found = nx.community.louvain_communities(g, weight=weight, seed=seed) if len(g) else []
    strength = dict(g.degree(weight=weight))
    out = [sorted(c, key=lambda n: (-strength.get(n, 0), n)) for c in found]
    out.sort(key=lambda c: (-len(c), min(c)))
    return out


def camps(agreement: Agreement, seed: int = CAMP_SEED, positive: nx.Graph | None = None) -> Camps:
    """The camps of the agreement graph (see the module docstring); `positive` is
    positive_graph(agreement) when the caller has it already."""
    g = positive if positive is not None else positive_graph(agreement)
    return Camps(sorted(communities(g, seed=seed), key=_camp_rank))


def _camp_rank(members: list[int]) -> tuple[bool, int]:
    """Big enough camps first, then by the lowest member id (see the module docstring)."""
    return len(members) < CAMP_MIN, min(members)


def camp_name(ids: Sequence[int], agreement: Agreement, shown: int = CAMP_NAMED) -> str:
    """ "Geoffrey Hinton, Yoshua Bengio and 9 others": the members with the most latest
    stances (ties: lowest id), so the name follows the best-documented people."""
    counts = {
        int(p): int(c) for p, c in zip(agreement.person_ids, agreement.stance_counts, strict=True)
    }
    best = sorted(ids, key=lambda p: (-counts.get(p, 0), p))[:shown]
    names = [agreement.people.get(p, ("", str(p)))[1] for p in best]
    rest = len(ids) - len(best)
    if rest <= 0:
        return (
            " and ".join(names) if len(names) <= 2 else f"{', '.join(names[:-1])} and {names[-1]}"
        )
    return f"{', '.join(names)} and {rest} other{'s' if rest != 1 else ''}"


def camp_label(
    camps_: Camps, number: int, names: dict[int, tuple[str, str]], shown: int = 3
) -> str:
    """ "Camp 2: Elon Musk, Stephen Hawking and 3 more"."""
    ids = camps_.members[number - 1]
    first = [names.get(p, ("", str(p)))[1] for p in ids[:shown]]
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return f"Camp {number}: {', '.join(first)}{more}"


# --- contested claims --------------------------------------------------------------------


@dataclass(frozen=True)
class Contested:
    claim_id: int
    slug: str
    text: str
    supporters: int
    opponents: int
    mixed: int
    score: float


def contested_claims(
    session: Session,
    limit: int = 10,
    as_of: dt.date | None = None,
    topic_id: int | None = None,
    agreement: Agreement | None = None,
) -> list[Contested]:
    """The most contested claims in the database. With `agreement` (built for the same as_of)
    the side counts come from its arrays and one query fetches the winners' text; otherwise
    two queries."""
    if agreement is not None and topic_id is None:
        counts: Iterable[tuple[int, int, int, int]] = agreement.sides.tolist()
    else:
        counts = q.side_counts(session, as_of, topic_id)
    ranked = rank_contested(counts, limit)
    info = {cid: (slug, text) for cid, slug, text in q.claim_rows(session, [r[0] for r in ranked])}
    return [Contested(c, *info[c], s, o, m, score) for c, s, o, m, score in ranked]


# --- bridges -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bridge:
    person: int
    betweenness: float
    camps: tuple[int, ...]
    articulation: bool


def bridges(g: nx.Graph, camp_of: dict, limit: int = 10, seed: int = CAMP_SEED) -> list[Bridge]:
    """People with betweenness > 0 on the positive graph `g` whose positive ties reach two or
    more camps, highest betweenness first (see the module docstring)."""
    if len(g) < 3:
        return []
    k = None if len(g) <= BRIDGE_EXACT_LIMIT else BRIDGE_SAMPLE
    btw = nx.betweenness_centrality(g, k=k, seed=seed, normalized=True)
    cut = set(nx.articulation_points(g))
    found = []
    for node, value in btw.items():
        if value <= 0:
            continue
        met = {camp_of.get(n) for n in g[node]} | {camp_of.get(node)}
        reached = {c for c in met if c is not None}
        if len(reached) >= 2:
            found.append(Bridge(node, float(value), tuple(sorted(reached)), node in cut))
    found.sort(key=lambda b: (-b.betweenness, b.person))
    return found[:limit]


# --- tensions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tension:
    """A person's two stances that pull against each other, with the evidence for both."""

    person: Person
    kind: str  # the relation: "contradicts" or "supports"
    first: Stance  # supports `first.claim`
    second: Stance  # supports (contradicts) or opposes (supports) `second.claim`

    @property
    def explanation(self) -> str:
        a, b = self.first.claim.slug, self.second.claim.slug
        if self.kind == "contradicts":
            return f"supports both {a} and {b}, though {a} contradicts {b}"
        return f"supports {a}, which supports {b}, yet opposes {b}"


def tensions(
    session: Session,
    person_id: int | None = None,
    claim_id: int | None = None,
    as_of: dt.date | None = None,
    limit: int = 50,
) -> list[Tension]:
    """Tensions of one person, around one claim, or everywhere; each stance with its quotes.
    Queries: one for the tensions, then a fixed few to load the stances and their evidence."""
    rows = tension_queries.tension_rows(session, as_of, person_id, claim_id, limit)
    stance_ids = {r[2] for r in rows} | {r[5] for r in rows}
    stances = q.stances_with_evidence(session, stance_ids)
    return [
        Tension(stances[a_id].person, kind, stances[a_id], stances[b_id])
        for _pid, _from, a_id, _pos, _to, b_id, kind, _rid in rows
    ]


# --- cruxes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedClaim:
    claim: Claim
    a: Stance
    b: Stance
    centrality: int


@dataclass(frozen=True)
class Comparison:
    """Two people side by side: what they agree on, where they split (cruxes), the rest."""

    a: Person
    b: Person
    agreements: list[SharedClaim]
    cruxes: list[SharedClaim]
    partial: list[SharedClaim]  # shared claims where one side is mixed
    only_a: int
    only_b: int

    @property
    def shared(self) -> int:
        return len(self.agreements) + len(self.cruxes) + len(self.partial)

    @property
    def score(self) -> float:
        if not self.shared:
            return 0.0
        return (len(self.agreements) - len(self.cruxes)) / self.shared


def compare(session: Session, a: Person, b: Person, as_of: dt.date | None = None) -> Comparison:
    """Compare two people's latest stances. Cruxes (supports vs opposes) are ordered by the
    claim's degree centrality in the viewpoint graph (how many people hold a stance on it plus
    how many claim relations touch it), most central first: the claims the debate turns on."""
    rows = session.execute(q.latest_for_people([a.id, b.id], as_of)).all()
    by_person: dict[int, dict[int, tuple[int, int]]] = {a.id: {}, b.id: {}}
    for sid, pid, cid, sign in rows:
        by_person[pid][cid] = (sid, sign)
    shared_ids = sorted(set(by_person[a.id]) & set(by_person[b.id]))
    stance_ids = [by_person[p][c][0] for c in shared_ids for p in (a.id, b.id)]
    stances = q.stances_with_evidence(session, stance_ids)
    degree = dict(q.claim_degrees(session, as_of, claim_ids=shared_ids)) if shared_ids else {}
    rel = dict(q.relation_degrees(session, claim_ids=shared_ids)) if shared_ids else {}
    agree, cruxes, partial = [], [], []
    for cid in shared_ids:
        (sa, sign_a), (sb, sign_b) = by_person[a.id][cid], by_person[b.id][cid]
        st_a, st_b = stances[sa], stances[sb]
        item = SharedClaim(st_a.claim, st_a, st_b, degree.get(cid, 0) + rel.get(cid, 0))
        if sign_a == 0 or sign_b == 0:
            partial.append(item)
        elif sign_a == sign_b:
            agree.append(item)
        else:
            cruxes.append(item)
    central = lambda it: (-it.centrality, it.claim.slug)  # noqa: E731
    agree.sort(key=central)
    cruxes.sort(key=central)
    partial.sort(key=central)
    return Comparison(
        a,
        b,
        agree,
        cruxes,
        partial,
        len(by_person[a.id]) - len(shared_ids),
        len(by_person[b.id]) - len(shared_ids),
    )


@dataclass(frozen=True)
class Matrix:
    """The people shown in the agreement heat map, camp by camp, and their pairs' counts
    (both orders: cells[(a, b)] and cells[(b, a)])."""

    people: list[int]
    cells: dict[tuple[int, int], PairCounts]
    left_out: int


def matrix(agreement: Agreement, camps_: Camps, limit: int) -> Matrix:
    """The `limit` people with the most latest stances, ordered by camp, and their pairs."""
    counts = agreement.stance_counts
    ranked = np.lexsort((agreement.person_ids, -counts))[:limit]
    chosen = order_people([int(agreement.person_ids[k]) for k in ranked], camps_)
    cells: dict[tuple[int, int], PairCounts] = {}
    for pair in agreement.among(chosen):
        cells[(pair.a, pair.b)] = pair
        cells[(pair.b, pair.a)] = PairCounts(
            pair.b, pair.a, pair.agreements, pair.disagreements, pair.shared, pair.score
        )
    return Matrix(chosen, cells, len(agreement.person_ids) - len(chosen))


def order_people(people: Sequence[int], camps_: Camps) -> list[int]:
    """People in camp order (camp 1 first), keeping each camp's internal order."""
    wanted = set(people)
    return [p for p in camps_.order() if p in wanted]
