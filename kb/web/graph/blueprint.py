"""The "graph" blueprint and what its pages share: the as_of and whole-number query parameters,
the current query with some changed, the camp rows and the agreement score's rule.

The page modules (kb.web.graph.viewpoint_map, agreement_matrix, compare, exports) add their
routes to `bp`; kb.web.graph imports them all, so registering kb.web.graph.bp serves every page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, request
from werkzeug.exceptions import HTTPException

from kb.graph import analysis, svg
from kb.graph.agreement import Agreement
from kb.web import params
from kb.web.present import http_error

bp = Blueprint("graph", __name__)

bp.register_error_handler(HTTPException, http_error)  # as on the browse pages

AS_OF_PARAM = ("as_of", "date", "the graph as it stood on this date (YYYY-MM-DD)")
SCORE_RULE = (
    "Score = (agreements − disagreements) / shared claims, from −1 (disagree on every shared "
    "claim) to +1 (agree on every one). Agree: both support or both oppose; disagree: one "
    "supports, the other opposes; a mixed stance counts as shared but as neither."
)


def as_of() -> dt.date | None:
    """The ?as_of= date of the request, None when absent; a malformed one is a 400."""
    return params.day(request.args, "as_of")


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """A whole number in [low, high] from the request's query, `default` when absent."""
    return params.bounded_int(request.args, name, default, low, high)


def args_with(**changes: Any) -> dict[str, Any]:
    """The current query parameters with some changed (None removes one)."""
    out = {k: v for k, v in request.args.items() if v}
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def camp_rows(camps: analysis.Camps, agreement: Agreement) -> list[dict[str, Any]]:
    """Each camp as the pages and their JSON twins show it: number, label, name (from its
    best-documented members), size, colour, shape (on the opinion map) and members."""
    return [
        {
            "number": k + 1,
            "label": analysis.camp_label(camps, k + 1, agreement.people),
            "name": analysis.camp_name(ids, agreement),
            "size": len(ids),
            "colour": svg.camp_colour(k + 1),
            "shape": svg.camp_shape(k + 1),
            "members": [
                {"slug": agreement.people[p][0], "name": agreement.people[p][1]}
                for p in ids
                if p in agreement.people
            ],
        }
        for k, ids in enumerate(camps.members)
    ]
