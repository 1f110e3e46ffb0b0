"""The graph of agreements and disagreements: one blueprint ("graph"), a module per page.

    blueprint.py       the blueprint and what its pages share (as_of, whole-number parameters,
                       the camp rows, the score rule)
    viewpoint_map.py   /graph: the viewpoint map (SVG), its camps, bridges and contested claims
    agreement_matrix.py /agreement: the people x people agreement matrix
    compare.py         /compare: choosing two people, and the pair side by side
    exports.py         /export/graph.graphml, .yed.graphml, .gexf, .json: the graph as files, streamed

Each page has a JSON twin at the same path + ".json". Everything heavy (graphs, camps, layouts)
comes from kb.graph.cached, so it is built once per data version; a request renders it.
Query parameters are checked in the views: a malformed one is a 400 with a message, never a 500.
Importing the page modules here is what adds their routes to the blueprint.
"""

from __future__ import annotations

# The map first, then the others: the order their routes join the app's URL map, as before.
from kb.web.graph import viewpoint_map

# isort: split
from kb.web.graph import agreement_matrix, compare, exports
from kb.web.graph.blueprint import bp

__all__ = ["agreement_matrix", "bp", "compare", "exports", "viewpoint_map"]
