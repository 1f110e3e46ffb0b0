"""The graph layer's results, each built once per data version (see kb.graph.cache).

These are what request paths call. Each function's cache key is the database, its data version
and the function's parameters; parameters are plain hashable values (ids, dates, ints).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import networkx as nx
from sqlalchemy.orm import Session

from kb.graph import analysis, bridging, opinion_map, svg, viewpoint, writers
from kb.graph.agreement import Agreement
from kb.graph.agreement_load import load_agreement
from kb.graph.cache import cached
from kb.queries import graph as q
from kb.store import derived

Positions = dict[tuple[str, int], tuple[float, float]]
T = TypeVar("T")


def agreement(session: Session, as_of: dt.date | None = None) -> Agreement:
    return cached(session, "agreement", (as_of,), lambda: load_agreement(session, as_of))


def _deployment_wide(
    session: Session, name: str, as_of: dt.date | None, kind: Any, build: Callable[[], T]
) -> T:
    """Today's value is computed once for every worker of every server (kb.store.derived); a
    value as of a past date, which few ask for, by each worker that needs it."""
    return derived.shared(session, name, kind, build) if as_of is None else build()


def camps(session: Session, as_of: dt.date | None = None) -> analysis.Camps:
    def build() -> analysis.Camps:
        return analysis.camps(agreement(session, as_of), positive=positive(session, as_of))

    return cached(
        session,
        "camps",
        (as_of,),
        lambda: _deployment_wide(session, "camps", as_of, analysis.Camps, build),
    )


def positive(session: Session, as_of: dt.date | None = None) -> nx.Graph:
    return cached(
        session, "positive", (as_of,), lambda: analysis.positive_graph(agreement(session, as_of))
    )


def bridges(session: Session, as_of: dt.date | None = None) -> list[analysis.Bridge]:
    def build() -> list[analysis.Bridge]:
        return analysis.bridges(positive(session, as_of), camps(session, as_of).camp_of)

    kind = list[analysis.Bridge]
    return cached(
        session,
        "bridges",
        (as_of,),
        lambda: _deployment_wide(session, "bridges", as_of, kind, build),
    )


def opinion(
    session: Session, as_of: dt.date | None = None
) -> tuple[opinion_map.OpinionMap, dict[int, tuple[str, str]]]:
    """The opinion map (kb.graph.opinion_map) and its dividing claims' (slug, text)."""

    def build() -> tuple[opinion_map.OpinionMap, dict[int, tuple[str, str]]]:
        found = opinion_map.build_map(agreement(session, as_of), camps(session, as_of))
        ids = [d.claim_id for d in found.dividing]
        return found, {cid: (slug, text) for cid, slug, text in q.claim_rows(session, ids)}

    kind = tuple[opinion_map.OpinionMap, dict[int, tuple[str, str]]]
    return cached(
        session,
        "opinion",
        (as_of,),
        lambda: _deployment_wide(session, "opinion", as_of, kind, build),
    )


def bridging_claims(
    session: Session, as_of: dt.date | None = None
) -> tuple[list[bridging.Bridging], dict[int, tuple[str, str]]]:
    """Every bridging claim, best first (kb.graph.bridging), and their (slug, text)."""

    def build() -> tuple[list[bridging.Bridging], dict[int, tuple[str, str]]]:
        found = bridging.bridging_claims(agreement(session, as_of), camps(session, as_of))
        ids = [b.claim_id for b in found]
        return found, {cid: (slug, text) for cid, slug, text in q.claim_rows(session, ids)}

    kind = tuple[list[bridging.Bridging], dict[int, tuple[str, str]]]
    return cached(
        session,
        "bridging",
        (as_of,),
        lambda: _deployment_wide(session, "bridging", as_of, kind, build),
    )


def matrix(session: Session, limit: int, as_of: dt.date | None = None) -> analysis.Matrix:
    """The agreement heat map's people and cells."""
    return cached(
        session,
        "matrix",
        (limit, as_of),
        lambda: analysis.matrix(agreement(session, as_of), camps(session, as_of), limit),
    )


def contested(
    session: Session, limit: int = 10, as_of: dt.date | None = None
) -> list[analysis.Contested]:
    def build() -> list[analysis.Contested]:
        agree = agreement(session, as_of)
        return analysis.contested_claims(session, limit=limit, as_of=as_of, agreement=agree)

    name, kind = f"contested {limit}", list[analysis.Contested]
    return cached(
        session,
        "contested",
        (limit, as_of),
        lambda: _deployment_wide(session, name, as_of, kind, build),
    )


def viewpoint_graph(
    session: Session,
    as_of: dt.date | None = None,
    topic_id: int | None = None,
    camp: int | None = None,
    max_nodes: int | None = None,
) -> viewpoint.Viewpoint:
    """The (capped, filtered) viewpoint graph, without a layout (what /graph.json lists and
    the opinion map's counts need; the layout is the costly part of `picture`)."""

    def build() -> viewpoint.Viewpoint:
        people = None
        if camp is not None:
            people = camps(session, as_of).members[camp - 1]
        agree = agreement(session, as_of)
        return viewpoint.build_viewpoint(
            session, as_of, topic_id, people, max_nodes, latest=agree.latest
        )

    return cached(session, "viewpoint", (as_of, topic_id, camp, max_nodes), build)


def picture(
    session: Session,
    as_of: dt.date | None = None,
    topic_id: int | None = None,
    camp: int | None = None,
    max_nodes: int | None = None,
) -> tuple[viewpoint.Viewpoint, Positions]:
    """The (capped, filtered) viewpoint graph and its deterministic layout."""

    def build() -> tuple[viewpoint.Viewpoint, Positions]:
        vp = viewpoint_graph(session, as_of, topic_id, camp, max_nodes)
        return vp, svg.layout(vp.graph, agreement(session, as_of))

    return cached(session, "picture", (as_of, topic_id, camp, max_nodes), build)


def ego(
    session: Session, kind: str, node_id: int, as_of: dt.date | None = None
) -> tuple[viewpoint.Viewpoint, Positions]:
    """A person's or claim's neighbourhood and its layout."""

    def build() -> tuple[viewpoint.Viewpoint, Positions]:
        maker = viewpoint.ego_person if kind == "person" else viewpoint.ego_claim
        agree = agreement(session, as_of)
        vp = maker(session, node_id, as_of, latest=agree.latest)
        return vp, svg.layout(vp.graph, agree, rounds=svg.EGO_ROUNDS)

    return cached(session, "ego", (kind, node_id, as_of), build)


def export(session: Session, as_of: dt.date | None = None) -> nx.MultiDiGraph:
    """The whole viewpoint graph with agreement edges and camps, ready for the writers."""
    return cached(
        session,
        "export",
        (as_of,),
        lambda: writers.export_graph(
            viewpoint.build_viewpoint(session, as_of).graph,
            agreement(session, as_of),
            camps(session, as_of),
        ),
    )
