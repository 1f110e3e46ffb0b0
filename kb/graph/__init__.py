"""The graph layer: networkx graphs and analyses built from the database through kb.queries.

Nothing here knows HTTP (no flask import): views and exports call these functions and render
what they get. Modules:

- agreement: the people x people agreement graph, counted with sparse matrix products
  (`build_agreement`; the score rule is in its docstring);
- viewpoint: the viewpoint graph (people, claims, stances, claim relations), ego graphs and the
  claim graph (`build_viewpoint`, `ego_person`, `ego_claim`, `build_claim_graph`);
- analysis: camps (Louvain), contested claims, tensions, bridges (betweenness), comparisons;
- opinion_map: everyone placed on a plane by agreement (classical MDS, oriented so it stays
  put as data grows), the camps' names and the claims that divide them; map_svg draws it and
  labels places the names without overlap (the neighbourhood pictures use it too);
- svg: deterministic server-side pictures; stream: GraphML, GEXF 1.3 and node-link JSON
  written row by row (what /export/graph.* serves); writers: the same graph as networkx
  (`export_graph`, what the streamed files are tested against);
- cache: everything above, built once per data version (`kb.graph.cached`).

For timing (the benchmark): `build_agreement(session)` then `camps(agreement)`, uncached; or
`cached.agreement(session)` / `cached.camps(session)` for the cached path.
"""

from __future__ import annotations

from kb.graph import cached
from kb.graph.agreement import Agreement, PairCounts, build_agreement, score_of
from kb.graph.analysis import (
    Camps,
    bridges,
    camps,
    compare,
    contested_claims,
    contested_score,
    positive_graph,
    tensions,
)
from kb.graph.viewpoint import (
    Viewpoint,
    build_claim_graph,
    build_viewpoint,
    claim_graph,
    ego_claim,
    ego_person,
)

__all__ = [
    "Agreement",
    "Camps",
    "PairCounts",
    "Viewpoint",
    "bridges",
    "build_agreement",
    "build_claim_graph",
    "build_viewpoint",
    "cached",
    "camps",
    "claim_graph",
    "compare",
    "contested_claims",
    "contested_score",
    "ego_claim",
    "ego_person",
    "positive_graph",
    "score_of",
    "tensions",
]
