"""xAIF, the AIF+ JSON that OVA3 saves and opens: `{"AIF": {...}, "OVA": {...}, "text": ...}`.

"AIF" is kb's AIF document (kb.formats.aif, same nodes, ids, timestamps, locutions and
participants), with xAIF's edges `{"edgeID", "fromID", "toID"}` (no "formEdgeID") and
`"schemefulfillments": []`. "OVA" is what OVA draws: `{"firstname", "surname", "url"}` (the
analyst; empty, for kb's data has many authors), one `{"nodeID", "visible", "x", "y",
"timestamp"}` per node and one `{"fromID", "toID", "visible"}` per edge. "text" is the analysed
text OVA shows beside the diagram: every L-node's words ("Speaker Name: the words"), HTML-escaped,
separated by `<br>`, as arguebuf's xAIF writer joins its texts. `"dialog": true` tells OVA the
analysis has a dialogue layer (L and YA nodes), which it shows in its dialogical mode.

Positions are a plain layered layout, the same every time: one row per layer, top to bottom,
the locutions (L), their illocutions (YA), the claims (I) and the relations between claims
(RA/CA), each row in export order, `COLUMN` apart; OVA lets the analyst move them from there.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from typing import Any

from kb.formats import aif

COLUMN = 250
ROWS = {"L": 0, "YA": 1, "I": 2, "RA": 3, "CA": 3}
ROW_HEIGHT = 200
MARGIN = 50


def _ova_nodes(nodes: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    filled = [0] * (max(ROWS.values()) + 1)
    for node in nodes:
        row = ROWS[node["type"]]
        x = MARGIN + COLUMN * filled[row]
        filled[row] += 1
        yield {
            "nodeID": node["nodeID"],
            "visible": True,
            "x": x,
            "y": MARGIN + ROW_HEIGHT * row,
            "timestamp": node.get("timestamp", ""),
        }


def _text(nodes: Iterator[dict[str, Any]]) -> Iterator[str]:
    """The "text" member, streamed: a JSON string written in pieces (each piece is a JSON
    string's inside, so the pieces join into one valid string)."""
    yield ',\n"text": "'
    sep = ""
    for node in nodes:
        if node["type"] == "L":
            yield json.dumps(sep + html.escape(node["text"]), ensure_ascii=False)[1:-1]
            sep = "<br>"
    yield '"'


def iter_xaif(streams: aif.Streams) -> Iterator[str]:
    """kb's argument graph as one xAIF document for OVA, streamed section by section."""
    doc = aif.Aif(streams)
    yield '{"AIF": {'
    yield from aif.array("participants", doc.participants(), first_key=True)
    yield from aif.array("nodes", doc.nodes())
    edges = ({k: v for k, v in e.items() if k != "formEdgeID"} for e in doc.edges())
    yield from aif.array("edges", edges)
    yield from aif.array("locutions", doc.locutions())
    yield ',\n"schemefulfillments": []},\n"OVA": {"firstname": "", "surname": "", "url": "", '
    yield from aif.array("nodes", _ova_nodes(doc.nodes()), first_key=True)
    ova_edges = ({"fromID": e["fromID"], "toID": e["toID"], "visible": True} for e in doc.edges())
    yield from aif.array("edges", ova_edges)
    yield "}"
    yield from _text(doc.nodes())
    yield ',\n"dialog": true}\n'
