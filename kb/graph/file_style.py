"""How the graph files draw each node: the colour, shape and place kb's own pictures give it,
and a size by degree, so Gephi (GEXF viz:*) and yEd (yFiles graphics) open the graph looking
like kb's opinion map instead of a grey hairball.

- colour and shape: a person's camp colour and mark shape (kb.graph.svg.camp_colour and
  camp_shape, the opinion map's), grey for no camp; claims in one neutral colour as squares;
- position: the opinion map's layout (kb.graph.cached.opinion) for the people it places, scaled
  by SCALE (Gephi and yEd count in pixels), y growing downwards as on the map and in yEd (the
  GEXF writer turns it up for Gephi); claims and unplaced people have none: the tool places
  them;
- size: MIN_SIZE plus the square root of the node's degree in the file (stances, relations and
  the agreement edges written), so hubs stand out without swamping the picture.

Ids and edge ids for XML live here too (`edge_xml_id`), because GraphML wants NMTOKENs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from kb.graph import cached, svg, writers
from kb.queries import graph as q

SCALE = 1000.0
MIN_SIZE = 4.0
CLAIM_COLOUR = "#5b6472"
"""Claims are not in a camp: one slate grey, darker than NO_CAMP so unplaced people differ."""
SHAPES = {"circle": "ellipse", "square": "rectangle", "triangle": "triangle", "diamond": "diamond"}
"""kb's mark shapes as yFiles shape names (GEXF 1.3's viz:shape is node-only and optional)."""


@dataclass(frozen=True)
class Style:
    """One node's drawing: colour "#rrggbb", kb shape name, size, and (x, y) or None."""

    colour: str
    shape: str
    size: float
    xy: tuple[float, float] | None

    @property
    def rgb(self) -> tuple[int, int, int]:
        c = self.colour.lstrip("#")
        return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def edge_xml_id(source: str, target: str, kind: str) -> str:
    """A stable XML id (an NMTOKEN: letters, digits, '-', no '>') for the edge source -> target
    of `kind` (stance, agreement, or the relation's supports/contradicts):
    e-person-1-claim-2-stance. Node ids ("person:1") are NMTOKENs already and stay as they are.
    """
    return f"e-{source.replace(':', '-')}-{target.replace(':', '-')}-{kind}"


def degrees(session: Session, as_of: dt.date | None = None) -> Counter[str]:
    """Every node's degree in the graph files: its stances, relations and agreement edges."""
    out: Counter[str] = Counter()
    for pid, n in q.person_degrees(session, as_of):
        out[f"person:{pid}"] += int(n)
    for cid, n in q.claim_degrees(session, as_of):
        out[f"claim:{cid}"] += int(n)
    for cid, n in q.relation_degrees(session):
        out[f"claim:{cid}"] += int(n)
    agreement = cached.agreement(session, as_of)
    ks = writers.export_pairs(agreement)
    ends = np.concatenate((agreement.i[ks], agreement.j[ks]))
    for row, n in zip(*np.unique(ends, return_counts=True), strict=True):
        out[f"person:{int(agreement.person_ids[row])}"] += int(n)
    return out


def size_of(degree: int) -> float:
    return round(MIN_SIZE + 2.0 * math.sqrt(degree), 3)


class Styles:
    """The styles of one export, computed once before the nodes are written."""

    def __init__(self, session: Session, as_of: dt.date | None = None) -> None:
        self.camp_of = cached.camps(session, as_of).camp_of
        found, _claims = cached.opinion(session, as_of)
        self.coords = found.coords
        self.degree = degrees(session, as_of)

    def of(self, node_id: str) -> Style:
        kind, _, raw = node_id.partition(":")
        size = size_of(self.degree.get(node_id, 0))
        if kind == "claim":
            return Style(CLAIM_COLOUR, "square", size, None)
        pid = int(raw)
        camp = self.camp_of.get(pid, 0)
        xy = self.coords.get(pid)
        place = None if xy is None else (round(xy[0] * SCALE, 2), round(xy[1] * SCALE, 2))
        return Style(svg.camp_colour(camp), svg.camp_shape(camp), size, place)
