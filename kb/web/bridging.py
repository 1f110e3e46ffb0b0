"""Bridging claims for readers: the rows the home page, the opinion map and their JSON twins
show, and the order behind /claims?sort=bridging. The rule and its sentence are
kb.graph.bridging's (BRIDGING_RULE); the results come from kb.graph.cached, once per data
version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from kb.graph import cached
from kb.graph.bridging import BRIDGING_RULE, bridging_order
from kb.queries import claims

HOME_LIMIT = 5
MAP_LIMIT = 8


def rows(session: Session, limit: int, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """The `limit` best bridging claims as pages and JSON show them."""
    found, text = cached.bridging_claims(session, as_of)
    return [
        {
            "slug": text[b.claim_id][0],
            "text": text[b.claim_id][1],
            "side": b.side,
            "share": b.share,
            "camps": b.camps,
            "holders": b.holders,
            "score": b.rank,
            "supports": b.supporters,
            "opposes": b.opponents,
            "mixed": b.mixed,
        }
        for b in found[:limit]
        if b.claim_id in text
    ]


def claim_order(session: Session) -> list[int]:
    """Every claim with a stance, bridging ones first (kb.graph.bridging.bridging_order)."""
    found, _ = cached.bridging_claims(session)
    sides = cached.agreement(session).sides
    every = [(int(r[0]), int(r[1] + r[2] + r[3])) for r in sides.tolist()]
    return bridging_order(found, every)


def init_app(app: Flask) -> None:
    """The bridging sort of the claim lists, and the rule's sentence for every template."""
    claims.COMPUTED_ORDERS["bridging"] = claim_order
    app.jinja_env.globals["bridging_rule_sentence"] = BRIDGING_RULE
